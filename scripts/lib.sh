# Shared steps for scripts/run.sh and scripts/test.sh. Source it from the repo root.
# Every step is safe to repeat and quick when nothing changed.

VENV_DIR="${VENV_DIR:-.venv}"
PY="$VENV_DIR/bin/python"
RUN_DIR="${RUN_DIR:-.run}"
MODEL_DIR="${MODEL_DIR:-models}"
MODEL_FILE="$MODEL_DIR/current.tar.gz"
RASA_PORT="${RASA_PORT:-5005}"
ACTION_PORT="${ACTION_PORT:-5055}"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
# Rasa's telemetry would try the network; this machine must work offline.
export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
# credentials.yml reads these; empty means the LINE channel stays off.
export LINE_CHANNEL_SECRET="${LINE_CHANNEL_SECRET:-}"
export LINE_CHANNEL_ACCESS_TOKEN="${LINE_CHANNEL_ACCESS_TOKEN:-}"
export LINE_API_BASE_URL="${LINE_API_BASE_URL:-https://api.line.me}"

# shellcheck source=scripts/web.sh
source scripts/web.sh
# shellcheck source=scripts/console.sh
source scripts/console.sh

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# Prints a working Python 3.10 interpreter, or fails with what to install.
find_python310() {
    local candidate
    if python3.10 -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
        command -v python3.10
        return
    fi
    if command -v pyenv >/dev/null 2>&1; then
        for candidate in "$(pyenv root)"/versions/3.10.*/bin/python3.10; do
            if [ -x "$candidate" ]; then
                echo "$candidate"
                return
            fi
        done
    fi
    die "Python 3.10 is required (Rasa 3.6 runs on Python 3.10 only). Install it, e.g. 'pyenv install 3.10.13' or 'apt-get install python3.10 python3.10-venv', then run this command again."
}

sha_of() { cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1; }

