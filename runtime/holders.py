"""Who holds a claim (attempt-N/.claim), and whether that process can be proven dead.

A claim records its process: host name, pid, and, on Linux, the kernel's boot id, the pid namespace and the
process's start time. A later process on the same machine (same boot, same pid namespace) can then tell a
holder that is gone (no such pid, a zombie, or the pid reused by a process started at another time) from one
that still runs. A holder on another machine, or one recorded without these facts, cannot be checked: its
claim stands, and the task command says how to go on (another attempt number, or `--attempt auto`).
"""

from __future__ import annotations

import json
import os
import time

ALIVE, DEAD, UNKNOWN = "alive", "dead", "unknown"


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="ascii", errors="replace") as handle:
            return handle.read().strip()
    except OSError:
        return None


def _machine() -> dict:
    """This kernel boot and pid namespace (None where /proc does not say)."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = None
    return {"boot_id": _read("/proc/sys/kernel/random/boot_id"), "pid_namespace": namespace}


def _stat(pid: int) -> tuple[str, str] | None:
    """(state, start time in clock ticks since boot) of `pid` from /proc, or None if there is no such pid."""
    text = _read(f"/proc/{pid}/stat")
    if text is None:
        return None
    fields = text.rsplit(")", 1)[-1].split()  # after "pid (comm)": state is field 3, starttime field 22
    return (fields[0], fields[19]) if len(fields) > 19 else None


def this_process() -> dict:
    """The claim record of the calling process."""
    stat = _stat(os.getpid())
    return {"host": os.uname().nodename, "pid": os.getpid(), "started": stat[1] if stat else None,
            **_machine(), "claimed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def claim_data(process: dict, name: str | None = None) -> bytes:
    """The bytes of a claim file: the claiming process (this_process()) and, for a link of an attempt's chain
    of claims (Datastore.take_attempt), the link's own name, so that no two links hold the same bytes."""
    return (json.dumps(process if name is None else {**process, "claim": name}) + "\n").encode()


def state(holder: dict) -> str:
    """ALIVE, DEAD (provably: same machine, and its pid is gone, a zombie or another process) or UNKNOWN."""
    machine = _machine()
    pid, started = holder.get("pid"), holder.get("started")
    if (not isinstance(pid, int) or not isinstance(started, str) or machine["boot_id"] is None
            or (holder.get("boot_id"), holder.get("pid_namespace")) != (machine["boot_id"], machine["pid_namespace"])):
        return UNKNOWN
    stat = _stat(pid)
    if stat is None or stat[0] in ("Z", "X") or stat[1] != started:
        return DEAD
    return ALIVE


def describe(holder: dict) -> str:
    """The holder for a message: host, pid, when; and what flowc knows of it."""
    where = (f"host {holder.get('host') or '?'}, pid {holder.get('pid') or '?'}, "
             f"claimed at {holder.get('claimed_at') or '?'}")
    if state(holder) == ALIVE:
        return f"{where}; it is still running"
    return f"{where}; flowc cannot check whether it still runs (another machine, or an older claim)"
