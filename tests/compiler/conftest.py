"""Fixtures for the compiler tests: Metaflow's own tutorial flows, read from its wheel.

The wheel is downloaded once per machine into the tests' cache (`support.venvs.cache_root()`, outside
the checkout), under a file lock so two xdist workers do not download it twice. Metaflow is never
installed or imported.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support.venvs import METAFLOW_VERSION, cache_root, file_lock


def _metaflow_wheel() -> Path:
    wheels = cache_root() / "wheels"
    with file_lock(wheels / ".lock"):
        found = sorted(wheels.glob(f"metaflow-{METAFLOW_VERSION}-*.whl"))
        if not found:
            result = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", f"metaflow=={METAFLOW_VERSION}",
                 "-d", str(wheels)], capture_output=True, text=True, timeout=600)
            assert result.returncode == 0, f"could not download the metaflow wheel:\n{result.stderr}"
            found = sorted(wheels.glob(f"metaflow-{METAFLOW_VERSION}-*.whl"))
        return found[0]


@pytest.fixture(scope="session")
def metaflow_tutorials() -> dict[str, tuple[str, str]]:
    """Tutorial folder name -> (path inside the wheel, source text) for every tutorial flow."""
    tutorials = {}
    with zipfile.ZipFile(_metaflow_wheel()) as wheel:
        for name in sorted(wheel.namelist()):
            parts = name.split("/")
            if len(parts) == 4 and parts[:2] == ["metaflow", "tutorials"] and parts[3].endswith(".py"):
                tutorials[parts[2]] = (name, wheel.read(name).decode("utf-8"))
    return tutorials
