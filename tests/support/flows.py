"""The example flows, and flowc run the way users run it (subprocesses), for tests of every target."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support.artifacts import final_artifacts

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*.py"))
TEST_FLOWS = REPO / "tests" / "flows"


def flowc(*args: str, cwd: Path = REPO, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flowc.compiler.cli", *args], cwd=cwd, capture_output=True,
                          text=True, env=env)


def flow_name(path: Path) -> str:
    from flowc.compiler.api import compile_file

    return compile_file(path).flow.name


def compile_for_tests(target: str, flows, out: Path, *options: str) -> None:
    """`flowc compile` with each flow's absolute --flow-path and this interpreter for the tasks."""
    for flow in flows:
        done = flowc("compile", str(flow), "--target", target, "-o", str(out), "--flow-path",
                     str(Path(flow).resolve()), "--python", sys.executable, *options)
        assert done.returncode == 0, done.stderr


def local_run(flow: Path, store: Path, params: dict, run_id: str) -> dict:
    """`flowc run` the flow; its final artifacts."""
    args = [a for name, value in params.items() for a in ("--param", f"{name}={value}")]
    done = flowc("run", str(flow), "--datastore", store.as_uri(), "--run-id", run_id, *args)
    assert done.returncode == 0, done.stderr[-3000:]
    return final_artifacts(store, flow_name(flow), run_id)
