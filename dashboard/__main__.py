"""`lstm-lab` / `python -m dashboard`: run the app on the built-in server."""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from dashboard.app import create_app
from dashboard.settings import Settings


def main(argv: list[str] | None = None) -> None:
    """Parse --host/--port/--debug, build the app and serve it."""
    parser = argparse.ArgumentParser(prog="lstm-lab", description=__doc__)
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 8050)")
    parser.add_argument("--debug", action="store_true", default=None, help="Dash dev tools")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = Settings.from_env(host=args.host, port=args.port, debug=args.debug)
    # SIGTERM ends the server as Ctrl-C does, through its exit handlers: running jobs are
    # stopped and recorded (create_app registers that), never left behind.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    app = create_app(settings)
    app.run(host=settings.host, port=settings.port, debug=settings.debug, use_reloader=False)


if __name__ == "__main__":
    main()
