"""Prometheus metrics (prometheus-client), one registry per process.

Rasa process (``GET /webhooks/rest/metrics``): turns and their latency per
channel, turns that ended in the apology, limits fired, turns in flight, LINE
API errors. Action server (``GET /metrics``): fallbacks (questions recorded
as unanswered) and action errors. No label ever holds text or an id.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

REGISTRY = CollectorRegistry(auto_describe=True)

TURNS = Counter(
    "bot_turns_total",
    "Turns that reached Rasa, per channel and outcome (ok / apology).",
    ["channel", "outcome"],
    registry=REGISTRY,
)
TURN_SECONDS = Histogram(
    "bot_turn_seconds",
    "Time from a message reaching Rasa to the end of its turn.",
    ["channel"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30),
    registry=REGISTRY,
)
LIMITS = Counter(
    "bot_limit_refused_total",
    "Messages refused before Rasa, per limit (rate / overload) and channel.",
    ["limit", "channel"],
    registry=REGISTRY,
)
INFLIGHT = Gauge(
    "bot_turns_in_flight", "Turns running now in this process.", registry=REGISTRY
)
LINE_API_ERRORS = Counter(
    "bot_line_api_errors_total",
    "LINE Messaging API calls that failed, per call and HTTP status (0: no answer).",
    ["call", "status"],
    registry=REGISTRY,
)
FALLBACKS = Counter(
    "bot_fallbacks_total",
    "Questions the bot could not answer, per reason (fallback / core_fallback).",
    ["reason"],
    registry=REGISTRY,
)
ACTION_ERRORS = Counter(
    "bot_action_errors_total",
    "Actions that failed and answered with the apology, per action.",
    ["action"],
    registry=REGISTRY,
)


def turn_done(channel: str, seconds: float, apologised: bool) -> None:
    """Counts one turn that ran through Rasa."""
    TURNS.labels(channel or "-", "apology" if apologised else "ok").inc()
    TURN_SECONDS.labels(channel or "-").observe(seconds)


def limit_refused(limit: str, channel: str) -> None:
    """Counts one message refused by `limit`."""
    LIMITS.labels(limit, channel or "-").inc()


def line_api_error(path: str, status: int) -> None:
    """Counts one failed LINE API call: reply, push or other (a path may hold
    a user or rich-menu id, so it is never a label itself)."""
    call = next((c for c in ("reply", "push") if path.endswith(f"/{c}")), "other")
    LINE_API_ERRORS.labels(call, str(status)).inc()


def fallback(reason: str) -> None:
    """Counts one unanswered question."""
    FALLBACKS.labels(reason or "-").inc()


def action_error(action: str) -> None:
    """Counts one failed action."""
    ACTION_ERRORS.labels(action or "-").inc()


def exposition() -> tuple[bytes, str]:
    """(body, content type) of the Prometheus text format."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
