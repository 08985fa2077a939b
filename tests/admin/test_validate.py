"""validate: each project rule finds its problem at the right file and line."""

from __future__ import annotations

import re

import pytest


def problems(run) -> list:
    return [line for line in run.out.splitlines() if re.match(r"^\S+:\d+: ", line)]


def line_no(path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in {path}")


def test_clean_copy_passes_with_rasa(admin):
    run = admin("validate")
    assert run.code == 0, run.out + run.err
    assert "all checks passed" in run.out


def test_too_few_examples(admin, project):
    path = project.paths.nlu_dir / "core.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("- intent: goodbye")
    end = next(
        i for i in range(start + 1, len(lines)) if lines[i].startswith("- intent")
    )
    keep = lines[: start + 2 + 20] + [""] + lines[end:]  # 20 goodbye examples left
    path.write_text("\n".join(keep) + "\n", encoding="utf-8")
    run = admin("validate", "--no-rasa")
    assert run.code == 1
    assert (
        f"data/nlu/core.yml:{start + 1}: intent goodbye has 20 examples; "
        "at least 25 are needed"
    ) in run.out.replace(str(project.dir) + "/", "")


def test_example_under_two_intents(admin, project):
    path = project.paths.nlu_dir / "feedback.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("    - ดีมากครับ\n", "    - ดีมากครับ\n    - สวัสดีครับ\n"), "utf-8"
    )
    run = admin("validate", "--no-rasa")
    assert run.code == 1
    line = line_no(path, "    - สวัสดีครับ")
    assert f"feedback.yml:{line}: example 'สวัสดีครับ' is under feedback_good" in run.out
    assert "also under greet (" in run.out


def test_new_alias_must_be_in_lookups(admin, project):
    assert admin("alias", "add", "mea", "ไฟฟ้ากรุงเทพ").code == 0
    run = admin("validate", "--no-rasa")
    assert run.code == 1
    line = line_no(project.paths.content_dir / "bodies.yml", "- key: mea")
    assert f"bodies.yml:{line}: mea: ไฟฟ้ากรุงเทพ not in the NLU lookup 'body'" in run.out
    assert "make train" in run.out


def test_response_without_thai(admin, project):
    path = project.paths.domain
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            '    - text: "ยินดีค่ะ มีเรื่องอื่นให้ช่วยอีกไหมคะ"', '    - text: "You are welcome"'
        ),
        encoding="utf-8",
    )
    run = admin("validate", "--no-rasa")
    assert run.code == 1
    line = line_no(path, "You are welcome")
    assert f"domain.yml:{line}: response utter_thank has no Thai text" in run.out


def test_missing_sources(admin, project):
    path = project.paths.content_dir / "document_types.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("  source: https://www.pmdu.go.th/linkage-center/\n", "", 1),
        "utf-8",
    )
    path = project.paths.content_dir / "bodies.yml"
    text = path.read_text(encoding="utf-8")
    dss = "  source: https://www.dss.go.th/index.php/dssnews/1260-182-2562\n"
    path.write_text(text.replace(dss, ""), "utf-8")
    run = admin("validate", "--no-rasa")
    assert run.code == 1
    assert (
        "document_types.yml:5: document type id-card-copy has no source URL" in run.out
    )
    line = line_no(path, "- key: dss")
    assert f"bodies.yml:{line}: body dss states facts" in run.out


def test_content_error_is_reported_with_a_line(admin, project):
    path = project.paths.content_dir / "awards.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("recipient: dbd", "recipient: nobody"), "utf-8")
    run = admin("validate", "--no-rasa")
    assert run.code == 1
    assert re.search(
        r"awards\.yml:\d+: content error: awards\.yml: awards\[\d+\]", run.out
    )


@pytest.mark.parametrize("intent", ["feedback_good", "feedback_bad"])
def test_feedback_intents_are_well_fed(admin, intent):
    run = admin("list", "intents")
    row = next(line for line in run.out.splitlines() if line.startswith(intent + "\t"))
    assert int(row.split("\t")[1]) >= 25
