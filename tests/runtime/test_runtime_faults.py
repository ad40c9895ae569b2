"""Faults: a task killed mid-write, concurrent writers of one blob, a datastore that refuses writes."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
import signal
import subprocess
import time
from pathlib import Path

import pytest

from flowc.runtime import Run
from flowc.runtime.datastore import TaskRef, open_datastore

from runtime_driver import EXAMPLES, FLOWS


def objects(root: Path):
    return [p for p in root.glob("*/objects/**/*") if p.is_file()]


def assert_blobs_whole(root: Path):
    for blob in objects(root):
        if not blob.name.startswith("."):
            assert hashlib.sha256(blob.read_bytes()).hexdigest() == blob.name, blob


def test_sigkill_mid_write_leaves_nothing_partial_and_retry_commits(flow_run, tmp_path):
    ready = tmp_path / "ready"
    run = flow_run(FLOWS / "kill_flow.py", env={"FLOWC_TEST_READY": str(ready)})
    root = Path(run.datastore.removeprefix("file://"))
    assert run.run_task("start").returncode == 0
    proc = subprocess.Popen(run.command("write"), env={**os.environ, **run.env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert proc.poll() is None and time.monotonic() < deadline, "the task never reached the blocking write"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    task = TaskRef("KillFlow", run.run_id, "write")
    ds = open_datastore(run.datastore)
    assert ds.read_done(task) is None
    assert ds.read_artifacts(task, 0) is None
    assert_blobs_whole(root)
    assert any(p.name.startswith(".tmp-") for p in objects(root))  # the partial write, never under a final name
    assert run.run_task("write", attempt=1).returncode == 0
    assert run.run_task("end").returncode == 0
    assert ds.read_done(task)["attempt"] == 1
    assert Run(f"KillFlow/{run.run_id}", run.datastore)["end"].task.data.size == 24 << 20
    assert_blobs_whole(root)


def _save(args):
    uri, seed = args
    ds = open_datastore(uri)
    value = hashlib.sha256(seed).digest() * (1 << 19)  # 16 MiB: the spill path
    small = {"seed": seed}
    return ds.save_value("Same", value), ds.save_value("Same", small)


def test_concurrent_writers_of_the_same_blob(tmp_path):
    uri = str(tmp_path / "ds")
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        results = pool.map(_save, [(uri, b"one")] * 8)
    assert len(set(results)) == 1
    (big_sha, big_size), (small_sha, _) = results[0]
    ds = open_datastore(uri)
    assert ds.load_value("Same", big_sha) == hashlib.sha256(b"one").digest() * (1 << 19)
    assert ds.load_value("Same", small_sha) == {"seed": b"one"}
    files = objects(tmp_path / "ds")
    assert sorted(p.name for p in files) == sorted([big_sha, small_sha])  # stored once, no temporary files left
    assert_blobs_whole(tmp_path / "ds")


def test_concurrent_tasks_share_blobs(flow_run):
    run = flow_run(EXAMPLES / "switch_in_foreach.py")
    assert run.run_task("start").returncode == 0
    procs = [subprocess.Popen(run.command("classify", str(i)), stderr=subprocess.PIPE) for i in range(4)]
    assert [p.wait() for p in procs] == [0, 0, 0, 0]
    assert_blobs_whole(Path(run.datastore.removeprefix("file://")))


@pytest.mark.parametrize("blocked", ["objects", "runs"])
def test_failing_writes_give_a_clear_error_and_commit_nothing(flow_run, blocked):
    """Writes are refused by read-only permissions; as root (who ignores them) by a file standing
    where the datastore needs a directory."""
    run = flow_run(EXAMPLES / "hello.py")
    root = Path(run.datastore.removeprefix("file://"))
    assert run.run_task("start").returncode == 0
    as_root = os.geteuid() == 0
    if blocked == "objects":
        target = root / "HelloFlow" / "objects"
        if as_root:  # the folder of the one new blob, the pickle of "HELLO WORLD!"
            sha = hashlib.sha256(pickle.dumps("HELLO WORLD!", protocol=5)).hexdigest()
            (target / sha[:2]).write_text("not a directory")
    else:
        target = root / "HelloFlow" / "runs" / run.run_id
        if as_root:
            (target / "shout").write_text("not a directory")
    if not as_root:
        target.chmod(0o555)
    try:
        outcome = run.run_task("shout")
    finally:
        target.chmod(0o755)
    assert outcome.returncode == 1
    assert "flowc: cannot write" in outcome.stderr
    assert "Traceback" not in outcome.stderr
    ds = open_datastore(run.datastore)
    task = TaskRef("HelloFlow", run.run_id, "shout")
    if blocked == "objects":
        assert ds.read_done(task) is None
        assert ds.read_meta(task, 0)["status"] == "failed"
        assert not [p for p in objects(root) if p.name.startswith(".tmp-")]


def test_a_write_failing_after_the_commit_keeps_the_attempt_succeeded(flow_run):
    """control.json is written after done.json: when that write fails, the task exits 1 (so a scheduler retries and
    the retry writes it), but its attempt stays "succeeded", as its commit says."""
    run = flow_run(EXAMPLES / "foreach.py")
    root = Path(run.datastore.removeprefix("file://"))
    blocker = root / "ForeachFlow" / "runs" / run.run_id / "start" / "_" / "control.json"
    blocker.mkdir(parents=True)
    (blocker / "in-the-way").touch()  # a folder that is not empty: os.replace cannot put a file there
    outcome = run.run_task("start")
    assert outcome.returncode == 1 and "cannot write" in outcome.stderr and "control.json" in outcome.stderr
    assert "Traceback" not in outcome.stderr
    ds = open_datastore(run.datastore)
    task = TaskRef("ForeachFlow", run.run_id, "start")
    assert ds.read_done(task).attempt == 0
    assert ds.read_meta(task, 0)["status"] == "succeeded"
    (blocker / "in-the-way").unlink()
    blocker.rmdir()
    again = run.run_task("start")  # the task run again: finds the commit, writes control.json
    assert again.returncode == 0 and "already committed attempt 0" in again.stderr
    assert ds.read_done(task).attempt == 0
    assert ds.read_control(task) == [{"index": str(i), "task_id": str(i)} for i in range(3)]
