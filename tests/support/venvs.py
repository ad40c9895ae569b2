"""Virtualenvs for other software the tests drive (Airflow, Metaflow, ...), built once and cached.

Each lives in `<repo>/.cache/<name>` and is rebuilt when its requirements change. A file lock makes
parallel pytest workers wait for one build instead of racing.
"""

from __future__ import annotations

import fcntl
import hashlib
import subprocess
import sys
from pathlib import Path

CACHE = Path(__file__).resolve().parents[2] / ".cache"


def cached_venv(name: str, requirements: list[str]) -> Path:
    """The python executable of a venv holding `requirements` (pinned versions, please)."""
    folder = CACHE / name
    python = folder / "bin" / "python"
    digest = hashlib.sha256("\n".join(requirements).encode()).hexdigest()[:16]
    stamp = folder / f".requirements-{digest}"
    CACHE.mkdir(exist_ok=True)
    with open(CACHE / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not stamp.exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(folder)], check=True)
            _pip(python, "install", "--quiet", "--upgrade", "pip")
            _pip(python, "install", "--quiet", *requirements)
            stamp.touch()
    return python


def _pip(python: Path, *args: str) -> None:
    result = subprocess.run([str(python), "-m", "pip", *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"pip {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
