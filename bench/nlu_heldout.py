"""Intent accuracy, macro-F1 and entity F1 on the held-out Thai test file.

The held-out file (tests/nlu_heldout/heldout.yml) is never trained on. Also
sweeps the FallbackClassifier threshold, which is how config.yml's value was
chosen: the threshold should catch wrong predictions while dropping few right
ones.

    python -m bench.nlu_heldout [--model models/current.tar.gz] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data

REPO = Path(__file__).resolve().parents[1]
HELDOUT = REPO / "tests" / "nlu_heldout" / "heldout.yml"
FALLBACK = "nlu_fallback"
MODEL_EXTRACTORS = {"DIETClassifier", "CRFEntityExtractor"}


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    """Macro-averaged F1 over the gold labels (scikit-learn's)."""
    from sklearn.metrics import f1_score

    if not pairs:
        return 0.0
    gold = [g for g, _ in pairs]
    predicted = [p for _, p in pairs]
    labels = sorted(set(gold))
    return float(
        f1_score(gold, predicted, labels=labels, average="macro", zero_division=0)
    )


def entity_f1(gold: list[set], predicted: list[set]) -> dict[str, float]:
    """Micro F1 over exact (entity, start, end) spans."""
    tp = sum(len(g & p) for g, p in zip(gold, predicted, strict=True))
    fp = sum(len(p - g) for g, p in zip(gold, predicted, strict=True))
    fn = sum(len(g - p) for g, p in zip(gold, predicted, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}


async def evaluate(model: Path, heldout: Path = HELDOUT) -> dict[str, Any]:
    """Parses every held-out example with the trained model and scores it."""
    agent = Agent.load(str(model))
    examples = load_data(str(heldout)).intent_examples
    rows = []
    for example in examples:
        parsed = await agent.parse_message(example.get("text"))
        ranking = [r for r in parsed["intent_ranking"] if r["name"] != FALLBACK]
        top = ranking[0] if ranking else {"name": FALLBACK, "confidence": 0.0}
        second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
        rows.append(
            {
                "text": example.get("text"),
                "gold": example.get("intent"),
                "predicted": top["name"],
                "confidence": top["confidence"],
                "margin": top["confidence"] - second,
                "gold_entities": {
                    (e["entity"], e["start"], e["end"])
                    for e in example.get("entities") or []
                },
                "entities": {
                    (e["entity"], e["start"], e["end"])
                    for e in parsed.get("entities", [])
                    # the model's own entities (not the scope classifier's)
                    if e.get("extractor") in MODEL_EXTRACTORS
                },
            }
        )
    pairs = [(r["gold"], r["predicted"]) for r in rows]
    confusions = Counter((g, p) for g, p in pairs if g != p)
    sweep = []
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        kept_right = sum(
            1
            for r in rows
            if r["gold"] == r["predicted"] and r["confidence"] >= threshold
        )
        caught_wrong = sum(
            1
            for r in rows
            if r["gold"] != r["predicted"] and r["confidence"] < threshold
        )
        sweep.append(
            {
                "threshold": threshold,
                "right_answers_kept": kept_right,
                "wrong_answers_caught": caught_wrong,
            }
        )
    return {
        "examples": len(rows),
        "intent_accuracy": sum(g == p for g, p in pairs) / len(pairs),
        "intent_macro_f1": macro_f1(pairs),
        "entity": entity_f1(
            [r["gold_entities"] for r in rows], [r["entities"] for r in rows]
        ),
        "confusions": [
            {"gold": g, "predicted": p, "count": n}
            for (g, p), n in confusions.most_common(10)
        ],
        "errors": [
            {k: r[k] for k in ("text", "gold", "predicted", "confidence")}
            for r in rows
            if r["gold"] != r["predicted"]
        ],
        "fallback_sweep": sweep,
        "right": sum(g == p for g, p in pairs),
        "wrong": sum(g != p for g, p in pairs),
    }


def quiet_rasa_logs() -> None:
    """Keeps Rasa's per-message debug logs out of the report."""
    import logging

    import structlog

    logging.basicConfig(level=logging.WARNING)
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING)
    )


def main() -> None:
    """Prints the scores; optionally writes them as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--model", type=Path, default=REPO / "models" / "current.tar.gz"
    )
    parser.add_argument("--heldout", type=Path, default=HELDOUT)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    quiet_rasa_logs()
    result = asyncio.run(evaluate(args.model, args.heldout))
    print(
        json.dumps(
            {k: v for k, v in result.items() if k != "errors"},
            ensure_ascii=False,
            indent=1,
        )
    )
    for error in result["errors"]:
        print(
            f"  ✗ {error['gold']} → {error['predicted']} "
            f"({error['confidence']:.2f}): {error['text']}"
        )
    if args.json:
        args.json.write_text(
            json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8"
        )


if __name__ == "__main__":
    main()
