"""Fixtures for the compiler tests: Metaflow's own tutorial flows, read from its wheel.

The wheel is downloaded once into `<repo>/.cache/wheels` (git-ignored), under a file lock so two
xdist workers do not download it twice. Metaflow is never installed or imported.
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

METAFLOW_VERSION = "2.19.39"
WHEELS = Path(__file__).resolve().parents[2] / ".cache" / "wheels"


def _metaflow_wheel() -> Path:
    WHEELS.mkdir(parents=True, exist_ok=True)
    with open(WHEELS / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = sorted(WHEELS.glob(f"metaflow-{METAFLOW_VERSION}-*.whl"))
        if not found:
            result = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", f"metaflow=={METAFLOW_VERSION}",
                 "-d", str(WHEELS)], capture_output=True, text=True, timeout=600)
            assert result.returncode == 0, f"could not download the metaflow wheel:\n{result.stderr}"
            found = sorted(WHEELS.glob(f"metaflow-{METAFLOW_VERSION}-*.whl"))
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
