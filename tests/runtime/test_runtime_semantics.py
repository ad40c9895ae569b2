"""Metaflow semantics inside tasks: joins and merge_artifacts, parameters, decorators, current."""

from __future__ import annotations

import json

import pytest

from flowc.runtime import CaughtException, Run

from runtime_driver import FLOWS


def task(run, step, index=""):
    return Run(f"{run.plan.flow}/{run.run_id}", run.datastore)[step][index or "_"]


def test_join_sees_only_parameters_then_set_first_merge(flow_run):
    run = flow_run(FLOWS / "merge_flow.py").run()
    join = task(run, "join").data
    assert join.saw_before == ["mode"]
    assert (join.from_b, join.order, join.x) == (2, [1, 2], 2)
    assert task(run, "end").data.seen == ["only_a", "same", "x"]


def test_merge_conflict_names_the_artifacts(flow_run):
    run = flow_run(FLOWS / "merge_flow.py", params={"mode": "conflict"}).run(check=False)
    outcome = run.outcome("join")
    assert outcome.returncode == 1
    assert "cannot merge" in outcome.stderr and "[x]" in outcome.stderr
    assert "UnhandledInMergeArtifactsException" in outcome.stderr  # Metaflow's class name, as flows see it
    assert task(run, "join").status == "failed"
    assert not task(run, "join").successful


def test_merge_exclude_and_include(flow_run):
    run = flow_run(FLOWS / "merge_flow.py", params={"mode": "exclude"}).run()
    assert task(run, "end").data.seen == ["only_a", "same"]
    run = flow_run(FLOWS / "merge_flow.py", params={"mode": "include"}, run_id="inc").run()
    assert task(run, "end").data.seen == ["only_a"]


def test_merge_include_missing_and_both(flow_run):
    run = flow_run(FLOWS / "merge_flow.py", params={"mode": "include_missing"}).run(check=False)
    assert run.outcome("join").returncode == 1
    assert "[nope]" in run.outcome("join").stderr and "only_a" in run.outcome("join").stderr
    run = flow_run(FLOWS / "merge_flow.py", params={"mode": "both"}, run_id="both").run(check=False)
    assert run.outcome("join").returncode == 1
    assert "include= or exclude=, not both" in run.outcome("join").stderr


def test_parameters_types_json_runtime_defaults_and_include_file(flow_run, tmp_path):
    (tmp_path / "notes.txt").write_text("included notes\n")
    params = {"count": "7", "ratio": 2, "flag": "true", "config": '{"depth": 5, "tags": ["a"]}', "needed": "11"}
    run = flow_run(FLOWS / "params_flow.py", params=params, cwd=tmp_path,
                   env={"FLOWC_TEST_DEFAULT": "from the environment"}).run()
    assert task(run, "start").data.seen == {
        "text": "plain", "count": 7, "ratio": 2.0, "flag": True, "config": {"depth": 5, "tags": ["a"]},
        "from_env": "from the environment", "label": "ParamsFlow:label", "stamp": "called", "needed": 11,
        "notes": "included notes\n",
    }
    assert task(run, "end").data.again == (7, "included notes\n")
    record = Run(f"ParamsFlow/{run.run_id}", run.datastore).record
    assert record["parameters"]["count"] == 7 and record["parameters"]["notes"] == "notes.txt"
    assert record["source_sha256"] == run.plan.source_sha256


@pytest.mark.parametrize("params,message", [
    ({}, "'needed' is required"),
    ({"needed": "x"}, "not a valid int"),
    ({"needed": 1, "config": "{not json"}, "not valid JSON"),
    ({"needed": 1, "flag": "maybe"}, "not a valid bool"),
    ({"needed": 1, "nope": 1}, "unknown parameter(s) nope"),
    ({"needed": 1, "notes": "missing.txt"}, "cannot read 'missing.txt'"),
])
def test_bad_parameters_exit_2(flow_run, tmp_path, params, message):
    (tmp_path / "notes.txt").write_text("n")
    run = flow_run(FLOWS / "params_flow.py", params=params, cwd=tmp_path)
    outcome = run.run_task("start")
    assert outcome.returncode == 2
    assert message in outcome.stderr
    assert "Traceback" not in outcome.stderr


