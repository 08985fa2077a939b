#!/usr/bin/env bash
# Runs every check: lint, Rasa data validation, then all tests (unit tests and
# whole conversations against the running servers). Trains at most once per
# run, and not at all when the training data did not change.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
mkdir -p "$RUN_DIR" var

ensure_venv
ensure_web || die "Installing the web chat page failed; see above."
ensure_console_js || die "Installing the staff console's JavaScript failed; see above."
ensure_browser || die "Chromium and Thai fonts are needed for the browser test; see above."
ensure_nginx || die "nginx is needed for the scale-out test; see above."

log "Lint (ruff)"
"$PY" -m ruff check .

log "Generated NLU lookups are up to date with data/content"
"$PY" -m bot.content.nlu_export --check

log "rasa data validate"
"$PY" -m rasa data validate --config config.yml --domain domain.yml --data data --quiet

ensure_model

log "Test stories (rasa test core --fail-on-prediction-errors)"
"$PY" -m rasa test core --model "$MODEL_FILE" --stories tests/stories \
    --fail-on-prediction-errors --out "$RUN_DIR/story-results" --quiet

log "pytest"
"$PY" -m pytest -q "$@"
