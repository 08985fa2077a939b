#!/usr/bin/env bash
# Stops the servers that scripts/run.sh started.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
stop_pid "$RUN_DIR/console.pid"
stop_pid "$RUN_DIR/rasa.pid"
stop_pid "$RUN_DIR/actions.pid"
echo "หยุดระบบแล้วค่ะ / stopped."
