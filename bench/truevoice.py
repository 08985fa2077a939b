"""The project's NLU pipeline on a public Thai benchmark (truevoice-intent).

Trains config.yml's pipeline, unchanged, on ``mari_train.csv`` only (target
``destination``, 7 classes) and scores it on ``mari_test.csv``. In the same run
it trains the linear baseline the dataset README describes (word TF-IDF over
pythainlp newmm tokens, 1-2-grams, sublinear tf, LinearSVC), so both numbers
come from the same machine and data.

The test split is never used to choose anything: ``--validate`` carves a
stratified validation split out of the train split and scores pipeline
variants on it. A variant is config.yml's pipeline with some component
settings overridden (bench/truevoice_variants.yml: the linear classifier's C,
class weighting, calibration, the featurizers' n-gram ranges, ...); that is
how config.yml's settings were chosen. The variants are trained with one
shared Rasa cache, so only the components a variant changes are retrained
(their training times are therefore not full trainings).

    python -m bench.truevoice [--json out.json]
    python -m bench.truevoice --validate all [--json val.json]
    python -m bench.truevoice --validate current,svc_c0.5 [--json val.json]

``--epochs N`` still sets DIETClassifier's epochs if the pipeline has DIET
(it has not since issue 13: the intent classifier is linear).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import csv
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

REPO = Path(__file__).resolve().parents[1]
DATASET = (REPO / ".." / "shared" / "datasets" / "truevoice-intent").resolve()
TARGET = "destination"
FALLBACK = "nlu_fallback"
# Rasa reads "[text](entity)", "[text]{...}" and "[text][...]" in training
# examples as entity annotations; the dataset has none, but guard anyway.
ENTITY_MARKUP = re.compile(r"\[[^\]]+\]\s*[({\[]")

Example = Tuple[str, str]  # (text, label)


def normalise_text(text: str) -> str:
    """One line: newlines, tabs and runs of spaces become a single space."""
    return " ".join((text or "").split())


def intent_name(label: str) -> str:
    """'billing and payment' -> 'billing_and_payment' (a safe Rasa intent name)."""
    return re.sub(r"\W+", "_", label.strip()).strip("_")


def read_split(path: Path) -> Tuple[List[Example], Dict[str, int]]:
    """Reads one CSV split (quoted fields may hold newlines); skips empty texts."""
    examples: List[Example] = []
    stats = {"rows": 0, "empty_skipped": 0, "multiline": 0}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            stats["rows"] += 1
            raw = row.get("texts") or ""
            if "\n" in raw or "\r" in raw:
                stats["multiline"] += 1
            text = normalise_text(raw)
            if not text:
                stats["empty_skipped"] += 1
                continue
            examples.append((text, row[TARGET].strip()))
    return examples, stats


def stratified_split(
    examples: Sequence[Example], fraction: float, seed: int = 13
) -> Tuple[List[Example], List[Example]]:
    """Splits off ``fraction`` of each class (by distinct text, so no text is in
    both parts) as a validation set."""
    by_label: Dict[str, Dict[str, None]] = {}
    for text, label in examples:
        by_label.setdefault(label, {})[text] = None
    rng = random.Random(seed)
    held: set = set()
    for distinct in by_label.values():
        texts = list(distinct)
        rng.shuffle(texts)
        held.update(texts[: max(1, round(len(texts) * fraction))])
    train = [e for e in examples if e[0] not in held]
    valid = [e for e in examples if e[0] in held]
    return train, valid


def scores(pairs: Sequence[Tuple[str, str]]) -> Dict[str, Any]:
    """Accuracy, macro-F1 and per-class F1 over (gold, predicted) pairs."""
    labels = sorted({gold for gold, _ in pairs})
    per_class = {}
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        per_class[label] = (
            2 * precision * recall / (precision + recall) if precision + recall else 0.0
        )
    return {
        "n": len(pairs),
        "accuracy": sum(g == p for g, p in pairs) / len(pairs),
        "macro_f1": sum(per_class.values()) / len(per_class),
        "per_class_f1": per_class,
    }


# ------------------------------------------------------------------ SVM baseline
def newmm_tokens(text: str) -> List[str]:
    """pythainlp newmm words, whitespace dropped."""
    from pythainlp.tokenize import word_tokenize

    return [t for t in word_tokenize(text, engine="newmm") if t.strip()]


def svm_baseline(train: Sequence[Example], test: Sequence[Example]) -> Dict[str, Any]:
    """Word TF-IDF (newmm, 1-2-grams, sublinear tf) + LinearSVC."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    started = time.perf_counter()
    model = make_pipeline(
        TfidfVectorizer(
            tokenizer=newmm_tokens,
            token_pattern=None,
            ngram_range=(1, 2),
            sublinear_tf=True,
        ),
        LinearSVC(),
    )
    model.fit([t for t, _ in train], [label for _, label in train])
    train_s = time.perf_counter() - started
    predicted = model.predict([t for t, _ in test])
    result = scores([(gold, p) for (_, gold), p in zip(test, predicted, strict=True)])
    result["train_seconds"] = round(train_s, 1)
    result["train_examples"] = len(train)
    return result


