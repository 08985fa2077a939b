"""``python -m bot.console``: serve the staff console on STAFF_HOST:STAFF_PORT
(127.0.0.1:5080). ``--content-dir`` etc. point it at other data, like
``python -m bot.admin``."""

from __future__ import annotations

import argparse
import logging

from bot import settings
from bot.admin.paths import Paths
from bot.console.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.console")
    parser.add_argument("--host", default=None, help="default $STAFF_HOST or 127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=None, help="default $STAFF_PORT or 5080"
    )
    for opt in ("--root", "--content-dir", "--nlu-dir", "--domain", "--url"):
        parser.add_argument(opt, default=None)
    args = parser.parse_args()
    paths = Paths.make(args.root, args.content_dir, args.nlu_dir, args.domain, args.url)
    logging.basicConfig(level=logging.INFO)
    app = create_app(paths)
    app.run(
        host=args.host or settings.staff_host(),
        port=args.port or settings.staff_port(),
        workers=1,
        access_log=False,
        auto_reload=False,
        motd=False,
    )


if __name__ == "__main__":
    main()
