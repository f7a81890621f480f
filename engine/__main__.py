"""`python -m engine train --config FILE.json [--data-dir DIR]`

Prints one JSON event per line (the WebSocket's objects), `done` last.
An invalid config exits with status 2 and the reason on stderr; a run that
fails exits with status 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from engine.model import save_model
from engine.spec import RequestError, parse_request
from engine.train import train


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train from a request file, events as JSON lines")
    t.add_argument("--config", required=True, type=Path, help="training request (JSON)")
    t.add_argument("--data-dir", help="where dataset files are (default: $NNPLAY_DATA_DIR)")
    t.add_argument("--save", type=Path, help="write the trained model file here")
    args = parser.parse_args(argv)

    try:
        text = args.config.read_text()
    except OSError as exc:
        print(f"error: cannot read {args.config}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        request = parse_request(json.loads(text))
    except json.JSONDecodeError as exc:
        print(f"error: {args.config} is not valid JSON: {exc}", file=sys.stderr)
        return 2
    except RequestError as exc:
        for e in exc.errors:
            print(f"error: {'.'.join(map(str, e['loc'])) or 'request'}: {e['msg']}", file=sys.stderr)
        return 2

    status = {}

    def emit(event: dict) -> None:
        status.update(event)
        sys.stdout.write(json.dumps(event) + "\n")
        sys.stdout.flush()

    model = train(request, emit, run_id=f"cli-{args.config.stem}", data_dir=args.data_dir)
    if model is not None and args.save and status.get("status") == "completed":
        save_model(model, args.save)
    if status.get("status") == "failed":
        print(f"error: {status.get('error')}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
