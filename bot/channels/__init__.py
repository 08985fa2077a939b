"""Public input channels (REST, socket.io, LINE) and their shared input guard.

Enable them in ``credentials.yml`` by module path, e.g.
``bot.channels.rest.SafeRestInput:`` or ``bot.channels.line.LineInput:``.
"""

from bot.channels.hygiene import CleanResult, clean_incoming

__all__ = ["CleanResult", "clean_incoming"]
