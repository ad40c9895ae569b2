"""Virtualenvs for other software the tests drive (Airflow, Metaflow, ...), built once per machine.

They live outside the checkout, in `cache_root()`, so a fresh clone on the same machine (as in CI) reuses
what an earlier run built. Each venv's folder is named after a hash of what makes it: the interpreter
(`sys.version` and its real path), the requirements and the lock file's text; change any of them and a new
venv is built beside the old ones (delete the cache folder to reclaim space).

A lock file (`tests/support/locks/NAME.txt`, the `pip freeze` of a good build) is passed to pip as
constraints, so pip installs known versions instead of resolving Airflow's ~150 dependencies (Airflow's
own constraints files are on GitHub, which CI cannot reach). To refresh a lock, delete it: the next run
builds without it and writes it again (commit the result).

A file lock makes parallel pytest workers (and parallel CI runs) wait for one build instead of racing.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator, Optional

LOCKS = Path(__file__).resolve().parent / "locks"

_capture = None  # pytest's capture manager (set by tests/conftest.py), so `say` reaches the terminal


def cache_root() -> Path:
    """`$FLOWC_TEST_CACHE`, else `$XDG_CACHE_HOME/flowc-tests`, else `~/.cache/flowc-tests`."""
    if os.environ.get("FLOWC_TEST_CACHE"):
        return Path(os.environ["FLOWC_TEST_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "flowc-tests"


def use_capture(capture_manager) -> None:
    global _capture
    _capture = capture_manager


def say(message: str) -> None:
    """Print on the terminal even while pytest captures output: a long build should say what it does."""
    suspended = _capture.global_and_fixture_disabled() if _capture is not None else contextlib.nullcontext()
    with suspended:
        print(f"\nflowc tests: {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created if needed): other processes wait here."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def cached_venv(name: str, requirements: list[str], lock: Optional[Path] = None, *, title: str = "",
                minutes: int = 1) -> Path:
    """The python executable of a venv holding `requirements` (pinned versions, please), installed with
    `lock` as constraints when given. `title` and `minutes` are for the message shown while it builds."""
    lock_text = lock.read_text() if lock is not None and lock.is_file() else ""
    key = json.dumps([sys.version, os.path.realpath(sys.executable), requirements, lock_text])
    folder = cache_root() / "venvs" / f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"
    python = folder / "bin" / "python"
    done = folder / ".built"
    with file_lock(folder.with_name(folder.name + ".lock")):
        if not done.exists():
            say(f"building the {title or name} test environment in {folder} "
                f"(first run on this machine only, ~{minutes} min)...")
            started = time.monotonic()
            _build(folder, requirements, lock if lock_text else None)
            if lock is not None and not lock_text:
                lock.parent.mkdir(parents=True, exist_ok=True)
                lock.write_text(_pip(python, "freeze"))
                say(f"wrote {lock}: commit it, later builds install exactly these versions")
            done.touch()
            say(f"built the {title or name} test environment in {time.monotonic() - started:.0f} s")
    return python


def _build(folder: Path, requirements: list[str], constraints: Optional[Path]) -> None:
    """This interpreter's (recent) pip installs into the new venv (`--python`): no `pip install --upgrade pip`
    in each venv. The venv keeps the pip it was created with, for tools that call pip at run time."""
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, capture_output=True)
    _pip(folder / "bin" / "python", "install", "--quiet",
         *(["--constraint", str(constraints)] if constraints else []), *requirements)


def _pip(python: Path, *args: str) -> str:
    """Run this interpreter's pip (22.3+, as ./dev setup installs) against the environment of `python`."""
    result = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), *args], capture_output=True,
                            text=True)
    if result.returncode != 0:
        raise RuntimeError(f"pip {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


# The venvs several tests (and bench/) share, so they agree on one spec and one cached build.
AIRFLOW_PROVIDERS = ["apache-airflow-providers-cncf-kubernetes==10.25.0"]
METAFLOW_VERSION = "2.19.39"


def airflow_venv(version: str) -> Path:
    """Airflow `version` (3.3.2, 2.11.2) and its Kubernetes provider."""
    name = f"airflow-{version}"
    return cached_venv(name, [f"apache-airflow=={version}", *AIRFLOW_PROVIDERS], LOCKS / f"{name}.txt",
                       title=f"Airflow {version}", minutes=2)


def metaflow_venv() -> Path:
    """The real Metaflow, for parity and shim tests (flowc must work without it, so never in .venv)."""
    name = f"metaflow-{METAFLOW_VERSION}"
    return cached_venv(name, [f"metaflow=={METAFLOW_VERSION}"], LOCKS / f"{name}.txt",
                       title=f"Metaflow {METAFLOW_VERSION}")
