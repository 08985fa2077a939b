"""Replacing a Rasa function while remembering Rasa's own, so that the tests
can compare the two (`replace`, `original`)."""

from __future__ import annotations

from typing import Any, Dict, Tuple

_ORIGINALS: Dict[Tuple[type, str], Any] = {}


def replace(owner: type, name: str, new: Any) -> None:
    """Sets ``owner.name`` to `new` once (idempotent), keeping Rasa's."""
    current = getattr(owner, name)
    if current is not new:
        _ORIGINALS.setdefault((owner, name), current)
        setattr(owner, name, new)


def original(owner: type, name: str) -> Any:
    """Rasa's own ``owner.name``, also after `replace`."""
    return _ORIGINALS.get((owner, name), getattr(owner, name))
