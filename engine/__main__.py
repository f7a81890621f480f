"""`python -m engine train --config FILE.json [--data-dir DIR] [--corrections FILE.npz]`

Prints one JSON event per line (the WebSocket's objects), `done` last.
An invalid config (or corrections file) exits with status 2 and the reason
on stderr; a run that fails exits with status 1.

`--corrections` adds the student's corrected digits (the .npz of
`GET /api/corrections/export`, see `engine.corrections`) to an MNIST run:
`corrections.ids` is set from the file, and a config without `corrections`
gets the default one (each correction repeated 20 times).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from engine.corrections import CorrectionSet, CorrectionsFileError, load_corrections, training_arrays
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
    t.add_argument("--corrections", type=Path, metavar="FILE.npz",
                   help="add these corrected digits to the training part (pixels uint8 N×784, labels)")
    args = parser.parse_args(argv)

    try:
        text = args.config.read_text()
    except OSError as exc:
        print(f"error: cannot read {args.config}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        corrections = load_corrections(args.corrections) if args.corrections else None
    except CorrectionsFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        request = parse_request(with_corrections(json.loads(text), corrections))
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

    extra = training_arrays(corrections.pixels, corrections.labels) if corrections else None
    model = train(request, emit, run_id=f"cli-{args.config.stem}", data_dir=args.data_dir,
                  extra_train=extra)
    if model is not None and args.save and status.get("status") == "completed":
        save_model(model, args.save)
    if status.get("status") == "failed":
        print(f"error: {status.get('error')}", file=sys.stderr)
        return 1
    return 0


def with_corrections(data: object, corrections: CorrectionSet | None) -> object:
    """The raw request, asking for these corrections. `corrections.ids` comes from the file (else
    their 1-based places in it), so the limit check counts them as the server's does."""
    if corrections is None or not isinstance(data, dict):
        return data
    spec = {} if data.get("corrections") is None else data["corrections"]
    if not isinstance(spec, dict):
        return data  # parse_request says what is wrong with it
    ids = corrections.ids if corrections.ids is not None else range(1, len(corrections) + 1)
    return {**data, "corrections": {**spec, "ids": [int(i) for i in ids]}}


if __name__ == "__main__":
    sys.exit(main())
