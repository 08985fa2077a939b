"""Custom actions (rasa-sdk). Importing this package registers every action."""

from actions import (  # noqa: F401
    awards,
    bizportal,
    facts,
    feedback,
    followup,
    unanswered,
)
