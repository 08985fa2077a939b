import sqlite3

import pytest
from sqlalchemy import select

from bot import settings
from bot.content.db import migrate, session_scope
from bot.content.importer import ContentError, import_content, load_content
from bot.content.models import Answer, Award, Body, BodyAlias

INTENTS = {
    "award_overview",
    "award_ceremony",
    "nocopy_what",
    "nocopy_what_to_bring",
    "nocopy_exceptions",
    "nocopy_who_pays",
    "nocopy_official_asks",
    "nocopy_legal_basis",
    "bizportal_what",
    "bizportal_steps",
    "bizportal_lifecycle",
    "bizportal_tracking",
    "bizportal_contact",
    "ask_dga",
    "ask_digital_gov_act",
    "ask_welfare_card",
}


def test_migrations_on_fresh_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    migrate(url)
    migrate(url)  # idempotent
    con = sqlite3.connect(tmp_path / "fresh.db")
    tables = {
        r[0] for r in con.execute("select name from sqlite_master where type='table'")
    }
    assert {
        "bodies",
        "body_aliases",
        "awards",
        "answers",
        "business_types",
        "document_types",
    } <= tables
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(Config(str(settings.ALEMBIC_INI))).get_heads()
    assert len(heads) == 1, f"two migration heads: {heads}"
    version = con.execute("select version_num from alembic_version").fetchone()[0]
    assert version == heads[0]


def test_content_is_complete():
    b = load_content()
    assert set(b.answers) == INTENTS
    assert len([x for x in b.bodies if x["kind"] == "province"]) == 77
    cats = {c["key"]: c["count"] for c in b.categories}
    assert cats == {"department": 10, "province": 5, "nocopy": 60}
    by_cat = {}
    for a in b.awards:
        by_cat.setdefault(a["category"], []).append(a["recipient"])
    assert len(by_cat["department"]) == 10 and len(by_cat["province"]) == 5
    assert by_cat["nocopy"] == ["dss"]
    for ans in b.answers.values():
        assert len(ans["text_th"]) <= 900
        assert 2 <= len(ans["buttons"]) <= 4
        assert all(not btn["payload"].startswith("/") for btn in ans["buttons"])
        assert all(s["url"].startswith("https://") for s in ans["sources"])


def test_import_and_reimport_sync(loaded, content_dir):
    with session_scope(loaded) as s:
        assert s.execute(select(Award)).scalars().all().__len__() == 16
        n_alias = len(s.execute(select(BodyAlias)).scalars().all())
    # remove a body (and its award) from the YAML, change an answer: DB follows
    bodies = (content_dir / "bodies.yml").read_text(encoding="utf-8")
    start = bodies.index("- key: opdc")
    (content_dir / "bodies.yml").write_text(bodies[:start], encoding="utf-8")
    answers = (content_dir / "answers.yml").read_text(encoding="utf-8")
    (content_dir / "answers.yml").write_text(
        answers.replace("ประชาชนไม่ต้องจ่ายค่ะ", "ประชาชนไม่ต้องเสียเงินค่ะ"), encoding="utf-8"
    )
    import_content(content_dir, loaded)
    with session_scope(loaded) as s:
        assert (
            s.execute(select(Body).where(Body.key == "opdc")).scalar_one_or_none()
            is None
        )
        assert len(s.execute(select(BodyAlias)).scalars().all()) < n_alias
        text = s.execute(
            select(Answer.text_th).where(Answer.key == "nocopy_who_pays")
        ).scalar_one()
        assert "ไม่ต้องเสียเงินค่ะ" in text


@pytest.mark.parametrize(
    "fname,old,new,msg",
    [
        ("answers.yml", "answers:", "answers: [broken", "answers.yml"),
        ("awards.yml", "recipient: dbd,", "recipient: nobody,", "awards.yml"),
        ("bodies.yml", "aliases: [กรมพัฒน์]", "aliases: [กรมพัฒน์, กฟน.]", "bodies.yml"),
        (
            "answers.yml",
            'payload: "รางวัลระดับกรมมีหน่วยงานไหนบ้าง"',
            'payload: "/award_winners"',
            "answers.yml",
        ),
    ],
)
def test_bad_yaml_leaves_db_unchanged(loaded, content_dir, fname, old, new, msg):
    path = content_dir / fname
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with session_scope(loaded) as s:
        before = len(s.execute(select(Body)).scalars().all())
    with pytest.raises(ContentError) as exc:
        import_content(content_dir, loaded)
    assert msg in str(exc.value)
    with session_scope(loaded) as s:
        assert len(s.execute(select(Body)).scalars().all()) == before