def test_retry_catch_environment_timeout(flow_run):
    run = flow_run(FLOWS / "decorators_flow.py").run()
    flaky = task(run, "flaky")
    assert [o.returncode for o in run.outcomes if o.step == "flaky"] == [1, 0]
    assert [a.status for a in flaky.attempts()] == ["failed", "succeeded"]
    assert flaky.done["attempt"] == 1
    assert "first attempt fails" in flaky.attempts()[0].stderr
    assert "flaky attempt 0" in flaky.attempts()[0].stdout and "flaky attempt 1" in flaky.stdout
    recovered, error, before, var, timed_out = task(run, "end").data.summary
    assert (recovered, before, var, timed_out) == (1, "set before the failure", "from the decorator", "CaughtException")
    assert error.startswith("Traceback (most recent call last):") and error.endswith(
        "ValueError: boom went the step\n")  # printed as Metaflow's wrapper prints: the traceback
    caught = task(run, "boom").data.error
    assert isinstance(caught, CaughtException) and caught.type == "builtins.ValueError"
    assert "boom went the step" in caught.stacktrace
    assert task(run, "boom").flowc_meta["caught"]["var"] == "error"
    assert "timed out after 1 seconds" in task(run, "slow_caught").data.timed_out.exception


def test_timeout_without_catch_fails(flow_run, tmp_path):
    flow = tmp_path / "slow.py"
    flow.write_text(
        "import time\nfrom metaflow import FlowSpec, step, timeout\n\n"
        "class SlowFlow(FlowSpec):\n    @timeout(seconds=1)\n    @step\n    def start(self):\n"
        "        time.sleep(30)\n        self.next(self.end)\n\n    @step\n    def end(self):\n        pass\n")
    outcome = flow_run(flow).run_task("start")
    assert outcome.returncode == 1
    assert "StepTimeout: step 'start' timed out after 1 seconds" in outcome.stderr


def test_catch_on_a_failing_retry_waits_for_the_last_attempt(flow_run, tmp_path):
    flow = tmp_path / "fails.py"
    flow.write_text(
        "from metaflow import FlowSpec, catch, retry, step\n\n"
        "class FailsFlow(FlowSpec):\n    @catch(var='err')\n    @retry(times=1)\n    @step\n    def start(self):\n"
        "        raise KeyError('always')\n        self.next(self.end)\n\n    @step\n    def end(self):\n        pass\n")
    run = flow_run(flow).run()
    assert [o.returncode for o in run.outcomes if o.step == "start"] == [1, 0]
    caught = task(run, "start").data.err
    assert (caught.type, caught.exception) == ("builtins.KeyError", "'always'")


def test_catch_var_is_none_when_the_step_succeeds(flow_run, tmp_path):
    """As in Metaflow (its @catch sets the variable after a step that raised nothing): a join can test
    `inp.error is None` on every input."""
    flow = tmp_path / "fine.py"
    flow.write_text(
        "from metaflow import FlowSpec, catch, step\n\n"
        "class FineFlow(FlowSpec):\n    @catch(var='err')\n    @step\n    def start(self):\n"
        "        self.next(self.end)\n\n    @step\n    def end(self):\n        self.seen = self.err\n")
    run = flow_run(flow).run()
    assert "err" in task(run, "start").artifacts and task(run, "end").data.seen is None


def test_foreach_over_zero_items_fails_clearly(flow_run, tmp_path):
    flow = tmp_path / "empty.py"
    flow.write_text(
        "from metaflow import FlowSpec, step\n\n"
        "class EmptyFlow(FlowSpec):\n    @step\n    def start(self):\n        self.items = []\n"
        "        self.next(self.each, foreach='items')\n\n    @step\n    def each(self):\n        self.next(self.join)\n\n"
        "    @step\n    def join(self, inputs):\n        self.next(self.end)\n\n    @step\n    def end(self):\n        pass\n")
    run = flow_run(flow)
    outcome = run.run_task("start")
    assert outcome.returncode == 1
    assert "foreach over self.items in step 'start' has zero items" in outcome.stderr
    assert task(run, "start").status == "failed"


def test_current(flow_run, tmp_path):
    flow = tmp_path / "cur.py"
    flow.write_text(
        "from metaflow import FlowSpec, current, project, step\n\n@project(name='demo')\n"
        "class CurrentFlow(FlowSpec):\n    @step\n    def start(self):\n        self.items = ['a', 'b']\n"
        "        self.next(self.each, foreach='items')\n\n    @step\n    def each(self):\n"
        "        self.seen = (current.flow_name, current.run_id, current.step_name, current.task_id,\n"
        "                     current.retry_count, current.pathspec, current.is_running_flow,\n"
        "                     current.origin_run_id, current.project_name, self.index, self.input)\n"
        "        self.next(self.join)\n\n    @step\n    def join(self, inputs):\n"
        "        self.seen = [i.seen for i in inputs]\n        self.next(self.end)\n\n"
        "    @step\n    def end(self):\n        pass\n")
    run = flow_run(flow, run_id="r7").run()
    assert task(run, "join").data.seen == [
        ("CurrentFlow", "r7", "each", "0", 0, "CurrentFlow/r7/each/0", True, None, "demo", 0, "a"),
        ("CurrentFlow", "r7", "each", "1", 0, "CurrentFlow/r7/each/1", True, None, "demo", 1, "b"),
    ]


