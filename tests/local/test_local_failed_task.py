"""A failed task's artifacts under `flowc run`: kept by its failed attempt for the client and `flowc show`
(as Metaflow keeps them), never committed, so `flowc resume` re-runs the task instead of reusing them."""

from __future__ import annotations

import json

from local_support import FLOWS

FAILING = str(FLOWS / "failing.py")


def test_a_failed_tasks_artifacts_are_readable_and_never_reused(flowc):
    marker = flowc.cwd / "marker"
    assert flowc("run", FAILING, "--param", f"marker={marker}", "--run-id", "bad").returncode == 1
    failed = flowc.run("FailingFlow/bad")["middle"]["1"]  # the task of item 2
    assert (failed.successful, failed.finished, failed.status) == (False, False, "failed")
    assert failed.exception.type == "builtins.ValueError"
    assert sorted(failed.artifacts.keys()) == ["items", "marker"]  # inherited; `doubled` was never set
    assert failed.data.items == [1, 2, 3] and failed.data.marker == str(marker)
    assert not (flowc.cwd / ".flowc/FailingFlow/runs/bad/middle/1/done.json").exists()
    assert (flowc.cwd / ".flowc/FailingFlow/runs/bad/middle/1/attempt-0/artifacts.json").exists()

    shown = flowc.ok("show", "FailingFlow/bad/middle/1").stdout
    assert "artifacts (attempt 0, not committed): items, marker" in shown
    value = flowc.ok("show", "FailingFlow/bad/middle/1", "--artifact", "items", "--json")
    assert json.loads(value.stdout) == [1, 2, 3]
    assert "has not committed (status: failed); items is what its attempt 0 kept" in value.stderr
    missing = flowc("show", "FailingFlow/bad/middle/1", "--artifact", "doubled")
    assert missing.returncode == 2 and "it has: items, marker" in missing.stderr

    marker.touch()
    flowc.ok("resume", "bad", FAILING, "--run-id", "good")
    again = flowc.run("FailingFlow/good")["middle"]["1"]
    assert again.successful and again.done["origin"] is None and again.data.doubled == 4
    assert flowc.run("FailingFlow/good")["end"].task.data.result == 13
    assert not flowc.run("FailingFlow/bad")["middle"]["1"].successful  # the failed run stays as it was

