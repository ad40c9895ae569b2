"""`flowc run` killed with SIGKILL, and several `flowc run --run-id X` started together: the tasks of a dead runner
stop, exactly one runner gets a run id, nothing partial is ever visible, and `flowc resume` finishes what was cut off
with the same results as a clean run."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from flowc.runtime import Run
from flowc.runtime.datastore import open_datastore

from local_support import EXAMPLES, FLOWS

FOREACH = EXAMPLES / "foreach.py"


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line contains `text` (forked tasks keep their runner's command line)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if text.encode() in handle.read() and alive(int(entry)):
                        found.append(int(entry))
            except OSError:
                pass
    return found


def wait_until_gone(text: str, seconds: float = 20) -> list[int]:
    deadline = time.monotonic() + seconds
    while processes_mentioning(text) and time.monotonic() < deadline:
        time.sleep(0.05)
    return processes_mentioning(text)


@pytest.mark.parametrize("mode", ["fork", "exec"])
def test_tasks_stop_when_flowc_run_is_killed(flowc, mode):
    work = flowc.cwd / "work"
    work.mkdir()
    env = dict(flowc.env, FLOWC_RUN_EXEC="1" if mode == "exec" else "")
    runner = subprocess.Popen(flowc.argv("run", str(FLOWS / "sleepy.py"), "--param", f"workdir={work}",
                                         "--run-id", "killed"), cwd=flowc.cwd, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (work / "pids").exists():
        assert runner.poll() is None and time.monotonic() < deadline, runner.stderr.read()
        time.sleep(0.05)
    task_pid, grandchild_pid = map(int, (work / "pids").read_text().split())
    runner.send_signal(signal.SIGKILL)
    runner.wait()
    (work / "release").touch()  # a task still running would now commit
    try:
        deadline = time.monotonic() + 20
        while alive(task_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(task_pid), "the task outlived its runner"
        if mode == "fork":  # the forked task also takes down what its step started
            deadline = time.monotonic() + 20  # a loaded machine may take a while to deliver and handle it
            while alive(grandchild_pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not alive(grandchild_pid), "the step's own child outlived its task"
    finally:
        if alive(grandchild_pid):
            os.kill(grandchild_pid, signal.SIGKILL)
    nap = flowc.run("SleepyFlow/killed")["nap"].task
    assert nap.done is None  # never committed
    assert nap.status == "failed" and nap.exception.type == "Terminated"


def test_claiming_a_run_is_atomic(tmp_path):
    store = open_datastore(str(tmp_path))
    with ThreadPoolExecutor(16) as pool:
        claims = list(pool.map(lambda _: store.claim_run("F", "r"), range(16)))
    assert claims.count(True) == 1


@pytest.mark.slow
def test_claiming_a_run_is_atomic_on_s3(tmp_path, monkeypatch):
    from support.s3 import local_s3_server

    with local_s3_server() as env:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        import boto3

        boto3.client("s3").create_bucket(Bucket="claims")
        store = open_datastore("s3://claims/prefix")
        with ThreadPoolExecutor(8) as pool:
            claims = list(pool.map(lambda _: store.claim_run("F", "r"), range(8)))
        assert claims.count(True) == 1


def start_runner(flowc, run_id: str, datastore: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(flowc.argv("run", str(FOREACH), "--run-id", run_id, "--datastore", str(datastore),
                                       "--max-workers", "2", *extra), cwd=flowc.cwd, env=flowc.env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def end_values(run) -> dict:
    data = run["end"].task.data
    return {"scores": data.scores, "order": data.order}


def assert_nothing_partial(datastore: Path, run_id: str) -> None:
    """Every blob is whole under its name; every commit record is valid, its attempt succeeded, and every value
    it names loads (and verifies); nothing but a task's attempts exists where nothing committed."""
    for blob in (datastore / "ForeachFlow" / "objects").glob("*/*"):
        if not blob.name.startswith("."):
            assert hashlib.sha256(blob.read_bytes()).hexdigest() == blob.name, blob
    run = Run(f"ForeachFlow/{run_id}", str(datastore))
    for step in run.steps():
        for task in step.tasks():
            done = task.done
            if done is None:
                continue
            attempt = task.current_attempt
            assert attempt.status == "succeeded" and attempt.artifacts == done.artifacts, task
            for artifact in task.artifacts.values():
                artifact.data


def commits(store: Path) -> int:
    return len(list((store / "ForeachFlow" / "runs" / "cut").glob("*/*/done.json")))


def kill_at(runner: subprocess.Popen, store: Path, point: int, rng: random.Random) -> None:
    """Point -1: some time after start (maybe before the run exists); k >= 0: once k tasks of the run's 9 have
    committed, plus up to 20 ms (inside the next tasks' work or commits)."""
    if point < 0:
        time.sleep(rng.uniform(0.0, 1.5))
    else:
        deadline = time.monotonic() + 120
        while commits(store) < point and runner.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.02))
    runner.send_signal(signal.SIGKILL)
    runner.wait()


@pytest.mark.slow
def test_kill_9_at_random_points_then_resume_matches_a_clean_run(flowc):
    """Counts (seed 20261205, 14 trials) are printed: killed before the run had a task / mid-run / after the end."""
    clean_store = flowc.cwd / "clean"
    assert start_runner(flowc, "clean", clean_store).wait(timeout=180) == 0
    expected = end_values(Run("ForeachFlow/clean", str(clean_store)))
    rng = random.Random(20261205)
    counts = {"before": 0, "mid-run": 0, "finished": 0}
    for trial in range(14):
        store = flowc.cwd / f"store-{trial}"
        runner = start_runner(flowc, "cut", store)
        kill_at(runner, store, rng.randint(-1, 7), rng)
        assert wait_until_gone(str(store)) == [], "task processes outlived their runner"
        if not (store / "ForeachFlow" / "runs" / "cut").exists() or not Run("ForeachFlow/cut", str(store)).steps():
            counts["before"] += 1  # killed before its first task started
            continue
        assert_nothing_partial(store, "cut")
        run = Run("ForeachFlow/cut", str(store))
        if run.successful:
            counts["finished"] += 1
            assert end_values(run) == expected
            continue
        counts["mid-run"] += 1
        resumed = flowc("resume", "cut", str(FOREACH), "--run-id", "again", "--datastore", str(store))
        assert resumed.returncode == 0, resumed.stderr
        assert_nothing_partial(store, "again")
        assert end_values(Run("ForeachFlow/again", str(store))) == expected
    print(f"kill -9 trials: {counts}")
    assert counts["mid-run"] >= 1, counts  # the kill points must actually cut runs (how many: machine speed)


@pytest.mark.slow
def test_concurrent_runs_with_one_run_id_one_wins(flowc):
    """Three `flowc run --run-id same` at once, three times: one runs, the others exit 2 and write nothing."""
    expected = None
    for trial in range(3):
        store = flowc.cwd / f"store-{trial}"
        runners = [start_runner(flowc, "same", store) for _ in range(3)]
        outcomes = [(r.wait(timeout=180), r.stderr.read()) for r in runners]
        codes = sorted(code for code, _ in outcomes)
        assert codes == [0, 2, 2], outcomes
        assert all("already exists" in err for code, err in outcomes if code == 2)
        assert_nothing_partial(store, "same")
        run = Run("ForeachFlow/same", str(store))
        for step in run.steps():
            for task in step.tasks():
                assert [a.number for a in task.attempts()] == [0], task  # nobody else ran an attempt
        values = end_values(run)
        expected = expected or values
        assert values == expected
