"""The same DAG files load on Airflow 2.11 (both operator modes) and a switch inside a foreach runs there."""

from __future__ import annotations

import pytest
from support.artifacts import final_artifacts
from support.flows import EXAMPLES, TEST_FLOWS, compile_for_tests

FLOWS = [*EXAMPLES, *sorted(TEST_FLOWS.glob("*.py"))]
BASH_FLOWS = [f for f in FLOWS if f.name != "resources.py"]  # its @secrets needs pods


@pytest.fixture(scope="module")
def airflow2(airflow2_driver, tmp_path_factory):
    work = tmp_path_factory.mktemp("airflow2")
    store = work / "store"
    compile_for_tests("airflow", BASH_FLOWS, work / "bash", "--datastore", store.as_uri())
    compile_for_tests("airflow", FLOWS, work / "pods", "--datastore", store.as_uri(), "--operator", "kubernetes",
                      "--image", "registry.example/flows:1")
    bash = airflow2_driver(work / "bash", [{"dag_id": "SwitchInForeachFlow", "conf": {}}])
    pods = airflow2_driver(work / "pods")
    return bash, pods, store


def test_every_dag_loads_on_airflow_2_in_both_modes(airflow2):
    bash, pods, _ = airflow2
    assert bash["import_errors"] == {} and pods["import_errors"] == {}
    assert (len(bash["dags"]), len(pods["dags"])) == (len(BASH_FLOWS), len(FLOWS))


def test_switch_inside_foreach_runs_on_airflow_2(airflow2):
    bash, _, store = airflow2
    run = bash["runs"][0]
    assert run["state"] == "success", run["tasks"]
    pairs = final_artifacts(store, "SwitchInForeachFlow", run["run_id"])["pairs"]
    assert pairs == [(3, 10), (8, 4), (5, 16), (12, 6)]  # n//2 for even n, 3n+1 for odd n, in input order
