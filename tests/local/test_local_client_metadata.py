"""Metaflow's client attributes beyond artifacts, read from a `flowc run`: Task.loglines, metadata,
metadata_dict, current_attempt, stdout_size/stderr_size, parent/child tasks, environment_info, runtime_name,
Task.code / Run.code (None: flowc builds no code package) and Step.control_task (None: no control tasks)."""

from __future__ import annotations

import sys
from datetime import datetime, timezone

import pytest

from flowc.runtime import Run, Task
from flowc.runtime.tags import username

from local_support import EXAMPLES, FLOWS

CHATTY = str(FLOWS / "chatty.py")
PYTHON = "%d.%d.%d" % sys.version_info[:3]


def test_loglines_are_the_logs_lines_with_utc_times(flowc):
    flowc.ok("run", CHATTY, "--run-id", "r1")
    start = flowc.run("ChattyFlow/r1")["start"].task
    lines = list(start.loglines("stdout"))
    assert [line for _, line in lines] == ["hello from start", "second line, ünïcode"]
    assert "".join(line + "\n" for _, line in lines) == start.stdout  # as Metaflow's stdout is built from them
    # naive UTC datetimes, as Metaflow's; flowc keeps no per-line times: each line has its attempt's start
    assert {when.replace(tzinfo=timezone.utc).astimezone().replace(tzinfo=None) for when, _ in lines} == \
        {start.created_at}
    assert all(isinstance(when, datetime) and when.tzinfo is None for when, _ in lines)
    assert [line for _, line in start.loglines("stderr", as_unicode=False)] == [b"to stderr"]
    assert list(flowc.run("ChattyFlow/r1")["end"].task.loglines("stdout")) == []
    with pytest.raises(ValueError, match="no log stream"):
        list(start.loglines("stdlog"))
    # the retried task's lines are its committed attempt's, as its stdout is
    assert [line for _, line in flowc.run("ChattyFlow/r1")["flaky"].task.loglines("stdout")] == ["attempt 1"]


def test_metadata_dict_environment_runtime_and_code(flowc):
    flowc.ok("run", CHATTY, "--run-id", "r1")
    run = flowc.run("ChattyFlow/r1")
    task = Task("ChattyFlow/r1/flaky/_", datastore=flowc.datastore)
    meta = task.metadata_dict
    assert all(isinstance(value, str) for value in meta.values())  # Metaflow's values are text
    assert {"attempt": "1", "attempt_ok": "True", "origin-run-id": "None", "ds-type": "local",
            "ds-root": run.datastore.uri, "runtime": "flowc", "python_version": PYTHON, "script-name": "chatty.py",
            "exit_code": "0"}.items() <= meta.items()
    assert {"started_at", "finished_at", "duration_s", "host", "pid", "flowc_version", "source_sha256",
            "retry_times"} <= set(meta) and "origin-task-id" not in meta
    assert meta.get("user") == username()  # the run's user: tag (none when run as root with no METAFLOW_USER)
    assert task.environment_info == {"python_version": PYTHON, "flowc_version": meta["flowc_version"]}
    assert task.runtime_name == "flowc"
    assert task.code is None and run.code is None


def test_metadata_dict_of_failed_and_resumed_tasks(flowc):
    failing, marker = str(FLOWS / "failing.py"), flowc.cwd / "marker"
    assert flowc("run", failing, "--param", f"marker={marker}", "--run-id", "r1").returncode == 1
    failed = flowc.run("FailingFlow/r1")["middle"]["1"]
    assert {"attempt": "0", "attempt_ok": "False", "exit_code": "1"}.items() <= failed.metadata_dict.items()
    marker.touch()
    flowc.ok("resume", "r1", failing, "--run-id", "r2")
    resumed = flowc.run("FailingFlow/r2")
    cloned, rerun = resumed["start"].task.metadata_dict, resumed["middle"]["1"].metadata_dict
    assert (cloned["origin-run-id"], cloned["origin-task-id"], cloned["attempt_ok"]) == ("r1", "_", "True")
    assert (rerun["origin-run-id"], rerun["attempt_ok"]) == ("r1", "True") and "origin-task-id" not in rerun
    assert Run("FailingFlow/r2", flowc.datastore)["middle"]["1"].metadata_dict["attempt"] == "0"


