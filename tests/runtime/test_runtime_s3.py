"""The same flows against an S3-compatible server over HTTP (moto's server, started by the tests)."""

from __future__ import annotations

import hashlib
import os

import boto3
import pytest

from flowc.runtime import Flow, Run
from flowc.runtime.datastore import TaskRef, open_datastore
from flowc.runtime.errors import DatastoreError

from runtime_driver import EXAMPLES, FLOWS

pytestmark = pytest.mark.slow


def test_nested_foreach_on_s3(flow_run, s3_datastore):
    run = flow_run(EXAMPLES / "nested_foreach.py", datastore=s3_datastore).run()
    end = Run(f"NestedForeachFlow/{run.run_id}", s3_datastore)["end"].task.data
    assert len(end.cells) == 12 and end.cells[0] == 111 and end.cells[-1] == 2 + 20 + 300
    assert end.stacks[5] == [0, 1, 2]


def test_switch_in_foreach_and_merge_on_s3(flow_run, s3_datastore):
    run = flow_run(EXAMPLES / "switch_in_foreach.py", datastore=s3_datastore).run()
    assert Run(f"SwitchInForeachFlow/{run.run_id}", s3_datastore).data.pairs == [(3, 10), (8, 4), (5, 16), (12, 6)]
    run = flow_run(FLOWS / "merge_flow.py", datastore=s3_datastore).run()
    assert Flow("MergeFlow", s3_datastore).latest_run["end"].task.data.seen == ["only_a", "same", "x"]


def test_s3_layout_logs_retries_and_skips(flow_run, s3_datastore):
    run = flow_run(FLOWS / "decorators_flow.py", datastore=s3_datastore).run()
    flaky = Run(f"DecoratedFlow/{run.run_id}", s3_datastore)["flaky"].task
    assert [a.status for a in flaky.attempts()] == ["failed", "succeeded"]
    assert "flaky attempt 1" in flaky.stdout and "first attempt fails" in flaky.attempts()[0].stderr
    bucket, prefix = s3_datastore[5:].split("/", 1)
    keys = {o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]}
    base = f"{prefix}/DecoratedFlow/runs/{run.run_id}"
    for name in ("run.json", "flaky/_/done.json", "flaky/_/attempt-0/meta.json", "flaky/_/attempt-0/artifacts.json",
                 "flaky/_/attempt-1/artifacts.json",
                 "flaky/_/attempt-1/stdout.log", "flaky/_/attempt-1/stderr.log"):
        assert f"{base}/{name}" in keys
    switch = flow_run(EXAMPLES / "switch.py", datastore=s3_datastore)
    assert switch.run_task("start").returncode == 0
    skipped = switch.run_task("small")
    assert (skipped.returncode, skipped.stderr.strip()) == (3, "skipped: switch start chose large")


def test_large_value_round_trip_on_s3(s3_datastore):
    ds = open_datastore(s3_datastore)
    value = os.urandom(1 << 20) * 40  # multipart upload and ranged download
    sha, size = ds.save_value("Big", value)
    assert ds.save_value("Big", value) == (sha, size)  # present: not uploaded again
    assert ds.load_value("Big", sha) == value
    bucket, prefix = s3_datastore[5:].split("/", 1)
    body = boto3.client("s3").get_object(Bucket=bucket, Key=f"{prefix}/Big/objects/{sha[:2]}/{sha}")["Body"].read()
    assert hashlib.sha256(body).hexdigest() == sha


def test_s3_missing_bucket_is_a_clear_error(flow_run, s3_server, monkeypatch):
    for name, value in s3_server.items():
        monkeypatch.setenv(name, value)
    run = flow_run(EXAMPLES / "hello.py", datastore="s3://no-such-bucket-flowc/x")
    outcome = run.run_task("start")
    assert outcome.returncode == 1
    assert "flowc: cannot" in outcome.stderr and "NoSuchBucket" in outcome.stderr
    assert "Traceback" not in outcome.stderr
    with pytest.raises(DatastoreError, match="NoSuchBucket"):
        open_datastore("s3://no-such-bucket-flowc/x").read_done(TaskRef("HelloFlow", "run-1", "start"))
