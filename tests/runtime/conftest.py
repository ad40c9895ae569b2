"""Fixtures of the runtime tests; the driver itself is in runtime_driver.py (a unique module name)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from runtime_driver import FlowRun
from support.s3 import local_s3_server


@pytest.fixture
def datastore(tmp_path) -> str:
    return (tmp_path / "ds").as_uri()


@pytest.fixture
def flow_run(datastore):
    """flow_run(path, **kwargs) -> FlowRun against a fresh local datastore (not yet run)."""

    def make(path, **kwargs) -> FlowRun:
        kwargs.setdefault("datastore", datastore)
        return FlowRun(Path(path), **kwargs)

    return make


@pytest.fixture(scope="session")
def s3_server():
    """A local S3-compatible server (moto's) on a free port of 127.0.0.1, for this test session."""
    with local_s3_server() as env:
        yield env


@pytest.fixture
def s3_datastore(s3_server, monkeypatch):
    """An s3://bucket/prefix datastore in a fresh bucket; the environment points boto3 at the server."""
    import boto3

    for name, value in s3_server.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    bucket = f"flowc-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_server["AWS_ENDPOINT_URL"]).create_bucket(Bucket=bucket)
    return f"s3://{bucket}/store"
