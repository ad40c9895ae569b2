"""The task command's contract: exit codes, control values, source pinning, commit records, attempts."""

from __future__ import annotations

import json
import time
import subprocess
import sys
from pathlib import Path

from flowc.runtime import Run
from flowc.runtime.datastore import TaskRef, open_datastore

from runtime_driver import EXAMPLES, FlowRun


def ds_path(run: FlowRun) -> Path:
    return Path(run.datastore.removeprefix("file://"))


def test_source_mismatch_exits_2_and_writes_nothing(flow_run):
    run = flow_run(EXAMPLES / "hello.py")
    outcome = run.run_task("start", source_sha256="0" * 64)
    assert outcome.returncode == 2
    assert "recompile" in outcome.stderr
    assert not ds_path(run).exists()


def test_control_out_and_done_record(flow_run, tmp_path):
    run = flow_run(EXAMPLES / "switch_in_foreach.py")
    out = tmp_path / "control"
    argv = run.command("start", control_out=str(out))
    assert subprocess.run(argv).returncode == 0
    assert json.loads(out.read_text()) == ["0", "1", "2", "3"]
    argv = run.command("classify", index="1", control_out=str(out))
    assert subprocess.run(argv).returncode == 0
    assert out.read_text() == "halve"  # the bare step name
    ds = open_datastore(run.datastore)
    assert ds.read_done(TaskRef("SwitchInForeachFlow", run.run_id, "classify", "1"))["control"] == "halve"
    start = ds.read_done(TaskRef("SwitchInForeachFlow", run.run_id, "start"))
    assert start["foreach"] == {"var": "numbers", "num_splits": 4}
    assert start["control"] is None and start.control_value == ["0", "1", "2", "3"]  # done.json lists no children


def test_skipped_switch_branch_exits_3_and_propagates(flow_run):
    run = flow_run(EXAMPLES / "switch.py", params={"amount": 5})
    assert run.run_task("start").returncode == 0
    large = run.run_task("large")
    assert large.returncode == 3
    assert large.stderr.strip() == "skipped: switch start chose small"
    review = run.run_task("review")  # its parent was skipped: skipped too
    assert (review.returncode, review.stderr.strip()) == (3, "skipped: switch start chose small")
    assert run.run_task("small").returncode == 0
    assert run.run_task("settle").returncode == 0  # small|review: exactly one committed
    ds = open_datastore(run.datastore)
    assert ds.read_done(TaskRef("SwitchFlow", run.run_id, "large")) is None
    assert Run(f"SwitchFlow/{run.run_id}", run.datastore)["review"]["_"].status == "skipped"


def test_skipped_inside_foreach(flow_run):
    run = flow_run(EXAMPLES / "switch_in_foreach.py")
    assert run.run_task("start").returncode == 0
    assert run.run_task("classify", "0").returncode == 0
    halve = run.run_task("halve", "0")  # 3 is odd: classify chose triple
    assert (halve.returncode, halve.stderr.strip()) == (3, "skipped: switch classify chose triple")


def test_a_join_takes_the_one_case_that_ran_of_a_branch(flow_run):
    """--inputs "huger|large|small,count": one input per branch; the join's branch ran no case: exit 2; every
    case was skipped by its switch: the join is skipped too (exit 3); two cases committed: exit 2."""
    run = flow_run(EXAMPLES / "switch_in_branch.py")
    assert run.run_task("start").returncode == 0
    assert run.run_task("count").returncode == 0
    missing = run.run_task("join")
    assert missing.returncode == 2 and "none of huger, large, small has committed" in missing.stderr
    for step in ("route", "grade", "huge", "huger"):
        assert run.run_task(step).returncode == 0
    assert run.run_task("large").returncode == 3  # grade chose huge
    assert run.run_task("small").returncode == 3  # route chose grade
    assert run.run_task("join").returncode == 0
    skipped = run.run_task("join", inputs="large|small,count")  # both skipped by their switches
    assert (skipped.returncode, skipped.stderr.strip()) == (3, "skipped: switch grade chose huge")
    two = run.run_task("join", inputs="huger|count,count")
    assert two.returncode == 2 and "exactly one may run" in two.stderr


def test_missing_input_exits_2(flow_run):
    run = flow_run(EXAMPLES / "hello.py")
    outcome = run.run_task("shout")
    assert outcome.returncode == 2
    assert "missing input: HelloFlow/run-1/start/_ has not committed" in outcome.stderr


