"""Every executor of every Kubeflow golden runs exactly the plan's task command (tests/support/contract.py), with
KFP's documented placeholders in the slots: the run's id (`dsl.PIPELINE_JOB_ID_PLACEHOLDER`), the component's
`index` input, `auto` for the attempt (KFP counts no retries: the runtime allocates it, docs/task-contract.md),
one `--param` per pipeline parameter from the start component's inputs, and the `Output` parameter's file.
The table is written here from KFP's documentation, not imported from the backend."""

from __future__ import annotations

import re

import pytest
import yaml
from support.contract import mismatches, plan_of
from support.flows import EXAMPLES, REPO
from support.goldens import DATASTORE


def input_placeholder(name: str) -> str:
    return f"{{{{$.inputs.parameters['{name}']}}}}"


def output_file_placeholder(name: str) -> str:
    return f"{{{{$.outputs.parameters['{name}'].output_file}}}}"


def executors_by_step(spec: dict) -> dict[str, tuple[list[str], dict]]:
    """step -> (argv of the container its task runs, the task's component), found through the DAGs: a task
    shows its step as its display name (taskInfo) and runs its component's executor."""
    found = {}
    dags = [spec["root"]["dag"]] + [c["dag"] for c in spec["components"].values() if "dag" in c]
    for dag in dags:
        for task in dag["tasks"].values():
            component = spec["components"][task["componentRef"]["name"]]
            if "executorLabel" in component:
                container = spec["deploymentSpec"]["executors"][component["executorLabel"]]["container"]
                found[task["taskInfo"]["name"]] = (container["command"] + container["args"], component)
    return found


def undeclared_placeholders(argv: list[str], component: dict) -> list[str]:
    """Input/output placeholders naming a parameter the component does not declare (KFP would fail the task)."""
    inputs = component.get("inputDefinitions", {}).get("parameters", {})
    outputs = component.get("outputDefinitions", {}).get("parameters", {})
    text = " ".join(argv)
    return ([n for n in re.findall(r"\{\{\$\.inputs\.parameters\['([^']*)'\]\}\}", text) if n not in inputs] +
            [n for n in re.findall(r"\{\{\$\.outputs\.parameters\['([^']*)'\]", text) if n not in outputs])


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_kubeflow_executor_runs_the_plans_command(example):
    [path] = (REPO / "golden" / example.stem / "kubeflow").glob("*.yaml")
    spec = next(yaml.safe_load_all(path.read_text()))
    found = executors_by_step(spec)
    plan = plan_of(example)
    slots = {
        "python": "python3", "flow_file": f"examples/{example.name}", "datastore": DATASTORE,
        "run_id": "{{$.pipeline_job_uuid}}", "index": input_placeholder("index"), "attempt": "auto",
        "params": [a for p in plan.parameters for a in ("--param", f"{p.name}={input_placeholder(p.name)}")],
        "control_out": lambda task: ["--control-out", output_file_placeholder("Output")]
        if task.fan_out != "none" else [],
    }
    assert mismatches(plan, {step: argv for step, (argv, _) in found.items()}, slots) == []
    assert {step: undeclared_placeholders(*found[step]) for step in found} == {step: [] for step in found}