# --------------------------------------------------------------- Rasa pipeline
def write_nlu_yaml(examples: Sequence[Example], path: Path) -> Dict[str, int]:
    """Writes Rasa NLU YAML (one intent per class); returns counts."""
    by_intent: Dict[str, List[str]] = {}
    escaped = 0
    for text, label in examples:
        if ENTITY_MARKUP.search(text):
            text = text.replace("[", "［").replace("]", "］")
            escaped += 1
        by_intent.setdefault(intent_name(label), []).append(text)
    lines = ['version: "3.1"', "nlu:"]
    for intent, texts in sorted(by_intent.items()):
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines.extend(f"    - {text}" for text in texts)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    distinct = sum(len(set(texts)) for texts in by_intent.values())
    return {"examples": len(examples), "distinct": distinct, "escaped": escaped}


VARIANTS = REPO / "bench" / "truevoice_variants.yml"
Overrides = Dict[str, Dict[str, Any]]


def component_matches(component: Dict[str, Any], key: str) -> bool:
    """``key`` is a component name, optionally with settings it must have:
    ``bot.nlu.count_vectors.ThaiCountVectorsFeaturizer[analyzer=char_wb]``."""
    name, _, rest = key.partition("[")
    if component["name"] != name:
        return False
    for condition in filter(None, rest.rstrip("]").split(",")):
        setting, _, value = condition.partition("=")
        if str(component.get(setting.strip())) != value.strip():
            return False
    return True


def apply_overrides(pipeline: List[Dict[str, Any]], overrides: Overrides) -> None:
    """Sets each override on the one component its key names (in place)."""
    for key, settings in (overrides or {}).items():
        found = [c for c in pipeline if component_matches(c, key)]
        if len(found) != 1:
            raise ValueError(f"'{key}' names {len(found)} components, not one")
        found[0].update(settings)


def write_config(
    epochs: Optional[int], path: Path, overrides: Optional[Overrides] = None
) -> Dict[str, Any]:
    """config.yml's recipe, language and pipeline; only DIET's epochs (if
    there is DIET) and, for a validation variant, ``overrides`` change."""
    config = yaml.safe_load((REPO / "config.yml").read_text(encoding="utf-8"))
    pipeline = copy.deepcopy(config["pipeline"])
    for component in pipeline:
        if component["name"] == "DIETClassifier" and epochs is not None:
            component["epochs"] = epochs
    apply_overrides(pipeline, overrides or {})
    out = {
        "recipe": config.get("recipe", "default.v1"),
        "language": config["language"],
        "assistant_id": "truevoice-benchmark",
        "pipeline": pipeline,
    }
    path.write_text(yaml.safe_dump(out, allow_unicode=True), encoding="utf-8")
    diet = next((c for c in pipeline if c["name"] == "DIETClassifier"), {})
    return {
        # None: the pipeline has no DIET (the linear classifier has no epochs)
        "diet_epochs": diet.get("epochs"),
        "pipeline": [c["name"] for c in pipeline],
        "overrides": overrides or {},
    }


def train_rasa(
    examples: Sequence[Example],
    epochs: Optional[int],
    workdir: Path,
    overrides: Optional[Overrides] = None,
    cache: Optional[Path] = None,
) -> Dict[str, Any]:
    """Runs ``rasa train nlu`` in a subprocess (a fresh cache unless ``cache``
    is given); returns the model path and the wall-clock training time."""
    data = write_nlu_yaml(examples, workdir / "nlu.yml")
    config = write_config(epochs, workdir / "config.yml", overrides)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        # A fresh cache so the time is a full training, not a cache hit.
        "RASA_CACHE_DIRECTORY": str(cache or workdir / "cache"),
    }
    log = workdir / "train.log"
    started = time.perf_counter()
    with log.open("w") as handle:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "rasa",
                "train",
                "nlu",
                "--config",
                str(workdir / "config.yml"),
                "--nlu",
                str(workdir / "nlu.yml"),
                "--out",
                str(workdir / "models"),
                "--fixed-model-name",
                "truevoice",
            ],
            cwd=REPO,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"rasa train nlu failed:\n{log.read_text()[-3000:]}")
    return {
        "model": str(workdir / "models" / "truevoice.tar.gz"),
        "train_seconds": round(seconds, 1),
        **data,
        **config,
    }


async def predict(model: str, texts: Sequence[str]) -> List[Dict[str, Any]]:
    """Top intent (ignoring nlu_fallback) and whether FallbackClassifier fired."""
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    out = []
    for text in texts:
        parsed = await agent.parse_message(text)
        ranking = [r for r in parsed["intent_ranking"] if r["name"] != FALLBACK]
        out.append(
            {
                "intent": ranking[0]["name"] if ranking else FALLBACK,
                "confidence": ranking[0]["confidence"] if ranking else 0.0,
                "fallback": parsed["intent"]["name"] == FALLBACK,
            }
        )
    return out


