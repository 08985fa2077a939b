"""Custom actions (rasa-sdk). Importing this package registers every action."""

from actions import awards, bizportal, facts, followup  # noqa: F401
