"""``python -m bot.rasa_ext <rasa arguments>``: Rasa's own command line, with
this bot's changes to Rasa installed first (see `bot.rasa_ext.install`).

    python -m bot.rasa_ext run --model models/current.tar.gz …
"""

from __future__ import annotations

import sys

from bot.rasa_ext import UnsupportedRasa, install


def main() -> None:
    """Installs the extensions, then hands over to ``rasa``'s CLI."""
    try:
        install()
    except UnsupportedRasa as error:
        sys.exit(f"Cannot start Rasa: {error}")
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
