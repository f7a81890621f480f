"""Train the built-in digit model that ships with nnplay (so drawing a digit
works out of the box, offline) with nnplay's own engine.

    python scripts/train_default_model.py [--data-dir DIR] [--out server/assets/digit_model.npz]

A LeNet-like CNN (Nielsen's best network, plus dropout and Adam) trained on
MNIST with the course's "generate more training data": every epoch sees each
image randomly shifted by up to 2 pixels and rotated by up to 12 degrees.
Early stopping keeps the epoch with the best validation accuracy.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.model import save_model  # noqa: E402
from engine.spec import parse_request  # noqa: E402
from engine.train import train  # noqa: E402

REQUEST = {
    "dataset": "mnist", "train_size": 55000, "validation_size": 5000, "epochs": 30,
    "batch_size": 32, "seed": 7,
    "augment": {"shift": 2, "rotate": 12},
    "early_stopping": {"patience": 6},
    "network": {
        "layers": [
            {"type": "conv2d", "filters": 20, "kernel": 5, "activation": "relu"},
            {"type": "maxpool", "size": 2},
            {"type": "conv2d", "filters": 40, "kernel": 5, "activation": "relu"},
            {"type": "maxpool", "size": 2},
            {"type": "dense", "units": 128, "activation": "relu"},
            {"type": "dropout", "rate": 0.3},
            {"type": "dense", "units": 10, "activation": "softmax"},
        ],
        "cost": "log_likelihood", "init": "he",
        "optimizer": {"kind": "adam", "learning_rate": 0.001},
    },
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--epochs", type=int, default=REQUEST["epochs"])
    parser.add_argument("--out", type=Path, default=ROOT / "server" / "assets" / "digit_model.npz")
    args = parser.parse_args()
    request = parse_request({**REQUEST, "epochs": args.epochs})
    last: dict = {}

    def on_event(e: dict) -> None:
        if e["type"] == "epoch":
            print(f"epoch {e['epoch']}: train {e['train_accuracy']:.4f} validation "
                  f"{e['validation_accuracy']:.4f} ({e['seconds']:.0f}s)", flush=True)
        last.update(e)

    model = train(request, on_event, run_id="default-digit-model", data_dir=args.data_dir)
    if last.get("status") != "completed" or model is None:
        print(f"training {last.get('status')}: {last.get('error')}", file=sys.stderr)
        return 1
    save_model(model, args.out)
    size = args.out.stat().st_size
    print(f"test accuracy {100 * last['test_accuracy']:.2f}% · saved {args.out} ({size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
