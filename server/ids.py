"""Run and sweep ids: made here, and recognised before any lookup so odd strings never reach the database."""

from __future__ import annotations

import re
import secrets

_RUN_ID = re.compile(r"[0-9a-f]{16}")


def new_run_id() -> str:
    return secrets.token_hex(8)


def is_run_id(text: str) -> bool:
    return _RUN_ID.fullmatch(text) is not None


#: sweeps have ids of the same form (in a namespace of their own)
new_sweep_id = new_run_id
is_sweep_id = is_run_id
