"""Run ids for `flowc run`: sortable by start time, unique without coordination."""

from __future__ import annotations

import re
import secrets
import time

RUN_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def new_run_id() -> str:
    """UTC start time to the millisecond, then random hex: "20261124T201043123-9f3a1c"."""
    now = time.time()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f"{int(now * 1000) % 1000:03d}"
    return f"{stamp}-{secrets.token_hex(3)}"


def valid_run_id(run_id: str) -> bool:
    """Safe as a path segment and as a scheduler run name: letters, digits, `_ . -`, no leading dot."""
    return bool(RUN_ID_PATTERN.match(run_id)) and run_id not in (".", "..")
