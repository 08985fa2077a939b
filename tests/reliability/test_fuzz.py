"""Property-based fuzzing of the running bot's REST channel (hypothesis).

At least 1,000 generated request bodies — arbitrary text in valid JSON
(control characters, surrogates, emoji, Thai, ``/intent{...}``, SQL, HTML,
very long texts), random JSON values, and raw bytes — go to the real Rasa
server, 25 at a time over keep-alive connections. Properties: no 5xx ever; a
200 always carries at least one bot message (never silence); a 4xx is a JSON
error. Afterwards the bot still answers a normal Thai greeting.

Each generated request has a sender of its own: requests of one conversation
would wait for each other on the conversation lock and only slow the run.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.support.servers import Servers

pytestmark = pytest.mark.e2e

BATCH = 25
BATCHES = 41  # 1,025 inputs
SEEDS = [
    "/restart",
    '/award_check{"body": "mea"}',
    "'; DROP TABLE events; --",
    "<script>alert(1)</script>",
    "จังหวัดลำพูนได้รางวัลไหมคะ",
    "เลขบัตร 1-1017-00230-71-6",
    "\x00",
    "\ud800",
    "😀",
    "{{ 7*7 }}",
    "${jndi:ldap://x}",
]

# Characters from every corner: control, format (zero-width, bidi),
# surrogates, combining marks, symbols and emoji, Thai, and the rest.
any_char = st.characters(
    categories=["Cc", "Cf", "Cs", "Mn", "So", "Sm", "Zs", "Zl", "Zp", "Lo", "Nd", "Po"]
)
thai_char = st.characters(min_codepoint=0x0E01, max_codepoint=0x0E5B)
short_texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=any_char, max_size=40),
    st.text(alphabet=thai_char, min_size=1, max_size=60),
    st.builds(
        lambda seed, tail: seed + tail, st.sampled_from(SEEDS), st.text(max_size=20)
    ),
)
# Long texts (the channel truncates them, with a notice): rare, as each one
# costs Rasa a full 1,000-character turn.
long_texts = st.builds(
    lambda piece, times: piece * times,
    st.text(alphabet=thai_char, min_size=1, max_size=8),
    st.integers(min_value=150, max_value=2000),
)
texts = st.one_of(*([short_texts] * 11), long_texts)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | texts,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def _json(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode("utf-8")


def message_body(text: str) -> bytes:
    return _json({"sender": f"fuzz-{uuid.uuid4().hex[:12]}", "message": text})


bodies = st.one_of(
    # arbitrary text as the message of a valid request (what reaches NLU)
    texts.map(message_body),
    # odd senders, messages and metadata
    st.fixed_dictionaries(
        {"sender": st.one_of(texts, json_values), "message": json_values},
        optional={"metadata": json_values, "input_channel": texts},
    ).map(_json),
    # random JSON documents
    json_values.map(_json),
    # raw bytes, and valid JSON made invalid UTF-8 by a raw surrogate
    st.binary(max_size=300),
    texts.map(
        lambda t: f'{{"sender": "fuzz-{uuid.uuid4().hex}", "message": "{t}"}}'.encode(
            "utf-8", "surrogatepass"
        )
    ),
)


async def _send_all(url: str, batch: list[bytes]) -> list[tuple[int, Any]]:
    timeout = aiohttp.ClientTimeout(total=180)
    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def one(data: bytes) -> tuple[int, Any]:
            async with session.post(
                url, data=data, headers={"Content-Type": "application/json"}
            ) as response:
                raw = await response.read()
                try:
                    return response.status, json.loads(raw)
                except ValueError:
                    return response.status, raw[:300]

        return await asyncio.gather(*(one(data) for data in batch))


def test_fuzzed_rest_input_never_breaks_the_bot(servers: Servers) -> None:
    url = servers.rasa_url + "/webhooks/rest/webhook"
    sent: list[int] = []

    @settings(
        max_examples=BATCHES,
        deadline=None,
        database=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(batch=st.lists(bodies, min_size=BATCH, max_size=BATCH))
    def property_holds(batch: list[bytes]) -> None:
        results = asyncio.run(_send_all(url, batch))
        sent.append(len(batch))
        for data, (status, answer) in zip(batch, results, strict=True):
            where = f"body {data[:200]!r} -> {status} {answer!r:.300}"
            assert status < 500, where
            if status == 200:
                assert isinstance(answer, list) and answer, where
                assert all(isinstance(m, dict) for m in answer), where
            else:
                assert 400 <= status < 500, where
                assert isinstance(answer, dict) and "error" in answer, where

    property_holds()
    assert sum(sent) >= 1000
    replies = servers.chat(f"fuzz-after-{uuid.uuid4().hex[:8]}", "สวัสดีครับ")
    assert replies and "สวัสดี" in replies[0]["text"]
