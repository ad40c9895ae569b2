"""The client: flows, runs, steps, tasks, artifacts, attempts, status, logs; default datastore."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from flowc.runtime import Flow, Run
from flowc.runtime.client import flows

from runtime_driver import EXAMPLES, FLOWS


def test_status_of_failed_and_running_runs(flow_run):
    run = flow_run(FLOWS / "merge_flow.py", params={"mode": "conflict"}).run(check=False)
    failed = Run(f"MergeFlow/{run.run_id}", run.datastore)
    assert failed.status == "failed"
    error = failed["join"].task.exception  # as Metaflow's client gives it: a wrapper, not a record
    assert error.type == "flowc.runtime.errors.UnhandledInMergeArtifactsException" and "cannot merge" in error.exception
    assert "Traceback" in error.stacktrace and failed["start"].task.exception is None
    assert not failed["join"].task.finished and failed["start"].task.finished  # Metaflow: failed = not finished
    partial = flow_run(EXAMPLES / "hello.py", run_id="partial")
    assert partial.run_task("start").returncode == 0
    run = Run("HelloFlow/partial", partial.datastore)
    assert run.status == "running" and not run.successful and run.data is None
    assert [f.name for f in flows(partial.datastore)] == ["HelloFlow", "MergeFlow"]


def test_tasks_artifacts_and_attempts(flow_run):
    run = flow_run(EXAMPLES / "nested_foreach.py").run()
    flow = Flow("NestedForeachFlow", run.datastore)
    step = flow.latest_run["inner"]
    tasks = step.tasks()
    assert [t.id for t in tasks][:4] == ["0.0.0", "0.0.1", "0.0.2", "0.1.0"]
    task = step["1/0/2"]
    assert (task.id, task.index_path, task.index, task.pathspec) == (
        "1.0.2", "1/0/2", 2, f"NestedForeachFlow/{run.run_id}/inner/1.0.2")
    assert flow.latest_run["start"].task.index is None  # Metaflow's: None outside a foreach
    assert task is not None and step["1.0.2"].pathspec == task.pathspec
    artifact = task["cell"]
    assert (artifact.data, artifact.type) == (2 + 10 + 300, "int") and len(artifact.sha) == 64
    assert "cell" in task and "cell" in dir(task.data)
    assert task.status == "succeeded" and task.finished and task.duration >= 0
    # times as Metaflow's client gives them: naive local datetimes (`datetime.now() - t` works)
    run_ = flow.latest_run
    times = [run_.created_at, run_.finished_at, step.created_at, step.finished_at, task.created_at, task.finished_at]
    assert all(isinstance(t, datetime) and t.tzinfo is None for t in times)
    assert run_.created_at <= step.created_at <= task.created_at <= task.finished_at <= step.finished_at
    assert run_.finished_at == run_.end_task.finished_at
    assert isinstance(datetime.now() - run_.created_at, timedelta)  # no naive/aware TypeError
    assert [a.number for a in task.attempts()] == [0] and task.flowc_meta["host"]
    assert flow.latest_run["start"].task.foreach_index is None
    with pytest.raises(KeyError):
        step["9/9/9"]
    with pytest.raises(AttributeError):
        task.data.nothing


def test_default_datastore_is_dot_flowc_or_env(tmp_path):
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("FLOWC_DATASTORE", None)
    code = "from flowc.runtime.datastore import open_datastore; print(open_datastore().uri)"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.stdout.strip() == (tmp_path / ".flowc").as_uri()
    env["FLOWC_DATASTORE"] = "s3://bucket/prefix"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "s3://bucket/prefix"


def test_an_attempt_is_succeeded_only_with_its_commit(flow_run):
    """meta.json says "succeeded" just before done.json is written; a task stopped in between (killed, or its
    disk full: the crash trials in tests/local/test_local_crash.py reach it) has not committed, so neither the
    task nor the attempt is "succeeded": both read "running", as a killed attempt does."""
    from flowc.runtime.datastore import TaskRef, open_datastore

    run = flow_run(EXAMPLES / "hello.py", run_id="between")
    assert run.run_task("start").returncode == 0
    ds = open_datastore(run.datastore)
    start = TaskRef("HelloFlow", "between", "start")
    done = ds.storage.read_bytes(f"{start.key}/done.json")
    os.unlink(os.path.join(run.datastore.removeprefix("file://"), start.key, "done.json"))  # the state in between
    task = Run("HelloFlow/between", run.datastore)["start"].task
    assert ds.read_meta(start, 0).status == "succeeded" and not task.successful
    assert task.status == "running" and [a.status for a in task.attempts()] == ["running"]
    shown = subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "show", "HelloFlow/between/start/_",
                            "--datastore", run.datastore], capture_output=True, text=True)
    assert shown.returncode == 0 and "succeeded" not in shown.stdout, shown.stdout
    ds.storage.write_bytes(f"{start.key}/done.json", done)
    assert task.status == "succeeded" and [a.status for a in task.attempts()] == ["succeeded"]
