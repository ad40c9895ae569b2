"""Hardening of the runtime: one rule for run ids and flow names, blobs verified on load, logs that cannot be
written (a full disk) neither fail a committed task nor hide the datastore's error, one process per attempt."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from support.cli import flowc_in_process

from flowc.runtime import Run, holders, layout
from flowc.runtime.datastore import TaskRef, open_datastore
from flowc.runtime.records import DamagedRecord

from runtime_driver import EXAMPLES, FLOWS

IDS = ["r1", "manual__2026-01-01T00:00:00+00:00", "a.b-c_d~e=f@g", "0" * 250, "_x",
       ".hidden", "..", ".", "-x", "~x", "a/b", "a\\b", "a\x7fb", "a\nb", "r1\n", "a b", "é", "", "0" * 251]


@pytest.mark.parametrize("run_id", IDS)
def test_one_rule_for_run_ids_in_the_task_command_show_the_client_and_flowc_run(flow_run, tmp_path, run_id):
    accepted = layout.valid_run_id(run_id)
    assert accepted == (run_id in IDS[:5])
    run = flow_run(EXAMPLES / "hello.py", run_id=run_id)
    outcome = run.run_task("start")
    assert outcome.returncode == (0 if accepted else 2), outcome.stderr
    datastore = run.datastore.removeprefix("file://")
    if accepted:  # what the task command accepted, flowc show and the client see
        assert run_id in open_datastore(datastore).runs("HelloFlow")
        shown = flowc_in_process(["show", "HelloFlow", "--json", "--datastore", datastore], tmp_path)
        assert run_id in shown.stdout
        assert Run(f"HelloFlow/{run_id}", datastore)["start"].task.successful
    else:
        assert "bad run id" in outcome.stderr
        with pytest.raises(ValueError):
            Run(f"HelloFlow/{run_id}", datastore)
    if "/" not in run_id and run_id:  # ("HelloFlow/" is the flow itself)
        shown = flowc_in_process(["show", f"HelloFlow/{run_id}", "--datastore", datastore], tmp_path)
        assert shown.returncode == (0 if accepted else 2), shown.stderr
    ran = flowc_in_process(["run", str(EXAMPLES / "hello.py"), "--run-id", run_id, "--datastore",
                            str(tmp_path / "other")], tmp_path)
    assert ran.returncode == (0 if accepted else 2), ran.stderr


@pytest.mark.parametrize("target", ["..", "../..", "HelloFlow/..", "..//", ".hidden", "HelloFlow/r/..", "a-b"])
def test_show_never_leaves_the_datastore(tmp_path, target):
    inside = tmp_path / "inside"
    (tmp_path / "runs").mkdir()  # what `flowc show ..` would list: tmp_path/runs
    (tmp_path / "runs" / "escaped").mkdir()
    result = flowc_in_process(["show", target, "--datastore", str(inside)], tmp_path)
    assert result.returncode == 2, result
    assert "escaped" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_a_large_blob_is_verified_while_it_loads(tmp_path):
    store = open_datastore(str(tmp_path))
    value = os.urandom(3 << 20) * 8  # 24 MiB: streamed, hashed in chunks
    sha, _ = store.save_value("F", value)
    assert store.load_value("F", sha) == value
    blob = tmp_path / layout.object_key("F", sha)
    with open(blob, "r+b") as handle:  # one flipped byte in the middle of the payload
        handle.seek(12 << 20)
        byte = handle.read(1)
        handle.seek(12 << 20)
        handle.write(bytes([byte[0] ^ 1]))
    with pytest.raises(DamagedRecord, match="hash to sha256 .* not to its name"):
        store.load_value("F", sha)


def test_a_small_blob_is_verified_before_it_is_unpickled(tmp_path):
    store = open_datastore(str(tmp_path))
    sha, _ = store.save_value("F", {"x": 1})
    marker = tmp_path / "ran"
    evil = pickle.dumps(Evil(str(marker)), protocol=5)
    (tmp_path / layout.object_key("F", sha)).write_bytes(evil)
    with pytest.raises(DamagedRecord):
        store.load_value("F", sha)
    assert not marker.exists()  # the replaced pickle never ran


class Evil:
    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def full_disk_logs(run, step: str) -> None:
    """Every write to the step's logs fails with ENOSPC, as on a full disk (/dev/full)."""
    folder = Path(run.datastore.removeprefix("file://")) / layout.attempt_key("HelloFlow", run.run_id, step, "", 0)
    folder.mkdir(parents=True)
    for stream in ("stdout", "stderr"):
        (folder / f"{stream}.log").symlink_to("/dev/full")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_under_the_logs_does_not_fail_a_task_that_committed(flow_run):
    run = flow_run(EXAMPLES / "hello.py")
    assert run.run_task("start").returncode == 0
    assert run.run_task("shout").returncode == 0
    full_disk_logs(run, "end")
    outcome = run.run_task("end")  # prints HELLO WORLD!
    assert outcome.returncode == 0, outcome.stderr
    assert "Traceback" not in outcome.stderr
    assert "could not be written (No space left on device)" in outcome.stderr
    assert "HELLO WORLD!" in outcome.stdout  # the output still reached the real stream
    assert open_datastore(run.datastore).read_done(TaskRef("HelloFlow", run.run_id, "end")) is not None


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_under_the_logs_does_not_hide_the_datastores_error(flow_run):
    run = flow_run(EXAMPLES / "hello.py")
    root = Path(run.datastore.removeprefix("file://"))
    assert run.run_task("start").returncode == 0
    sha = hashlib.sha256(pickle.dumps("HELLO WORLD!", protocol=5)).hexdigest()
    (root / "HelloFlow" / "objects" / sha[:2]).write_text("not a directory")  # the new blob cannot be stored
    full_disk_logs(run, "shout")
    outcome = run.run_task("shout")
    assert outcome.returncode == 1, outcome.stderr
    assert "Traceback" not in outcome.stderr
    assert f"flowc: cannot write {root / 'HelloFlow' / 'objects' / sha[:2]}" in outcome.stderr
    assert open_datastore(run.datastore).read_done(TaskRef("HelloFlow", run.run_id, "shout")) is None


