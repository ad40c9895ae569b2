"""Airflow for the tests: its own virtualenvs (Airflow pins many packages) for 3.3 and 2.11, one SQLite home
per worker, and `airflow_driver(...)` / `airflow2_driver(...)` to load and run many DAGs in one process."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from support.venvs import cached_venv

AIRFLOW = {
    "airflow-venv": ["apache-airflow==3.3.2", "apache-airflow-providers-cncf-kubernetes==10.25.0"],
    "airflow2-venv": ["apache-airflow==2.11.2", "apache-airflow-providers-cncf-kubernetes==10.25.0"],
}
DRIVER = Path(__file__).with_name("driver.py")


def _driver(venv: str, tmp_path_factory):
    """Build the venv and a migrated SQLite home once; return drive(dags, runs, pods_run_locally, env)."""
    python = cached_venv(venv, AIRFLOW[venv])
    home = tmp_path_factory.mktemp(f"{venv}-home")
    base = dict(os.environ, AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False",
                AIRFLOW__CORE__UNIT_TEST_MODE="False", PYTHONPATH="")
    subprocess.run([str(python), "-m", "airflow", "db", "migrate"], env=base, check=True, capture_output=True)

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
    return _driver("airflow-venv", tmp_path_factory)


@pytest.fixture(scope="session")
def airflow2_driver(tmp_path_factory):
    """The same on Airflow 2.11, the oldest release the DAG files support."""
    return _driver("airflow2-venv", tmp_path_factory)
