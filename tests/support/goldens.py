"""Running goldens exactly as written: their datastore (s3://flowc-examples/flowc, on a local S3 server),
their interpreter (`python3`, found on PATH: this test environment's), and their layout (the DAG or
template next to the flow files where the golden says they are)."""

from __future__ import annotations

import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

from support.flows import EXAMPLES, REPO
from support.s3 import local_s3_server

DATASTORE = "s3://flowc-examples/flowc"  # what golden/modes.toml compiles with


@contextmanager
def golden_datastore():
    """The environment in which a golden's tasks run: S3 at a local server holding the goldens' bucket,
    and PATH leading to this environment's `python3` (the goldens run `python3 -m flowc.runtime`)."""
    import boto3

    with local_s3_server() as s3_env:
        boto3.client("s3", endpoint_url=s3_env["AWS_ENDPOINT_URL"], region_name="us-east-1",
                     aws_access_key_id="testing", aws_secret_access_key="testing").create_bucket(Bucket="flowc-examples")
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
        yield dict(s3_env, PATH=path)


def deploy_goldens(mode: str, root: Path) -> Path:
    """Copy every example's golden for `mode` and the example flows into `root`, keeping the repository's
    relative layout (golden/<example>/<mode>/..., examples/...); returns root/golden."""
    for example in EXAMPLES:
        shutil.copytree(REPO / "golden" / example.stem / mode, root / "golden" / example.stem / mode)
    shutil.copytree(REPO / "examples", root / "examples", ignore=shutil.ignore_patterns("__pycache__"))
    return root / "golden"