def test_a_second_runner_of_the_same_attempt_exits_2(flow_run, tmp_path):
    ready = tmp_path / "ready"
    run = flow_run(FLOWS / "kill_flow.py", env={"FLOWC_TEST_READY": str(ready)})
    assert run.run_task("start").returncode == 0
    first = subprocess.Popen(run.command("write"), env={**os.environ, **run.env}, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert first.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    try:
        second = run.run_task("write")
    finally:
        first.kill()
        first.wait()
    assert second.returncode == 2, second.stderr
    assert f"attempt 0 of KillFlow/{run.run_id}/write/_ is taken by another process (host" in second.stderr
    assert "it is still running" in second.stderr
    # The first runner was killed (SIGKILL: its meta.json still says "running"): on this machine that is
    # provable, so a scheduler re-running the same attempt number takes the claim over and commits.
    task = TaskRef("KillFlow", run.run_id, "write")
    meta = open_datastore(run.datastore).read_meta(task, 0)
    assert meta.pid == first.pid  # the second runner wrote nothing into the first one's attempt
    assert meta.status == "running"
    third = run.run_task("write")
    assert third.returncode == 0, third.stderr
    assert open_datastore(run.datastore).read_done(task).attempt == 0


def test_a_failed_attempt_runs_again_once_however_many_try(tmp_path):
    store = open_datastore(str(tmp_path))
    task = TaskRef("F", "r", "start")
    assert store.take_attempt(task, 0).holder is None
    assert store.take_attempt(task, 0).holder is not None  # this process holds it, and it runs
    store.write_meta(task, 0, {"status": "failed", "started_at": "2026-01-01T00:00:00.000+00:00"})
    with ThreadPoolExecutor(8) as pool:
        claims = list(pool.map(lambda _: store.take_attempt(task, 0), range(8)))
    assert [c.holder for c in claims].count(None) == 1


def claim_file(store_root: Path, task: TaskRef, holder: dict) -> None:
    path = store_root / task.attempt_key(0) / ".claim"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(holder))


def test_a_claim_whose_holder_died_on_this_machine_is_taken_over_once(tmp_path):
    exited = subprocess.run([sys.executable, "-c", "import json; from flowc.runtime import holders; "
                             "print(json.dumps(holders.this_process()))"], capture_output=True, text=True, check=True)
    dead = json.loads(exited.stdout)
    reused = dict(holders.this_process(), started="1")  # a live pid, but another process than the claim's
    for name, holder in {"exited": dead, "reused": reused}.items():
        store, task = open_datastore(str(tmp_path / name)), TaskRef("F", "r", "start")
        claim_file(tmp_path / name, task, holder)
        assert holders.state(holder) == holders.DEAD
        with ThreadPoolExecutor(8) as pool:
            claims = list(pool.map(lambda _: store.take_attempt(task, 0), range(8)))
        assert [c.holder for c in claims].count(None) == 1, claims
        assert all("still running" in c.holder for c in claims if c.holder is not None)


def test_a_dead_holders_claim_is_taken_over_once_on_s3(s3_datastore):
    """The same chain through conditional puts: eight re-runs of a killed attempt, exactly one runs it."""
    exited = subprocess.run([sys.executable, "-c", "import json; from flowc.runtime import holders; "
                             "print(json.dumps(holders.this_process()))"], capture_output=True, text=True, check=True)
    store, task = open_datastore(s3_datastore), TaskRef("F", "r", "start")
    assert store.storage.create_exclusive(f"{task.attempt_key(0)}/.claim", exited.stdout.encode())
    with ThreadPoolExecutor(8) as pool:
        claims = list(pool.map(lambda _: store.take_attempt(task, 0), range(8)))
    assert [c.holder for c in claims].count(None) == 1, claims


def test_a_claim_held_on_another_machine_stands_and_says_what_to_do(flow_run, tmp_path):
    run = flow_run(EXAMPLES / "hello.py")
    assert run.run_task("start").returncode == 0
    task = TaskRef("HelloFlow", run.run_id, "shout")
    elsewhere = dict(holders.this_process(), host="node-7", boot_id="another-boot", pid=4242)
    assert holders.state(elsewhere) == holders.UNKNOWN
    claim_file(Path(run.datastore.removeprefix("file://")), task, elsewhere)
    outcome = run.run_task("shout")
    assert outcome.returncode == 2 and "Traceback" not in outcome.stderr, outcome.stderr
    assert "(host node-7, pid 4242, claimed at " in outcome.stderr
    assert "cannot check whether it still runs" in outcome.stderr and "--attempt auto" in outcome.stderr
    auto = run.run_task("shout", attempt="auto")
    assert auto.returncode == 0, auto.stderr
    assert open_datastore(run.datastore).read_done(task).attempt == 1
