"""Content commands: list, show, edit answer, set-fact, alias, award. Each good
edit changes the YAML minimally AND the DB (so the next reply shows it); each
bad input exits non-zero with a Thai + English message and changes nothing."""

from __future__ import annotations

import difflib

import pytest
import yaml

from bot.content import checks, repository


def changed_lines(before: str, after: str) -> list:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_help_is_thai_and_english(admin):
    run = admin("--help")
    assert run.code == 0
    assert "เจ้าหน้าที่" in run.out and "Staff tools" in run.out
    assert "unanswered" in run.out and "teach" in run.out


@pytest.mark.parametrize(
    "what, expect",
    [
        ("answers", "bizportal_contact"),
        ("bodies", "การไฟฟ้านครหลวง"),
        ("provinces", "ลำพูน"),
        ("awards", "[province]"),
        ("facts", "category.province.count\t5"),
        ("intents", "feedback_good"),
    ],
)
def test_list(admin, what, expect):
    run = admin("list", what)
    assert run.code == 0, run.err
    assert expect in run.out


def test_show_answer_body_and_category(admin):
    run = admin("show", "bizportal_contact")
    assert run.code == 0 and "02-612-6060" in run.out and "ที่มา / source" in run.out
    run = admin("show", "mea")
    assert "กฟน." in run.out and "body.mea.parent_ministry\tกระทรวงมหาดไทย" in run.out
    run = admin("show", "province")
    assert "category.province.count\t5" in run.out


def test_edit_answer_replace_updates_yaml_and_db(admin, project):
    before = project.files()
    run = admin(
        "edit", "answer", "bizportal_contact", "--replace", "02-612-6060", "02-612-6000"
    )
    assert run.code == 0, run.err
    assert "bizportal_contact" in run.out
    after = project.files()
    diff = changed_lines(
        before["data/content/answers.yml"], after["data/content/answers.yml"]
    )
    assert len(diff) == 2 and "02-612-6000" in diff[1]  # one line changed, no reflow
    assert {k for k in before if before[k] != after[k]} == {"data/content/answers.yml"}
    ans = repository.answer("bizportal_contact", project.url)
    assert "02-612-6000" in ans.text_th and "02-612-6060" not in ans.text_th


def test_edit_answer_from_file_keeps_block_style(admin, project, tmp_path):
    new = tmp_path / "new.txt"
    new.write_text("บรรทัดแรกค่ะ\n• บรรทัดที่สอง โทร 1111 ค่ะ\n", encoding="utf-8")
    run = admin(
        "edit",
        "answer",
        "nocopy_who_pays",
        "--from-file",
        str(new),
        "--confidence",
        "MED",
    )
    assert run.code == 0, run.err
    text = (project.paths.content_dir / "answers.yml").read_text(encoding="utf-8")
    assert "    text: |-\n      บรรทัดแรกค่ะ\n      • บรรทัดที่สอง โทร 1111 ค่ะ\n" in text
    data = yaml.safe_load(text)["answers"]["nocopy_who_pays"]
    assert data["confidence"] == "MED"
    assert repository.answer("nocopy_who_pays", project.url).text_th.startswith(
        "บรรทัดแรกค่ะ\n•"
    )


def test_edit_answer_warns_but_saves_impolite_text(admin, project):
    run = admin("edit", "answer", "ask_dga", "--text", "สพร. คือหน่วยงานรัฐ")
    assert run.code == 0
    assert "ค่ะ/คะ" in run.out
    assert repository.answer("ask_dga", project.url).text_th == "สพร. คือหน่วยงานรัฐ"


def test_set_fact_values_and_clear(admin, project):
    assert admin("set-fact", "category.province.count", "6").code == 0
    assert admin("set-fact", "document.id-card-copy.nocopy", "partial").code == 0
    assert admin("set-fact", "body.mwa.parent_ministry", "กระทรวงมหาดไทย").code == 0
    db = project.db()
    assert ("province", 6) in db["categories"]
    assert ("id-card-copy", "partial") in db["documents"]
    assert ("mwa", "การประปานครหลวง", "กระทรวงมหาดไทย") in db["bodies"]
    bodies = (project.paths.content_dir / "bodies.yml").read_text(encoding="utf-8")
    assert admin("set-fact", "body.mwa.parent_ministry", "--clear").code == 0
    after = (project.paths.content_dir / "bodies.yml").read_text(encoding="utf-8")
    assert len(changed_lines(bodies, after)) == 2
    assert "  parent_ministry: null\n  abbreviations: [กปน., MWA]" in after
    docs = (project.paths.content_dir / "document_types.yml").read_text(
        encoding="utf-8"
    )
    assert 'nocopy: "partial"' in docs


def test_alias_add_is_known_at_once_and_remove(admin, project):
    assert checks.resolve_body("ไฟฟ้ากรุงเทพ", project.url) is None
    run = admin("alias", "add", "mea", "ไฟฟ้ากรุงเทพ")
    assert run.code == 0, run.err
    assert "make train" in run.out
    match = checks.resolve_body("ไฟฟ้ากรุงเทพ", project.url)
    assert match is not None and match.key == "mea"
    bodies = (project.paths.content_dir / "bodies.yml").read_text(encoding="utf-8")
    assert "  aliases: [ไฟฟ้านครหลวง, ไฟฟ้ากรุงเทพ]\n" in bodies
    # a province with "aliases: []" gets a one-line list
    assert admin("alias", "add", "nan", "เมืองน่าน").code == 0
    provinces = (project.paths.content_dir / "provinces.yml").read_text(
        encoding="utf-8"
    )
    assert "  aliases: [เมืองน่าน]\n" in provinces
    run = admin("alias", "remove", "mea", "ไฟฟ้ากรุงเทพ")
    assert run.code == 0, run.err
    assert checks.resolve_body("ไฟฟ้ากรุงเทพ", project.url) is None


