#!/usr/bin/env bash
# Runs every benchmark once and rewrites the generated part of
# docs/benchmarks.md (between <!-- bench:start --> and <!-- bench:end -->).
# Separate from scripts/test.sh: it takes about 12 minutes on 2 cores.
#
#   bash scripts/bench.sh            (or: make bench)
#
# BENCH_QUICK=1 (make bench-quick, about 7 minutes): fewer requests, no
# profile and no truevoice run; the report goes to $BENCH_RESULTS/benchmarks.md,
# docs/benchmarks.md is left alone.
# Knobs: BENCH_RESULTS (raw JSON, default .run/bench), BENCH_PROFILE_S (py-spy
# seconds, default 20). Never touches models/current.tar.gz: the bot's model
# is trained into a temporary folder; servers run on free loopback ports.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
mkdir -p "$RUN_DIR" var

RESULTS="${BENCH_RESULTS:-$RUN_DIR/bench}"
PROFILE_S="${BENCH_PROFILE_S:-20}"
QUICK="${BENCH_QUICK:-0}"
SERVING_ARGS=()
if [ "$QUICK" = 1 ]; then
    PROFILE_S=0
    SERVING_ARGS=(--requests-c1 100 --requests-c8 160 --conversations 3)
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

bench_start=$(now)
ensure_venv
ensure_content
"$PY" -m bench.report machine > "$RESULTS/machine.json"

log "Training cost: full training into a temporary folder (fresh Rasa cache)"
# ensure_model trains only when the fingerprint differs; an empty folder and an
# empty cache make this a full training. The second call finds the data unchanged.
MODEL_DIR="$WORK/models"
MODEL_FILE="$MODEL_DIR/current.tar.gz"
export RASA_CACHE_DIRECTORY="$WORK/rasa-cache"
t=$(now)
ensure_model
full_train_s=$(since "$t")
t=$(now)
ensure_model
unchanged_s=$(since "$t")
printf '{"full_train_s": %s, "unchanged_s": %s}\n' "$full_train_s" "$unchanged_s" \
    > "$RESULTS/training.json"

log "A staff change (one taught sentence) retrained and live in the running bot"
# with the Rasa cache of the training above, as a staff machine has its own
"$PY" -m bench.retrain --model "$MODEL_FILE" --json "$RESULTS/retrain.json" \
    > "$RESULTS/retrain.log" 2>&1 || die "bench.retrain failed; see $RESULTS/retrain.log"
unset RASA_CACHE_DIRECTORY

log "This bot's NLU on tests/nlu_heldout/heldout.yml"
"$PY" -m bench.nlu_heldout --model "$MODEL_FILE" --json "$RESULTS/heldout.json" \
    > "$RESULTS/heldout.log" 2>&1 || die "bench.nlu_heldout failed; see $RESULTS/heldout.log"

log "This bot's held-out conversations over REST (tests/nlu_heldout/conversations.yml)"
"$PY" -m bench.conversations --model "$MODEL_FILE" --json "$RESULTS/conversations.json" \
    > "$RESULTS/conversations.log" 2>&1 || die "bench.conversations failed; see $RESULTS/conversations.log"

log "One client flooding the bot beside ten ordinary conversations (bench/flood.py)"
"$PY" -m bench.flood --model "$MODEL_FILE" --json "$RESULTS/flood.json" \
    > "$RESULTS/flood.log" 2>&1 || die "bench.flood failed; see $RESULTS/flood.log"

log "Serving speed and cost: this bot, then stock Rasa (rasa init)"
"$PY" -m bench.serving --model "$MODEL_FILE" --profile "$PROFILE_S" "${SERVING_ARGS[@]}" \
    --profile-dir "$RESULTS/profile" --json "$RESULTS/serving.json" \
    > "$RESULTS/serving.log" 2>&1 || die "bench.serving failed; see $RESULTS/serving.log"

if [ "$QUICK" != 1 ]; then
    log "Thai NLU on truevoice-intent (config.yml's pipeline) and the TF-IDF+SVM baseline"
    "$PY" -m bench.truevoice --json "$RESULTS/truevoice.json" \
        > "$RESULTS/truevoice.log" 2>&1 || die "bench.truevoice failed; see $RESULTS/truevoice.log"
fi

total_s=$(since "$bench_start")
"$PY" - "$RESULTS/timing.json" "$total_s" <<'PY'
import json, os, sys
path, total = sys.argv[1], float(sys.argv[2])
json.dump({"total_s": total,
           "loadavg_end": os.getloadavg()}, open(path, "w"))
PY
if [ "$QUICK" = 1 ]; then
    "$PY" -m bench.report write --results "$RESULTS" --doc "$RESULTS/benchmarks.md"
else
    "$PY" -m bench.report write --results "$RESULTS"
fi
log "Done in $(awk -v s="$total_s" 'BEGIN { printf "%d min", s / 60 }'); raw results in $RESULTS"
