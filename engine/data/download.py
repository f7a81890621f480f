"""Fetching a file from a list of mirrors with an md5 check and a text progress bar.

Plain urllib with a short timeout: on an offline machine we want to fail within
seconds with a helpful message, not hang. Files are written to a temporary name
and renamed only after the md5 matches, so a half-finished or wrong download
never looks like a valid dataset file.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import TextIO

CHUNK = 1 << 16


class DownloadFailed(Exception):
    """No mirror produced the file; ``reasons`` holds one line per attempt."""

    def __init__(self, name: str, reasons: list[str], md5_mismatch: bool) -> None:
        super().__init__(f"could not download {name}: " + "; ".join(reasons))
        self.reasons = reasons
        self.md5_mismatch = md5_mismatch


def _progress(stream: TextIO, name: str, done: int, total: int | None) -> None:
    if total:
        frac = min(done / total, 1.0)
        bar = "#" * int(frac * 30)
        stream.write(
            f"\r{name} [{bar:<30}] {frac * 100:5.1f}% {done / 1e6:.1f}/{total / 1e6:.1f} MB"
        )
    else:
        stream.write(f"\r{name} {done / 1e6:.1f} MB")
    stream.flush()


def _fetch(url: str, dest_dir: Path, name: str, timeout: float, stream: TextIO) -> tuple[Path, str]:
    """Download url into a temp file in dest_dir; return (temp path, md5 hex)."""
    digest = hashlib.md5()
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=dest_dir)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
            length = resp.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            done = 0
            last_shown = -1.0
            while chunk := resp.read(CHUNK):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                shown = done / total if total else done / 1e6
                if shown - last_shown >= 0.01:
                    _progress(stream, name, done, total)
                    last_shown = shown
            _progress(stream, name, done, total)
            stream.write("\n")
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp), digest.hexdigest()


def download_file(
    mirrors: list[str],
    name: str,
    dest_dir: Path,
    md5: str,
    *,
    timeout: float = 5.0,
    stream: TextIO | None = None,
) -> Path:
    """Try each mirror (base URL ending in '/') for ``name``; return the verified file's path."""
    stream = stream if stream is not None else sys.stderr
    reasons: list[str] = []
    mismatch = False
    for base in mirrors:
        url = base + name
        try:
            tmp, got = _fetch(url, dest_dir, name, timeout, stream)
        except (urllib.error.URLError, OSError, ValueError) as exc:  # incl. timeouts, HTTP errors
            reason = getattr(exc, "reason", None) or exc
            reasons.append(f"{url}: {reason}")
            continue
        if got != md5:
            tmp.unlink(missing_ok=True)
            mismatch = True
            reasons.append(f"{url}: md5 mismatch (got {got}, expected {md5})")
            continue
        dest = dest_dir / name
        os.replace(tmp, dest)
        return dest
    raise DownloadFailed(name, reasons, mismatch)
