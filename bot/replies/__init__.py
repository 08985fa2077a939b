"""The bot's Thai wording: one home, split by topic.

* :mod:`bot.replies.phrases`: every fixed sentence (apology, channel notices,
  help, out of scope) and the one set of topic buttons;
* :mod:`bot.replies.awards`: award lists, counts and checks;
* :mod:`bot.replies.services`: answers.yml answers and Biz Portal licences;
* :mod:`bot.replies.feedback`: 👍 / 👎;
* :mod:`bot.replies.base`: the :class:`Reply` shape, buttons, source lines.

Facts (names, counts, the event, links) always come from the content. One
register: polite, ค่ะ/คะ, and ขออภัย for "sorry".
"""

from bot.replies.awards import (
    ask_body,
    format_check,
    format_checks,
    format_count,
    format_winners,
    other_year,
    suggestion_denied,
)
from bot.replies.base import MAX_BUTTONS, Reply, button, display_name
from bot.replies.feedback import (
    FEEDBACK_BAD,
    FEEDBACK_GOOD,
    feedback_buttons,
    feedback_thanks,
    with_feedback,
)
from bot.replies.phrases import (
    CONTACT,
    HELP_BUTTONS,
    apology,
    ask_what_they_mean,
    no_answer,
    no_sources,
    nothing_to_confirm,
    out_of_scope,
    sources_of_last_answer,
)
from bot.replies.services import (
    ask_business_type,
    format_answer,
    format_licences,
    unknown_business_type,
)

__all__ = [
    "CONTACT",
    "FEEDBACK_BAD",
    "FEEDBACK_GOOD",
    "HELP_BUTTONS",
    "MAX_BUTTONS",
    "Reply",
    "apology",
    "ask_body",
    "ask_business_type",
    "ask_what_they_mean",
    "button",
    "display_name",
    "feedback_buttons",
    "feedback_thanks",
    "format_answer",
    "format_check",
    "format_checks",
    "format_count",
    "format_licences",
    "format_winners",
    "no_answer",
    "no_sources",
    "nothing_to_confirm",
    "other_year",
    "out_of_scope",
    "sources_of_last_answer",
    "suggestion_denied",
    "unknown_business_type",
    "with_feedback",
]