def test_artifacts_record_types_sizes_and_share_blobs(flow_run):
    run = flow_run(FLOWS / "merge_flow.py").run()
    start, a = task(run, "start"), task(run, "a")
    assert start.done["artifacts"]["same"] == a.done["artifacts"]["same"]  # inherited, not copied
    info = a.attempts()[0].artifacts
    assert info["only_a"]["type"] == "str" and info["only_a"]["size"] > 0
    assert info == a.done["artifacts"]
    assert json.loads(json.dumps(a.flowc_meta))["status"] == "succeeded"


def test_param_options_override_json_and_empty_means_default_only_when_computed(flow_run, tmp_path):
    (tmp_path / "notes.txt").write_text("n")
    run = flow_run(FLOWS / "params_flow.py", params={"count": 1, "needed": 2, "label": None}, cwd=tmp_path,
                   env={"FLOWC_TEST_DEFAULT": "env"})
    outcome = run.run_task("start", extra=["--param", "count=5", "--param", "from-env=", "--param", "text=",
                                           "--param", "flag=False"])
    assert outcome.returncode == 0, outcome.stderr
    seen = task(run, "start").data.seen
    assert (seen["count"], seen["needed"], seen["flag"], seen["label"]) == (5, 2, False, "ParamsFlow:label")
    assert seen["from_env"] == "env"  # computed default: an empty value means "not given"
    assert seen["text"] == ""  # literal default: an empty value is the value
    record = Run(f"ParamsFlow/{run.run_id}", run.datastore).record
    assert record["flow_file"] == str(FLOWS / "params_flow.py")
    bad = flow_run(FLOWS / "params_flow.py", params={"needed": 2}, cwd=tmp_path, run_id="bad")
    outcome = bad.run_task("start", extra=["--param", "nope=1"])
    assert outcome.returncode == 2 and "unknown parameter(s) nope" in outcome.stderr and "needed" in outcome.stderr


def test_del_drops_only_what_the_step_set_or_read_as_in_metaflow(flow_run, tmp_path):
    """Metaflow 2.19 (checked by a run there): a step's own value deleted is not stored; an inherited artifact
    passes down even if the step deleted it after reading it; deleting one it never read is AttributeError."""
    flow = tmp_path / "dele.py"
    flow.write_text(
        "from metaflow import FlowSpec, step\n\nclass DelFlow(FlowSpec):\n    @step\n    def start(self):\n"
        "        self.keep, self.drop = 1, 2\n        self.next(self.middle)\n\n    @step\n    def middle(self):\n"
        "        self.scratch = 3\n        del self.scratch\n        self.read = self.drop\n        del self.drop\n"
        "        try:\n            del self.keep\n            self.unread = 'deleted'\n"
        "        except AttributeError as error:\n            self.unread = type(error).__name__\n"
        "        self.next(self.end)\n\n    @step\n    def end(self):\n"
        "        self.seen = (self.keep, self.drop, hasattr(self, 'scratch'), self.unread)\n")
    run = flow_run(flow).run()
    assert task(run, "end").data.seen == (1, 2, False, "AttributeError")
    assert "drop" in task(run, "middle").artifacts and "scratch" not in task(run, "middle").artifacts

def test_self_name_is_the_flows_name_in_every_step(flow_run, tmp_path):
    """Metaflow 2.19 (checked by a run there): self.name reads the flow's name; a step may assign it, and the
    next step reads the flow's name again."""
    flow = tmp_path / "named.py"
    flow.write_text(
        "from metaflow import FlowSpec, step\n\nclass NamedFlow(FlowSpec):\n    @step\n    def start(self):\n"
        "        self.before = self.name\n        self.name = 'mine'\n        self.same_step = self.name\n"
        "        self.next(self.end)\n\n    @step\n    def end(self):\n        self.after = self.name\n")
    run = flow_run(flow).run()
    start = task(run, "start").data
    assert (start.before, start.same_step, task(run, "end").data.after) == ("NamedFlow", "mine", "NamedFlow")
