"""Every container of every Argo golden runs exactly the plan's task command (tests/conformance/contract.py),
with Argo's values in the slots: the workflow's name, the template's `index` input, `{{retries}}` where a
retry strategy counts attempts, one `--param` per workflow parameter, and the output parameter's file."""

from __future__ import annotations

import pytest
import yaml
from support.contract import mismatches, plan_of
from support.flows import EXAMPLES, REPO


def commands(document: dict) -> tuple[dict[str, list[str]], dict[str, dict]]:
    """step -> argv of its container, and step -> its template (Argo names a step's template step-<name>)."""
    argv, templates = {}, {}
    for template in document["spec"]["templates"]:
        if "container" in template:
            step = template["container"]["args"][4]  # `-m flowc.runtime task FLOW STEP ...`
            argv[step] = template["container"]["command"] + template["container"]["args"]
            templates[step] = template
    return argv, templates


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_argo_container_runs_the_plans_command(example):
    [path] = (REPO / "golden" / example.stem / "argo").glob("*.yaml")
    document = next(yaml.safe_load_all(path.read_text()))
    argv, templates = commands(document)
    plan = plan_of(example)
    control_files = {step: t["outputs"]["parameters"][0]["valueFrom"]["path"]
                     for step, t in templates.items() if "outputs" in t}
    slots = {
        "python": "python3", "flow_file": f"examples/{example.name}", "datastore": "s3://flowc-examples/flowc",
        "run_id": "{{workflow.name}}", "index": "{{inputs.parameters.index}}",
        "attempt": lambda task: "{{retries}}" if "retryStrategy" in templates[task.step] else "0",
        "params": [a for p in plan.parameters for a in ("--param", f"{p.name}={{{{workflow.parameters.{p.name}}}}}")],
        "control_out": lambda task: ["--control-out", control_files[task.step]] if task.fan_out != "none" else [],
    }
    assert mismatches(plan, argv, slots) == []
