"""A keep-alive HTTP client for the REST channel, for the benchmarks."""

from __future__ import annotations

import http.client
import json
import time
from typing import List, Optional, Tuple


class Client:
    """One keep-alive connection to the REST channel."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: Optional[http.client.HTTPConnection] = None

    def chat(self, sender: str, text: str, timeout: float = 60) -> List[dict]:
        """POSTs one message; returns the bot's replies."""
        body = json.dumps({"sender": sender, "message": text}).encode("utf-8")
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=timeout
                )
            try:
                self.conn.request(
                    "POST",
                    "/webhooks/rest/webhook",
                    body=body,
                    headers={"Content-Type": "application/json"},
                )
                response = self.conn.getresponse()
                raw = response.read()
                if response.status != 200:
                    raise RuntimeError(f"HTTP {response.status}: {raw[:300]!r}")
                return json.loads(raw)
            except (http.client.HTTPException, ConnectionError, OSError):
                self.close()
                if attempt == 2:
                    raise
        return []

    def timed(self, sender: str, text: str) -> Tuple[float, List[dict]]:
        """(seconds, replies) for one message."""
        started = time.perf_counter()
        replies = self.chat(sender, text)
        return time.perf_counter() - started, replies

    def close(self) -> None:
        """Closes the connection."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None
