"""Shared pytest setup: the `slow` marker, golden files.

A golden is an expected output stored under `golden/` and compared byte for byte. Updating them is
always explicit (`pytest --update-goldens` or `FLOWC_UPDATE_GOLDENS=1`) and refused when `CI` is set,
so CI can never "fix" a golden by rewriting it.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
from support import venvs

GOLDEN_ROOT = Path(__file__).resolve().parent.parent / "golden"

# Fixtures that start real outside software (a scheduler, a Metaflow venv, an S3 server). A test using one,
# directly or through another fixture, is marked `slow`: `./dev test -m "not slow"` is the fast tier.
SLOW_FIXTURES = {"airflow_driver", "airflow2_driver", "kfp_python", "metaflow_python", "s3_server", "s3_env",
                 "aws"}  # aws: moto's S3 server and Step Functions, in tests/stepfunctions


def pytest_configure(config):
    venvs.use_capture(config.pluginmanager.getplugin("capturemanager"))  # so venv builds can say so
    # flowc's caches (compiled files, run plans) in a folder of this session, inherited by every flowc the
    # tests start: a test compiles what the code under test produces now, never an entry from another run.
    if "FLOWC_CACHE_DIR" not in os.environ:
        import tempfile

        os.environ["FLOWC_CACHE_DIR"] = tempfile.mkdtemp(prefix="flowc-test-cache-")


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite golden files under golden/ with the current output (refused when CI is set)")


@pytest.fixture
def golden(request):
    """`golden("diagnostics/case.txt", text)`: assert `text` equals that golden file (or rewrite it
    when updating was asked for)."""
    update = request.config.getoption("--update-goldens") or os.environ.get("FLOWC_UPDATE_GOLDENS") == "1"
    if update and os.environ.get("CI"):
        pytest.fail("refusing to update goldens while CI is set: update them locally and commit the diff",
                    pytrace=False)

    def check(relative: str, actual: str) -> None:
        path = GOLDEN_ROOT / relative
        data = actual.encode("utf-8")
        if update:
            if not path.is_file() or path.read_bytes() != data:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            return
        if not path.is_file():
            pytest.fail(f"golden/{relative} is missing; create it with `pytest --update-goldens`", pytrace=False)
        expected = path.read_bytes()
        if expected != data:
            diff = "".join(difflib.unified_diff(
                expected.decode("utf-8", "replace").splitlines(keepends=True),
                actual.splitlines(keepends=True), f"golden/{relative}", "actual"))
            pytest.fail(f"golden/{relative} differs (update with `pytest --update-goldens`):\n{diff}",
                        pytrace=False)

    return check


@pytest.fixture(autouse=True)
def _every_namespace():
    """Tests read runs in flowc's client with namespace(None): the runs they read are often made in another
    environment (a scheduler's worker, a subprocess with USER set) than the test's own, and Metaflow's
    default namespace (`user:<name>`) would hide them. Tests of namespaces set one and are reset here."""
    from flowc.runtime import client

    client.namespace(None)
    yield
    client.namespace(None)
