"""Runtime settings read from the environment: every number and URL the bot
takes from the environment is read here, by one rule (`env_number`).

``DATABASE_URL`` defaults to a SQLite file ``<repo>/var/service.db`` (the ``var/``
folder is created on first use). Values are read on every access, so tests and
operators can change the environment without re-importing the module.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = REPO_ROOT / "var"
CONTENT_DIR = REPO_ROOT / "data" / "content"
ALEMBIC_INI = REPO_ROOT / "alembic.ini"
MIGRATIONS_DIR = REPO_ROOT / "migrations"
GENERATED_LOOKUPS = REPO_ROOT / "data" / "nlu" / "generated_lookups.yml"
CUSTOM_WORDS = REPO_ROOT / "bot" / "nlu" / "dictionary" / "generated_names.txt"


def database_url() -> str:
    """The service DB URL: ``$DATABASE_URL`` or the default SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{VAR_DIR / 'service.db'}"


def env_number(
    name: str,
    default: float,
    *,
    minimum: float = 0.0,
    maximum: float = float("inf"),
    inclusive_min: bool = False,
) -> float:
    """The number in ``$name``, or `default` when it is unset, not a number or
    outside (`minimum`, `maximum`] (`minimum` itself allowed if
    `inclusive_min`). A bad value is logged once, with what to set instead."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    low_ok = value >= minimum if inclusive_min else value > minimum
    if low_ok and value <= maximum:
        return value
    if (name, raw) not in _WARNED:
        _WARNED.add((name, raw))
        logger.warning(
            "%s=%r is not a usable number; using %s. Set it to a number above %s.",
            name,
            raw,
            default,
            minimum,
        )
    return default


_WARNED: set = set()


def env_whole(name: str, default: int, maximum: float = float("inf")) -> int:
    """A whole number of at least 1 from ``$name`` (`env_number`'s rules)."""
    value = env_number(name, default, minimum=1, inclusive_min=True, maximum=maximum)
    return int(value)


def db_timeout_s() -> float:
    """Seconds an action waits for the DB before it apologises (``DB_TIMEOUT_S``, 5)."""
    return env_number("DB_TIMEOUT_S", 5.0)


def action_timeout_s() -> float:
    """Seconds Rasa waits for the action server (``ACTION_TIMEOUT_S``, default 10)."""
    return env_number("ACTION_TIMEOUT_S", 10.0)


def model_watch_s() -> float:
    """Seconds between looks at the model file for a new model
    (``MODEL_WATCH_S``, default 5; 0 turns the watcher off)."""
    return env_number("MODEL_WATCH_S", 5.0, inclusive_min=True)


def tracker_cache_size() -> int:
    """Conversations the Rasa process keeps in memory between turns
    (``TRACKER_CACHE_SIZE``, default 256; 0 turns the cache off)."""
    return int(env_number("TRACKER_CACHE_SIZE", 256, inclusive_min=True))


def store_connect_timeout_s() -> float:
    """Seconds Rasa's start waits for its stores (``STORE_CONNECT_TIMEOUT_S``, 15)."""
    return env_number("STORE_CONNECT_TIMEOUT_S", 15.0, inclusive_min=True)


def max_message_chars() -> int:
    """Longest citizen message passed to Rasa (``MAX_MESSAGE_CHARS``, 1000)."""
    return int(env_number("MAX_MESSAGE_CHARS", 1000))


def low_confidence_threshold() -> float:
    """Intent confidence below which a turn counts as unsure
    (``LOW_CONFIDENCE_THRESHOLD``, 0.6)."""
    return env_number("LOW_CONFIDENCE_THRESHOLD", 0.6, maximum=1.0)


# ---------------------------------------------------------------- staff console
def staff_host() -> str:
    """Address the staff console binds to (``STAFF_HOST``, 127.0.0.1)."""
    return os.environ.get("STAFF_HOST", "").strip() or "127.0.0.1"


def staff_port() -> int:
    """Port of the staff console (``STAFF_PORT``, 5080)."""
    return env_whole("STAFF_PORT", 5080, maximum=65535)


def staff_trusted_proxies() -> frozenset:
    """Addresses whose ``X-Forwarded-For`` the console believes
    (``STAFF_TRUSTED_PROXY``, comma-separated; none by default)."""
    raw = os.environ.get("STAFF_TRUSTED_PROXY", "")
    return frozenset(p.strip() for p in raw.split(",") if p.strip())


def staff_idle_minutes() -> int:
    """Minutes without a request after which a console session ends
    (``STAFF_IDLE_MINUTES``, 30)."""
    return env_whole("STAFF_IDLE_MINUTES", 30)


def staff_login_attempts() -> int:
    """Wrong passwords in a row, per account and address, before sign-in is
    locked (``STAFF_LOGIN_ATTEMPTS``, 5)."""
    return env_whole("STAFF_LOGIN_ATTEMPTS", 5)


def staff_lock_minutes() -> int:
    """Minutes a sign-in stays locked (``STAFF_LOCK_MINUTES``, 15)."""
    return env_whole("STAFF_LOCK_MINUTES", 15)


# ---------------------------------------------------------------- limits
def rate_limit_per_minute() -> int:
    """Messages one conversation may send per minute (``RATE_LIMIT_PER_MINUTE``,
    default 20); the rest are refused before Rasa (bot/channels/limits.py)."""
    return env_whole("RATE_LIMIT_PER_MINUTE", 20)


def max_inflight_turns() -> int:
    """Turns one Rasa process runs at once before it refuses new ones
    (``MAX_INFLIGHT_TURNS``, default 100)."""
    return env_whole("MAX_INFLIGHT_TURNS", 100)


def max_inflight_per_conversation() -> int:
    """Turns of one conversation running or waiting at once before more are
    refused (``MAX_INFLIGHT_PER_CONVERSATION``, default 5)."""
    return env_whole("MAX_INFLIGHT_PER_CONVERSATION", 5)


def limits_redis_url() -> str | None:
    """Redis for the rate-limit counters: ``RATE_LIMIT_REDIS_URL``, else
    ``LOCK_STORE_URL`` when it is Redis, else None (counters in memory)."""
    url = os.environ.get("RATE_LIMIT_REDIS_URL", "").strip()
    url = url or os.environ.get("LOCK_STORE_URL", "").strip()
    return url if url.startswith(("redis://", "rediss://")) else None


def limits_key_prefix() -> str:
    """Prefix of the rate-limit keys in Redis: ``ratelimit:``, after
    ``LOCK_STORE_KEY_PREFIX`` when that is set (several bots in one Redis)."""
    bot = os.environ.get("LOCK_STORE_KEY_PREFIX", "").strip()
    return f"{bot}:ratelimit:" if bot else "ratelimit:"


def redis_timeout_s() -> float:
    """Seconds a rate-limit Redis call may take before it fails open
    (``RATE_LIMIT_REDIS_TIMEOUT_S``, default 0.5)."""
    return env_number("RATE_LIMIT_REDIS_TIMEOUT_S", 0.5)


# ---------------------------------------------------------------- privacy (PDPA)
RETENTION_DAYS_ENV = "RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 90


def parse_retention_days(raw: str) -> int | None:
    """Whole days, at least 1, from `raw` ("45"); None if it is not that.
    The one rule for ``RETENTION_DAYS``, for the notice and the deletion."""
    try:
        days = int(raw.strip())
    except ValueError:
        return None
    return days if days >= 1 else None


def retention_days() -> int:
    """Days conversations are kept (``RETENTION_DAYS``, default 90), as the
    privacy notice states it. A bad value is logged and the default shown;
    ``bot.admin retention`` refuses to delete anything with it."""
    raw = os.environ.get(RETENTION_DAYS_ENV, "").strip()
    if not raw:
        return DEFAULT_RETENTION_DAYS
    days = parse_retention_days(raw)
    if days is None:
        if (RETENTION_DAYS_ENV, raw) not in _WARNED:
            _WARNED.add((RETENTION_DAYS_ENV, raw))
            logger.warning(
                "%s=%r is not a whole number of days; the privacy notice says "
                "%s, and `python -m bot.admin retention run` refuses to run. Set "
                "it to a whole number of at least 1.",
                RETENTION_DAYS_ENV,
                raw,
                DEFAULT_RETENTION_DAYS,
            )
        return DEFAULT_RETENTION_DAYS
    return days


def privacy_notice_enabled() -> bool:
    """``PRIVACY_NOTICE`` (default on; ``off`` turns the notice off)."""
    raw = os.environ.get("PRIVACY_NOTICE", "").strip().lower()
    return raw not in ("0", "off", "false", "no")


def privacy_notice_version() -> str:
    """``PRIVACY_NOTICE_VERSION``, else the wording's own version: a new value
    shows the notice once more to everyone (e.g. after replacing the page)."""
    from bot.replies.privacy import NOTICE_VERSION

    return os.environ.get("PRIVACY_NOTICE_VERSION", "").strip()[:32] or NOTICE_VERSION


def privacy_page_url() -> str:
    """The link in the notice (``PRIVACY_PAGE_URL``; default the web chat's own
    ``/webhooks/webchat/privacy``: set the public https address for LINE)."""
    return os.environ.get("PRIVACY_PAGE_URL", "").strip() or "/webhooks/webchat/privacy"


def privacy_page_file() -> Path:
    """The privacy page the web chat serves (``PRIVACY_PAGE_FILE``, default
    ``web/privacy.html``): an agency puts its own page here."""
    raw = os.environ.get("PRIVACY_PAGE_FILE", "").strip()
    return Path(raw) if raw else REPO_ROOT / "web" / "privacy.html"


# ---- LINE and the web widget (bot/channels/line/, bot/channels/webchat.py)
def line_access_token() -> str:
    """The LINE channel access token (``LINE_CHANNEL_ACCESS_TOKEN``; the rich
    menu commands use it, the channel reads it through credentials.yml)."""
    return os.environ.get("LINE_CHANNEL_ACCESS_TOKEN", "").strip()


def line_api_base_url() -> str:
    """LINE's API (``LINE_API_BASE_URL``, https://api.line.me; tests point it at
    a fake). Images go to the matching api-data host."""
    return os.environ.get("LINE_API_BASE_URL", "").strip() or "https://api.line.me"


def line_loading_after_s() -> float:
    """Seconds an answer may take before LINE shows its loading animation
    (``LINE_LOADING_AFTER_S``, 1; 0 turns it off)."""
    return env_number("LINE_LOADING_AFTER_S", 1.0, inclusive_min=True, maximum=60)


def line_loading_seconds() -> int:
    """How long LINE shows the animation at most (``LINE_LOADING_SECONDS``, 20;
    LINE takes 5 to 60 in steps of 5; it stops earlier when the answer comes)."""
    value = int(env_number("LINE_LOADING_SECONDS", 20, minimum=5, inclusive_min=True))
    return max(5, min(60, value - value % 5))


def webchat_frame_ancestors() -> str:
    """Origins that may embed the chat page in a frame, the widget's
    allow-list (``WEBCHAT_FRAME_ANCESTORS``: https origins separated by spaces
    or commas; default ``'self'`` only). Anything that is not an https origin
    (or http on loopback, for tests) is ignored with a warning."""
    raw = os.environ.get("WEBCHAT_FRAME_ANCESTORS", "")
    allowed = ["'self'"]
    for origin in raw.replace(",", " ").split():
        origin = origin.rstrip("/")
        ok = origin.startswith("https://") or origin.startswith(
            ("http://127.0.0.1:", "http://localhost:")
        )
        if ok and all(c not in origin for c in ";'\"\\ ") and origin.count("/") == 2:
            if origin not in allowed:
                allowed.append(origin)
        elif (_FRAME_WARNED, origin) not in _WARNED:
            _WARNED.add((_FRAME_WARNED, origin))
            logger.warning(
                "WEBCHAT_FRAME_ANCESTORS: %r is not an https origin "
                "(https://host[:port]); ignored.",
                origin,
            )
    return " ".join(allowed)


_FRAME_WARNED = "WEBCHAT_FRAME_ANCESTORS"


def __getattr__(name: str):  # module-level dynamic attributes (PEP 562)
    if name == "DATABASE_URL":
        return database_url()
    if name == "DB_TIMEOUT_S":
        return db_timeout_s()
    raise AttributeError(name)
