"""The compatibility tests' shared fixture: the python of Metaflow's own venv (built once per machine)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.venvs import metaflow_venv


@pytest.fixture(scope="session")
def metaflow_python() -> Path:
    return metaflow_venv()