def test_bad_arguments_exit_2(flow_run):
    run = flow_run(EXAMPLES / "foreach.py")
    assert run.run_task("start").returncode == 0
    cases = [
        dict(step="clean", index="x"),
        dict(step="clean", index="", inputs="@start"),
        dict(step="clean", index="7"),  # there are 3 items
        dict(step="join", inputs="score"),  # a join wired as a linear step
        dict(step="clean", index="0", inputs="a,,b"),
        dict(step="clean", index="0", inputs="a|,b"),
        dict(step="join", inputs="|@start"),
        dict(step="clean", index="0", attempt=-1),
        dict(step="start", datastore="ftp://nowhere"),
    ]
    for case in cases:
        step, index, attempt = case.pop("step"), case.pop("index", ""), case.pop("attempt", 0)
        outcome = run.run_task(step, index, attempt, **case)
        assert outcome.returncode == 2, (case, outcome.stderr)
        assert "Traceback" not in outcome.stderr
    proc = subprocess.run([sys.executable, "-m", "flowc.runtime", "task", "x.py", "start"], capture_output=True)
    assert proc.returncode == 2


def test_reruns_of_committed_attempts(flow_run):
    run = flow_run(EXAMPLES / "hello.py")
    assert run.run_task("start", attempt=1).returncode == 0
    again = run.run_task("start", attempt=0)  # an older attempt never replaces a newer commit
    assert again.returncode == 0 and "already committed attempt 1" in again.stderr
    task = TaskRef("HelloFlow", run.run_id, "start")
    ds = open_datastore(run.datastore)
    assert ds.read_done(task)["attempt"] == 1 and ds.attempts(task) == [1]
    assert run.run_task("start", attempt=2).returncode == 0  # a later attempt commits over it
    assert ds.read_done(task)["attempt"] == 2 and ds.attempts(task) == [1, 2]


def test_failed_later_attempt_keeps_the_commit(flow_run, tmp_path):
    flow = tmp_path / "second_fails.py"
    flow.write_text(
        "from metaflow import FlowSpec, current, step\n\nclass SecondFails(FlowSpec):\n    @step\n"
        "    def start(self):\n        assert current.retry_count == 0, 'only the first attempt works'\n"
        "        self.next(self.end)\n\n    @step\n    def end(self):\n        pass\n")
    run = flow_run(flow)
    assert run.run_task("start", attempt=0).returncode == 0
    assert run.run_task("start", attempt=1).returncode == 1
    task = Run(f"SecondFails/{run.run_id}", run.datastore)["start"]["_"]
    assert task.done["attempt"] == 0 and task.status == "succeeded"
    assert [a.status for a in task.attempts()] == ["succeeded", "failed"]


def test_several_flows_need_flow_option(flow_run, tmp_path):
    flow = tmp_path / "two.py"
    body = ("    @step\n    def start(self):\n        self.next(self.end)\n\n    @step\n    def end(self):\n"
            "        self.who = type(self).__name__\n\n")
    flow.write_text("from metaflow import FlowSpec, step\n\nclass One(FlowSpec):\n" + body + "class Two(FlowSpec):\n" + body)
    run = flow_run(EXAMPLES / "hello.py")
    sha = __import__("hashlib").sha256(flow.read_bytes()).hexdigest()
    base = [sys.executable, "-m", "flowc.runtime", "task", str(flow), "start", "--run-id", "r", "--index", "",
            "--attempt", "0", "--datastore", run.datastore, "--source-sha256", sha, "--inputs", ""]
    proc = subprocess.run(base, capture_output=True, text=True)
    assert proc.returncode == 2 and "--flow" in proc.stderr
    assert subprocess.run(base + ["--flow", "Two"]).returncode == 0
    assert subprocess.run(base[:5] + ["end"] + base[6:-1] + ["start", "--flow", "Two"]).returncode == 0
    assert Run("Two/r", run.datastore)["end"].task.data.who == "Two"


