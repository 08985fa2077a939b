#!/usr/bin/env bash
# Installs everything, prepares the service database, trains when the data
# changed, and starts the action server and the Rasa server in the background.
# Safe to run again: nothing is reinstalled, retrained or restarted unless it changed.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
mkdir -p "$RUN_DIR" var

ensure_venv
ensure_web || die "Installing the web chat page failed; see above."
ensure_console_js || die "Installing the staff console's JavaScript failed; see above."
ensure_content
ensure_model
start_action_server
start_rasa_server
start_console

cat <<MSG

  แชตบอตพร้อมใช้งานแล้วค่ะ / The bot is running.
  • คุยในเทอร์มินัล / chat in the terminal:   bash scripts/shell.sh
  • หน้าเว็บแชต / web chat:   http://127.0.0.1:$RASA_PORT/webhooks/webchat/
  • REST API:   curl -s http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook -d '{"sender":"me","message":"สวัสดีครับ"}'
  • ระบบหลังบ้านสำหรับเจ้าหน้าที่ / staff console:   http://127.0.0.1:$STAFF_PORT/ (บัญชีแรก / first account: .venv/bin/python -m bot.admin user add <name> --role admin)
  • หยุดระบบ / stop:   bash scripts/stop.sh
  • บันทึก / logs:   $RUN_DIR/rasa.log, $RUN_DIR/actions.log
MSG
