"""Write a benchmark's figures into its own section of bench/RESULTS.md,
stamped with the date, the command and the machine, so anyone can re-run it."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import sys
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"NumPy {np.__version__}, {platform.system()} {platform.release()}")


def write_section(name: str, body: str) -> None:
    """Replace (or append) the section `name` of RESULTS.md."""
    stamp = (f"_{dt.date.today().isoformat()} · `{' '.join(['python', *sys.argv])}` · "
             f"{machine()}_\n\n")
    block = f"<!-- {name}:start -->\n{stamp}{body.strip()}\n<!-- {name}:end -->"
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"<!-- {name}:start -->.*?<!-- {name}:end -->", re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else f"{text.rstrip()}\n\n{block}\n"
    RESULTS.write_text(text)