# Creates the venv and installs the pinned requirements, only when they changed.
ensure_venv() {
    local stamp="$VENV_DIR/.requirements.sha256" want
    want=$(sha_of requirements.txt)
    if [ -x "$PY" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return
    fi
    if [ ! -x "$PY" ]; then
        local python
        python=$(find_python310)
        log "Creating $VENV_DIR with $python"
        "$python" -m venv "$VENV_DIR"
    fi
    mkdir -p "$RUN_DIR"
    local install_log="$RUN_DIR/install.log" start=$SECONDS pid
    log "Installing pinned requirements (first time about 2 minutes; details in $install_log)"
    # pip's own warnings go to the log; the terminal shows progress.
    {
        "$PY" -m pip install --quiet --disable-pip-version-check --upgrade pip==24.2 &&
            "$PY" -m pip install --quiet --disable-pip-version-check -r requirements.txt
    } > "$install_log" 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        sleep 10
        kill -0 "$pid" 2>/dev/null && printf '    installing … %s s\n' $((SECONDS - start))
    done
    if ! wait "$pid"; then
        grep -v "^WARNING: Location" "$install_log" | tail -n 25 >&2
        die "pip could not install requirements.txt; the end of $install_log is above."
    fi
    log "Installed in $((SECONDS - start)) s"
    echo "$want" > "$stamp"
}

# Brings the service database up to date with data/content (Alembic + import)
# and regenerates the NLU lookups and tokenizer dictionary from the same files.
ensure_content() {
    "$PY" -m bot.content.importer >/dev/null || die "Importing data/content failed; fix the file named above."
    "$PY" -m bot.content.nlu_export >/dev/null || die "Generating NLU lookups failed."
}

model_fingerprint() {
    find config.yml domain.yml data/nlu data/rules data/stories bot/nlu requirements.txt \
        data/content/other_services.yml \
        -type f \( -name '*.yml' -o -name '*.yaml' -o -name '*.py' -o -name '*.txt' \) \
        -not -path '*/__pycache__/*' | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1
}

# Trains only when the training data, domain, config or NLU code changed.
ensure_model() {
    local want
    want=$(model_fingerprint)
    if [ -f "$MODEL_FILE" ] && [ "$(cat "$MODEL_DIR/.fingerprint" 2>/dev/null)" = "$want" ]; then
        log "Model is up to date ($MODEL_FILE)"
        return
    fi
    local took estimate pid start train_log
    mkdir -p "$MODEL_DIR" "$RUN_DIR"
    train_log="$RUN_DIR/train.log"
    took=$(cat "$MODEL_DIR/.train_seconds" 2>/dev/null || true)
    estimate="usually under a minute"
    [ -n "$took" ] && estimate="last time ${took} s"
    log "Training the model, data or config changed ($estimate; details in $train_log)"
    # Library warnings go to the log; the terminal shows progress. The model
    # is written under another name and renamed when complete, so a running
    # Rasa that watches models/current.tar.gz never reads half a file.
    start=$SECONDS
    "$PY" -m rasa train --config config.yml --domain domain.yml --data data \
        --out "$MODEL_DIR" --fixed-model-name current-next --quiet \
        > "$train_log" 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        sleep 5
        kill -0 "$pid" 2>/dev/null && printf '    training … %s s\n' $((SECONDS - start))
    done
    if ! wait "$pid"; then
        tail -n 25 "$train_log" >&2
        die "Training failed; the end of $train_log is above."
    fi
    mv -f "$MODEL_DIR/current-next.tar.gz" "$MODEL_FILE"
    echo $((SECONDS - start)) > "$MODEL_DIR/.train_seconds"
    log "Model trained in $((SECONDS - start)) s ($MODEL_FILE)"
    [ -z "${ADMIN_MARKERS:-}" ] || echo "@@TRAINED"  # for python -m bot.admin train
    echo "$want" > "$MODEL_DIR/.fingerprint"
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_for_url() {
    local url=$1 seconds=$2 i
    for ((i = 0; i < seconds * 2; i++)); do
        curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
        sleep 0.5
    done
    return 1
}

# The action server imports actions/ and bot/; restart it when any of them changed.
action_code_sha() {
    find actions bot -name '*.py' -not -path '*/__pycache__/*' | LC_ALL=C sort | xargs cat | sha256sum | cut -d' ' -f1
}

start_action_server() {
    if pid_alive "$RUN_DIR/actions.pid"; then
        # The action code is re-read only on start; restart if it changed.
        if [ "$(cat "$RUN_DIR/actions.sha256" 2>/dev/null)" = "$(action_code_sha)" ]; then
            return
        fi
        stop_pid "$RUN_DIR/actions.pid"
    fi
    log "Starting the action server on 127.0.0.1:$ACTION_PORT"
    SANIC_HOST="${ACTION_HOST:-127.0.0.1}" nohup "$PY" -m rasa_sdk --actions actions \
        --port "$ACTION_PORT" > "$RUN_DIR/actions.log" 2>&1 &
    echo $! > "$RUN_DIR/actions.pid"
    action_code_sha > "$RUN_DIR/actions.sha256"
    wait_for_url "http://127.0.0.1:$ACTION_PORT/health" 60 \
        || die "The action server did not start; see $RUN_DIR/actions.log"
}

# Rasa's HTTP API (/status, /conversations, /model ...) stays OFF unless
# RASA_API_TOKEN is set; then it is on and every call needs ?token=<token>.
# RASA_ENABLE_API=true without a token is refused: an open API lets anyone
# read and rewrite conversations. Sets RASA_API_ARGS (extra `rasa run` args).
rasa_api_args() {
    local token="${RASA_API_TOKEN:-}"
    RASA_API_ARGS=()
    if [ -z "$token" ]; then
        case "${RASA_ENABLE_API:-}" in
            1 | true | TRUE | yes | on)
                die "RASA_ENABLE_API is set but RASA_API_TOKEN is empty: the Rasa HTTP API must not run without a token. Set RASA_API_TOKEN to a long random secret (e.g. export RASA_API_TOKEN=\$(openssl rand -hex 32)) or unset RASA_ENABLE_API." ;;
        esac
        return 0
    fi
    [ "${#token}" -ge 16 ] \
        || die "RASA_API_TOKEN is too short (${#token} characters); use at least 16 random characters, e.g. \$(openssl rand -hex 32)."
    RASA_API_ARGS=(--enable-api --auth-token "$token")
}

# The environment that switches channels on or changes them (LINE_*, WEBCHAT_*,
# CORS_ORIGINS), one sorted line each, for start_rasa_server's stamp only.
channel_settings() {
    env | grep -E '^(LINE_[A-Z_]*|WEBCHAT_[A-Z_]*|CORS_ORIGINS)=' | LC_ALL=C sort
}

start_rasa_server() {
    local model_sha model_part=""
    rasa_api_args
    # The stamp covers the API setting and the channel settings too (a hash,
    # never a token or secret itself): setting the LINE variables and running
    # this again restarts Rasa with LINE on. A new model alone does not
    # restart Rasa: the running server loads it by itself within about
    # MODEL_WATCH_S seconds plus the load (bot/rasa_ext/model_watch.py),
    # unless the watcher is off (MODEL_WATCH_S=0).
    if [ "${MODEL_WATCH_S:-5}" = 0 ]; then model_part="$MODEL_FILE"; else model_part=/dev/null; fi
    model_sha=$( { cat "$model_part" credentials.yml endpoints.yml 2>/dev/null; printf 'api:%s' "${RASA_API_TOKEN:-}"; printf 'watch:%s' "${MODEL_WATCH_S:-5}"; channel_settings; } | sha256sum | cut -d' ' -f1)
    if pid_alive "$RUN_DIR/rasa.pid"; then
        if [ "$(cat "$RUN_DIR/rasa.sha256" 2>/dev/null)" = "$model_sha" ]; then
            return
        fi
        log "Model or settings changed: restarting the Rasa server"
        stop_pid "$RUN_DIR/rasa.pid"
    fi
    if [ "${#RASA_API_ARGS[@]}" -gt 0 ]; then
        log "Starting the Rasa server on 127.0.0.1:$RASA_PORT with its HTTP API (token required)"
    else
        log "Starting the Rasa server on 127.0.0.1:$RASA_PORT (takes about half a minute)"
    fi
    ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://127.0.0.1:$ACTION_PORT/webhook}" \
        nohup "$PY" -m bot.rasa_ext run --model "$MODEL_FILE" --port "$RASA_PORT" \
        --interface "${RASA_HOST:-127.0.0.1}" \
        --credentials credentials.yml --endpoints endpoints.yml \
        --cors "${CORS_ORIGINS:-http://127.0.0.1:$RASA_PORT}" \
        "${RASA_API_ARGS[@]}" \
        > "$RUN_DIR/rasa.log" 2>&1 &
    echo $! > "$RUN_DIR/rasa.pid"
    echo "$model_sha" > "$RUN_DIR/rasa.sha256"
    # RASA_START_TIMEOUT: seconds to wait (a busy machine loads the model slowly).
    wait_for_url "http://127.0.0.1:$RASA_PORT/webhooks/rest/" "${RASA_START_TIMEOUT:-180}" \
        || die "The Rasa server did not start within ${RASA_START_TIMEOUT:-180} s; see $RUN_DIR/rasa.log (raise RASA_START_TIMEOUT on a slow machine)."
}

stop_pid() {
    local file=$1 pid i
    pid_alive "$file" || { rm -f "$file"; return 0; }
    pid=$(cat "$file")
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.25
    done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$file"
}

# Installs Debian's nginx (nginx-light) for the scale-out test that runs
# deploy/nginx/bot.conf.template in front of two Rasa servers, only when
# nginx is missing. Needs root (or sudo). scripts/test.sh may call it like
# ensure_browser; the test fails under CI=1 when nginx is missing.
ensure_nginx() {
    command -v nginx >/dev/null 2>&1 && return 0
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null 2>&1 && sudo="sudo" || {
            echo "ensure_nginx: nginx is missing; as root run: apt-get install nginx-light" >&2
            return 1
        }
    fi
    log "Installing nginx-light with apt-get (for the scale-out test)"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends nginx-light >/dev/null || {
        echo "ensure_nginx: apt-get could not install nginx-light; read the messages above." >&2
        return 1
    }
    # Debian starts the packaged service; the test runs its own nginx.
    command -v systemctl >/dev/null 2>&1 && $sudo systemctl disable --now nginx >/dev/null 2>&1
    return 0
}
