"""Sign-in rate limit, the client address behind a trusted proxy, CSRF."""

from __future__ import annotations

import hmac
import threading
import time
from typing import Dict, FrozenSet, Optional, Tuple


class LoginLimiter:
    """Wrong passwords per (account, address): after `attempts` in a row that
    pair is locked for `lock_s` seconds. Keyed by both, so a stranger who
    guesses the admin's password from elsewhere does not lock the admin out."""

    def __init__(self, attempts: int, lock_s: float) -> None:
        self.attempts = attempts
        self.lock_s = lock_s
        self._fails: Dict[Tuple[str, str], Tuple[int, float]] = {}
        self._lock = threading.Lock()

    def locked_for(self, name: str, address: str) -> int:
        """Seconds left on the lock of this pair (0 = not locked)."""
        with self._lock:
            count, until = self._fails.get((name.lower(), address), (0, 0.0))
        if count < self.attempts:
            return 0
        left = until - time.monotonic()
        if left <= 0:
            with self._lock:
                self._fails.pop((name.lower(), address), None)
            return 0
        return int(left) + 1

    def failed(self, name: str, address: str) -> None:
        key = (name.lower(), address)
        with self._lock:
            count, _ = self._fails.get(key, (0, 0.0))
            self._fails[key] = (count + 1, time.monotonic() + self.lock_s)
            if len(self._fails) > 10000:  # bounded memory under a flood
                self._fails.pop(next(iter(self._fails)))

    def succeeded(self, name: str, address: str) -> None:
        with self._lock:
            self._fails.pop((name.lower(), address), None)


def client_address(
    peer: str, forwarded_for: Optional[str], trusted: FrozenSet[str]
) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy,
    then the last address that proxy added to ``X-Forwarded-For``."""
    if peer in trusted and forwarded_for:
        hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
        if hops:
            return hops[-1]
    return peer


def same_token(given: Optional[str], expected: str) -> bool:
    """Constant-time comparison of a CSRF token."""
    return bool(given) and hmac.compare_digest(str(given), expected)


def minutes_text(seconds: int) -> str:
    """'14 นาที' / '40 วินาที' for the lock message."""
    if seconds >= 60:
        return f"{(seconds + 59) // 60} นาที"
    return f"{seconds} วินาที"
