"""Service content: DB models, import from data/content, matcher and queries."""