def rasa_scores(model: str, test: Sequence[Example]) -> Dict[str, Any]:
    """Scores the trained model; the label is the top non-fallback intent."""
    labels = {intent_name(label): label for _, label in test}
    started = time.perf_counter()
    predictions = asyncio.run(predict(model, [t for t, _ in test]))
    seconds = time.perf_counter() - started
    pairs = [
        (gold, labels.get(p["intent"], p["intent"]))
        for (_, gold), p in zip(test, predictions, strict=True)
    ]
    result = scores(pairs)
    fired = sum(p["fallback"] for p in predictions)
    # The same predictions, counting a fired FallbackClassifier as an error.
    strict = scores(
        [
            (gold, FALLBACK if p["fallback"] else predicted)
            for (gold, predicted), p in zip(pairs, predictions, strict=True)
        ]
    )
    result["fallback_fired"] = fired
    result["accuracy_fallback_as_error"] = strict["accuracy"]
    result["predict_seconds"] = round(seconds, 1)
    result["confusions"] = [
        {"gold": g, "predicted": p, "count": n}
        for (g, p), n in Counter((g, p) for g, p in pairs if g != p).most_common(5)
    ]
    return result


def quiet_logs() -> None:
    """Keeps Rasa's per-message debug logs out of the output."""
    import logging

    import structlog

    logging.basicConfig(level=logging.WARNING)
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING)
    )


def run_benchmark(epochs: Optional[int], dataset: Path) -> Dict[str, Any]:
    """SVM baseline and the project's pipeline: train split in, test split scored."""
    train, train_stats = read_split(dataset / "mari_train.csv")
    test, test_stats = read_split(dataset / "mari_test.csv")
    result: Dict[str, Any] = {
        "dataset": str(dataset),
        "train": {**train_stats, "used": len(train)},
        "test": {**test_stats, "used": len(test)},
        "train_class_counts": dict(Counter(label for _, label in train)),
        "test_class_counts": dict(Counter(label for _, label in test)),
    }
    print("SVM baseline ...", file=sys.stderr, flush=True)
    result["svm"] = svm_baseline(train, test)
    print(f"  {result['svm']['accuracy']:.3f}", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="truevoice-") as tmp:
        print(f"rasa train nlu (epochs={epochs}) ...", file=sys.stderr, flush=True)
        trained = train_rasa(train, epochs, Path(tmp))
        print(f"  {trained['train_seconds']} s", file=sys.stderr, flush=True)
        result["rasa"] = {**trained, **rasa_scores(trained["model"], test)}
        result["rasa"].pop("model")
    return result


def load_variants(names: str, path: Path = VARIANTS) -> Dict[str, Overrides]:
    """The named variants from ``path`` ("all": every one, in file order)."""
    variants = yaml.safe_load(path.read_text(encoding="utf-8"))["variants"]
    if names == "all":
        return {name: v or {} for name, v in variants.items()}
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in variants]
    if unknown:
        raise SystemExit(f"unknown variants {unknown}; see {path}")
    return {name: variants[name] or {} for name in wanted}


def run_validation(variants: Dict[str, Overrides], dataset: Path) -> Dict[str, Any]:
    """Scores each pipeline variant on a validation split carved from the train
    split (the test split is not read)."""
    train_all, _ = read_split(dataset / "mari_train.csv")
    train, valid = stratified_split(train_all, 0.15)
    result: Dict[str, Any] = {
        "train": len(train),
        "validation": len(valid),
        "svm": svm_baseline(train, valid),
        "variants": {},
    }
    print("svm", result["svm"]["accuracy"], result["svm"]["macro_f1"], file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="truevoice-val-") as tmp:
        cache = Path(tmp) / "cache"
        for name, overrides in variants.items():
            workdir = Path(tmp) / "variant"
            workdir.mkdir()
            trained = train_rasa(train, None, workdir, overrides, cache)
            score = rasa_scores(trained["model"], valid)
            result["variants"][name] = {
                "overrides": overrides,
                "train_seconds": trained["train_seconds"],
                "accuracy": score["accuracy"],
                "macro_f1": score["macro_f1"],
                "per_class_f1": score["per_class_f1"],
            }
            subprocess.run(["rm", "-rf", str(workdir)], check=True)
            print(
                f"{name}: {score['accuracy']:.4f} / {score['macro_f1']:.4f} "
                f"({trained['train_seconds']} s)",
                file=sys.stderr,
                flush=True,
            )
    return result


def main() -> None:
    """CLI: see the module docstring."""
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--epochs", type=int, help="DIET epochs, if the pipeline has DIET"
    )
    parser.add_argument(
        "--validate",
        help="variants to compare on the validation split: comma-separated "
        f"names from {VARIANTS.relative_to(REPO)}, or 'all'",
    )
    parser.add_argument("--variants", type=Path, default=VARIANTS)
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    quiet_logs()
    if args.validate:
        result = run_validation(
            load_variants(args.validate, args.variants), args.dataset
        )
    else:
        result = run_benchmark(args.epochs, args.dataset)
    text = json.dumps(result, ensure_ascii=False, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
