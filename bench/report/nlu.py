"""The NLU sections of the report: TrueVoice, the project's held-out file
(and the fallback-threshold sweep), the held-out conversations."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from bench.report.markdown import (
    REPO,
    WRONG_ANSWER_COST,
    config_value,
    minutes,
    pct,
    table,
)


def published_baselines() -> List[List[str]]:
    """The "Published baselines" table rows from the dataset README."""
    readme = REPO.parent / "shared" / "datasets" / "truevoice-intent" / "README.md"
    if not readme.exists():
        return []
    rows, inside = [], False
    for line in readme.read_text(encoding="utf-8").splitlines():
        if line.startswith("## Published baselines"):
            inside = True
            continue
        if inside and line.startswith("|") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if cells[0] != "source":
                rows.append(cells)
        elif inside and rows and not line.startswith("|"):
            break
    return rows


def section_truevoice(tv: Dict[str, Any], validation: Optional[Dict]) -> List[str]:
    r, s = tv["rasa"], tv["svm"]
    train, test = tv["train"], tv["test"]
    out = [
        "## 1. Thai NLU on a public benchmark (truevoice-intent, `destination`)",
        "",
        "Utterances from calls to a Thai mobile operator's call centre "
        "(`../shared/datasets/truevoice-intent/`, Apache-2.0), 7 classes. "
        "Trained on `mari_train.csv` only; scored once on `mari_test.csv`; "
        "nothing was chosen on the test split.",
        "",
        f"* Train: {train['rows']:,} rows, {train['used']:,} used "
        f"({train['empty_skipped']} empty texts skipped; {train['multiline']} "
        "texts with line breaks, which were folded into one line with single "
        f"spaces). Rasa drops exact duplicate examples, so the pipeline saw "
        f"{r['distinct']:,} distinct texts; the SVM got all {s['train_examples']:,} "
        "rows, as in the published baseline.",
        f"* Test: {test['rows']:,} rows, {test['used']:,} scored "
        f"({test['empty_skipped']} empty, {test['multiline']} with line breaks, "
        "folded the same way).",
        "* This bot's pipeline is config.yml's, unchanged "
        f"(`rasa train nlu` took **{minutes(r['train_seconds'])}**, fresh cache). "
        f"Components: {', '.join(r['pipeline'])}. The predicted class is the "
        "top intent other than `nlu_fallback`; "
        f"FallbackClassifier fired on {r['fallback_fired']} of {r['n']} test "
        "texts (counting those as errors: accuracy "
        f"{pct(r['accuracy_fallback_as_error'])}).",
        "",
    ]
    rows = [
        [cells[0], cells[1], cells[2], cells[3] if len(cells) > 3 else ""]
        for cells in published_baselines()
    ]
    rows.append(
        [
            "**this run**",
            "TF-IDF (newmm words, 1–2-grams, sublinear tf) + LinearSVC",
            f"**{pct(s['accuracy'])}**",
            f"**{pct(s['macro_f1'])}** (macro)",
        ]
    )
    rows.append(
        [
            "**this run**",
            "this bot's NLU pipeline (config.yml)",
            f"**{pct(r['accuracy'])}**",
            f"**{pct(r['macro_f1'])}** (macro)",
        ]
    )
    out += table(["source", "model", "accuracy", "F1"], rows)
    out += [
        "",
        "The published figures disagree with each other (different splits and "
        "F1 averages), so the SVM rerun in the same run is the yardstick.",
        "",
        "Per-class F1:",
        "",
    ]
    labels = sorted(s["per_class_f1"], key=lambda k: -tv["test_class_counts"][k])
    out += table(
        ["class", "test texts", "SVM", "this bot"],
        [
            [
                label,
                tv["test_class_counts"][label],
                pct(s["per_class_f1"][label]),
                pct(r["per_class_f1"].get(label, 0.0)),
            ]
            for label in labels
        ],
    )
    if r.get("confusions"):
        out += ["", "Most frequent errors of this bot's pipeline (gold → predicted): "]
        out[-1] += "; ".join(
            f"{c['gold']} → {c['predicted']} ({c['count']})" for c in r["confusions"]
        )
    if validation:
        out += [
            "",
            "**How the pipeline's settings were chosen** "
            "(`python -m bench.truevoice --validate`, variants in "
            "bench/truevoice_variants.yml): a stratified validation split "
            f"({validation['validation']:,} distinct texts, none also in its "
            f"{validation['train']:,} training rows) was carved out of "
            "`mari_train.csv`; the test file was not read. A variant could be "
            "chosen only if it also kept the bot's own held-out scores "
            "(tests/nlu_heldout) and conversations.",
            "",
        ]
        svm = validation["svm"]
        vrows = [["TF-IDF + LinearSVC", pct(svm["accuracy"]), pct(svm["macro_f1"])]]
        for name, score in validation["variants"].items():
            mark = " (chosen)" if name == validation.get("chosen") else ""
            vrows.append(
                [f"{name}{mark}", pct(score["accuracy"]), pct(score["macro_f1"])]
            )
        out += table(["validation", "accuracy", "macro-F1"], vrows)
    out.append("")
    return out


def fallback_choice(heldout: Dict[str, Any]) -> Dict[str, Any]:
    """Per threshold: right answers lost, wrong answers given, and the cost
    with a wrong answer weighing 1× and 2× a lost right answer."""
    right, wrong = heldout["right"], heldout["wrong"]
    rows = []
    for row in heldout["fallback_sweep"]:
        lost = right - row["right_answers_kept"]
        given = wrong - row["wrong_answers_caught"]
        rows.append(
            {
                **row,
                "lost": lost,
                "given": given,
                "cost1": lost + given,
                "cost2": lost + WRONG_ANSWER_COST * given,
            }
        )
    return {
        "rows": rows,
        "best1": min(r["cost1"] for r in rows),
        "best2": min(r["cost2"] for r in rows),
    }


def fallback_reasoning(choice: Dict[str, Any], threshold: Any) -> str:
    """The choice explained from the sweep's numbers."""
    rows = choice["rows"]
    steps = []
    for low, high in zip(rows, rows[1:], strict=False):
        steps.append(
            f"{low['threshold']}→{high['threshold']}: "
            f"−{high['lost'] - low['lost']} right, "
            f"+{high['wrong_answers_caught'] - low['wrong_answers_caught']} "
            "wrong caught"
        )
    tied1 = [r["threshold"] for r in rows if r["cost1"] == choice["best1"]]
    tied2 = [r["threshold"] for r in rows if r["cost2"] == choice["best2"]]
    text = (
        "Raising the threshold trades right answers for caught wrong ones ("
        + "; ".join(steps)
        + "). Counting a lost right answer and a wrong answer given alike, the "
        f"lowest cost is at {', '.join(map(str, tied1))}; weighing a wrong "
        f"answer {WRONG_ANSWER_COST:g}× (a wrong award or licence answer "
        "misleads a citizen, while the fallback only asks to rephrase and "
        f"offers the three topics), at {', '.join(map(str, tied2))}. "
    )
    if threshold in tied1 and threshold in tied2:
        text += f"{threshold} is best under both weightings, so it stays."
    elif threshold in tied1 or threshold in tied2:
        mine = next(r for r in rows if r["threshold"] == threshold)
        gap = max(mine["cost1"] - choice["best1"], mine["cost2"] - choice["best2"])
        text += (
            f"{threshold} is best under one weighting and within {gap:g} "
            "of the best under the other; the differences are one or two "
            "examples in a small held-out file, so config.yml keeps "
            f"{threshold} (the middle of the flat part) rather than chasing "
            "noise."
        )
    else:
        text += (
            f"{threshold} is not the best on this run's numbers; if that holds "
            "on the next runs, config.yml's value should move."
        )
    return text


