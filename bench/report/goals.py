"""The goals table of the report: each goal of the lean-pipeline issue (13)
and the overload issue (17), measured, met or not met, and why."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from bench.report.markdown import pct, yes

# What the held-out files scored when the lean-pipeline work started; the
# issue asks that they never score less.
HELDOUT_BEFORE = {"intent_accuracy": 0.959, "intent_macro_f1": 0.960}
CONVERSATIONS_BEFORE = 0.953

Results = Dict[str, Optional[Dict[str, Any]]]


def _turn_growth(turns: Dict[str, Any]) -> Optional[float]:
    """p50 at turn 50 over p50 at turn 2 (turn 1 also starts the session)."""
    by_turn = turns.get("p50_by_turn_ms") or {}
    first, last = by_turn.get("2"), by_turn.get("50")
    if not first or last is None:
        return None
    return round(last / first, 2)


def _serving_rows(serving: Dict[str, Any]) -> List[List[str]]:
    p = serving["project"]
    stock = serving.get("stock")
    rows = []
    if stock:
        ratio = serving["ratios"]["c1"]["p50_ms"]
        rows.append(
            [
                "p50 at concurrency 1 ≤ × 0.75 of stock Rasa (same run)",
                f"{p['c1']['p50_ms']} ms vs {stock['c1']['p50_ms']} ms (× {ratio})",
                yes(ratio <= 0.75),
            ]
        )
    rows.append(
        [
            "throughput at concurrency 8 ≥ 35 msg/s (one Rasa process)",
            f"{p['c8']['throughput_rps']} msg/s"
            + (f" (stock {stock['c8']['throughput_rps']})" if stock else ""),
            yes(p["c8"]["throughput_rps"] >= 35),
        ]
    )
    growth = _turn_growth(p["turns"])
    if growth is not None:
        by_turn = p["turns"]["p50_by_turn_ms"]
        rows.append(
            [
                "p50 at turn 50 ≤ × 1.2 of turn 2",
                f"{by_turn['50']} ms vs {by_turn['2']} ms (× {growth})",
                yes(growth <= 1.2),
            ]
        )
    rss = p["memory"]["rasa"]["peak_rss_mb"]
    stock_rss = stock["memory"]["rasa"]["peak_rss_mb"] if stock else None
    rows.append(
        [
            "peak RSS of the serving Rasa ≤ 1.0 GB and ≤ stock",
            f"{rss:.0f} MB" + (f" (stock {stock_rss:.0f} MB)" if stock_rss else ""),
            yes(rss <= 1024 and (stock_rss is None or rss <= stock_rss)),
        ]
    )
    rows.append(
        [
            "cold start of `rasa run` to the first answer ≤ 15 s",
            f"{p['cold_start_s']} s"
            + (f" (stock {stock['cold_start_s']} s)" if stock else ""),
            yes(p["cold_start_s"] <= 15),
        ]
    )
    return rows


def goal_rows(results: Results) -> List[List[str]]:
    """One row per goal that this run measured."""
    rows = []
    training = results.get("training")
    if training:
        rows.append(
            [
                "full `rasa train` of the bot ≤ 90 s",
                f"{training['full_train_s']:.0f} s",
                yes(training["full_train_s"] <= 90),
            ]
        )
    retrain = results.get("retrain")
    if retrain:
        rows.append(
            [
                "a staff change retrained and live in the running bot ≤ 60 s",
                f"{retrain['live_s']:.0f} s ({retrain['change']}; training "
                f"{retrain['train_s']:.0f} s)",
                yes(retrain["live_s"] <= 60),
            ]
        )
    truevoice = results.get("truevoice")
    if truevoice and "rasa" in truevoice:
        r, s = truevoice["rasa"], truevoice["svm"]
        rows.append(
            [
                "TrueVoice: beat TF-IDF+SVM on accuracy and macro-F1",
                f"{pct(r['accuracy'])} / {pct(r['macro_f1'])} vs "
                f"{pct(s['accuracy'])} / {pct(s['macro_f1'])}",
                yes(r["accuracy"] > s["accuracy"] and r["macro_f1"] > s["macro_f1"]),
            ]
        )
    heldout = results.get("heldout")
    if heldout:
        rows.append(
            [
                "held-out NLU: no lower than before (intent "
                f"{pct(HELDOUT_BEFORE['intent_accuracy'])}, macro-F1 "
                f"{pct(HELDOUT_BEFORE['intent_macro_f1'])})",
                f"{pct(heldout['intent_accuracy'])} / "
                f"{pct(heldout['intent_macro_f1'])}",
                yes(all(heldout[k] >= v for k, v in HELDOUT_BEFORE.items())),
            ]
        )
    conversations = results.get("conversations")
    if conversations:
        rows.append(
            [
                "held-out conversations: no lower than before "
                f"({CONVERSATIONS_BEFORE:.1%})",
                f"{conversations['pass_rate']:.1%}",
                yes(conversations["pass_rate"] >= CONVERSATIONS_BEFORE),
            ]
        )
    serving = results.get("serving")
    if serving and "project" in serving:
        rows += _serving_rows(serving)
    flood = results.get("flood")
    if flood and flood.get("p95_ratio") is not None:
        rows.append(
            [
                "ordinary conversations' p95 under a flood ≤ × 2 of without",
                f"× {flood['p95_ratio']}",
                yes(flood["p95_ratio"] <= 2),
            ]
        )
    return rows


def goal_notes(results: Results) -> List[str]:
    """Why each goal that is not met is not met."""
    notes = []
    retrain = results.get("retrain")
    if retrain and retrain["live_s"] > 60:
        notes.append(
            "* **staff change live:** almost all of it is `rasa train` "
            f"({retrain['train_s']:.0f} s): a new sentence changes the "
            "training data of every NLU component, so Rasa's cache can skip "
            "none of them; the rest is the watcher (`MODEL_WATCH_S`, 5 s) and "
            "loading the model beside the running one."
        )
    truevoice = results.get("truevoice")
    if truevoice and "rasa" in truevoice:
        r, s = truevoice["rasa"], truevoice["svm"]
        if not (r["accuracy"] > s["accuracy"] and r["macro_f1"] > s["macro_f1"]):
            notes.append(
                "* **TrueVoice:** this run's pipeline did not beat the SVM on "
                "both figures. Settings are chosen on a validation split of the "
                "train file only, never on the test split."
            )
    serving = results.get("serving")
    if serving and "stock" in serving:
        p = serving["project"]
        if serving["ratios"]["c1"]["p50_ms"] > 0.75:
            small = p["c1"]["by_kind_p50_ms"].get("small talk")
            stock_small = serving["stock"]["c1"]["by_kind_p50_ms"].get("small talk")
            notes.append(
                "* **p50 against stock:** most messages of this bot's mix call "
                "the action server (name matching and database queries) and "
                "write the turn to the SQL tracker store, where the stock bot "
                "keeps conversations in memory and answers with templates. "
                f"Small talk (no action) has p50 {small} ms against the stock "
                f"bot's {stock_small} ms. See the profile section."
            )
        if p["c8"]["throughput_rps"] < 35:
            notes.append(
                "* **throughput at concurrency 8:** one Rasa process runs its "
                "turns on one core (Python's GIL); the throughput is about "
                "1000 / (CPU ms per turn). Several Rasa processes behind the "
                "router (docs/deploy.md) scale it with the cores."
            )
        growth = _turn_growth(p["turns"])
        if growth is not None and growth > 1.2:
            notes.append(
                "* **turn 50 against turn 2:** what still grows with the "
                "session is Rasa's copy of the tracker before each action "
                "(`DialogueStateTracker.copy` replays every event) and the "
                "last events sent to the action server."
            )
    return notes
