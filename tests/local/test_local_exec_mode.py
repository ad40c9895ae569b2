"""`flowc run` forks warm task processes by default; FLOWC_RUN_EXEC=1 starts a fresh interpreter per task,
exactly as the schedulers do. Both run the same task command and must give the same artifacts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.artifacts import final_artifacts
from support.flows import EXAMPLES, flow_name


@pytest.mark.parametrize("example", [p for p in EXAMPLES if p.stem in ("nested_foreach", "switch_in_foreach",
                                                                        "branching")], ids=lambda p: p.stem)
def test_forked_and_fresh_interpreters_give_the_same_run(example: Path, tmp_path):
    results = {}
    for mode, extra in (("fork", {}), ("exec", {"FLOWC_RUN_EXEC": "1"})):
        store = tmp_path / mode
        env = {k: v for k, v in os.environ.items() if k != "FLOWC_RUN_EXEC"} | extra
        done = subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "run", str(example), "--datastore",
                               store.as_uri(), "--run-id", "r1"], capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr[-2000:]
        results[mode] = final_artifacts(store, flow_name(example), "r1")
    assert results["fork"] == results["exec"]


def test_a_forked_task_that_crashes_reports_its_traceback(tmp_path):
    flow = tmp_path / "crash.py"
    flow.write_text("from metaflow import FlowSpec, step\n\nclass CrashFlow(FlowSpec):\n"
                    "    @step\n    def start(self):\n        raise ValueError('boom from the step')\n"
                    "        self.next(self.end)\n\n"
                    "    @step\n    def end(self):\n        pass\n")
    done = subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "run", str(flow), "--datastore",
                           (tmp_path / "store").as_uri()], capture_output=True, text=True)
    assert done.returncode == 1
    assert "ValueError: boom from the step" in done.stderr
