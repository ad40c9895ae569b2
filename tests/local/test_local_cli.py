"""`flowc run` as a person sees it: progress lines, parameters, failure reports, retries, timeouts."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess

from flowc.backends.local.progress import Progress
from flowc.runtime import Flow
from local_support import EXAMPLES, FLOWS


def test_plain_progress_lines_when_not_a_terminal(flowc):
    """A real `flowc` process (most tests here run flowc in-process), its output to pipes."""
    result = flowc.ok("run", str(EXAMPLES / "hello.py"), "--run-id", "plain-1", process=True)
    lines = result.stderr.splitlines()
    assert lines[0].startswith("flowc run: HelloFlow/plain-1 (")
    for step in ("start", "shout", "end"):
        assert any(re.fullmatch(rf"\[{step}\] ok \d+\.\d\ds", line) for line in lines), result.stderr
    assert "\r" not in result.stderr and "\x1b" not in result.stderr
    assert "finished: 3 tasks" in lines[-1]
    assert result.stdout == ""
    # what a step prints is shown, prefixed with its task, before the task's own line
    assert lines.index("[end] HELLO WORLD!") == lines.index(next(l for l in lines if l.startswith("[end] ok"))) - 1


def test_foreach_tasks_are_labelled_with_their_index(flowc):
    result = flowc.ok("run", str(EXAMPLES / "foreach.py"))
    for index in range(3):
        assert re.search(rf"^\[score\[{index}\]\] ok ", result.stderr, re.MULTILINE)


def test_default_run_id_is_printed_and_sortable(flowc):
    first = flowc.ok("run", str(EXAMPLES / "hello.py")).stderr
    second = flowc.ok("run", str(EXAMPLES / "hello.py")).stderr
    ids = [re.match(r"flowc run: HelloFlow/(\S+) \(", text).group(1) for text in (first, second)]
    assert ids[0] != ids[1] and sorted(ids) == ids
    assert {run.id for run in Flow("HelloFlow", flowc.datastore).runs()} == set(ids)


def test_live_status_line_on_a_terminal(flowc):
    """Run under a pseudo-terminal, as in an interactive shell: one line redrawn in place."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(flowc.argv("run", str(EXAMPLES / "hello.py")), cwd=flowc.cwd, env=flowc.env,
                            stdin=subprocess.DEVNULL, stdout=follower, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # EIO: the other side closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    screen = b"".join(chunks).decode()
    assert "\r\x1b[K" in screen
    assert "3/3 done" in screen
    assert "[start] ok" not in screen  # no per-task lines on a terminal


def test_progress_status_line_counts():
    out = io.StringIO()
    progress = Progress(out, live=True)
    progress.total = 4
    progress.started(("start", ""))
    progress.ended(("start", ""), "ok", 0.1, ok=True)
    progress.started(("train", "0"))
    progress.started(("train", "1"))
    progress.failed = 1
    line = progress.status_line()
    assert line.startswith("1/4+ done | 2 running | 1 failed")
    assert "train[0]" in line and "train[1]" in line
    progress.total_final = True
    assert progress.status_line().startswith("1/4 done")


def test_unknown_parameter_is_an_error_listing_the_valid_ones(flowc):
    result = flowc("run", str(EXAMPLES / "foreach.py"), "--param", "word=x")
    assert result.returncode == 2
    assert "ForeachFlow has no parameter 'word'; valid parameters: bonus, words" in result.stderr
    assert not (flowc.cwd / ".flowc").exists()


def test_parameter_without_equals_is_a_usage_error(flowc):
    result = flowc("run", str(EXAMPLES / "hello.py"), "--param", "person")
    assert result.returncode == 2
    assert "--param takes NAME=VALUE" in result.stderr


