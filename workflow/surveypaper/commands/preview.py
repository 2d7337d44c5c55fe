"""`paper preview`: serve the HTML paper on 127.0.0.1 and re-render it on every save in templates/ or raw/."""

from __future__ import annotations

import errno
import signal
import sys
from pathlib import Path


def add_arguments(parser) -> None:
    """Options of `paper preview`."""
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000; 0: any free port)")
    parser.add_argument(
        "--root", type=Path, default=None, help="repository root (default: the project around the current folder)"
    )


def run(args) -> int:
    """Serve until Ctrl-C (or SIGTERM)."""
    from surveypaper.preview import serve

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        serve(args.root, args.port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(f"paper preview: port {args.port} is in use; try --port {args.port + 1}", file=sys.stderr)
            return 1
        raise
    return 0
