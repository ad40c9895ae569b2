"""The example flows, and the flowc command line (in this process), for tests of every target."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from support.artifacts import final_artifacts
from support.cli import flowc_in_process, flowc_process

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*.py"))
TEST_FLOWS = REPO / "tests" / "flows"


def flowc(*args: str, cwd: Path = REPO, env: dict | None = None) -> subprocess.CompletedProcess:
    """`flowc ARGS` from `cwd`, in this process. Given an `env`, a real `flowc` process with that environment
    instead: a fresh interpreter, as PYTHONHASHSEED needs."""
    if env is not None:
        return flowc_process(args, cwd, env)
    return flowc_in_process(args, cwd)


def flow_name(path: Path) -> str:
    from flowc.compiler.api import compile_file

    return compile_file(path).flow.name


def compile_for_tests(target: str, flows, out: Path, *options: str) -> None:
    """`flowc compile` with each flow's absolute --flow-path and this interpreter for the tasks."""
    for flow in flows:
        done = flowc("compile", str(flow), "--target", target, "-o", str(out), "--flow-path",
                     str(Path(flow).resolve()), "--python", sys.executable, *options)
        assert done.returncode == 0, done.stderr


def _param_text(value: object) -> str:
    """A conf value as `--param` text: lists and dicts as JSON, the rest as str() (True -> "True")."""
    return json.dumps(value) if isinstance(value, (list, dict)) else str(value)


def local_run(flow: Path, store: Path, params: dict, run_id: str) -> dict:
    """`flowc run` the flow; its final artifacts."""
    args = [a for name, value in params.items() for a in ("--param", f"{name}={_param_text(value)}")]
    done = flowc("run", str(flow), "--datastore", store.as_uri(), "--run-id", run_id, *args)
    assert done.returncode == 0, done.stderr[-3000:]
    return final_artifacts(store, flow_name(flow), run_id)
