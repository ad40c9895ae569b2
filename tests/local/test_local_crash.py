"""`flowc run` killed with SIGKILL, several `flowc run --run-id X` started together (on a local and an S3
datastore), and a datastore whose disk fills up mid-run: the tasks of a dead runner stop, exactly one runner gets
a run id, nothing partial is ever visible, and `flowc resume` finishes what was cut off with the same results as a
clean run."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from flowc.runtime import Run
from flowc.runtime.datastore import open_datastore
from flowc.runtime.storage import S3Storage

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


def start_runner(flowc, run_id: str, datastore: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(flowc.argv("run", str(FOREACH), "--run-id", run_id, "--datastore", str(datastore),
                                       "--max-workers", "2", *extra), cwd=flowc.cwd, env=flowc.env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def end_values(run) -> dict:
    data = run["end"].task.data
    return {"scores": data.scores, "order": data.order}


def assert_nothing_partial(flowc, datastore: str, run_id: str) -> None:
    """Every blob is whole under its name; every commit record is valid, its attempt succeeded, and every value
    it names loads (and verifies); every attempt's record is readable; `flowc show` reads the run. The same
    checks for a local folder and an S3 prefix (through the datastore's own storage listing)."""
    storage = open_datastore(str(datastore)).storage
    for shard in storage.list_dir("ForeachFlow/objects"):
        for name in storage.list_dir(f"ForeachFlow/objects/{shard}"):
            data = storage.read_bytes(f"ForeachFlow/objects/{shard}/{name}")
            assert hashlib.sha256(data).hexdigest() == name, (shard, name)
    run = Run(f"ForeachFlow/{run_id}", str(datastore))
    for step in run.steps():
        for task in step.tasks():
            statuses = [attempt.status for attempt in task.attempts()]  # each meta.json whole or absent
            done = task.done
            if done is None:
                assert task.status != "succeeded", (task, statuses)  # no attempt claims what never committed
                continue
            attempt = task.flowc_attempt
            assert attempt.status == "succeeded" and attempt.artifacts == done.artifacts, task
            for artifact in task.artifacts.values():
                artifact.data
    shown = flowc("show", f"ForeachFlow/{run_id}", "--datastore", str(datastore))
    assert shown.returncode == 0 and "Traceback" not in shown.stderr, shown.stderr


def commits(datastore: str, run_id: str = "cut") -> int:
    """How many tasks of the run have committed (done.json written): one listing, cheap enough to poll."""
    key = f"ForeachFlow/runs/{run_id}/"
    storage = open_datastore(str(datastore)).storage
    if isinstance(storage, S3Storage):
        pages = storage.client.get_paginator("list_objects_v2").paginate(Bucket=storage.bucket,
                                                                         Prefix=f"{storage.prefix}/{key}")
        return sum(entry["Key"].endswith("/done.json") for page in pages for entry in page.get("Contents", []))
    return len(list((storage.root / key).glob("*/*/done.json")))


def kill_at(runner: subprocess.Popen, datastore: str, point: int, rng: random.Random, before: float = 1.5) -> None:
    """Point -1: up to `before` seconds after start (maybe before the run exists); k >= 0: once k tasks of the
    run's 9 have committed, plus up to 20 ms (inside the next tasks' work or commits)."""
    if point < 0:
        time.sleep(rng.uniform(0.0, before))
    else:
        deadline = time.monotonic() + 120
        while commits(datastore) < point and runner.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.02))
    runner.send_signal(signal.SIGKILL)
    runner.wait()


