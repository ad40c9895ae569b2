"""A failed attempt keeps its artifacts (inherited and set before the error) for the client, as Metaflow's
failed tasks do, without committing: no done.json, exit code 1, and the next attempt commits as usual."""

from __future__ import annotations

import pytest

from flowc.runtime import Task
from flowc.runtime.datastore import TaskRef, open_datastore

from runtime_driver import FLOWS

FLOW = FLOWS / "failed_state_flow.py"


def failed_middle(flow_run, **env):
    run = flow_run(FLOW, env=env)
    assert run.run_task("start").returncode == 0
    outcome = run.run_task("middle")
    assert outcome.returncode == 1, outcome.stderr
    assert "ValueError: middle failed on purpose" in outcome.stderr
    return run, outcome


def test_failed_attempt_keeps_its_artifacts_without_committing(flow_run):
    run, _ = failed_middle(flow_run)
    ds = open_datastore(run.datastore)
    ref = TaskRef("FailedStateFlow", run.run_id, "middle")
    assert ds.read_done(ref) is None
    assert ds.read_meta(ref, 0).status == "failed"
    assert set(ds.read_artifacts(ref, 0)) == {"scale", "LIMIT", "inherited", "replaced", "set_before"}

    task = Task(f"FailedStateFlow/{run.run_id}/middle/_", datastore=run.datastore, _namespace_check=False)
    assert (task.successful, task.finished, task.status) == (False, False, "failed")
    assert task.exception.type == "builtins.ValueError"
    assert task.data.set_before == [1, 2, 10]
    assert task.data.replaced == "middle's value"
    assert (task.data.inherited, task.data.scale, task.data.LIMIT) == ("from start", 10, 3)
    assert sorted(a.id for a in task.artifacts) == ["LIMIT", "inherited", "replaced", "scale", "set_before"]
    assert task["set_before"].data == [1, 2, 10]

    # nothing downstream reads it: end's inputs are missing (exit 2), and a retry commits as usual
    assert run.run_task("end").returncode == 2
    run.env["FLOWC_TEST_FIXED"] = "1"
    assert run.run_task("middle", attempt=1).returncode == 0
    assert ds.read_done(ref).attempt == 1
    assert run.run_task("end").returncode == 0
    assert Task(f"FailedStateFlow/{run.run_id}/end/_", datastore=run.datastore, _namespace_check=False).data.result == [1, 2, 10]
    assert task.successful and task.data.replaced == "middle's value"


def test_unpicklable_value_is_skipped_with_a_note(flow_run):
    run, outcome = failed_middle(flow_run, FLOWC_TEST_LOCK="1")
    assert "artifact 'lock' (lock) cannot be pickled" in outcome.stderr
    assert "artifact 'replaced' (lock) cannot be pickled" in outcome.stderr
    task = Task(f"FailedStateFlow/{run.run_id}/middle/_", datastore=run.datastore, _namespace_check=False)
    assert sorted(task.artifacts.keys()) == ["LIMIT", "inherited", "scale", "set_before"]  # not start's `replaced`
    assert task.exception.type == "builtins.ValueError"  # the step's error, not the pickling one
    assert task.datastore.read_done(task.ref) is None


def test_a_datastore_failure_while_keeping_them_does_not_mask_the_error(flow_run, tmp_path):
    run = flow_run(FLOW)
    assert run.run_task("start").returncode == 0
    # the attempt's artifacts.json cannot be written (a folder stands in its way); meta.json still can
    root = tmp_path / "ds"
    (root / "FailedStateFlow/runs" / run.run_id / "middle/_/attempt-0/artifacts.json").mkdir(parents=True)
    outcome = run.run_task("middle")
    assert outcome.returncode == 1
    assert "ValueError: middle failed on purpose" in outcome.stderr
    assert "the failed attempt's artifacts were not kept" in outcome.stderr
    ds = open_datastore(run.datastore)
    meta = ds.read_meta(TaskRef("FailedStateFlow", run.run_id, "middle"), 0)
    assert (meta.status, meta.exit_code, meta.error["type"]) == ("failed", 1, "ValueError")
