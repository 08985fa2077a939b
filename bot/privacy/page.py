"""The privacy page the web chat serves (``GET /webhooks/webchat/privacy``).

The file is ``PRIVACY_PAGE_FILE`` (default ``web/privacy.html``): an agency
replaces it with its own page without touching the code. ``%RETENTION_DAYS%``
in it becomes the ``RETENTION_DAYS`` setting, so the page never disagrees
with the retention job. The notice in the chat links here
(``PRIVACY_PAGE_URL``).
"""

from __future__ import annotations

import logging
from typing import Dict

from sanic import response
from sanic.response import HTTPResponse

from bot import settings

logger = logging.getLogger(__name__)


def page_html() -> str | None:
    """The page's HTML with the settings filled in, or None if it is missing."""
    path = settings.privacy_page_file()
    try:
        html = path.read_text(encoding="utf-8")
    except OSError as error:
        logger.error(
            "privacy: the privacy page %s cannot be read (%s); set "
            "PRIVACY_PAGE_FILE to the agency's page.",
            path,
            type(error).__name__,
        )
        return None
    return html.replace("%RETENTION_DAYS%", str(settings.retention_days()))


def page_response(headers: Dict[str, str]) -> HTTPResponse:
    """The page as an HTML response (404 when the file is missing)."""
    html = page_html()
    if html is None:
        return response.text("Not found", status=404)
    return response.html(html, headers=headers)
