"""Argo Workflows backend: the plan as a WorkflowTemplate (plus a CronWorkflow when the flow has @schedule).

One DAG template per foreach scope (`main`, then `each-<split>` for every foreach body), one container
template per step (`step-<name>`) reused by every foreach child through its `index` input. The task
command is an argv list: no shell, and every flow parameter is its own `--param name=value` argument.
Branches meet through `depends`; a foreach iterates `withParam` over the split's `control` output (index
paths, never data); a switch case runs `when` the switch's `control` names it, and where cases meet
`depends` accepts whichever one succeeded.
"""

from __future__ import annotations

import json
import re
from typing import Optional

from flowc.compiler.emit import EmitOptions, OptionError, Problems, header
from flowc.compiler.plan import Plan, TaskSpec

from ..kubernetes import pod_resources, quantity
from .yamltext import dump

API_VERSION = "argoproj.io/v1alpha1"
CONTROL_FILE = "/tmp/flowc-control"  # where a split/switch writes its control value for Argo to read
LIMITS = {"templates": 200, "tasks per DAG": 200, "parameters": 500}  # Argo v4 CRD limits
MAX_OBJECT_BYTES = 1_000_000  # an object in etcd (under 1 MB)
NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def emit(plan: Plan, options: EmitOptions, problems: Problems) -> dict[str, str]:
    if not options.image and not all(t.image for t in plan.tasks):
        raise OptionError("--image is required for argo (the image holding flowc and the flow file), "
                          "unless every step has @kubernetes(image=...)")
    name = options.get("name") or kebab(plan.flow)
    if not NAME.match(name) or len(name) > 63:
        problems.add(None, f"the workflow name {name!r} is not a valid Kubernetes name (lowercase letters, digits "
                           "and '-', at most 63 characters)", help="give one with --name")
    for task in plan.tasks:
        if task.batch:
            problems.warn(task.step, "@batch: the step runs as an Argo pod, not on AWS Batch",
                          help="use @kubernetes instead of @batch")
        if task.kubernetes.get("namespace"):
            problems.warn(task.step, "@kubernetes(namespace=...): every pod of a workflow runs in its namespace",
                          help="set the workflow's namespace with --namespace")
    documents = [_workflow_template(plan, options, name, problems)]
    if plan.schedule:
        documents.append(_cron_workflow(plan, options, name))
    if problems:
        return {}
    text = header("#", options, plan.source_sha256) + "".join(
        ("---\n" if i else "") + dump(doc) for i, doc in enumerate(documents))
    if len(text.encode()) > MAX_OBJECT_BYTES:
        problems.add(None, f"the WorkflowTemplate is {len(text.encode()):,} bytes; Kubernetes stores objects "
                           f"up to {MAX_OBJECT_BYTES:,}", help="split the flow into smaller flows")
        return {}
    return {f"{name}.yaml": text}


