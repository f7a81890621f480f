"""Training and inference speed of nnplay's engine against PyTorch (CPU) and
a plain vectorized NumPy network, measured in the same run, same data, same
thread count on both sides.

    pip install -e '.[bench]'        # torch==2.13.0, a bench-only dependency
    python bench/speed.py [--quick]

Each thread count runs in its own subprocess, because BLAS, Numba and torch
read their thread settings at start. Also reported: each case's fraction of
this machine's float32 GEMM peak (executed FLOPs of the GEMMs per sample x
samples/s / peak), and the Numba kernels' first-call compile time against a
second process that loads them from the on-disk cache.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MLP = {"layers": [{"type": "dense", "units": 100, "activation": "sigmoid"},
                  {"type": "dense", "units": 10, "activation": "sigmoid"}],
       "cost": "cross_entropy", "init": "small", "optimizer": {"kind": "sgd", "learning_rate": 0.5}}
CNN = {"layers": [{"type": "conv2d", "filters": 20, "kernel": 5, "activation": "sigmoid"},
                  {"type": "maxpool", "size": 2},
                  {"type": "dense", "units": 100, "activation": "sigmoid"},
                  {"type": "dense", "units": 10, "activation": "softmax"}],
       "cost": "log_likelihood", "init": "small", "optimizer": {"kind": "sgd", "learning_rate": 0.1}}

SMALL_CNN = {"layers": [{"type": "conv2d", "filters": 8, "kernel": 5, "activation": "relu"},
                        {"type": "maxpool", "size": 2},
                        {"type": "dense", "units": 10, "activation": "softmax"}],
             "cost": "log_likelihood", "init": "he", "optimizer": {"kind": "sgd", "learning_rate": 0.1}}

# GEMM FLOPs per training sample (forward, weight gradients, input gradients
# where they are needed; the first layer's input gradient is never computed).
MLP_FLOPS = 2 * (784 * 100 + 100 * 10) * 2 + 2 * 100 * 10
CNN_FLOPS = 2 * (20 * 576 * 25) * 2 + 2 * (2880 * 100) * 3 + 2 * (100 * 10) * 3


def data(n: int, shape: tuple[int, ...], k: int = 10):
    rng = np.random.default_rng(0)
    x = rng.random((n, *shape), dtype=np.float32)
    labels = rng.integers(0, k, n)
    return x, np.eye(k, dtype=np.float32)[labels], labels


def gemm_peak() -> float:
    a = np.random.default_rng(0).random((2048, 2048), dtype=np.float32)
    a @ a
    best = min(_timed(lambda: a @ a) for _ in range(5))
    return 2 * 2048**3 / best


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def interleaved(epochs: dict[str, Callable[[], None]], n: int, rounds: int = 3) -> dict[str, float]:
    """Best samples/s of each contender's epoch, run in turns (A B C, A B C, …) so that a
    change in the machine's load between measurements hits every side alike."""
    best = dict.fromkeys(epochs, float("inf"))
    for _ in range(rounds):
        for name, epoch in epochs.items():
            best[name] = min(best[name], _timed(epoch))
    return {name: n / seconds for name, seconds in best.items()}


def nnplay_train(net_spec: dict, shape, batch: int, n: int) -> Callable[[], None]:
    """One epoch of nnplay's training loop (after a warm-up)."""
    from engine.network import Network
    from engine.optimizers import make_optimizer
    from engine.spec import NetworkSpec
    from engine.train import train_epoch

    spec = NetworkSpec.model_validate(net_spec)
    net = Network(spec, shape, seed=1)
    opt = make_optimizer(spec.optimizer.kind, spec.optimizer.learning_rate)
    x, t, _ = data(n, shape)
    train_epoch(net, opt, x[: batch * 20], t[: batch * 20], batch)  # warm-up
    return lambda: train_epoch(net, opt, x, t, batch)


