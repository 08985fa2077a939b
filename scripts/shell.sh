#!/usr/bin/env bash
# Opens a chat with the running bot in the terminal (buttons are shown as a menu).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
wait_for_url "http://127.0.0.1:$RASA_PORT/webhooks/rest/" 2 \
    || die "The bot is not running. Start it first: bash scripts/run.sh"
exec "$PY" -m bot.shell --url "http://127.0.0.1:$RASA_PORT" "$@"
