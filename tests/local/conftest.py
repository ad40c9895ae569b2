"""Fixtures for the local runner's tests (helpers live in local_support.py, importable by name)."""

from __future__ import annotations

import pytest

from local_support import Flowc


@pytest.fixture
def flowc(tmp_path) -> Flowc:
    return Flowc(tmp_path)