def numpy_mlp_train(batch: int, n: int) -> Callable[[], None]:
    """network2-style NumPy MLP (float32, matrix form): the plain vectorized reference."""
    rng = np.random.default_rng(1)
    w1 = (rng.standard_normal((784, 100)) / 28).astype(np.float32)
    b1 = np.zeros(100, np.float32)
    w2 = (rng.standard_normal((100, 10)) / 10).astype(np.float32)
    b2 = np.zeros(10, np.float32)
    x, t, _ = data(n, (784,))
    eta = np.float32(0.5 / batch)

    def sig(z):
        return 1 / (1 + np.exp(-z))

    def epoch():
        with np.errstate(over="ignore"):
            steps()

    def steps():
        nonlocal w1, b1, w2, b2
        for s in range(0, n, batch):
            xb, tb = x[s:s + batch], t[s:s + batch]
            a1 = sig(xb @ w1 + b1)
            a2 = sig(a1 @ w2 + b2)
            d2 = a2 - tb
            d1 = (d2 @ w2.T) * a1 * (1 - a1)
            w2 -= eta * (a1.T @ d2)
            b2 -= eta * d2.sum(0)
            w1 -= eta * (xb.T @ d1)
            b1 -= eta * d1.sum(0)

    epoch()
    return epoch


def gemms_only_mlp(batch: int, n: int) -> Callable[[], None]:
    """The MLP step's GEMMs and nothing else (same shapes, same loop over the same data): the
    ceiling any implementation calling this BLAS has. Its % of peak says how much of the gap
    to the peak is the GEMMs' own, and how much is the rest of the step."""
    rng = np.random.default_rng(1)
    w1, w2 = rng.random((784, 100), dtype=np.float32), rng.random((100, 10), dtype=np.float32)
    x, _, _ = data(n, (784,))
    z1, g1 = np.empty((batch, 100), np.float32), np.empty_like(w1)
    z2, g2 = np.empty((batch, 10), np.float32), np.empty_like(w2)
    d1 = np.empty((batch, 100), np.float32)

    def epoch():
        for s in range(0, n, batch):
            xb = x[s:s + batch]
            k = len(xb)  # the last batch may be short
            np.matmul(xb, w1, out=z1[:k])
            np.matmul(z1[:k], w2, out=z2[:k])
            np.matmul(z1[:k].T, z2[:k], out=g2)
            np.matmul(z2[:k], w2.T, out=d1[:k])
            np.matmul(xb.T, d1[:k], out=g1)

    epoch()
    return epoch


def torch_train(kind: str, batch: int, n: int, threads: int) -> Callable[[], None]:
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(1)
    if kind == "mlp":
        model = torch.nn.Sequential(torch.nn.Linear(784, 100), torch.nn.Sigmoid(),
                                    torch.nn.Linear(100, 10))
        loss_fn, shape, lr = torch.nn.BCEWithLogitsLoss(reduction="sum"), (784,), 0.5
    else:
        model = torch.nn.Sequential(torch.nn.Conv2d(1, 20, 5), torch.nn.Sigmoid(), torch.nn.MaxPool2d(2),
                                    torch.nn.Flatten(), torch.nn.Linear(2880, 100), torch.nn.Sigmoid(),
                                    torch.nn.Linear(100, 10))
        loss_fn, shape, lr = torch.nn.CrossEntropyLoss(reduction="sum"), (1, 28, 28), 0.1
    x, t, labels = data(n, shape)
    xt = torch.from_numpy(x)
    yt = torch.from_numpy(t) if kind == "mlp" else torch.from_numpy(labels)
    opt = torch.optim.SGD(model.parameters(), lr=lr)

    def epoch():
        for s in range(0, n, batch):
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xt[s:s + batch]), yt[s:s + batch]) / batch
            loss.backward()
            opt.step()

    epoch()
    return epoch