def test_a_parameter_that_does_not_convert_fails_the_start_task(flowc):
    result = flowc("run", str(EXAMPLES / "switch.py"), "--param", "amount=lots")
    assert result.returncode == 1
    assert "task failed: step start" in result.stderr
    assert "amount" in result.stderr
    last = result.stderr.splitlines()[-1]  # resume would keep the bad value: run again with a corrected one
    assert "flowc resume" not in last.replace("`flowc resume` cannot fix", "")
    assert last.endswith(f"run again: flowc run {EXAMPLES / 'switch.py'} --param amount=lots")


def test_a_flow_with_problems_exits_1_with_diagnostics(flowc):
    broken = flowc.cwd / "broken.py"
    broken.write_text("from metaflow import FlowSpec, step\n\n\nclass Broken(FlowSpec):\n"
                      "    @step\n    def start(self):\n        self.next(self.missing)\n\n"
                      "    @step\n    def end(self):\n        pass\n")
    result = flowc("run", str(broken))
    assert result.returncode == 1
    assert "error[FLC" in result.stderr and "missing" in result.stderr
    assert not (flowc.cwd / ".flowc").exists()


def test_an_existing_run_id_is_refused(flowc):
    flowc.ok("run", str(EXAMPLES / "hello.py"), "--run-id", "same")
    result = flowc("run", str(EXAMPLES / "hello.py"), "--run-id", "same")
    assert result.returncode == 2
    assert "HelloFlow/same already exists" in result.stderr


def test_failure_report_names_the_task_shows_the_traceback_and_the_logs(flowc):
    result = flowc("run", str(FLOWS / "failing.py"), "--param", f"marker={flowc.cwd / 'absent'}",
                   "--run-id", "bad", "--max-workers", "1")
    assert result.returncode == 1
    err = result.stderr
    assert "task failed: step middle, index 1, attempt 0: failed (exit 1)" in err
    assert "ValueError: no marker file for item 2" in err
    assert 'line 18, in middle' in err  # the user's frame in the traceback tail
    log = re.search(r"^logs: (\S+stderr\.log)", err, re.MULTILINE).group(1)
    assert log == str(flowc.cwd / ".flowc/FailingFlow/runs/bad/middle/1/attempt-0/stderr.log")
    assert "no marker file" in open(log).read()
    assert "flowc resume bad" in err.splitlines()[-1]
    run = flowc.run("FailingFlow/bad")
    assert "join" not in run  # nothing was scheduled after the failure
    assert run["middle"]["1"].status == "failed"


def test_retry_recovers_a_flaky_step(flowc):
    result = flowc.ok("run", str(FLOWS / "retrying.py"), "--run-id", "flaky")
    assert "[flaky] failed (exit 1)" in result.stderr
    assert "retrying now (attempt 2 of 3)" in result.stderr
    assert "retrying now (attempt 3 of 3)" in result.stderr
    task = flowc.run("RetryingFlow/flaky")["flaky"].task
    assert task.data.succeeded_on == 2
    assert [a.status for a in task.attempts()] == ["failed", "failed", "succeeded"]


def test_timeout_enforced_by_the_runtime(flowc):
    result = flowc("run", str(FLOWS / "timeouts.py"))
    assert result.returncode == 1
    assert "task failed: step slow" in result.stderr
    assert "timed out after 1 seconds" in result.stderr


def test_catch_records_a_timeout_and_the_run_goes_on(flowc):
    flow = FLOWS.parents[1] / "flows" / "timeout_caught.py"  # the flow every target runs
    result = flowc.ok("run", str(flow), "--run-id", "caught")
    assert re.search(r"^\[start\] caught \d", result.stderr, re.MULTILINE), result.stderr  # not "ok"
    assert re.search(r"^\[end\] ok \d", result.stderr, re.MULTILINE)
    end = flowc.run("TimeoutCaughtFlow/caught")["end"].task
    assert end.data.caught_type == "flowc.runtime.errors.StepTimeout"


