"""How one training step uses the machine's threads.

Two ways to spend T threads on a mini-batch:

- BLAS threads: the step runs once and OpenBLAS splits each GEMM. Cheap to
  organise, but it leaves the element-wise work, pooling and im2col on one
  core, and splitting a GEMM with few rows costs more than it saves.
- Shards: the batch is cut into T slices that T replicas of the network (the
  same parameter arrays, their own caches and gradients) run at once on a
  thread pool, each with single-threaded BLAS; the gradients are then summed.
  Everything in the step runs in parallel: NumPy and the Numba kernels
  (`nogil`) release the GIL. The sum is the batch-mean gradient exactly (up
  to float rounding), so the maths of the course is unchanged.

`step_plan` picks shards for conv nets whose shards keep at least 32 rows:
there the step is milliseconds of GIL-free work per shard. Smaller shards,
and dense nets, lose more to the hand-off and to the GIL (NumPy keeps it on
small arrays) than they gain (bench/speed.py). Otherwise steps with fewer than
64 rows run with one BLAS thread, and larger ones with BLAS's own threading.
Batch norm needs the whole batch's statistics, so nets with it never shard.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import cache

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from engine.layers import BatchNorm, Conv2D, Dropout
from engine.network import Network

#: fewest rows per shard of a conv net worth a thread of its own
MIN_SHARD_ROWS = 32
#: unsharded steps on fewer rows than this use one BLAS thread: a dense layer's GEMMs have
#: batch-size rows and a conv layer's are one small GEMM per example; splitting them is slower
SMALL_GEMM_ROWS = 64

Step = Callable[[np.ndarray, np.ndarray], None]


@cache
def blas_threads() -> int:
    """The BLAS thread count this process was given (OPENBLAS_NUM_THREADS, else the cores).
    Asked once: inspecting the loaded libraries takes ~1 ms, a large share of a small 2-D
    epoch, and the count a process starts with does not change."""
    counts = [info["num_threads"] for info in threadpool_info() if info.get("user_api") == "blas"]
    return max(counts, default=1)


def shard_count(net: Network, batch_size: int, threads: int) -> int:
    """How many shards a step of this net and batch size should be cut into (1: do not shard)."""
    if threads < 2 or not _has_conv(net) or any(isinstance(ly, BatchNorm) for ly in net.layers):
        return 1
    return max(1, min(threads, batch_size // MIN_SHARD_ROWS))


def _has_conv(net: Network) -> bool:
    return any(isinstance(ly, Conv2D) for ly in net.layers)


def replica(net: Network, index: int) -> Network:
    """A network sharing `net`'s parameter arrays, with its own caches, gradients and dropout draws."""
    twin = copy.copy(net)
    twin.layers = []
    for layer in net.layers:
        clone = copy.copy(layer)  # the same params dict: optimizer steps and loads reach every replica
        clone.grads = {}
        if isinstance(layer, Dropout):
            clone.rng = np.random.default_rng([index, int(layer.rng.integers(2**31))])
        twin.layers.append(clone)
    return twin


@contextmanager
def step_plan(net: Network, batch_size: int, threads: int | None = None) -> Iterator[Step]:
    """A function computing the batch-mean gradient of a mini-batch into `net.grads()`,
    using `threads` (default: the BLAS thread count the process was given)."""
    threads = threads or blas_threads()
    shards = shard_count(net, batch_size, threads)
    if shards > 1:
        with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(shards - 1) as pool:
            yield _sharded_step(net, [replica(net, i) for i in range(1, shards)], pool)
    elif threads > 1 and batch_size < SMALL_GEMM_ROWS:
        with threadpool_limits(limits=1, user_api="blas"):
            yield net.backprop
    else:
        yield net.backprop


def _sharded_step(net: Network, others: list[Network], pool: ThreadPoolExecutor) -> Step:
    replicas = [net, *others]

    def step(x: np.ndarray, t: np.ndarray) -> None:
        bounds = np.linspace(0, len(x), len(replicas) + 1).astype(int)
        jobs = [pool.submit(r.backprop, x[a:b], t[a:b], len(x))
                for r, a, b in zip(others, bounds[1:-1], bounds[2:], strict=True)]
        net.backprop(x[:bounds[1]], t[:bounds[1]], len(x))
        for job in jobs:
            job.result()
        for total, *parts in zip(*(r.grads() for r in replicas), strict=True):
            for part in parts:
                total += part

    return step
