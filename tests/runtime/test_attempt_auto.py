"""`--attempt auto`: the runtime allocates attempt numbers itself (for schedulers that count no retries, like
Kubeflow Pipelines): atomically, locally (O_EXCL) and on S3 (a conditional put), and never over a commit."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from support.s3 import local_s3_server

from flowc.runtime.datastore import TaskRef, open_datastore

TASK = TaskRef("F", "run-1", "start", "")


def claims_race(uri: str, count: int = 16) -> list[int]:
    datastore = open_datastore(uri)
    with ThreadPoolExecutor(max_workers=count) as pool:
        return sorted(pool.map(lambda _: datastore.claim_attempt(TASK), range(count)))


def test_concurrent_claims_get_distinct_attempts_locally(tmp_path):
    assert claims_race(tmp_path.as_uri()) == list(range(16))
    assert open_datastore(tmp_path.as_uri()).claim_attempt(TASK) == 16


@pytest.mark.slow
def test_concurrent_claims_get_distinct_attempts_on_s3(monkeypatch):
    with local_s3_server() as env:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        import boto3

        boto3.client("s3").create_bucket(Bucket="claims")
        assert claims_race("s3://claims/prefix", 8) == list(range(8))


def test_a_retry_after_a_commit_does_nothing_and_a_retry_after_a_failure_is_a_new_attempt(tmp_path):
    import subprocess
    import sys

    flow = tmp_path / "flaky.py"
    flow.write_text("import os\nfrom metaflow import FlowSpec, current, step\n\nclass FlakyFlow(FlowSpec):\n"
                    "    @step\n    def start(self):\n        if os.environ.get('FAIL'):\n"
                    "            raise RuntimeError('fails')\n        self.attempt = current.retry_count\n"
                    "        self.next(self.end)\n\n    @step\n    def end(self):\n        pass\n")
    import hashlib

    sha = hashlib.sha256(flow.read_bytes()).hexdigest()
    store = tmp_path / "store"

    def attempt(fail: bool) -> int:
        env = dict(os.environ, FAIL="1" if fail else "")
        return subprocess.run([sys.executable, "-m", "flowc.runtime", "task", str(flow), "start", "--run-id", "r",
                               "--index", "", "--attempt", "auto", "--datastore", store.as_uri(),
                               "--source-sha256", sha, "--inputs", ""], env=env, capture_output=True).returncode

    assert [attempt(True), attempt(False), attempt(False)] == [1, 0, 0]
    datastore = open_datastore(store.as_uri())
    task = TaskRef("FlakyFlow", "r", "start", "")
    assert datastore.attempts(task) == [0, 1]  # the third call found the commit and claimed nothing
    assert datastore.read_done(task)["attempt"] == 1
    assert datastore.read_meta(task, 0)["status"] == "failed"