def test_timeout_backstop_kills_a_task_that_blocks_the_runtime_timer(flowc):
    result = flowc("run", str(FLOWS / "timeouts.py"), "--param", "block_alarm=true")
    assert result.returncode == 1
    assert "failed (killed: still running 6s after it started; @timeout is 1s)" in result.stderr


def test_plan_cache_is_used_only_for_the_same_bytes(flowc):
    flow = flowc.cwd / "hello.py"
    flow.write_text((EXAMPLES / "hello.py").read_text())
    cache = flowc.cwd / "flowc-cache" / "plans"
    flowc.ok("run", str(flow), "--run-id", "one")
    assert len(list(cache.glob("*.json"))) == 1
    flowc.ok("run", str(flow), "--run-id", "two")
    assert len(list(cache.glob("*.json"))) == 1  # same bytes: the cached plan served
    flow.write_text(flow.read_text().replace('"!"', '"?"'))
    flowc.ok("run", str(flow), "--run-id", "three")
    assert len(list(cache.glob("*.json"))) == 2
    assert flowc.run("HelloFlow/three")["end"].task.data.loud == "HELLO WORLD?"


def test_a_damaged_plan_cache_is_ignored(flowc):
    flowc.ok("run", str(EXAMPLES / "hello.py"))
    for cached in (flowc.cwd / "flowc-cache" / "plans").glob("*.json"):
        cached.write_text("{not json")
    assert "finished: 3 tasks" in flowc.ok("run", str(EXAMPLES / "hello.py")).stderr


def test_a_flow_with_problems_is_never_cached(flowc):
    broken = flowc.cwd / "broken.py"
    broken.write_text("from metaflow import FlowSpec, step\n\n\nclass Broken(FlowSpec):\n"
                      "    @step\n    def start(self):\n        self.next(self.end)\n")
    for _ in range(2):
        result = flowc("run", str(broken))
        assert result.returncode == 1 and "error[FLC" in result.stderr
    assert not list((flowc.cwd / "flowc-cache").rglob("*.json"))


def test_flow_option_picks_one_of_several_flows(flowc):
    source = (
        "from flowc.runtime import FlowSpec, step\n\n\n"
        "class FirstFlow(FlowSpec):\n    @step\n    def start(self):\n        self.which = 'first'\n"
        "        self.next(self.end)\n\n    @step\n    def end(self):\n        pass\n\n\n"
        "class SecondFlow(FlowSpec):\n    @step\n    def start(self):\n        self.which = 'second'\n"
        "        self.next(self.end)\n\n    @step\n    def end(self):\n        pass\n")
    (flowc.cwd / "two.py").write_text(source)
    ambiguous = flowc("run", "two.py")
    assert ambiguous.returncode == 1 and "--flow" in ambiguous.stderr
    flowc.ok("run", "two.py", "--flow", "SecondFlow", "--run-id", "x")
    assert flowc.run("SecondFlow/x")["end"].task.data.which == "second"
    assert "FirstFlow" not in [p.name for p in (flowc.cwd / ".flowc").iterdir()]


def test_flowc_datastore_environment_variable_sets_the_default(flowc):
    store = flowc.cwd / "from-env"
    flowc.env["FLOWC_DATASTORE"] = str(store)
    flowc.ok("run", str(EXAMPLES / "hello.py"), "--run-id", "env")
    assert (store / "HelloFlow" / "runs" / "env" / "end" / "_" / "done.json").is_file()
    assert not (flowc.cwd / ".flowc").exists()
    assert flowc.ok("show", "HelloFlow/env", "--artifact", "loud").stdout == "'HELLO WORLD!'\n"


def test_a_bad_datastore_uri_is_a_usage_error(flowc):
    for args in (["run", str(EXAMPLES / "hello.py")], ["resume", "r1"], ["show", "HelloFlow"]):
        result = flowc(*args, "--datastore", "ftp://host/dir")
        assert result.returncode == 2, result.stderr
        assert "bad datastore 'ftp://host/dir'" in result.stderr and "Traceback" not in result.stderr