def test_metadata_entries_and_current_attempt_as_metaflow_types(flowc):
    flowc.ok("run", CHATTY, "--run-id", "r1")
    run = flowc.run("ChattyFlow/r1")
    flaky = run["flaky"].task
    assert flaky.current_attempt == 1 and type(flaky.current_attempt) is int  # Metaflow's: the number
    assert flaky.flowc_attempt.number == 1 and flaky.flowc_meta["status"] == "succeeded"  # flowc's records
    entries = flaky.metadata
    assert isinstance(entries, list) and all(type(entry).__name__ == "Metadata" for entry in entries)
    assert {entry.name: entry.value for entry in entries} == flaky.metadata_dict
    by_name = {entry.name: entry for entry in entries}
    started = datetime.fromisoformat(flaky.flowc_meta["started_at"])
    assert {entry.created_at for entry in entries} == {round(started.timestamp() * 1000)}  # ms since the epoch
    assert all(entry.task is flaky for entry in entries)
    assert (by_name["attempt"].type, by_name["attempt_ok"].type, by_name["ds-root"].type, by_name["host"].type) \
        == ("attempt", "internal_attempt_status", "ds-root", "flowc")
    assert run["start"].task.current_attempt == 0


def test_log_sizes_and_control_tasks(flowc):
    flowc.ok("run", CHATTY, "--run-id", "r1")
    run = flowc.run("ChattyFlow/r1")
    start = run["start"].task
    assert start.stdout_size == len(start.stdout.encode()) == len("hello from start\nsecond line, ünïcode\n".encode())
    assert start.stderr_size == len(b"to stderr\n")
    assert run["end"].task.stdout_size == 0
    assert run["start"].control_task is None and list(run["start"].control_tasks()) == []


def test_parent_and_child_tasks_of_a_foreach_and_a_static_join(flowc):
    failing, marker = str(FLOWS / "failing.py"), flowc.cwd / "marker"
    marker.touch()
    flowc.ok("run", failing, "--param", f"marker={marker}", "--run-id", "r1")
    run = flowc.run("FailingFlow/r1")
    children = ["FailingFlow/r1/middle/0", "FailingFlow/r1/middle/1", "FailingFlow/r1/middle/2"]
    assert list(run["start"].task.parent_task_pathspecs) == []
    assert sorted(run["start"].task.child_task_pathspecs) == children
    assert list(run["middle"]["1"].parent_task_pathspecs) == ["FailingFlow/r1/start/_"]
    assert list(run["middle"]["1"].child_task_pathspecs) == ["FailingFlow/r1/join/_"]
    assert sorted(task.pathspec for task in run["join"].task.parent_tasks) == children
    assert [task.pathspec for task in run["join"].task.child_tasks] == ["FailingFlow/r1/end/_"]
    assert list(run["end"].task.child_tasks) == []

    flowc.ok("run", str(EXAMPLES / "branching.py"), "--run-id", "b1")
    branching = flowc.run("BranchFlow/b1")
    assert sorted(branching["join"].task.parent_task_pathspecs) == ["BranchFlow/b1/constant/_",
                                                                      "BranchFlow/b1/linear/_"]
    assert sorted(branching["start"].task.child_task_pathspecs) == ["BranchFlow/b1/constant/_",
                                                                     "BranchFlow/b1/linear/_"]


def test_parents_of_failed_and_cloned_tasks(flowc):
    failing, marker = str(FLOWS / "failing.py"), flowc.cwd / "marker"
    assert flowc("run", failing, "--param", f"marker={marker}", "--run-id", "r1").returncode == 1
    assert list(flowc.run("FailingFlow/r1")["middle"]["1"].parent_task_pathspecs) == ["FailingFlow/r1/start/_"]
    marker.touch()
    flowc.ok("resume", "r1", failing, "--run-id", "r2")
    resumed = flowc.run("FailingFlow/r2")
    assert list(resumed["middle"]["0"].parent_task_pathspecs) == ["FailingFlow/r2/start/_"]  # a clone: its run's
    assert len(list(resumed["start"].task.child_tasks)) == 3
