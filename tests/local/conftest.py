"""Fixtures for the local runner's tests (helpers live in local_support.py, importable by name)."""

from __future__ import annotations

import pytest

from local_support import Flowc


@pytest.fixture
def flowc(tmp_path) -> Flowc:
    return Flowc(tmp_path)


@pytest.fixture(scope="module")
def s3_env():
    """A local S3 server for the module's tests: the environment that points boto3 (and `flowc`) at it."""
    from support.s3 import local_s3_server

    with local_s3_server() as env:
        yield env


@pytest.fixture
def s3_flowc(flowc, s3_env, monkeypatch):
    """The flowc helper with its environment (and this process's, for the client) pointed at a fresh bucket:
    `s3_flowc.store` is s3://<bucket>/runs."""
    import uuid

    import boto3

    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
        flowc.env.pop(name, None)
        monkeypatch.delenv(name, raising=False)
    flowc.env.update(s3_env)
    for name, value in s3_env.items():
        monkeypatch.setenv(name, value)
    bucket = f"flowc-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_env["AWS_ENDPOINT_URL"]).create_bucket(Bucket=bucket)
    flowc.store = f"s3://{bucket}/runs"
    return flowc
