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
    log "Installing pinned requirements (first time takes a few minutes)"
    "$PY" -m pip install --quiet --disable-pip-version-check --upgrade pip==24.2
    "$PY" -m pip install --quiet --disable-pip-version-check -r requirements.txt \
        || die "pip could not install requirements.txt; read the messages above."
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
    log "Training the model (data or config changed)"
    mkdir -p "$MODEL_DIR"
    "$PY" -m rasa train --config config.yml --domain domain.yml --data data \
        --out "$MODEL_DIR" --fixed-model-name current --quiet \
        || die "Training failed; read the messages above."
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

start_action_server() {
    if pid_alive "$RUN_DIR/actions.pid"; then
        # The action code is re-read only on start; restart if it changed.
        if [ "$(cat "$RUN_DIR/actions.sha256" 2>/dev/null)" = "$(sha_of actions/*.py bot/content/*.py bot/replies/*.py)" ]; then
            return
        fi
        stop_pid "$RUN_DIR/actions.pid"
    fi
    log "Starting the action server on 127.0.0.1:$ACTION_PORT"
    SANIC_HOST="${ACTION_HOST:-127.0.0.1}" nohup "$PY" -m rasa_sdk --actions actions \
        --port "$ACTION_PORT" > "$RUN_DIR/actions.log" 2>&1 &
    echo $! > "$RUN_DIR/actions.pid"
    sha_of actions/*.py bot/content/*.py bot/replies/*.py > "$RUN_DIR/actions.sha256"
    wait_for_url "http://127.0.0.1:$ACTION_PORT/health" 60 \
        || die "The action server did not start; see $RUN_DIR/actions.log"
}

start_rasa_server() {
    local model_sha
    model_sha=$(sha_of "$MODEL_FILE" credentials.yml endpoints.yml)
    if pid_alive "$RUN_DIR/rasa.pid"; then
        if [ "$(cat "$RUN_DIR/rasa.sha256" 2>/dev/null)" = "$model_sha" ]; then
            return
        fi
        log "Model or settings changed: restarting the Rasa server"
        stop_pid "$RUN_DIR/rasa.pid"
    fi
    log "Starting the Rasa server on 127.0.0.1:$RASA_PORT (takes about half a minute)"
    ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://127.0.0.1:$ACTION_PORT/webhook}" \
        nohup "$PY" -m rasa run --model "$MODEL_FILE" --port "$RASA_PORT" \
        --interface "${RASA_HOST:-127.0.0.1}" \
        --credentials credentials.yml --endpoints endpoints.yml \
        --cors "${CORS_ORIGINS:-http://127.0.0.1:$RASA_PORT}" \
        > "$RUN_DIR/rasa.log" 2>&1 &
    echo $! > "$RUN_DIR/rasa.pid"
    echo "$model_sha" > "$RUN_DIR/rasa.sha256"
    wait_for_url "http://127.0.0.1:$RASA_PORT/webhooks/rest/" 180 \
        || die "The Rasa server did not start; see $RUN_DIR/rasa.log"
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
