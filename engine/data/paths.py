"""Where dataset files live: argument, then $NNPLAY_DATA_DIR, then the user data dir."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_VAR = "NNPLAY_DATA_DIR"


def user_data_home() -> Path:
    """The platform's per-user data directory (no platformdirs dependency for three cases)."""
    home = Path.home()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.environ.get("APPDATA")
        return Path(base) if base else home / "AppData" / "Local"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support"
    xdg = os.environ.get("XDG_DATA_HOME")
    return Path(xdg) if xdg else home / ".local" / "share"


def resolve_data_dir(data_dir: str | Path | None = None) -> Path:
    """The directory to look for (and download) dataset files in.

    Precedence: the explicit argument (e.g. ``--data-dir``) > ``$NNPLAY_DATA_DIR`` >
    ``<user data dir>/nnplay/data`` (``~/.local/share/nnplay/data`` on Linux).
    The directory is not created here: looking must never have side effects.
    """
    if data_dir is not None and str(data_dir) != "":
        return Path(data_dir).expanduser().resolve()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser().resolve()
    return (user_data_home() / "nnplay" / "data").resolve()