def kill_and_resume_trials(flowc, stores: list[str], seed: int, before: float = 1.5) -> dict:
    """One clean run, then a killed `flowc run` per datastore in `stores` (each empty), each checked and, when cut
    mid-run, resumed; returns the counts: killed before the run had run.json / mid-run / after the end."""
    clean_store = f"{stores[0]}-clean"
    assert start_runner(flowc, "clean", clean_store).wait(timeout=180) == 0
    expected = end_values(Run("ForeachFlow/clean", clean_store))
    rng = random.Random(seed)
    counts = {"before": 0, "mid-run": 0, "finished": 0, "resumed equal": 0}
    for store in stores:
        runner = start_runner(flowc, "cut", store)
        kill_at(runner, store, rng.randint(-1, 7), rng, before)
        assert wait_until_gone(store) == [], "task processes outlived their runner"
        if open_datastore(store).read_run("ForeachFlow", "cut") is None:
            counts["before"] += 1  # killed before its start task recorded run.json: nothing to resume
            refused = flowc("resume", "cut", str(FOREACH), "--run-id", "again", "--datastore", store)
            assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused.stderr
            continue
        assert_nothing_partial(flowc, store, "cut")
        run = Run("ForeachFlow/cut", store)
        if run.successful:
            counts["finished"] += 1
            assert end_values(run) == expected
            continue
        counts["mid-run"] += 1
        resumed = flowc("resume", "cut", str(FOREACH), "--run-id", "again", "--datastore", store)
        assert resumed.returncode == 0, resumed.stderr
        assert_nothing_partial(flowc, store, "again")
        assert end_values(Run("ForeachFlow/again", store)) == expected
        counts["resumed equal"] += 1
    print(f"kill -9 trials on {'s3' if stores[0].startswith('s3://') else 'local'} datastores: {counts}")
    assert counts["mid-run"] >= 1, counts  # the kill points must actually cut runs (how many: machine speed)
    return counts


@pytest.mark.slow
def test_kill_9_at_random_points_then_resume_matches_a_clean_run(flowc):
    """Counts (seed 20261205, 14 trials) are printed: killed before the run had run.json / mid-run / after the end."""
    kill_and_resume_trials(flowc, [str(flowc.cwd / f"store-{trial}") for trial in range(14)], 20261205)


def one_run_id_trials(flowc, stores: list[str], runners: int = 3) -> None:
    """`runners` times `flowc run --run-id same` at once into each datastore of `stores`: one runs and ends as a
    clean run does, the others exit 2 saying the run exists (no traceback) and run no attempt of any task."""
    clean_store = f"{stores[0]}-clean"
    assert start_runner(flowc, "clean", clean_store).wait(timeout=180) == 0
    expected = end_values(Run("ForeachFlow/clean", clean_store))
    for store in stores:
        started = [start_runner(flowc, "same", store) for _ in range(runners)]
        outcomes = [(r.wait(timeout=180), r.stderr.read()) for r in started]
        assert sorted(code for code, _ in outcomes) == [0] + [2] * (runners - 1), outcomes
        for code, err in outcomes:
            assert "Traceback" not in err, err
            assert code == 0 or "already exists" in err, err
        assert_nothing_partial(flowc, store, "same")
        run = Run("ForeachFlow/same", store)
        for step in run.steps():
            for task in step.tasks():
                assert [a.number for a in task.attempts()] == [0], task  # nobody else ran an attempt
        assert end_values(run) == expected


@pytest.mark.slow
def test_concurrent_runs_with_one_run_id_one_wins(flowc):
    """Three `flowc run --run-id same` at once, three times."""
    one_run_id_trials(flowc, [str(flowc.cwd / f"store-{trial}") for trial in range(3)])


def test_kill_9_on_s3_then_resume_matches_a_clean_run(s3_flowc):
    """The kill trials on an s3:// datastore (seed 20261206, 5 trials: S3 runs are slower); counts printed."""
    stores = [f"{s3_flowc.store}/store-{trial}" for trial in range(5)]
    kill_and_resume_trials(s3_flowc, stores, 20261206, before=3.0)


def test_concurrent_runs_with_one_run_id_on_s3_one_wins(s3_flowc):
    """Three `flowc run --run-id same` at once on S3, twice: the conditional put lets one in."""
    one_run_id_trials(s3_flowc, [f"{s3_flowc.store}/store-{trial}" for trial in range(2)])