def kebab(flow: str) -> str:
    """ForeachFlow -> foreach-flow: the DNS-1123 form of a class name."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", flow).lower().replace("_", "-")


def task_name(step: str) -> str:
    return step.replace("_", "-")


# ------------------------------------------------------------------------------------------ documents

def _metadata(plan: Plan, options: EmitOptions, name: str) -> dict:
    metadata = {"name": name}
    if options.get("namespace"):
        metadata["namespace"] = options.get("namespace")
    metadata["labels"] = {"app.kubernetes.io/managed-by": "flowc"}
    metadata["annotations"] = {"flowc/flow": plan.flow, "flowc/source": options.source_path,
                               "flowc/source-sha256": plan.source_sha256}
    if plan.docstring:  # on the template object: Argo shows it, and never substitutes {{...}} there
        metadata["annotations"]["workflows.argoproj.io/description"] = plan.docstring
    if plan.project:
        metadata["labels"]["flowc/project"] = plan.project
    return metadata


def _workflow_template(plan: Plan, options: EmitOptions, name: str, problems: Problems) -> dict:
    spec: dict = {"entrypoint": "main"}
    if options.get("service_account"):
        spec["serviceAccountName"] = options.get("service_account")
    if options.get("parallelism"):
        spec["parallelism"] = int(options.get("parallelism"))
    if options.get("image_pull_secret"):
        spec["imagePullSecrets"] = [{"name": s} for s in options.get("image_pull_secret")]
    if plan.parameters:
        spec["arguments"] = {"parameters": [_parameter(p) for p in plan.parameters]}
    scopes = _scopes(plan)
    spec["templates"] = [_dag(plan, scope, steps) for scope, steps in scopes.items()]
    spec["templates"] += [_container(plan, task, options) for task in plan.tasks]
    _check_limits(spec, plan, problems)
    return {"apiVersion": API_VERSION, "kind": "WorkflowTemplate", "metadata": _metadata(plan, options, name),
            "spec": spec}


def _cron_workflow(plan: Plan, options: EmitOptions, name: str) -> dict:
    spec = {"schedules": [plan.schedule.cron], "timezone": plan.schedule.timezone, "concurrencyPolicy": "Allow",
            "workflowSpec": {"workflowTemplateRef": {"name": name}}}
    return {"apiVersion": API_VERSION, "kind": "CronWorkflow", "metadata": _metadata(plan, options, name),
            "spec": spec}


def _parameter(p) -> dict:
    """Argo parameters are strings; the runtime converts them by the flow's types. An empty value for a
    parameter whose default is an expression means "use that default" (evaluated at run time)."""
    entry: dict = {"name": p.name}
    default = p.default
    if default is not None and default.kind == "literal" and default.value is not None:
        value = default.value
        entry["value"] = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    elif not (p.required and default is None):
        entry["value"] = ""
    description = p.help or ""
    if default is not None and default.kind == "runtime":
        description = (description + f" (empty: default computed at run time: {default.source})").strip()
    if description:
        entry["description"] = description
    return entry


# ------------------------------------------------------------------------------------------ DAGs

def _scopes(plan: Plan) -> dict[Optional[str], list[str]]:
    """Steps by the innermost foreach whose body they are in (None: the top level), in plan order."""
    scopes: dict[Optional[str], list[str]] = {None: []}
    for task in plan.tasks:
        if task.fan_out == "foreach":
            scopes[task.step] = []
    for task in plan.tasks:
        scopes[_scope_of(task)].append(task.step)
    return scopes


def _scope_of(task: TaskSpec) -> Optional[str]:
    return task.foreach_splits[-1] if task.foreach_splits else None


def _dag(plan: Plan, scope: Optional[str], steps: list[str]) -> dict:
    index = "" if scope is None else "{{inputs.parameters.index}}"
    tasks = []
    for step in steps:
        task = plan.task(step)
        entry: dict = {"name": task_name(step), "template": f"step-{task_name(step)}"}
        depends = _depends(plan, task, scope)
        if depends:
            entry["depends"] = depends
        switch = _choosing_switch(plan, task)
        if switch:
            entry["when"] = f"'{{{{tasks.{task_name(switch)}.outputs.parameters.control}}}}' == '{step}'"
        entry["arguments"] = {"parameters": [{"name": "index", "value": index}]}
        tasks.append(entry)
        if task.fan_out == "foreach":
            tasks.append({
                "name": f"each-{task_name(step)}",
                "template": f"each-{task_name(step)}",
                "depends": f"{task_name(step)}.Succeeded",
                "withParam": f"{{{{tasks.{task_name(step)}.outputs.parameters.control}}}}",
                "arguments": {"parameters": [{"name": "index", "value": "{{item}}"}]},
            })
    template: dict = {"name": "main" if scope is None else f"each-{task_name(scope)}"}
    if scope is not None:
        template["inputs"] = {"parameters": [{"name": "index"}]}
    template["dag"] = {"tasks": tasks}
    return template


def _node_in(plan: Plan, step: str, scope: Optional[str]) -> Optional[str]:
    """The task of `scope`'s DAG through which `step` is reached: itself, or the foreach body holding it.
    None when `step` is outside this DAG (the split that started it: the body task depends on that)."""
    splits = plan.task(step).foreach_splits
    if _scope_of(plan.task(step)) == scope:
        return task_name(step)
    if scope is not None and scope not in splits:
        return None
    inner = splits[splits.index(scope) + 1] if scope is not None else splits[0]
    return f"each-{task_name(inner)}"


def _depends(plan: Plan, task: TaskSpec, scope: Optional[str]) -> str:
    """Always `.Succeeded`: a bare name would also accept a task skipped by its `when`, running a switch
    case that was not chosen. Where switch cases meet, whichever case ran is enough."""
    nodes = [f"{n}.Succeeded" for n in dict.fromkeys(_node_in(plan, p, scope) for p in task.waits_for) if n]
    return (" || " if task.waits_for_one_of else " && ").join(nodes)


def _choosing_switch(plan: Plan, task: TaskSpec) -> Optional[str]:
    if len(task.waits_for) == 1 and plan.task(task.waits_for[0]).fan_out == "switch":
        return task.waits_for[0]
    return None


# ------------------------------------------------------------------------------------------ containers

def _container(plan: Plan, task: TaskSpec, options: EmitOptions) -> dict:
    args = ["-m", "flowc.runtime", "task", options.flow_path or options.source_path, task.step,
            "--run-id", "{{workflow.name}}", "--index", "{{inputs.parameters.index}}",
            "--attempt", "{{retries}}" if task.retry else "0", "--datastore", options.datastore,
            "--source-sha256", plan.source_sha256, "--inputs", task.inputs]
    if task.step == "start":
        for p in plan.parameters:
            args += ["--param", f"{p.name}={{{{workflow.parameters.{p.name}}}}}"]
    if task.fan_out != "none":
        args += ["--control-out", CONTROL_FILE]
    if "--flow" in task.command:
        args += ["--flow", plan.flow]
    container: dict = {"image": task.image or options.image, "command": [options.python], "args": args}
    if task.kubernetes.get("image_pull_policy"):
        container["imagePullPolicy"] = task.kubernetes["image_pull_policy"]
    env = [{"name": k, "value": v} for k, v in task.environment if "{{" not in v]
    if env:  # values holding "{{" stay out (Argo cannot escape them); the runtime sets every one anyway
        container["env"] = env
    secrets = [*task.secrets, *task.kubernetes.get("secrets", [])]
    if secrets:
        container["envFrom"] = [{"secretRef": {"name": s}} for s in secrets]
    resources = _resources(task)
    if resources:
        container["resources"] = resources
    template: dict = {"name": f"step-{task_name(task.step)}", "inputs": {"parameters": [{"name": "index"}]}}
    if task.fan_out != "none":
        template["outputs"] = {"parameters": [{"name": "control", "valueFrom": {"path": CONTROL_FILE}}]}
    if task.kubernetes.get("labels") or task.kubernetes.get("annotations"):
        template["metadata"] = {k: task.kubernetes[k] for k in ("labels", "annotations") if task.kubernetes.get(k)}
    if task.kubernetes.get("service_account"):
        template["serviceAccountName"] = task.kubernetes["service_account"]
    if task.kubernetes.get("node_selector"):
        template["nodeSelector"] = task.kubernetes["node_selector"]
    if task.kubernetes.get("tolerations"):
        template["tolerations"] = task.kubernetes["tolerations"]
    if task.timeout_seconds:
        template["activeDeadlineSeconds"] = task.timeout_seconds
    if task.retry:
        template["retryStrategy"] = {
            "limit": str(task.retry.times), "retryPolicy": "Always",
            "backoff": {"duration": f"{quantity(task.retry.minutes_between_retries * 60)}s"}}
    template["container"] = container
    return template


def _resources(task: TaskSpec) -> dict:
    requests, limits = pod_resources(task)
    return {k: v for k, v in (("requests", requests), ("limits", limits)) if v}


def _check_limits(spec: dict, plan: Plan, problems: Problems) -> None:
    if len(spec["templates"]) > LIMITS["templates"]:
        problems.add(None, f"the workflow needs {len(spec['templates'])} templates; Argo allows "
                           f"{LIMITS['templates']}", help="split the flow into smaller flows")
    for template in spec["templates"]:
        count = len(template.get("dag", {}).get("tasks", []))
        if count > LIMITS["tasks per DAG"]:
            problems.add(None, f"the DAG `{template['name']}` has {count} tasks; Argo allows "
                               f"{LIMITS['tasks per DAG']} per DAG", help="split the flow into smaller flows")
    if len(plan.parameters) > LIMITS["parameters"]:
        problems.add(None, f"the flow has {len(plan.parameters)} parameters; Argo allows {LIMITS['parameters']}")
    names = {task_name(t.step): t.step for t in plan.tasks}
    for task in plan.tasks:
        if len(f"step-{task_name(task.step)}") > 63:
            problems.add(task.step, f"the Argo template name `step-{task_name(task.step)}` is longer than 63 "
                                    "characters", help="shorten the step name")
        body = f"each-{task_name(task.step)}"
        if task.fan_out == "foreach" and body in names:
            problems.add(names[body], f"step `{names[body]}` is named like the Argo task that runs the foreach "
                                      f"body of `{task.step}` (`{body}`)", help=f"rename step `{names[body]}`")