def latency_us(call: Callable[[], object], groups: int = 60, reps: int = 100) -> float:
    """Microseconds per call: the best of `groups` averages over `reps` calls. This shared
    VM's neighbours add noise of tens of µs to some groups; the best group is the cost of
    the call itself, measured the same way for both sides."""
    return min(_timed(lambda: [call() for _ in range(reps)]) for _ in range(groups)) / reps * 1e6


def nnplay_infer_us(spec: dict) -> float:
    from engine.model import Model
    from engine.spec import parse_request

    model = Model.new(parse_request({"dataset": "mnist", "network": spec}))
    x = np.random.default_rng(0).random((1, 1, 28, 28), dtype=np.float32)
    for _ in range(200):
        model.predict(x)
    return latency_us(lambda: model.predict(x))


def torch_infer_us(threads: int, small: bool) -> float:
    import torch

    torch.set_num_threads(threads)
    nn = torch.nn
    if small:
        model = nn.Sequential(nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(1152, 10), nn.Softmax(dim=1)).eval()
    else:
        model = nn.Sequential(nn.Conv2d(1, 20, 5), nn.Sigmoid(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(2880, 100), nn.Sigmoid(), nn.Linear(100, 10),
                              nn.Softmax(dim=1)).eval()
    x = torch.rand(1, 1, 28, 28)
    with torch.inference_mode():
        for _ in range(200):
            model(x)
        return latency_us(lambda: model(x))


def median_over_processes(call: str, processes: int = 5) -> float:
    """The median of a latency measured in fresh processes, each side in a process the other
    has not touched (as a deployment would be; torch's thread pool, once used, keeps spinning).
    On this shared VM one process measures 35 µs and the next 55 µs for the same code (where
    its memory lands), a spread no repetition inside one process removes."""
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
            f"from bench.speed import CNN, SMALL_CNN, nnplay_infer_us, torch_infer_us; print({call})")
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(processes)]
    return float(np.median(runs))


def measure(threads: int, quick: bool) -> dict:
    """Everything at one thread count (run in a subprocess with the env set)."""
    n_mlp, n_cnn = (5000, 1000) if quick else (30000, 6000)
    out = {"threads": threads, "peak": gemm_peak(), "cases": []}
    out["infer_us"] = median_over_processes("nnplay_infer_us(CNN)")
    out["small_infer_us"] = median_over_processes("nnplay_infer_us(SMALL_CNN)")
    try:
        import torch  # noqa: F401
        has_torch = True
    except ImportError:
        has_torch = False
    if has_torch:
        out["torch_infer_us"] = median_over_processes(f"torch_infer_us({threads}, small=False)")
        out["torch_small_infer_us"] = median_over_processes(f"torch_infer_us({threads}, small=True)")
    for name, kind, spec, shape, batch, n, flops in [
        ("MLP [784,100,10] batch 10", "mlp", MLP, (784,), 10, n_mlp, MLP_FLOPS),
        ("MLP [784,100,10] batch 128", "mlp", MLP, (784,), 128, n_mlp * 2, MLP_FLOPS),
        ("CNN (table row 3) batch 10", "cnn", CNN, (1, 28, 28), 10, n_cnn, CNN_FLOPS),
        ("CNN (table row 3) batch 64", "cnn", CNN, (1, 28, 28), 64, n_cnn, CNN_FLOPS),
    ]:
        epochs = {"nnplay": nnplay_train(spec, shape, batch, n)}
        if kind == "mlp":
            epochs["numpy"] = numpy_mlp_train(batch, n)
            epochs["gemms_only"] = gemms_only_mlp(batch, n)
        if has_torch:
            epochs["torch"] = torch_train(kind, batch, n, threads)
        case = {"name": name, "flops": flops, **interleaved(epochs, n)}
        out["cases"].append(case)
        print(json.dumps(case), file=sys.stderr, flush=True)
    return out


