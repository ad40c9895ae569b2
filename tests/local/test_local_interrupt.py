"""Stopping `flowc run` with Ctrl-C (SIGINT), SIGTERM or SIGHUP: exit 130/143/129, no process left behind, nothing
half-done committed, and `flowc resume` finishes the run."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from local_support import FLOWS


def wait_for(path: Path, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"flowc run ended early ({proc.returncode}):\n{proc.stderr.read()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"{path} never appeared")
        time.sleep(0.05)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it has exited, which is what matters here.
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_interrupt_stops_every_task_process_and_resume_completes(flowc, sig, code):
    work = flowc.cwd / "work"
    work.mkdir()
    proc = subprocess.Popen(
        flowc.argv("run", str(FLOWS / "sleepy.py"), "--param", f"workdir={work}", "--run-id", "first"),
        cwd=flowc.cwd, env=flowc.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    wait_for(work / "pids", proc)
    task_pid, grandchild_pid = map(int, (work / "pids").read_text().split())
    assert alive(task_pid) and alive(grandchild_pid)

    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)

    assert proc.returncode == code, err
    assert "stopping 1 running task(s)" in err
    assert "flowc resume first" in err
    assert not alive(task_pid)
    assert not alive(grandchild_pid)  # the step's own child went with its process group
    run = flowc.run("SleepyFlow/first")
    assert run["start"].task.successful
    nap = run["nap"].task
    assert nap.done is None  # interrupted: never committed
    assert nap.status == "failed" and nap.exception.type == "Terminated"
    assert run.status == "failed"
    assert "end" not in run

    (work / "release").touch()
    result = flowc.ok("resume", "first", str(FLOWS / "sleepy.py"), "--run-id", "second")
    assert "[start] reused" in result.stderr
    resumed = flowc.run("SleepyFlow/second")
    assert resumed.successful
    assert resumed["end"].task.data.after == "started and napped"
    assert resumed.origin_run_id == "first"
