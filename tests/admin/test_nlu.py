"""teach and intent add: the right file, the right place, refusals that change
nothing."""

from __future__ import annotations

import yaml

from bot.admin.nlu import load_nlu
from bot.content import records


def seed(url: str, *texts: str) -> None:
    for i, text in enumerate(texts):
        assert records.record_unanswered(
            text,
            "fallback",
            "rest",
            intent="bizportal_steps",
            confidence=0.4,
            top_intents=[{"name": "bizportal_steps", "confidence": 0.4}],
            message_ref=f"ref-{i}-{text}",
            url=url,
        )


def test_teach_appends_to_the_intents_file_and_marks_similar(admin, project):
    seed(
        project.url,
        "ต่อใบอนุญาตร้านอาหารยังไง",
        "ต่อใบอนุญาตร้านอาหารยังไงคะ",
        "หวยออกอะไร",
    )
    before = project.files()
    path = project.paths.nlu_dir / "bizportal.yml"
    run = admin("teach", "ต่อใบอนุญาตร้านอาหารยังไง", "bizportal_lifecycle")
    assert run.code == 0, run.err
    assert "2 unanswered" in run.out and "make train" in run.out
    after = project.files()
    assert {k for k in before if before[k] != after[k]} == {"data/nlu/bizportal.yml"}
    blocks = [b for b in load_nlu(project.paths.nlu_dir).blocks]
    block = next(b for b in blocks if b.name == "bizportal_lifecycle")
    assert block.examples[-1].text == "ต่อใบอนุญาตร้านอาหารยังไง"
    assert block.file == path
    # nothing else moved: the file is the old one plus one line
    old = before["data/nlu/bizportal.yml"].splitlines()
    new = after["data/nlu/bizportal.yml"].splitlines()
    assert len(new) == len(old) + 1
    assert new[block.examples[-1].line - 1] == "    - ต่อใบอนุญาตร้านอาหารยังไง"
    open_rows = records.unanswered_questions(url=project.url)
    assert [r.text for r in open_rows] == ["หวยออกอะไร"]
    taught = records.unanswered_questions(include_taught=True, url=project.url)
    assert {r.taught_intent for r in taught if r.taught_at} == {"bizportal_lifecycle"}
    # teaching it again adds nothing
    run = admin("teach", "ต่อใบอนุญาตร้านอาหารยังไง", "bizportal_lifecycle")
    assert run.code == 0 and "already there" in run.out
    assert project.files() == after


def test_teach_masks_personal_data(admin, project):
    assert (
        admin("teach", "โทรหาผมที่ 0812345678 เรื่องใบอนุญาต", "bizportal_contact").code == 0
    )
    text = (project.paths.nlu_dir / "bizportal.yml").read_text(encoding="utf-8")
    assert "0812345678" not in text and "โทรหาผมที่ [เบอร์โทร] เรื่องใบอนุญาต" in text


def test_teach_refusals_change_nothing(admin, project):
    before = project.state()
    for argv, message in [
        (("teach", "ต่อภาษีรถ", "no_such_intent"), "unknown intent"),
        (("teach", "ต่อภาษีรถ", "nlu_fallback"), "unknown intent"),
        (("teach", "สวัสดีครับ", "thank"), "already an example of greet"),
        (("teach", "  สวัสดี   ครับ ", "thank"), "already an example of greet"),
        (("teach", "[กฟน.](body) ได้รางวัลไหม", "award_check"), "annotation"),
        (("teach", "   ", "greet"), "empty"),
    ]:
        run = admin(*argv)
        assert run.code == 2, argv
        assert message in run.err and "ผิดพลาด:" in run.err
    assert project.state() == before


def examples(n: int) -> str:
    base = ["ศูนย์บริการเปิดกี่โมง", "เปิดทำการวันเสาร์ไหมคะ", "เวลาทำการของศูนย์"]
    return "\n".join(base + [f"ศูนย์เปิดกี่โมงถึงกี่โมง แบบที่ {i}" for i in range(n - 3)])


def test_intent_add_writes_domain_nlu_and_rule(admin, project, tmp_path):
    ex = tmp_path / "ex.txt"
    ex.write_text(examples(26), encoding="utf-8")
    run = admin(
        "intent",
        "add",
        "ask_opening_hours",
        "--examples-file",
        str(ex),
        "--response",
        "ศูนย์เปิดวันจันทร์ถึงศุกร์ 8.30-16.30 น. ค่ะ",
    )
    assert run.code == 0, run.err
    domain = project.paths.domain.read_text(encoding="utf-8")
    # appended after the domain's last intent, whatever that is today
    intents = yaml.safe_load(domain)["intents"]
    assert intents[-1] == "ask_opening_hours"
    assert intents.count("ask_opening_hours") == 1
    assert f"  - {intents[-2]}\n  - ask_opening_hours\n" in domain
    assert (
        '  utter_ask_opening_hours:\n    - text: "ศูนย์เปิดวันจันทร์ถึงศุกร์ 8.30-16.30 น. ค่ะ"\n'
        in domain
    )
    rules = (project.dir / "data" / "rules" / "staff.yml").read_text(encoding="utf-8")
    assert (
        "- intent: ask_opening_hours\n      - action: utter_ask_opening_hours" in rules
    )
    blocks = load_nlu(project.paths.nlu_dir).intents()["ask_opening_hours"]
    assert len(blocks[0].examples) == 26 and blocks[0].file.name == "staff.yml"
    assert admin("validate").code == 0  # rasa data validate too


def test_intent_add_refusals_change_nothing(admin, project, tmp_path):
    ex = tmp_path / "ex.txt"
    before = project.state()
    cases = [
        ("ask_opening_hours", examples(10), "ตอบค่ะ", "at least 25"),
        ("greet", examples(30), "ตอบค่ะ", "already exists"),
        ("Ask-Hours", examples(30), "ตอบค่ะ", "lower-case"),
        ("ask_opening_hours", examples(30) + "\nสวัสดีครับ", "ตอบค่ะ", "greet"),
        ("ask_opening_hours", examples(30), "Open 8-16", "polite Thai"),
    ]
    for name, text, response, message in cases:
        ex.write_text(text, encoding="utf-8")
        run = admin(
            "intent", "add", name, "--examples-file", str(ex), "--response", response
        )
        assert run.code == 2, name
        assert message in run.err
    assert project.state() == before