def numba_cache() -> dict:
    """First-call compile time in a fresh cache, then a second process using that cache."""
    probe = (
        "import time, numpy as np; t=time.perf_counter();"
        "from engine.kernels.conv import im2col;"
        "im2col(np.zeros((1,1,4,4),np.float32),2,1,3,3);"
        "print(time.perf_counter()-t, sum(im2col.stats.cache_hits.values()),"
        " sum(im2col.stats.cache_misses.values()))"
    )
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache, "PYTHONPATH": str(ROOT)}
        runs = []
        for _ in range(2):
            res = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True,
                                 check=True)
            secs, hits, misses = res.stdout.split()
            runs.append({"seconds": float(secs), "cache_hits": int(hits), "cache_misses": int(misses)})
    return {"first_process": runs[0], "second_process": runs[1]}


def _fmt(value: float | None, unit: str = "") -> str:
    return f"{value:,.0f}{unit}" if value else "—"


def _ratio(a: float, b: float | None) -> str:
    return f"{a / b:.2f}×" if b else "—"


def _pct(samples_per_s: float | None, case: dict, result: dict) -> str:
    """Executed GEMM FLOPs per second as a share of the thread count's float32 GEMM peak."""
    return f"{100 * samples_per_s * case['flops'] / result['peak']:.0f}%" if samples_per_s else "—"


def report(results: list[dict], cache: dict) -> str:
    lines = ["| case | threads | nnplay samples/s | PyTorch | nnplay ÷ PyTorch | NumPy reference | "
             "nnplay ÷ NumPy | % of GEMM peak | its GEMMs alone, % of peak |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        for c in r["cases"]:
            ours = c["nnplay"]
            lines.append(f"| {c['name']} | {r['threads']} | {_fmt(ours)} | {_fmt(c.get('torch'))} | "
                         f"{_ratio(ours, c.get('torch'))} | {_fmt(c.get('numpy'))} | "
                         f"{_ratio(ours, c.get('numpy'))} | {_pct(ours, c, r)} | "
                         f"{_pct(c.get('gemms_only'), c, r)} |")
    lines += ["", "Single-image inference (`Model.predict` of one 28×28 image, probabilities out; "
              "median over 5 fresh processes); small CNN = conv 8×5×5 ReLU, maxpool 2, dense 10 softmax.",
              "",
              "| threads | float32 GEMM peak (2048³) | row-3 CNN: nnplay | PyTorch | "
              "small CNN: nnplay | PyTorch |",
              "|---|---|---|---|---|---|"]

    def us(v: float | None) -> str:
        return f"{v:.1f} µs" if v else "—"

    for r in results:
        lines.append(f"| {r['threads']} | {r['peak'] / 1e9:.1f} GFLOP/s | {us(r['infer_us'])} | "
                     f"{us(r.get('torch_infer_us'))} | {us(r['small_infer_us'])} | "
                     f"{us(r.get('torch_small_infer_us'))} |")
    f, s = cache["first_process"], cache["second_process"]
    verdict = ("loaded from disk, no recompilation" if s["cache_hits"] and not s["cache_misses"]
               else "RECOMPILED")
    lines += ["", f"Numba cache (`im2col`, fresh NUMBA_CACHE_DIR): first process {f['seconds']:.2f} s "
              f"(cache misses {f['cache_misses']}, hits {f['cache_hits']}); second process "
              f"{s['seconds']:.2f} s (misses {s['cache_misses']}, hits {s['cache_hits']}): {verdict}."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples (a smoke run)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.quick)))
        return
    results = []
    for threads in (1, 2):
        env = {**os.environ, **{k: str(threads) for k in (
            "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")}}
        cmd = [sys.executable, __file__, "--child", str(threads)] + (["--quick"] if args.quick else [])
        res = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, check=True)
        results.append(json.loads(res.stdout))
    body = report(results, numba_cache())
    print(body)
    if not args.quick:
        from bench.results import write_section
        write_section("speed", "### Training and inference speed\n\n" + body)


if __name__ == "__main__":
    main()
