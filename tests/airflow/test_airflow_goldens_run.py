"""The Airflow goldens executed as written, in one Airflow process per mode: the bash DAGs find their flow
file relative to the DAG file (the default layout users deploy), the pod DAGs at the flow's path inside the
image's working directory (pods run here as local processes). Their S3 datastore is a local server.
Final artifacts equal `flowc run`'s."""

from __future__ import annotations

import re
import shlex

import pytest
from support.artifacts import final_artifacts
from support.contract import mismatches, plan_of
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
    return mode, root, result


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_airflow_golden_runs_as_written(example, golden_runs, s3_env, tmp_path, monkeypatch):
    run = next(r for r in golden_runs[2]["runs"] if r["dag_id"] == flow_name(example))
    assert run["state"] == "success", run["tasks"]
    for name, value in s3_env.items():
        monkeypatch.setenv(name, value)
    expected = local_run(example, tmp_path / "local", {}, "local-1")
    assert final_artifacts(DATASTORE, flow_name(example), run["run_id"]) == expected


# -- the task contract (tests/support/contract.py): each task's command as Airflow loaded it --------------------
CONTROL_WRAPPER = re.compile(r'out="\$\(mktemp\)" && (.*) >&2 && cat "\$out" && rm -f "\$out"')
MAPPED = "<mapped index>"


def _value(described):
    """An operator argument as the driver described it: literal() unwrapped, a mapped argument marked."""
    if isinstance(described, dict):
        return described["literal"] if "literal" in described else MAPPED
    return described


def bash_argv(info: dict) -> list[str]:
    """The shell words of a BashOperator's command, each `$FLOWC_X` replaced by the value its env gives it."""
    command = info["bash_command"]
    wrapped = CONTROL_WRAPPER.fullmatch(command)
    command = wrapped.group(1) if wrapped else command.removeprefix("exec ")
    return [_value(info["env"][w[1:]]) if w.startswith("$FLOWC_") else w for w in shlex.split(command)]


def pod_argv(info: dict) -> list[str]:
    return [_value(a) for a in info["cmds"] + info["arguments"]]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_airflow_task_runs_the_plans_command(example, golden_runs):
    mode, root, result = golden_runs
    tasks = result["dags"][flow_name(example)]["tasks"]
    bash = mode == "airflow"
    argv = {task_id.rpartition(".")[2]: bash_argv(info) if bash else pod_argv(info)
            for task_id, info in tasks.items() if "bash_command" in info or "cmds" in info}
    slots = {
        "python": "python3", "datastore": "s3://flowc-examples/flowc",
        "flow_file": str(root / "examples" / example.name) if bash else f"examples/{example.name}",
        "run_id": "{{ run_id }}", "attempt": "{{ ti.try_number - 1 }}",
        "index": lambda task: MAPPED if task.foreach_splits else "",
        "params": ["--params-json", "{{ params | tojson }}"],
        "control_out": lambda task: (["--control-out", "$out" if bash else "/airflow/xcom/return.json"]
                                     if task.fan_out == "foreach" else []),
    }
    assert mismatches(plan_of(example), argv, slots) == []
