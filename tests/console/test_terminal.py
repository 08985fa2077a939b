"""Changes from `python -m bot.admin` land in the console's change history,
and a terminal answer edit can be reverted like a console one."""

from __future__ import annotations

import shutil

from bot.admin.cli import main
from bot.admin.paths import Paths
from bot.console import history, reverts
from bot.content import repository
from bot.content.db import dispose_engines
from bot.content.importer import import_content
from tests.console.helpers import REPO


def test_a_terminal_edit_is_recorded_and_revertible(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(REPO / "data" / "content", content)
    url = f"sqlite:///{tmp_path / 's.db'}"
    import_content(content, url)
    old = repository.answer("bizportal_contact", url).text_th
    common = ["--content-dir", str(content), "--url", url]
    code = main(
        ["edit", "answer", "bizportal_contact", "--replace", "02-612-6060",
         "02-612-6000", *common]
    )  # fmt: skip
    assert code == 0
    (change,) = history.recent(url)
    assert change.kind == "answer" and change.user_name.endswith("(เทอร์มินัล)")
    assert change.before["text"] == old and "02-612-6000" in change.after["text"]
    paths = Paths.make(content_dir=str(content), url=url)
    reverts.revert(paths, "admin1", change)
    dispose_engines()
    assert repository.answer("bizportal_contact", url).text_th == old
    assert history.recent(url)[0].reverts_id == change.id
    # a failed command records nothing
    bad = main(["edit", "answer", "no_such_answer", "--text", "ทดสอบค่ะ", *common])
    assert bad == 2 and len(history.recent(url)) == 2


def test_edit_answer_sources_from_the_terminal(tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(REPO / "data" / "content", content)
    url = f"sqlite:///{tmp_path / 's.db'}"
    import_content(content, url)
    common = ["--content-dir", str(content), "--url", url]
    src = "https://www.dga.or.th/document-sharing/dga-news/18310/"
    code = main(
        ["edit", "answer", "award_ceremony", "--source", src, "ข่าว สพร. (DGA)",
         *common]
    )  # fmt: skip
    assert code == 0
    dispose_engines()
    assert [s["url"] for s in repository.answer("award_ceremony", url).sources] == [src]
    bad = main(
        ["edit", "answer", "award_ceremony", "--source", "http://x", "t", *common]
    )
    assert bad == 2 and "https://" in capsys.readouterr().err
