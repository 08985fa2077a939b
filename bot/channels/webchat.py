"""Serves the web chat page (``web/``) from the Rasa server itself.

credentials.yml::

    bot.channels.webchat.WebChatInput:

The page is then at ``GET /webhooks/webchat/`` and talks to the socket.io
channel (``bot.channels.rest.SafeSocketIOInput``) on the same origin, path
``/socket.io``. This channel only serves files; messages never come through it.

Only the files the page needs are served: files directly inside ``web/`` with a
known type (HTML, JS, CSS, images), and the socket.io client from
``web/node_modules/socket.io-client/dist/``. Hidden files, other folders and
anything outside ``web/`` (``..``, absolute paths, symlinks leading out) get 404.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import settings
from bot.privacy.page import page_response

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
SOCKETIO_DIST = ("node_modules", "socket.io-client", "dist")

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webp": "image/webp",
}

# The page runs only its own script and style; it connects to its own origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors {frame_ancestors}"
)


def resolve_static(web_dir: Path, relative: str) -> Optional[Path]:
    """The file under `web_dir` that `relative` names, or None if not servable.

    Servable: a regular file with a type in `CONTENT_TYPES`, either directly
    in `web_dir` or in the socket.io client's ``dist`` folder, reached without
    hidden segments, and still inside that folder once symlinks are resolved.
    """
    if not relative or "\\" in relative or "\x00" in relative:
        return None
    parts = relative.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return None
    if len(parts) == 1:
        allowed_dir = web_dir
    elif tuple(parts[:-1]) == SOCKETIO_DIST:
        allowed_dir = web_dir.joinpath(*SOCKETIO_DIST)
    else:
        return None
    if Path(parts[-1]).suffix.lower() not in CONTENT_TYPES:
        return None
    try:
        base = allowed_dir.resolve(strict=True)
        candidate = (allowed_dir / parts[-1]).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if candidate.parent != base or not candidate.is_file():
        return None
    return candidate


class WebChatInput(InputChannel):
    """Serves the static web chat page under ``/webhooks/webchat/``."""

    @classmethod
    def name(cls) -> Text:
        """The channel name, which is also its URL segment."""
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """Optional keys: ``web_dir`` (default: the repo's ``web/``) and
        ``frame_ancestors`` (origins allowed to embed the page in a frame,
        default ``$WEBCHAT_FRAME_ANCESTORS`` plus ``'self'``)."""
        credentials = credentials or {}
        return cls(
            web_dir=credentials.get("web_dir"),
            frame_ancestors=credentials.get("frame_ancestors"),
        )

    def __init__(
        self,
        web_dir: Optional[Text] = None,
        frame_ancestors: Optional[Any] = None,
    ) -> None:
        """Creates the channel; nothing is read from disk until a request."""
        self.web_dir = Path(web_dir) if web_dir else WEB_DIR
        if isinstance(frame_ancestors, (list, tuple)):
            frame_ancestors = " ".join(str(origin) for origin in frame_ancestors)
        # credentials.yml's list, else WEBCHAT_FRAME_ANCESTORS (the widget's
        # allow-list of agency origins), else 'self' only
        self.frame_ancestors = str(
            frame_ancestors or settings.webchat_frame_ancestors()
        )

    def _headers(self, path: Path) -> Dict[str, str]:
        headers = {
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        }
        if path.suffix.lower() == ".html":
            headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.format(
                frame_ancestors=self.frame_ancestors
            )
        return headers

    async def _serve(self, relative: str) -> HTTPResponse:
        path = resolve_static(self.web_dir, relative)
        if path is None:
            return response.text("Not found", status=404)
        return await response.file(
            path,
            mime_type=CONTENT_TYPES[path.suffix.lower()],
            headers=self._headers(path),
        )

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """``GET /`` is the page; ``GET /<file>`` its static files."""
        webchat = Blueprint("webchat_static", __name__)

        @webchat.route("/", methods=["GET", "HEAD"])
        async def index(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):
                # The page's files are relative URLs: they need the slash.
                return response.redirect(request.path + "/", status=301)
            return await self._serve("index.html")

        @webchat.route("/privacy", methods=["GET", "HEAD"])
        async def privacy(_: Request) -> HTTPResponse:
            # the privacy page the notice links to (PRIVACY_PAGE_FILE)
            return page_response(self._headers(Path("privacy.html")))

        @webchat.route("/<relative:path>", methods=["GET", "HEAD"])
        async def static(_: Request, relative: str) -> HTTPResponse:
            # Sanic matches ".../webchat/" here with an empty path.
            return await self._serve(relative or "index.html")

        return webchat
