"""export / import, YAML and CSV: round trips change nothing, edits made in a
sheet arrive in the YAML and the DB, malformed sheets change nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.admin.csv_sheets import SHEETS
from bot.content import checks, repository
from bot.content.importer import load_content


def read(path: Path) -> list:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def write(path: Path, rows: list) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)


@pytest.fixture
def sheets(admin, tmp_path) -> Path:
    out = tmp_path / "csv"
    run = admin("export", "--format", "csv", "--out", str(out))
    assert run.code == 0, run.err
    return out


def test_csv_round_trip_changes_nothing(admin, project, sheets):
    assert sorted(p.name for p in sheets.glob("*.csv")) == sorted(SHEETS)
    assert read(sheets / "answers.csv")[0] == ["key", "confidence", "text"]
    assert len(read(sheets / "provinces.csv")) == 78  # header + 77 provinces
    before = project.state()
    run = admin("import", "--format", "csv", str(sheets))
    assert run.code == 0, run.err
    assert "nothing changed" in run.out
    assert project.state() == before


def test_yaml_round_trip_changes_nothing(admin, project, tmp_path):
    out = tmp_path / "yaml"
    assert admin("export", "--format", "yaml", "--out", str(out)).code == 0
    before = project.state()
    run = admin("import", "--format", "yaml", str(out))
    assert run.code == 0 and "nothing changed" in run.out
    assert project.state() == before


def test_csv_edits_reach_yaml_and_db(admin, project, sheets):
    rows = read(sheets / "answers.csv")
    for row in rows:
        if row[0] == "bizportal_contact":
            row[2] = row[2].replace("02-612-6060", "02-612-6111")
    write(sheets / "answers.csv", rows)
    rows = read(sheets / "provinces.csv")
    col = rows[0].index("aliases")
    for row in rows:
        if row[0] == "nan":
            row[col] = "เมืองน่าน | น่านนคร"
    write(sheets / "provinces.csv", rows)
    before = project.files()
    run = admin("import", "--format", "csv", str(sheets))
    assert run.code == 0, run.err
    after = project.files()
    assert {k for k in before if before[k] != after[k]} == {
        "data/content/answers.yml",
        "data/content/provinces.yml",
    }
    assert "  aliases: [เมืองน่าน, น่านนคร]\n" in after["data/content/provinces.yml"]
    assert "02-612-6111" in repository.answer("bizportal_contact", project.url).text_th
    assert checks.resolve_body("น่านนคร", project.url).key == "nan"


def test_csv_new_award_and_removed_button(admin, project, sheets):
    rows = read(sheets / "award_categories.csv")
    for row in rows:
        if row[0] == "province":
            row[3] = "6"
    write(sheets / "award_categories.csv", rows)
    rows = read(sheets / "awards.csv")
    rows.append(["province", "lampang", "MED", "https://example.go.th/a"])
    write(sheets / "awards.csv", rows)
    rows = read(sheets / "answer_buttons.csv")
    rows = [r for r in rows if not (r[0] == "award_ceremony" and r[1] == "สพร. คือใคร")]
    write(sheets / "answer_buttons.csv", rows)
    run = admin("import", "--format", "csv", str(sheets))
    assert run.code == 0, run.err
    assert checks.check_winner("lampang", project.url).status == "winner"
    buttons = repository.answer("award_ceremony", project.url).buttons
    assert "สพร. คือใคร" not in [b["title"] for b in buttons]
    bundle = load_content(project.paths.content_dir)
    assert any(
        a["category"] == "province" and a["recipient"] == "lampang"
        for a in bundle.awards
    )


def _bad_header(d: Path) -> str:
    rows = read(d / "bodies.csv")
    rows[0][1] = "ชื่อ"
    write(d / "bodies.csv", rows)
    return "bodies.csv:1"


def _short_row(d: Path) -> str:
    rows = read(d / "awards.csv")
    rows[3] = rows[3][:2]
    write(d / "awards.csv", rows)
    return "awards.csv:4"


def _unknown_parent(d: Path) -> str:
    rows = read(d / "answer_sources.csv")
    rows.append(["no_such_answer", "https://x.go.th", "x"])
    write(d / "answer_sources.csv", rows)
    return "no_such_answer"


def _not_a_number(d: Path) -> str:
    rows = read(d / "award_categories.csv")
    rows[1][3] = "สิบ"
    write(d / "award_categories.csv", rows)
    return "whole number"


def _duplicate_key(d: Path) -> str:
    rows = read(d / "document_types.csv")
    rows.append(list(rows[1]))
    write(d / "document_types.csv", rows)
    return "duplicate"


def _missing_partner(d: Path) -> str:
    (d / "answer_buttons.csv").unlink()
    return "together"


def _bad_url(d: Path) -> str:
    rows = read(d / "answer_sources.csv")
    rows[1][1] = "http://insecure.example"
    write(d / "answer_sources.csv", rows)
    return "https://"


def _duplicate_alias(d: Path) -> str:
    rows = read(d / "bodies.csv")
    col = rows[0].index("aliases")
    rows[1][col] = "กปน."  # dbd would share mwa's abbreviation
    write(d / "bodies.csv", rows)
    return "กปน."


def _unknown_sheet(d: Path) -> str:
    (d / "notes.csv").write_text("a,b\n", encoding="utf-8")
    return "notes.csv"


def _not_utf8(d: Path) -> str:
    (d / "settings.csv").write_bytes(
        "file,field,value\nawards.yml,event,รางวัล\n".encode("cp874")
    )
    return "UTF-8"


def _unclosed_quote(d: Path) -> str:
    text = (d / "answers.csv").read_text(encoding="utf-8-sig")
    (d / "answers.csv").write_text(text + 'x,HIGH,"ไม่ปิด\n', encoding="utf-8")
    return "answers.csv"


@pytest.mark.parametrize(
    "spoil",
    [
        _bad_header,
        _short_row,
        _unknown_parent,
        _not_a_number,
        _duplicate_key,
        _missing_partner,
        _bad_url,
        _duplicate_alias,
        _unknown_sheet,
        _not_utf8,
        _unclosed_quote,
    ],
)
def test_malformed_csv_changes_nothing(admin, project, sheets, spoil):
    message = spoil(sheets)
    before = project.state()
    run = admin("import", "--format", "csv", str(sheets))
    assert run.code == 2
    assert "ผิดพลาด:" in run.err and "Error:" in run.err
    assert message in run.err
    assert project.state() == before


def test_yaml_import_needs_every_file_and_valid_content(admin, project, tmp_path):
    out = tmp_path / "yaml"
    admin("export", "--format", "yaml", "--out", str(out))
    before = project.state()
    (out / "awards.yml").unlink()
    run = admin("import", "--format", "yaml", str(out))
    assert run.code == 2 and "awards.yml" in run.err
    admin("export", "--format", "yaml", "--out", str(out))
    text = (out / "answers.yml").read_text(encoding="utf-8")
    (out / "answers.yml").write_text(text.replace("https://", "http://", 1), "utf-8")
    run = admin("import", "--format", "yaml", str(out))
    assert run.code == 2 and "answers.yml" in run.err
    assert project.state() == before
