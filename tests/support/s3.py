"""A local S3-compatible server (moto's) over real HTTP on 127.0.0.1, for tests of s3:// datastores."""

from __future__ import annotations

import socket
from contextlib import contextmanager


@contextmanager
def local_s3_server():
    """Yield the environment that points boto3 at a fresh server on a free port."""
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "testing",
               "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    finally:
        server.stop()
