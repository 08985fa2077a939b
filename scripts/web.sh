# Set-up steps for the web chat page (web/) and its browser test.
# Sourced by scripts/lib.sh (which defines log and die); safe to repeat and
# quick when nothing changed. Run from the repo root.

WEB_DIR="${WEB_DIR:-web}"
BROWSER_BIN="${BROWSER_BIN:-/usr/bin/chromium}"

# Installs web/node_modules (socket.io-client) with `npm ci`, only when
# web/package-lock.json changed since the last install. The stamp file holds
# the sha256 of the lock file that was installed.
ensure_web() {
    local lock="$WEB_DIR/package-lock.json"
    local stamp="$WEB_DIR/node_modules/.package-lock.sha256"
    local want
    [ -f "$lock" ] || { echo "ensure_web: $lock is missing" >&2; return 1; }
    want=$(sha256sum "$lock" | cut -d' ' -f1)
    if [ -f "$WEB_DIR/node_modules/.package-lock.json" ] \
        && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    if ! command -v npm >/dev/null 2>&1; then
        echo "ensure_web: npm is required for the web chat page; install Node.js 18+ (e.g. 'apt-get install nodejs npm') and run this again." >&2
        return 1
    fi
    printf '==> %s\n' "Installing the web chat's JavaScript packages (npm ci --prefix $WEB_DIR)"
    npm ci --prefix "$WEB_DIR" --no-audit --no-fund --loglevel=error || {
        echo "ensure_web: 'npm ci --prefix $WEB_DIR' failed; read the messages above." >&2
        return 1
    }
    echo "$want" > "$stamp"
}

# True when the page's Thai fonts are known to fontconfig: Loma (Debian's
# fonts-thai-tlwg) and Noto Sans Thai (Debian's fonts-noto-core).
_has_thai_fonts() {
    local families
    command -v fc-list >/dev/null 2>&1 || return 1
    families=$(fc-list :lang=th family 2>/dev/null)
    case "$families" in *Loma*) ;; *) return 1 ;; esac
    case "$families" in *"Noto Sans Thai"*) ;; *) return 1 ;; esac
}

# True when Debian's libfribidi0 is there: Pillow's wheel carries raqm and
# HarfBuzz but loads FriBiDi from the system, and the LINE rich-menu image
# needs raqm to place Thai vowels and tone marks (bot/channels/line/richmenu.py).
_has_fribidi() {
    compgen -G '/usr/lib/*/libfribidi.so.0*' >/dev/null \
        || compgen -G '/lib/*/libfribidi.so.0*' >/dev/null \
        || compgen -G '/usr/lib/libfribidi.so.0*' >/dev/null
}

# Installs Debian's Chromium and Thai fonts for the browser test (and FriBiDi
# for the rich-menu image), only when one of them is missing. Needs root (or sudo).
ensure_browser() {
    if [ -x "$BROWSER_BIN" ] && _has_thai_fonts && _has_fribidi; then
        return 0
    fi
    local sudo="" packages="chromium fonts-thai-tlwg fonts-noto-core libfribidi0"
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo="sudo"
        else
            echo "ensure_browser: Chromium, Thai fonts or FriBiDi are missing; as root run: apt-get install $packages" >&2
            return 1
        fi
    fi
    [ -x "$BROWSER_BIN" ] || printf '==> %s\n' "Chromium is missing ($BROWSER_BIN)"
    _has_thai_fonts || printf '==> %s\n' "Thai fonts (Loma, Noto Sans Thai) are missing"
    printf '==> %s\n' "Installing $packages with apt-get (for the web chat browser test)"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends $packages >/dev/null || {
        echo "ensure_browser: apt-get could not install $packages; read the messages above." >&2
        return 1
    }
    [ -x "$BROWSER_BIN" ] || { echo "ensure_browser: $BROWSER_BIN still missing after the install" >&2; return 1; }
    printf '==> %s\n' "Installed: $("$BROWSER_BIN" --version 2>/dev/null); Thai fonts: $(fc-list :lang=th family | sort -u | tr '\n' ' ')"
}
