"""The Airflow goldens executed as written, in one Airflow process per mode: the bash DAGs find their flow
file relative to the DAG file (the default layout users deploy), the pod DAGs at the flow's path inside the
image's working directory (pods run here as local processes). Their S3 datastore is a local server.
Final artifacts equal `flowc run`'s."""

from __future__ import annotations

import pytest
from support.artifacts import final_artifacts
from support.flows import EXAMPLES, flow_name, local_run
from support.goldens import DATASTORE, deploy_goldens, golden_datastore


@pytest.fixture(scope="module")
def s3_env():
    with golden_datastore() as env:
        yield env


@pytest.fixture(scope="module", params=["airflow", "airflow-kubernetes"])
def golden_runs(request, airflow_driver, s3_env, tmp_path_factory):
    mode = request.param
    root = tmp_path_factory.mktemp(mode)
    dags = deploy_goldens(mode, root)
    runs = [{"dag_id": flow_name(p), "conf": {}} for p in EXAMPLES]
    result = airflow_driver(dags, runs, env=s3_env, pods_run_locally=mode == "airflow-kubernetes", pods_cwd=root)
    assert result["import_errors"] == {}
    return {r["dag_id"]: r for r in result["runs"]}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_airflow_golden_runs_as_written(example, golden_runs, s3_env, tmp_path, monkeypatch):
    run = golden_runs[flow_name(example)]
    assert run["state"] == "success", run["tasks"]
    for name, value in s3_env.items():
        monkeypatch.setenv(name, value)
    expected = local_run(example, tmp_path / "local", {}, "local-1")
    assert final_artifacts(DATASTORE, flow_name(example), run["run_id"]) == expected
