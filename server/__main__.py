"""`python -m server --host H --port P [--workers N] [--data-dir DIR] [--db FILE]
[--redis URL] [--db-url URL]`, also installed as `nnplay serve ...`.

Heavy imports happen inside `main()`: worker processes are spawned, and the
spawn method re-imports this module in each of them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="nnplay serve", description="Serve the nnplay playground.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, help="training processes (default: one per core)")
    parser.add_argument("--data-dir", type=Path, help="dataset files (default: $NNPLAY_DATA_DIR)")
    parser.add_argument("--db", type=Path, help="SQLite file of saved runs (default: $NNPLAY_DB)")
    parser.add_argument("--redis", help="Redis URL: runs go to `python -m server.worker` processes "
                        "instead of this process's own workers (default: $NNPLAY_REDIS_URL)")
    parser.add_argument("--db-url", help="SQLAlchemy URL of the run database, e.g. PostgreSQL for several "
                        "web processes (default: $NNPLAY_DB_URL, else the SQLite file)")
    parser.add_argument("--log-level", default="info")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["serve"]:  # `nnplay serve ...`
        args = args[1:]
    options = parse_args(args)

    import uvicorn

    from server.app import create_app
    from server.settings import Settings

    settings = Settings.from_env(
        workers=options.workers, data_dir=options.data_dir, db_path=options.db, redis_url=options.redis,
        db_url=options.db_url,
    )
    uvicorn.run(
        create_app(settings),
        host=options.host,
        port=options.port,
        log_level=options.log_level,
        timeout_graceful_shutdown=5,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