def test_award_add_and_remove(admin, project):
    assert checks.check_winner("lampang", project.url).status == "not_winner"
    admin("set-fact", "category.province.count", "6")
    run = admin(
        "award", "add", "province", "ลำปาง", "--source", "https://example.go.th/news/1"
    )
    assert run.code == 0, run.err
    result = checks.check_winner("จังหวัดลำปาง", project.url)
    assert result.status == "winner"
    awards = (project.paths.content_dir / "awards.yml").read_text(encoding="utf-8")
    # kept with the other province awards, in the file's one-line style
    lines = awards.splitlines()
    i = lines.index(
        "- {category: province, recipient: lampang, "
        "source: https://example.go.th/news/1}"
    )
    assert "category: province" in lines[i - 1]
    assert admin("award", "remove", "province", "lampang").code == 0
    assert checks.check_winner("lampang", project.url).status == "not_winner"


BAD = [
    (["edit", "answer", "no_such_answer", "--text", "ข้อความค่ะ"], "no_such_answer"),
    (["edit", "answer", "ask_dga", "--text", "   "], "empty"),
    (["edit", "answer", "ask_dga", "--text", "English only"], "Thai"),
    (["edit", "answer", "ask_dga", "--replace", "ไม่มีในข้อความ", "x"], "does not occur"),
    (["edit", "answer", "ask_dga", "--confidence", "SURE"], "confidence"),
    (["edit", "answer", "ask_dga"], "say what to change"),
    (["set-fact", "category.nosuch.count", "3"], "nosuch"),
    (["set-fact", "category.province.count", "ห้า"], "whole number"),
    (["set-fact", "category.province.count", "-1"], "whole number"),
    (["set-fact", "document.id-card-copy.nocopy", "maybe"], "must be one of"),
    (["set-fact", "category.province.source", "http://insecure"], "https://"),
    (["set-fact", "category.province.count", "--clear"], "required"),
    (["set-fact", "no.such.fact.id", "x"], "unknown fact"),
    (["set-fact", "body.mea.kind", "province"], "must be one of"),
    (["alias", "add", "no-such-body", "ชื่อใหม่"], "no-such-body"),
    (["alias", "add", "mea", "กปน."], "already used by mwa"),
    (["alias", "add", "mea", "ก.ป.น"], "already used by mwa"),  # normalised
    (["alias", "add", "mea", " ก ป น "], "already used by mwa"),
    (["alias", "add", "mea", "กฟน"], "already a name of mea"),
    (["alias", "add", "mea", "ร้านอาหาร"], "business type restaurant"),
    (["alias", "add", "mea", "สำเนาทะเบียนบ้าน"], "document type"),
    (["alias", "add", "mea", "..."], "empty"),
    (["alias", "remove", "mea", "ไม่มีชื่อนี้"], "has no alias"),
    (["alias", "remove", "mea", "การไฟฟ้านครหลวง"], "name_th"),
    (["award", "add", "gold", "mea", "--source", "https://x.go.th"], "gold"),
    (["award", "add", "department", "mea", "--source", "https://x.go.th"], "already"),
    (["award", "add", "province", "lampang", "--source", "https://x.go.th"], "5"),
    (["award", "add", "nocopy", "rd", "--source", "ftp://x"], "https://"),
    (["award", "add", "nocopy", "ไม่มีหน่วยงานนี้", "--source", "https://x.go.th"], "body"),
    (["award", "remove", "province", "nan"], "has no award"),
    (["show", "no_such_key"], "no_such_key"),
]


@pytest.mark.parametrize("argv, message", BAD, ids=[" ".join(a[:3]) for a, _ in BAD])
def test_bad_input_changes_nothing(admin, project, argv, message):
    before = project.state()
    run = admin(*argv)
    assert run.code != 0
    assert "ผิดพลาด:" in run.err and "Error:" in run.err
    assert message in run.err
    assert project.state() == before


def test_db_failure_leaves_files_unchanged(admin, project, tmp_path):
    before = project.files()
    missing = tmp_path / "no" / "such" / "dir" / "x.db"
    run = admin(
        "--url",
        f"sqlite:///{missing}",
        "edit",
        "answer",
        "ask_dga",
        "--text",
        "ข้อความใหม่ค่ะ",
    )
    assert run.code == 2
    assert "DATABASE_URL" in run.err
    assert project.files() == before


def test_edit_answer_text_with_escaped_new_line(admin, project):
    run = admin("edit", "answer", "ask_dga", "--text", "บรรทัดหนึ่งค่ะ\\nบรรทัดสองค่ะ")
    assert run.code == 0, run.err
    assert repository.answer("ask_dga", project.url).text_th == "บรรทัดหนึ่งค่ะ\nบรรทัดสองค่ะ"
    text = (project.paths.content_dir / "answers.yml").read_text(encoding="utf-8")
    assert "    text: |-\n      บรรทัดหนึ่งค่ะ\n      บรรทัดสองค่ะ\n" in text
