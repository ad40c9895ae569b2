"""Kubernetes mode: every DAG loads with the cncf-kubernetes provider, the pod operators carry the flow's
image, resources, env, retries and XCom settings, and a flow runs with each pod's (Airflow-rendered)
command executed locally instead of on a cluster."""

from __future__ import annotations

import pytest
from support.artifacts import final_artifacts
from support.flows import EXAMPLES, TEST_FLOWS, compile_for_tests, flow_name, local_run
from support.hostile_fields import RUN_TAGS

RESOURCES = TEST_FLOWS / "resources.py"
RUN_HERE = [p for p in EXAMPLES if p.stem in ("foreach", "switch_in_foreach")]
TAGGED = "TaggedHello"  # hello.py compiled with --tag: its pods record RUN_TAGS


@pytest.fixture(scope="module")
def pods(airflow_driver, tmp_path_factory):
    work = tmp_path_factory.mktemp("airflow-k8s")
    store = work / "store"
    compile_for_tests("airflow", [*EXAMPLES, RESOURCES], work / "dags", "--datastore", store.as_uri(), "--operator", "kubernetes",
                  "--image", "registry.example/flows:1", "--namespace", "ml")
    hello = next(p for p in EXAMPLES if p.stem == "hello")
    compile_for_tests("airflow", [hello], work / "dags", "--datastore", store.as_uri(), "--operator", "kubernetes",
                      "--image", "registry.example/flows:1", "--dag-id", TAGGED, *(f"--tag={t}" for t in RUN_TAGS))
    runs = [{"dag_id": flow_name(p), "conf": {}} for p in RUN_HERE] + [{"dag_id": TAGGED, "conf": {}}]
    return airflow_driver(work / "dags", runs, pods_run_locally=True), store


def test_every_dag_loads_with_pod_operators(pods):
    result, _ = pods
    assert result["import_errors"] == {}
    for dag in result["dags"].values():
        operators = {t["operator"] for t in dag["tasks"].values()}
        assert operators <= {"KubernetesPodOperator", "_PythonDecoratedOperator"}, operators


def test_pod_operator_settings_come_from_the_decorators(pods):
    dag = pods[0]["dags"]["ResourcesFlow"]
    train = dag["tasks"]["foreach_start.train"]
    assert train["mapped"]
    assert train["image"] == {"literal": "registry.example/train:2"}
    assert train["namespace"] == {"literal": "ml"}
    assert train["container_resources"]["requests"] == {"cpu": "2", "memory": "4096M"}
    assert train["container_resources"]["limits"] == {"nvidia.com/gpu": "1"}
    assert train["env_vars"] == {"MODE": {"literal": "fast"}}  # literal(): Jinja never renders it
    assert train["env_from"] == [{"config_map_ref": None, "prefix": None,
                                  "secret_ref": {"name": "db-credentials", "optional": None}}]
    assert (train["retries"], train["retry_delay"], train["execution_timeout"]) == (3, 60.0, 300.0 + 60)  # @timeout and a margin
    # Every user string in a templated field is literal(): Jinja never renders it (the annotation holds `{{ }}`).
    assert train["node_selector"] == {"pool": {"literal": "gpu"}}
    assert train["labels"] == {"team": {"literal": "ml"}}
    assert train["annotations"] == {"owner": {"literal": "data {{ var.value.x }}"}}
    assert train["tolerations"] == [{"key": "gpu", "operator": "Exists", "effect": "NoSchedule", "value": None,
                                     "toleration_seconds": None}]
    assert train["do_xcom_push"] is False
    start = dag["tasks"]["start"]
    assert start["image"] == {"literal": "registry.example/flows:1"}  # --image for steps without their own
    assert start["do_xcom_push"] is True  # a foreach split hands its index list to Airflow through XCom
    assert start["arguments"][-2:] == ["--control-out", "/airflow/xcom/return.json"]
    assert dag["schedule"] and "30 2 * * *" in dag["schedule"] and dag["timezone"] == "Europe/Paris"
    assert dag["catchup"] is False
    assert dag["tags"] == ["flow:ResourcesFlow", "flowc", "project:demo"]


@pytest.mark.parametrize("example", RUN_HERE, ids=lambda p: p.stem)
def test_pods_run_locally_give_flowc_runs_artifacts(example, pods, tmp_path):
    result, store = pods
    run = next(r for r in result["runs"] if r["dag_id"] == flow_name(example))
    assert run["state"] == "success", run["tasks"]
    expected = local_run(example, tmp_path / "local", {}, "local-1")
    assert final_artifacts(store, flow_name(example), run["run_id"]) == expected


def test_a_pod_of_a_tagged_dag_records_the_tags_as_given(pods):
    """Each tag holding `{` is a literal() argument: Jinja never renders it."""
    from flowc.runtime import Run

    result, store = pods
    run = next(r for r in result["runs"] if r["dag_id"] == TAGGED)
    assert run["state"] == "success", run["tasks"]
    assert Run(f"HelloFlow/{run['run_id']}", datastore=store.as_uri()).user_tags == frozenset(RUN_TAGS)
