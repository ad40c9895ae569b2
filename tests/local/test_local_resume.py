"""`flowc resume`: reuse an earlier run's committed tasks (same artifact blobs, no copies) and re-run
the failed step(s) or --from STEP and everything after them."""

from __future__ import annotations

import pytest

from local_support import EXAMPLES, FLOWS

FAILING = str(FLOWS / "failing.py")


@pytest.fixture
def failed_run(flowc):
    """FailingFlow run "r1": middle[1] failed because the marker file does not exist yet."""
    marker = flowc.cwd / "marker"
    result = flowc("run", FAILING, "--param", f"marker={marker}", "--run-id", "r1")
    assert result.returncode == 1, result.stderr
    return marker


def artifact_shas(task) -> dict:
    return {name: artifact.sha for name, artifact in task.artifacts.items()}


def test_resume_after_a_failure_reruns_the_failed_step_and_reuses_the_rest(flowc, failed_run):
    failed_run.touch()
    result = flowc.ok("resume", "r1", FAILING, "--run-id", "r2")
    assert "re-running: middle, join, end" in result.stderr
    first, second = flowc.run("FailingFlow/r1"), flowc.run("FailingFlow/r2")
    # items [1, 2, 3] doubled -> 2 + 4 + 6 = 12; result = 12 + 1
    assert second["end"].task.data.result == 13
    assert second.origin_run_id == "r1"
    assert second.parameters == first.parameters  # the earlier run's parameters are kept

    start_before, start_after = first["start"].task, second["start"].task
    assert start_after.done["origin"] == {"run_id": "r1", "attempt": 0}
    assert artifact_shas(start_after) == artifact_shas(start_before)  # same blobs: nothing copied
    # The failed step runs again as a whole (Metaflow's rule), its committed siblings included.
    assert all(task.done["origin"] is None for task in second["middle"].tasks())


def test_resume_from_a_step_reruns_it_and_everything_downstream(flowc, failed_run):
    failed_run.touch()
    flowc.ok("resume", "r1", FAILING, "--run-id", "r2")
    result = flowc.ok("resume", "r2", "--from", "join", FAILING, "--run-id", "r3")
    assert "re-running: join, end" in result.stderr
    third = flowc.run("FailingFlow/r3")
    assert third["end"].task.data.result == 13
    origins = {(s.name, t.index_path): (t.done["origin"] or {}).get("run_id") for s in third.steps() for t in s.tasks()}
    # start was already a clone of r1 in r2: the clone keeps naming the run that really ran it
    assert origins == {("start", ""): "r1", ("middle", "0"): "r2", ("middle", "1"): "r2", ("middle", "2"): "r2",
                       ("join", ""): None, ("end", ""): None}


def test_resume_finds_the_flow_file_in_the_run_record(flowc, failed_run):
    failed_run.touch()
    flowc.ok("resume", "r1", "--run-id", "r2")  # no FLOW: the run record names the file
    flowc.ok("resume", "r2", "--from", "end", "--run-id", "r3")  # ... also in a resumed run's record
    assert flowc.run("FailingFlow/r3")["end"].task.data.result == 13


def test_resume_of_a_successful_run_needs_from(flowc):
    flowc.ok("run", str(EXAMPLES / "hello.py"), "--run-id", "done")
    result = flowc("resume", "done", str(EXAMPLES / "hello.py"))
    assert result.returncode == 2
    assert "finished successfully; nothing to resume" in result.stderr


def test_resume_from_an_unknown_step(flowc, failed_run):
    result = flowc("resume", "r1", FAILING, "--from", "nope")
    assert result.returncode == 2
    assert "FailingFlow has no such step; steps: start, middle, join, end" in result.stderr


def test_resume_of_an_unknown_run(flowc):
    result = flowc("resume", "ghost", str(EXAMPLES / "hello.py"))
    assert result.returncode == 2
    assert "no run HelloFlow/ghost" in result.stderr


def test_resume_of_a_run_that_never_recorded_its_parameters(flowc):
    """What a run whose start task stopped before run.json leaves (the run claimed, an attempt of start begun):
    resuming it would take the defaults for the --param values it was given, so it is refused."""
    from flowc.runtime.datastore import TaskRef, open_datastore

    store = open_datastore(flowc.datastore)
    assert store.claim_run("HelloFlow", "early")
    store.claim_attempt(TaskRef("HelloFlow", "early", "start"))
    result = flowc("resume", "early", str(EXAMPLES / "hello.py"))
    assert result.returncode == 2
    assert "stopped before its start step recorded the parameters" in result.stderr
    assert "start it again with `flowc run`" in result.stderr


def test_resume_from_start_reruns_everything_with_the_same_parameters(flowc):
    flowc.ok("run", str(EXAMPLES / "switch.py"), "--param", "amount=50", "--run-id", "a")
    flowc.ok("resume", "a", str(EXAMPLES / "switch.py"), "--from", "start", "--run-id", "b")
    run = flowc.run("SwitchFlow/b")
    assert run["end"].task.data.total == 51  # amount 50 again: small, fee 1
    assert all(t.done["origin"] is None for s in run.steps() for t in s.tasks())
