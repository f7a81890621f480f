"""Reproduce the MNIST table of Nielsen's "Neural Networks and Deep Learning"
(test accuracy, 50,000 training images, 10,000 validation) with nnplay's
engine, plus the course's λ and initialization experiments as charts.

    python bench/nielsen.py [--only NAME ...] [--data-dir DIR]

Each finished run is cached in bench/out/ (git-ignored), so an interrupted
benchmark resumes; delete that folder to start over.

One conversion: Nielsen's network3 (the conv nets) scales its L2 term by the
number of mini-batches, C + λ/(2·n_batches) Σw², where this course (and
network2, and nnplay) uses λ/(2n). With batch size 10, n_batches = n/10, so
network3's λ = 0.1 is λ = 1.0 here: the same update, the course's units.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import write_section  # noqa: E402
from engine.spec import parse_request  # noqa: E402
from engine.train import train  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
HERE = Path(__file__).resolve().parent


def mlp(hidden: int, l2: float, init: str = "large", eta: float = 0.5, epochs: int = 30,
        train_size: int = 50000) -> dict:
    return {"dataset": "mnist", "train_size": train_size, "validation_size": 10000, "epochs": epochs,
            "batch_size": 10, "seed": 1,
            "network": {"layers": [{"type": "dense", "units": hidden, "activation": "sigmoid"},
                                   {"type": "dense", "units": 10, "activation": "sigmoid"}],
                        "cost": "cross_entropy", "init": init, "regularization": {"l2": l2},
                        "optimizer": {"kind": "sgd", "learning_rate": eta}}}


def cnn(convs: list[int], act: str, eta: float, l2: float) -> dict:
    layers = []
    for filters in convs:
        layers += [{"type": "conv2d", "filters": filters, "kernel": 5, "activation": act},
                   {"type": "maxpool", "size": 2}]
    layers += [{"type": "dense", "units": 100, "activation": act},
               {"type": "dense", "units": 10, "activation": "softmax"}]
    return {"dataset": "mnist", "train_size": 50000, "validation_size": 10000, "epochs": 60,
            "batch_size": 10, "seed": 1,
            "network": {"layers": layers, "cost": "log_likelihood", "init": "small",
                        "regularization": {"l2": l2}, "optimizer": {"kind": "sgd", "learning_rate": eta}}}


#: name -> (description, request, Nielsen's published test accuracy in %)
TABLE = {
    "mlp30": ("[784,30,10] sigmoid, cross-entropy, large init, η=0.5, batch 10, 30 epochs",
              mlp(30, 0.0), 95.49),
    "mlp30_l2": ("the same with L2 λ=5.0", mlp(30, 5.0), 96.49),
    "mlp100_l2": ("[784,100,10], λ=5.0", mlp(100, 5.0), 97.92),
    "cnn1": ("conv 20×5×5 + maxpool 2 + dense 100 sigmoid + softmax/log-likelihood, η=0.1, 60 epochs",
             cnn([20], "sigmoid", 0.1, 0.0), 98.78),
    "cnn2_relu": ("two conv-pool (20, 40 filters 5×5), dense 100, ReLU, η=0.03, λ=0.1 (network3) = 1.0 "
                  "(λ/n), 60 epochs", cnn([20, 40], "relu", 0.03, 1.0), 99.23),
}
#: the course's experiments: λ (rows 1 and 2 of the table plus λ = 0.1), and init
EXPERIMENTS = {
    **{f"lambda_{lam}": (f"λ={lam}", mlp(30, lam), None) for lam in (0.0, 0.1, 5.0)},
    "init_large": ("large init N(0,1)", mlp(30, 5.0, "large", 0.1), None),
    "init_small": ("small init N(0,1/n_in)", mlp(30, 5.0, "small", 0.1), None),
}


def run(name: str, request: dict, data_dir: str | None) -> dict:
    cache = OUT / f"{name}.json"
    if cache.exists():
        return json.loads(cache.read_text())
    events: list[dict] = []
    t0 = time.perf_counter()

    def on_event(e: dict) -> None:
        if e["type"] != "feature_maps":
            events.append(e)
        if e["type"] == "epoch":
            print(f"{name} epoch {e['epoch']}: validation {e['validation_accuracy']:.4f} "
                  f"({e['seconds']:.1f}s)", flush=True)

    train(parse_request(request), on_event, run_id=name, data_dir=data_dir)
    done = events[-1]
    if done["status"] != "completed":
        raise SystemExit(f"{name} {done['status']}: {done['error']}")
    result = {"history": [e for e in events if e["type"] == "epoch"], "done": done,
              "seconds": time.perf_counter() - t0}
    OUT.mkdir(exist_ok=True)
    cache.write_text(json.dumps(result))
    return result


def table_markdown(results: dict[str, dict]) -> str:
    rows = ["| network | Nielsen | nnplay | difference | best validation | time here |",
            "|---|---|---|---|---|---|"]
    for name, (desc, _, paper) in TABLE.items():
        if name not in results:
            rows.append(f"| {desc} | {paper:.2f}% | not run | | | |")
            continue
        r = results[name]
        acc = 100 * r["done"]["test_accuracy"]
        best = 100 * max(e["validation_accuracy"] for e in r["history"])
        ok = "✓" if abs(acc - paper) <= 0.5 else "✗"
        rows.append(f"| {desc} | {paper:.2f}% | {acc:.2f}% | {acc - paper:+.2f} pp {ok} | {best:.2f}% "
                    f"| {r['seconds'] / 60:.1f} min |")
    return "\n".join(rows)


def chart(results: dict[str, dict], names: list[str], path: Path, title: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    for name in names:
        if name not in results:
            continue
        h = results[name]["history"]
        label = EXPERIMENTS[name][0]
        ep = [e["epoch"] for e in h]
        line, = ax.plot(ep, [100 * e["validation_accuracy"] for e in h], label=f"{label}: validation")
        ax.plot(ep, [100 * e["train_accuracy"] for e in h], "--", color=line.get_color(),
                label=f"{label}: training", alpha=0.6)
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy (%)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="run only these names")
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    wanted = args.only or [*TABLE, *EXPERIMENTS]
    results = {}
    for name in [*TABLE, *EXPERIMENTS]:
        if name in wanted or (OUT / f"{name}.json").exists():
            results[name] = run(name, {**TABLE, **EXPERIMENTS}[name][1], args.data_dir)
    chart(results, [n for n in EXPERIMENTS if n.startswith("lambda")], HERE / "nielsen_lambda.png",
          "[784,30,10], large init, η=0.5: L2 λ against overfitting")
    chart(results, ["init_large", "init_small"], HERE / "nielsen_init.png",
          "[784,30,10], λ=5, η=0.1: weight initialization")
    exp = []
    for name, (desc, _, _) in EXPERIMENTS.items():
        if name in results:
            h = results[name]["history"]
            exp.append(f"| {desc} | {100 * h[-1]['train_accuracy']:.2f}% | "
                       f"{100 * h[-1]['validation_accuracy']:.2f}% | "
                       f"{100 * h[0]['validation_accuracy']:.2f}% | "
                       f"{100 * results[name]['done']['test_accuracy']:.2f}% |")
    body = (f"### Nielsen's MNIST table (test accuracy, 10,000 t10k images)\n\n{table_markdown(results)}\n\n"
            "Targets: within 0.5 percentage points of the book. One seed (1) per row, one thread "
            "(OPENBLAS_NUM_THREADS=1) per run; times are wall-clock while other work shared the "
            "2 cores, so they are upper bounds.\n\n"
            "### The course's experiments\n\n"
            "| run | final training acc. | final validation acc. | validation after epoch 1 | test |\n"
            "|---|---|---|---|---|\n" + "\n".join(exp) +
            "\n\n![λ](nielsen_lambda.png)\n![init](nielsen_init.png)\n")
    write_section("nielsen", body)
    print(table_markdown(results))


if __name__ == "__main__":
    main()
