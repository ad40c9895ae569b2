"""Run ids for `flowc run`: sortable by start time, unique without coordination."""

from __future__ import annotations

import secrets
import time

from flowc.runtime.layout import RUN_ID_RULE, valid_run_id  # noqa: F401  (the runtime's one rule)


def new_run_id() -> str:
    """UTC start time to the millisecond, then random hex: "20261124T201043123-9f3a1c"."""
    now = time.time()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f"{int(now * 1000) % 1000:03d}"
    return f"{stamp}-{secrets.token_hex(3)}"

