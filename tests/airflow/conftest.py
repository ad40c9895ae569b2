"""Airflow for the tests: its own virtualenvs (Airflow pins many packages) for 3.3 and 2.11, one SQLite home
per worker, and `airflow_driver(...)` / `airflow2_driver(...)` to load and run many DAGs in one process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from support.venvs import airflow_venv, file_lock, say

DRIVER = Path(__file__).with_name("driver.py")
SETTINGS = {"AIRFLOW__CORE__LOAD_EXAMPLES": "False", "AIRFLOW__CORE__UNIT_TEST_MODE": "False", "PYTHONPATH": ""}


def _airflow(version: str) -> tuple[Path, Path]:
    """Airflow `version`'s python and a migrated, empty SQLite database, both built once per machine.

    `airflow db migrate` runs once, into a template home beside the venv (so it is keyed like the venv);
    each worker copies the database file into its own home. Only the database is copied: the template's
    airflow.cfg names the template's own paths, and each home writes its own on first use.
    """
    python = airflow_venv(version)
    template = python.parents[1] / "airflow-home"
    database = template / "airflow.db"
    with file_lock(template.with_name("airflow-home.lock")):
        if not (template / ".migrated").exists():
            say(f"migrating a template Airflow {version} database (once per machine)...")
            shutil.rmtree(template, ignore_errors=True)
            template.mkdir()
            subprocess.run([str(python), "-m", "airflow", "db", "migrate"], check=True, capture_output=True,
                           env=dict(os.environ, AIRFLOW_HOME=str(template), **SETTINGS))
            (template / ".migrated").touch()
    return python, database


def _driver(version: str, tmp_path_factory):
    """A home with a copy of the migrated database; return drive(dags, runs, pods_run_locally, env, pods_cwd)."""
    python, database = _airflow(version)
    home = tmp_path_factory.mktemp(f"airflow-{version}-home")
    shutil.copyfile(database, home / "airflow.db")
    base = dict(os.environ, AIRFLOW_HOME=str(home), **SETTINGS)

    def drive(dags: Path, runs=(), pods_run_locally=False, env=None, pods_cwd=None) -> dict:
        work = tmp_path_factory.mktemp("driver")
        spec, result = work / "spec.json", work / "result.json"
        spec.write_text(json.dumps({"dags": str(dags), "runs": list(runs), "pods_run_locally": pods_run_locally,
                                    "pods_cwd": str(pods_cwd) if pods_cwd else None}))
        done = subprocess.run([str(python), str(DRIVER), str(spec), str(result)], capture_output=True, text=True,
                              env=dict(base, AIRFLOW__CORE__DAGS_FOLDER=str(dags), **(env or {})))
        if done.returncode != 0 or not result.exists():
            raise AssertionError(f"the Airflow driver failed ({done.returncode}):\n{done.stderr[-6000:]}")
        return json.loads(result.read_text())

    return drive


@pytest.fixture(scope="session")
def airflow_driver(tmp_path_factory):
    """Airflow 3.3: airflow_driver(dags_folder, runs=[{"dag_id", "conf"}], pods_run_locally, env) -> JSON."""
    return _driver("3.3.2", tmp_path_factory)


@pytest.fixture(scope="session")
def airflow2_driver(tmp_path_factory):
    """The same on Airflow 2.11, the oldest release the DAG files support."""
    return _driver("2.11.2", tmp_path_factory)