@pytest.fixture
def small_filesystem(tmp_path):
    """A fresh 1 MiB tmpfs (needs the right to mount, as root has; skipped elsewhere)."""
    root = tmp_path / "small"
    root.mkdir()
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(root)],
                                 capture_output=True, text=True)
    except OSError as error:  # no mount command
        pytest.skip(f"cannot mount a small tmpfs here: {error}")
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        yield root
    finally:
        subprocess.run(["umount", str(root)], check=True)


def fill(root: Path, leave_kib: int) -> Path:
    """A filler file that leaves `leave_kib` KiB of the filesystem free (tmpfs counts whole 4 KiB pages)."""
    for stale in root.iterdir():
        if stale.is_dir():
            shutil.rmtree(stale)
        else:
            stale.unlink()
    free = os.statvfs(root)
    filler = root / "filler"
    filler.write_bytes(bytes(free.f_bavail * free.f_frsize - leave_kib * 1024))
    return filler


@pytest.mark.slow
def test_disk_full_mid_run_then_resume_matches_a_clean_run(flowc, small_filesystem):
    """The datastore's filesystem fills up at every point of a run (a full run takes ~200 KiB; 15 trials from
    0 KiB free up): the run fails with a message naming the datastore file and the space problem, no traceback;
    nothing partial is visible; after freeing the space, `flowc resume` (or, for a run stopped before run.json,
    which resume refuses, a new run) ends as a clean run. Counts printed."""
    clean_store = str(flowc.cwd / "clean")
    assert start_runner(flowc, "clean", clean_store).wait(timeout=180) == 0
    expected = end_values(Run("ForeachFlow/clean", clean_store))
    store = str(small_filesystem / "ds")
    counts = {"refused at start": 0, "failed before run.json": 0, "failed mid-run": 0, "finished": 0, "again equal": 0}
    for leave in (0, 4, 8, 16, 28, 40, 56, 72, 88, 104, 120, 140, 160, 180, 240):
        filler = fill(small_filesystem, leave)
        runner = start_runner(flowc, "cut", store)
        code, err = runner.wait(timeout=180), runner.stderr.read()
        assert "Traceback" not in err, err
        if code == 0:
            counts["finished"] += 1
            assert end_values(Run("ForeachFlow/cut", store)) == expected
            continue
        assert code in (1, 2) and "No space left on device" in err and f"cannot write {store}/" in err, (leave, err)
        filler.unlink()
        if code == 2:  # the run could not even be claimed: its id stays free
            counts["refused at start"] += 1
            assert err.startswith(f"flowc: error: datastore {store}: cannot write"), err
            again = start_runner(flowc, "cut", store)
            assert again.wait(timeout=180) == 0, again.stderr.read()
            assert end_values(Run("ForeachFlow/cut", store)) == expected
            continue
        if open_datastore(store).read_run("ForeachFlow", "cut") is None:  # start did not get to record run.json
            counts["failed before run.json"] += 1
            assert "nothing to resume. Run it again: flowc run" in err, err
            refused = flowc("resume", "cut", str(FOREACH), "--run-id", "again", "--datastore", store)
            assert refused.returncode == 2 and "start it again with `flowc run`" in refused.stderr, refused.stderr
            again = start_runner(flowc, "again", store)
            assert again.wait(timeout=180) == 0, again.stderr.read()
        else:
            counts["failed mid-run"] += 1
            assert "continue with: flowc resume cut" in err, err
            assert_nothing_partial(flowc, store, "cut")
            resumed = flowc("resume", "cut", str(FOREACH), "--run-id", "again", "--datastore", store)
            assert resumed.returncode == 0, resumed.stderr
            assert_nothing_partial(flowc, store, "again")
        assert end_values(Run("ForeachFlow/again", store)) == expected
        counts["again equal"] += 1
    print(f"disk-full trials: {counts}")
    assert counts["failed mid-run"] >= 5 and counts["finished"] >= 1, counts
