"""`flowc show`: listing runs, a run's steps, a step's tasks, and one artifact as JSON."""

from __future__ import annotations

import json

import pytest

from local_support import EXAMPLES, FLOWS


@pytest.fixture
def foreach_run(flowc):
    flowc.ok("run", str(EXAMPLES / "foreach.py"), "--run-id", "r1")
    return flowc


def test_show_flow_lists_runs_newest_first(flowc):
    flowc.ok("run", str(EXAMPLES / "hello.py"), "--run-id", "a-first")
    flowc.ok("run", str(EXAMPLES / "hello.py"), "--run-id", "b-second")
    out = flowc.ok("show", "HelloFlow").stdout
    lines = out.splitlines()
    assert lines[0] == "HelloFlow: 2 run(s), newest first"
    assert lines[2].startswith("b-second") and "succeeded" in lines[2]
    assert lines[3].startswith("a-first")
    # the flow file works as well as the class name
    assert flowc.ok("show", str(EXAMPLES / "hello.py")).stdout == out


def test_show_run_lists_steps_with_task_counts_and_status(foreach_run):
    out = foreach_run.ok("show", "ForeachFlow/r1").stdout
    assert out.splitlines()[0].startswith("Run ForeachFlow/r1: succeeded, started ")
    assert "parameters: bonus=1, words=" in out
    rows = {line.split()[0]: line.split() for line in out.splitlines()[3:]}
    assert list(rows) == ["start", "clean", "score", "join", "end"]
    assert rows["score"][1:4] == ["3", "3", "succeeded"]
    assert rows["end"][1:3] == ["1", "succeeded"]


def test_show_step_lists_its_tasks(foreach_run):
    out = foreach_run.ok("show", "ForeachFlow/r1/score").stdout
    lines = out.splitlines()
    assert lines[0] == "Step ForeachFlow/r1/score: 3 task(s)"
    assert [line.split()[0] for line in lines[2:]] == ["0", "1", "2"]
    assert all("points" in line and "succeeded" in line for line in lines[2:])


def test_show_run_as_json(foreach_run):
    info = json.loads(foreach_run.ok("show", "ForeachFlow/r1", "--json").stdout)
    assert info["status"] == "succeeded"
    assert info["parameters"] == {"words": ["apple", "kiwi", "banana"], "bonus": 1}
    assert [s["step"] for s in info["steps"]] == ["start", "clean", "score", "join", "end"]
    assert info["steps"][2]["status"] == {"succeeded": 3}


def test_artifact_as_json(foreach_run):
    out = foreach_run.ok("show", "ForeachFlow/r1/join", "--artifact", "scores", "--json").stdout
    assert json.loads(out) == {"apple": 6, "kiwi": 5, "banana": 7}
    # FLOW/RUN means the end step
    out = foreach_run.ok("show", "ForeachFlow/r1", "--artifact", "order", "--json").stdout
    assert json.loads(out) == ["apple", "kiwi", "banana"]


def test_artifact_without_json_prints_the_value(foreach_run):
    out = foreach_run.ok("show", "ForeachFlow/r1/end", "--artifact", "order").stdout
    assert out == "['apple', 'kiwi', 'banana']\n"


def test_artifact_text_keeps_the_order_the_step_built(foreach_run):
    out = foreach_run.ok("show", "ForeachFlow/r1/join", "--artifact", "scores").stdout
    assert out == "{'apple': 6, 'kiwi': 5, 'banana': 7}\n"  # insertion order, not sorted keys


def test_show_one_foreach_task_and_its_artifact(foreach_run):
    out = foreach_run.ok("show", "ForeachFlow/r1/score/1").stdout.splitlines()
    assert out[0] == "Task ForeachFlow/r1/score/1: succeeded, 1 attempt(s)"
    assert out[1].split() == ["ATTEMPT", "STATUS", "STARTED", "DURATION", "EXIT"]
    assert out[2].split()[:2] == ["0", "succeeded"] and out[2].split()[-1] == "0"
    assert "points" in out[3]
    assert foreach_run.ok("show", "ForeachFlow/r1/score/1", "--artifact", "word").stdout == "'kiwi'\n"
    missing = foreach_run("show", "ForeachFlow/r1/score/7")
    assert missing.returncode == 2 and "has no task '7', its tasks: 0, 1, 2" in missing.stderr


def test_a_nested_foreach_task_by_task_id_or_index_path(flowc):
    flowc.ok("run", str(EXAMPLES / "nested_foreach.py"), "--run-id", "n1")
    by_id = json.loads(flowc.ok("show", "NestedForeachFlow/n1/inner/0.1.0", "--json").stdout)
    by_path = json.loads(flowc.ok("show", "NestedForeachFlow/n1/inner/0/1/0", "--json").stdout)
    assert by_id == by_path and by_id["index"] == "0/1/0" and by_id["status"] == "succeeded"


def test_the_time_column_says_what_it_measures(foreach_run):
    assert foreach_run.ok("show", "ForeachFlow/r1").stdout.splitlines()[2].split() == [
        "STEP", "TASKS", "STATUS", "WALL", "TIME"]
    assert "WALL TIME (from the step's first task start to its last task end" in " ".join(
        foreach_run.ok("show", "--help").stdout.split())


def test_artifact_of_a_step_with_several_tasks_names_the_count(foreach_run):
    result = foreach_run("show", "ForeachFlow/r1/score", "--artifact", "points", "--json")
    assert result.returncode == 2
    assert "step ForeachFlow/r1/score has 3 tasks; name one: ForeachFlow/r1/score/INDEX" in result.stderr


def test_unknown_artifact_lists_the_ones_there(foreach_run):
    result = foreach_run("show", "ForeachFlow/r1/join", "--artifact", "nope")
    assert result.returncode == 2
    assert "has no artifact 'nope'" in result.stderr and "scores" in result.stderr


def test_unknown_run_and_step(foreach_run):
    result = foreach_run("show", "ForeachFlow/ghost")
    assert result.returncode == 2 and "no run ForeachFlow/ghost" in result.stderr and "r1" in result.stderr
    result = foreach_run("show", "ForeachFlow/r1/nope")
    assert result.returncode == 2 and "has no task of step 'nope'" in result.stderr


def test_show_a_failed_run(flowc):
    flowc("run", str(FLOWS / "failing.py"), "--param", f"marker={flowc.cwd / 'absent'}", "--run-id", "bad",
          "--max-workers", "1")
    out = flowc.ok("show", "FailingFlow/bad").stdout
    assert out.startswith("Run FailingFlow/bad: failed")
    middle = next(line for line in out.splitlines() if line.startswith("middle"))
    # one worker: middle[0] ok, middle[1] failed, and nothing new started after the failure
    assert middle.split()[1:] == ["2", "1", "failed,", "1", "succeeded", middle.split()[-1]]
    result = flowc("show", "FailingFlow/bad/middle", "--artifact", "doubled")
    assert result.returncode == 2 and "has 2 tasks" in result.stderr


def test_show_with_an_explicit_datastore(flowc, tmp_path):
    store = tmp_path / "elsewhere"
    flowc.ok("run", str(EXAMPLES / "hello.py"), "--datastore", str(store), "--run-id", "x")
    assert "no runs" in flowc.ok("show", "HelloFlow").stdout
    out = flowc.ok("show", "HelloFlow/x", "--artifact", "loud", "--json", "--datastore", store.as_uri()).stdout
    assert json.loads(out) == "HELLO WORLD!"
