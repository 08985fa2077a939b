# The staff console (bot/console) for scripts/run.sh, scripts/stop.sh and
# scripts/test.sh. Sourced by scripts/lib.sh (after pid_alive, wait_for_url,
# stop_pid and action_code_sha are defined on use); run from the repo root.

STAFF_PORT="${STAFF_PORT:-5080}"
CONSOLE_JS_DIR="bot/console/static"

# The console's JavaScript (chart.js, and axe-core for its browser test) from
# its own package-lock.json, installed like the web chat's (ensure_web).
ensure_console_js() { WEB_DIR="$CONSOLE_JS_DIR" ensure_web; }

# Starts `python -m bot.console` on 127.0.0.1:$STAFF_PORT (restarted when the
# bot's Python code changed, like the action server).
start_console() {
    if pid_alive "$RUN_DIR/console.pid"; then
        if [ "$(cat "$RUN_DIR/console.sha256" 2>/dev/null)" = "$(action_code_sha)" ]; then
            return
        fi
        stop_pid "$RUN_DIR/console.pid"
    fi
    log "Starting the staff console on 127.0.0.1:$STAFF_PORT"
    STAFF_PORT="$STAFF_PORT" nohup "$PY" -m bot.console > "$RUN_DIR/console.log" 2>&1 &
    echo $! > "$RUN_DIR/console.pid"
    action_code_sha > "$RUN_DIR/console.sha256"
    wait_for_url "http://127.0.0.1:$STAFF_PORT/health" 60 \
        || die "The staff console did not start; see $RUN_DIR/console.log"
}
