"""Round-trip YAML (ruamel) that keeps the staff's comments, order and quoting,
and atomic file writes.

The files are read back by PyYAML (YAML 1.1) in the importer and by Rasa, so a
string PyYAML would read as something else (``yes``, ``2019``, ``null``,
``a: b`` ...) is written in double quotes; text with line breaks is written as
a ``|-`` block like the existing answers.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any, Dict

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString


def _represent_none(representer, _data):
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def rt_yaml() -> YAML:
    """A round-trip loader/dumper matching the style of data/content."""
    y = YAML()
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap long Thai lines
    y.indent(mapping=2, sequence=2, offset=0)
    y.representer.add_representer(type(None), _represent_none)
    return y


def load_text(text: str) -> Any:
    return rt_yaml().load(text)


def load_path(path: Path) -> Any:
    return load_text(path.read_text(encoding="utf-8"))


def dump(doc: Any) -> str:
    out = io.StringIO()
    rt_yaml().dump(doc, out)
    return out.getvalue()


_PLAIN_LOADER = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)


def read_plain(text: str) -> Any:
    """Load YAML the way the importer and Rasa read it (PyYAML, YAML 1.1)."""
    return pyyaml.load(text, Loader=_PLAIN_LOADER)


def _reads_back(text: str) -> bool:
    try:
        return read_plain(text) == text
    except pyyaml.YAMLError:
        return False


def yaml_str(value: str) -> Any:
    """``value`` as a scalar that reads back as the same string everywhere."""
    value = str(value)
    if "\n" in value:
        return LiteralScalarString(value)
    if value and _reads_back(value) and value == value.strip():
        return value
    return DoubleQuotedScalarString(value)


def flow_map(items: Dict[str, Any]) -> CommentedMap:
    """``{a: 1, b: 2}`` on one line (the style awards.yml and answers.yml use)."""
    m = CommentedMap()
    for k, v in items.items():
        m[k] = yaml_str(v) if isinstance(v, str) else v
    m.fa.set_flow_style()
    return m


def flow_seq(items) -> CommentedSeq:
    s = CommentedSeq([yaml_str(v) if isinstance(v, str) else v for v in items])
    s.fa.set_flow_style()
    return s


def line_of_key(mapping: Any, key: Any) -> int:
    """1-based line of ``key`` in a loaded mapping (0 when unknown)."""
    try:
        return mapping.lc.key(key)[0] + 1
    except (AttributeError, KeyError, TypeError):
        return 0


def line_of_item(seq: Any, index: int) -> int:
    """1-based line of item ``index`` in a loaded sequence (0 when unknown)."""
    try:
        return seq.lc.item(index)[0] + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return 0


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old or the new file,
    never half of one (temp file in the same folder, fsync, rename)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=str(path.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
