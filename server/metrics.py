"""/metrics in Prometheus text format, without a client library: a few gauges and counters
read when scraped, and one histogram (event latency) that the run manager fills.

Each web process reports its own latency histogram; Prometheus sums them across instances.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Mapping

#: seconds from a worker emitting an event to the web process handing it to its sockets
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Histogram:
    """A cumulative Prometheus histogram; `observe` is safe from any thread."""

    def __init__(self, buckets: tuple[float, ...] = LATENCY_BUCKETS) -> None:
        self.buckets = buckets
        self._counts = [0] * (len(buckets) + 1)
        self._sum = 0.0
        self._lock = threading.Lock()

    def observe(self, value: float) -> None:
        with self._lock:
            self._counts[bisect.bisect_left(self.buckets, value)] += 1
            self._sum += value

    def lines(self, name: str, help_text: str) -> list[str]:
        with self._lock:
            counts, total = list(self._counts), self._sum
        out = [f"# HELP {name} {help_text}", f"# TYPE {name} histogram"]
        running = 0
        for bound, n in zip((*map(str, self.buckets), "+Inf"), counts, strict=True):
            running += n
            out.append(f'{name}_bucket{{le="{bound}"}} {running}')
        out += [f"{name}_sum {total:.6f}", f"{name}_count {running}"]
        return out


def gauge(name: str, help_text: str, values: Mapping[str, float] | float, label: str = "state",
          kind: str = "gauge") -> list[str]:
    """One metric; a mapping gives one sample per label value."""
    out = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    if isinstance(values, Mapping):
        out += [f'{name}{{{label}="{key}"}} {value}' for key, value in sorted(values.items())]
    else:
        out.append(f"{name} {values}")
    return out
