"""Airflow for the tests: its own virtualenv (it pins many packages), one SQLite home per worker, and
`airflow_driver(...)` to load and run many DAGs in one Airflow process."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from support.venvs import cached_venv

AIRFLOW = ["apache-airflow==3.3.2", "apache-airflow-providers-cncf-kubernetes==10.25.0"]
DRIVER = Path(__file__).with_name("driver.py")


@pytest.fixture(scope="session")
def airflow_env(tmp_path_factory) -> dict:
    python = cached_venv("airflow-venv", AIRFLOW)
    home = tmp_path_factory.mktemp("airflow-home")
    env = dict(os.environ, AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False",
               AIRFLOW__CORE__UNIT_TEST_MODE="False", PYTHONPATH="")
    env["_python"] = str(python)
    subprocess.run([str(python), "-m", "airflow", "db", "migrate"], env=env, check=True, capture_output=True)
    return env


@pytest.fixture(scope="session")
def airflow_driver(airflow_env, tmp_path_factory):
    """airflow_driver(dags_folder, runs=[{"dag_id", "conf"}], pods_run_locally=False, env=None) -> its JSON."""

    def drive(dags: Path, runs=(), pods_run_locally=False, env=None) -> dict:
        work = tmp_path_factory.mktemp("driver")
        spec, result = work / "spec.json", work / "result.json"
        spec.write_text(json.dumps({"dags": str(dags), "runs": list(runs), "pods_run_locally": pods_run_locally}))
        env = dict(airflow_env, AIRFLOW__CORE__DAGS_FOLDER=str(dags), **(env or {}))
        python = env.pop("_python")
        done = subprocess.run([python, str(DRIVER), str(spec), str(result)], env=env, capture_output=True,
                              text=True)
        if done.returncode != 0 or not result.exists():
            raise AssertionError(f"the Airflow driver failed ({done.returncode}):\n{done.stderr[-6000:]}")
        return json.loads(result.read_text())

    return drive