def section_heldout(h: Dict[str, Any]) -> List[str]:
    ent = h["entity"]
    out = [
        "## 2. This bot's NLU on its held-out Thai test file",
        "",
        f"`python -m bench.nlu_heldout` on `tests/nlu_heldout/heldout.yml` "
        f"({h['examples']} examples never trained on), with the model trained in "
        "this run:",
        "",
        *table(
            ["intent accuracy", "intent macro-F1", "entity P / R / F1 (exact spans)"],
            [
                [
                    pct(h["intent_accuracy"]),
                    pct(h["intent_macro_f1"]),
                    f"{pct(ent['precision'])} / {pct(ent['recall'])} / "
                    f"**{pct(ent['f1'])}** ({ent['support']} entities)",
                ]
            ],
        ),
        "",
    ]
    if h["confusions"]:
        out += ["Most confused intents (gold → predicted, count):", ""]
        out += table(
            ["gold", "predicted", "count"],
            [[c["gold"], c["predicted"], c["count"]] for c in h["confusions"][:8]],
        )
        out.append("")
    choice = fallback_choice(h)
    threshold = config_value("FallbackClassifier", "threshold")
    ambiguity = config_value("FallbackClassifier", "ambiguity_threshold")
    out += [
        "### Fallback thresholds",
        "",
        f"{h['right']} of {h['examples']} held-out examples are classified right, "
        f"{h['wrong']} wrong. For each FallbackClassifier threshold: how many right "
        "answers still get through, and how many wrong ones are turned into "
        '"ขออภัยค่ะ ระบบยังไม่เข้าใจคำถาม…" (utter_default, with topic buttons) '
        "instead of a wrong answer:",
        "",
    ]
    out += table(
        [
            "threshold",
            "right kept",
            "right lost",
            "wrong caught",
            "wrong given",
            "lost + given",
            f"lost + {WRONG_ANSWER_COST:g} × given",
        ],
        [
            [
                f"**{r['threshold']}**"
                if r["threshold"] == threshold
                else r["threshold"],
                r["right_answers_kept"],
                r["lost"],
                r["wrong_answers_caught"],
                r["given"],
                f"{r['cost1']:g}",
                f"{r['cost2']:g}",
            ]
            for r in choice["rows"]
        ],
    )
    out += [
        "",
        f"config.yml uses **threshold {threshold}** (ambiguity_threshold "
        f"{ambiguity}). " + fallback_reasoning(choice, threshold),
        "",
        "The ambiguity threshold (top two intents closer than "
        f"{ambiguity}) is not part of this sweep; it only adds fallbacks on top.",
        "",
    ]
    return out


def section_conversations(c: Dict[str, Any]) -> List[str]:
    """The held-out conversations over REST: pass rate overall and by category."""
    met = "met" if c["pass_rate"] >= 0.95 else "not met"
    lines = [
        "## Held-out conversations over REST",
        "",
        f"`python -m bench.conversations` sends the {c['conversations']} "
        f"conversations ({c['turns']} turns) of `tests/nlu_heldout/conversations.yml`, "
        "written without reading the training data, to the running bot. A "
        "conversation passes when every turn shows what its expectations ask "
        "(yes or no first, the topic, names and counts, no claimed win).",
        "",
        f"**Pass rate: {c['pass_rate']:.1%}** ({c['passed']}/{c['conversations']}); "
        f"goal ≥ 95 %: {met}.",
        "",
    ]
    rows = [
        [cat, str(r["n"]), f"{r['pass_rate']:.0%}"]
        for cat, r in c["by_category"].items()
    ]
    return lines + table(["category", "conversations", "passed"], rows) + [""]
