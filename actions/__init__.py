"""Custom actions (rasa-sdk). Importing this package registers every action."""

from actions import (  # noqa: F401
    awards,
    bizportal,
    facts,
    feedback,
    followup,
    privacy,
    scope,
    unanswered,
)
from bot import readiness
from bot.content import name_text

# The action server imports this package once at start: load the Thai word
# list for name resolution now, not in a citizen's first turn.
name_text.warm_up()
# Inside the action server: /ready and /metrics next to rasa-sdk's /health.
readiness.attach_to_action_server()
