"""Shared by the local runner's tests: run the `flowc` CLI in a temporary working directory (in this
process, see support/cli.py) and read results back with the runtime's client."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support.cli import flowc_in_process, flowc_process

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
FLOWS = Path(__file__).resolve().parent / "flows"


class Flowc:
    """`flowc ...` as a person runs it, from `cwd` (so the default datastore is `cwd/.flowc`).

    Calls run in this process; `process=True` starts a real `flowc` process instead."""

    def __init__(self, cwd: Path):
        self.cwd = cwd
        self.env = {k: v for k, v in os.environ.items() if k != "FLOWC_DATASTORE"}
        self.env["FLOWC_CACHE_DIR"] = str(cwd / "flowc-cache")  # each test starts with no cached plans

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "flowc.compiler.cli", *args]

    def __call__(self, *args: str, process: bool = False, timeout: float = 180) -> subprocess.CompletedProcess:
        if process:
            return flowc_process(args, self.cwd, self.env, timeout)
        return flowc_in_process(args, self.cwd, self.env)

    def ok(self, *args: str, process: bool = False) -> subprocess.CompletedProcess:
        result = self(*args, process=process)
        assert result.returncode == 0, f"flowc {' '.join(args)} exited {result.returncode}:\n{result.stderr}"
        return result

    @property
    def datastore(self) -> str:
        return str(self.cwd / ".flowc")

    def run(self, pathspec: str):
        from flowc.runtime import Run

        return Run(pathspec, self.datastore)
