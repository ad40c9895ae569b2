"""Fixtures of the runtime tests; the driver itself is in runtime_driver.py (a unique module name)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime_driver import FlowRun


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