def test_sigterm_fails_the_attempt_and_exits_143(flow_run, tmp_path):
    ready = tmp_path / "ready"
    flow = tmp_path / "sleepy.py"
    flow.write_text(
        "import os, time\nfrom metaflow import FlowSpec, catch, step\n\nclass Sleepy(FlowSpec):\n"
        "    @catch(var='err')\n    @step\n    def start(self):\n"
        "        open(os.environ['FLOWC_TEST_READY'], 'w').close()\n        time.sleep(60)\n"
        "        self.next(self.end)\n\n    @step\n    def end(self):\n        pass\n")
    run = flow_run(flow, env={"FLOWC_TEST_READY": str(ready)})
    proc = subprocess.Popen(run.command("start"), env={**__import__("os").environ, **run.env},
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    proc.terminate()
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 143, stderr
    task = Run(f"Sleepy/{run.run_id}", run.datastore)["start"]["_"]
    assert not task.successful
    assert task.flowc_meta["status"] == "failed" and task.flowc_meta["error"]["type"] == "Terminated"
    assert task.status == "failed"


def test_skip_marker_records_the_reason(flow_run):
    run = flow_run(EXAMPLES / "switch.py")
    assert run.run_task("start").returncode == 0
    assert run.run_task("small").returncode == 3
    marker = open_datastore(run.datastore).read_skipped(TaskRef("SwitchFlow", run.run_id, "small"))
    assert marker.as_json() == {"reason": "switch start chose large", "switch": "start", "chosen": "large"}


def test_clone_task_for_resume(flow_run):
    """Resume: committed tasks of run a are cloned into run b (records copied, blobs shared); the rest
    runs in b and sees the clones as its inputs; current.origin_run_id comes from b's run.json."""
    first = flow_run(EXAMPLES / "foreach.py", run_id="a").run()
    ds = open_datastore(first.datastore)
    record = dict(ds.read_run("ForeachFlow", "a"), run_id="b", origin_run_id="a")
    ds.write_run("ForeachFlow", "b", record)
    blobs_before = sorted(p.name for p in ds_path(first).glob("ForeachFlow/objects/*/*"))
    for step, indexes in (("start", [""]), ("clean", ["0", "1", "2"]), ("score", ["0", "1", "2"])):
        for index in indexes:
            clone = ds.clone_task(TaskRef("ForeachFlow", "a", step, index), "b")
            assert clone["origin"] == {"run_id": "a", "attempt": 0} and clone["run_id"] == "b"
    assert sorted(p.name for p in ds_path(first).glob("ForeachFlow/objects/*/*")) == blobs_before
    second = FlowRun(EXAMPLES / "foreach.py", datastore=first.datastore, run_id="b")
    assert second.run_task("join").returncode == 0 and second.run_task("end").returncode == 0
    run = Run("ForeachFlow/b", first.datastore)
    assert run.data.scores == {"apple": 6, "kiwi": 5, "banana": 7}
    assert run.origin_run_id == "a"
    assert run["clean"]["2"].data.word == "banana" and run["clean"]["2"].stdout == ""
    assert run["start"].task.done.control_value == ["0", "1", "2"]


def test_control_json_at_a_key_a_scheduler_can_compute(flow_run):
    """Step Functions cannot read a task's output: it reads control.json, next to done.json, whose key it
    builds from the run id, the step and the index's segment on disk."""
    run = flow_run(EXAMPLES / "switch_in_foreach.py")
    assert subprocess.run(run.command("start")).returncode == 0  # no --control-out: written all the same
    assert subprocess.run(run.command("classify", index="1")).returncode == 0
    root = ds_path(run) / "SwitchInForeachFlow" / "runs" / run.run_id
    children = json.loads((root / "start" / "_" / "control.json").read_text())
    assert children == [{"index": str(i), "task_id": str(i)} for i in range(4)]
    assert json.loads((root / "classify" / "1" / "control.json").read_text()) == {"step": "halve"}
    (root / "classify" / "1" / "control.json").unlink()  # lost between done.json and control.json: a re-run heals
    assert subprocess.run(run.command("classify", index="1")).returncode == 0
    assert json.loads((root / "classify" / "1" / "control.json").read_text()) == {"step": "halve"}
    assert not (root / "halve").exists()


def test_environment_may_not_set_flowcs_own_variables(flow_run, tmp_path):
    """The compiler refuses @environment(vars={"FLOWC_...": ...}) (FLC303); the task refuses it too, so a
    flow file edited after compiling (or a hand-written task line) cannot make every mapped task one index."""
    import hashlib

    flow = tmp_path / "env_flow.py"
    template = ("from metaflow import FlowSpec, environment, step\n\nclass EnvFlow(FlowSpec):\n"
                "    @environment(vars={{'{name}': '9'}})\n    @step\n    def start(self):\n        self.next(self.end)\n\n"
                "    @step\n    def end(self):\n        pass\n")
    flow.write_text(template.format(name="SAFE_INDEX"))
    run = flow_run(flow)  # compiles the clean version
    flow.write_text(template.format(name="FLOWC_INDEX"))
    outcome = run.run_task("start", source_sha256=hashlib.sha256(flow.read_bytes()).hexdigest())
    assert outcome.returncode == 2
    assert "FLOWC_INDEX" in outcome.stderr and "flowc's own task variables" in outcome.stderr
