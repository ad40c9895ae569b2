"""Argo Workflows backend: the plan as a WorkflowTemplate (plus a CronWorkflow when the flow has @schedule).

One DAG template per foreach scope (`main`, then `each-<split>` for every foreach body), one container
template per step (`step-<name>`) reused by every foreach child through its `index` input. The task
command is an argv list: no shell, and every flow parameter is its own `--param name=value` argument.
Branches meet through `depends`; a foreach iterates `withParam` over the split's `control` output (index
paths, never data); a switch case runs `when` the switch's `control` names it, and where cases meet
`depends` accepts whichever one succeeded.
"""

from __future__ import annotations

from flowc.compiler.emit import EmitOptions, Problems, header
from flowc.compiler.plan import TOP, ParameterSpec, Plan, Ref, Scope, TaskSpec

from ..base import DNS_LABEL, Backend, Capabilities, dns_name, kebab
from ..kubernetes import pod_resources, pod_secrets, quantity
from ..yamltext import dump

API_VERSION = "argoproj.io/v1alpha1"
CONTROL_FILE = "/tmp/flowc-control"  # where a split/switch writes its control value for Argo to read
LIMITS = {"templates": 200, "tasks per DAG": 200, "parameters": 500}  # Argo v4 CRD limits
SLOTS = {  # how Argo fills the task command's slots
    "run_id": "{{workflow.name}}", "index": "{{inputs.parameters.index}}",
    "attempt": lambda task: "{{retries}}" if task.retry else "0",
    "control_out": ["--control-out", CONTROL_FILE],
}


class Argo(Backend):
    name = "argo"
    capabilities_ = Capabilities(runs_as="an Argo pod", per_step_namespace=False)
    max_name = 63
    max_document_bytes = 1_000_000  # an object in etcd (under 1 MB)

    def node_name(self, step: str) -> str:
        return dns_name(step)

    def limited_names(self, step: str) -> list[str]:
        return [f"step-{dns_name(step)}"]

    def generated_names(self, plan: Plan, options: EmitOptions) -> dict[str, str]:
        return {body_name(s.split): f"the Argo task that runs the foreach body of `{s.split}`"
                for s in plan.scopes[1:]}

    def render(self, plan: Plan, options: EmitOptions, problems: Problems) -> dict[str, str]:
        name = options.get("name") or kebab(plan.flow)
        if not DNS_LABEL.match(name) or len(name) > 63:
            problems.add(None, f"the workflow name {name!r} is not a valid Kubernetes name (lowercase letters, "
                               "digits and '-', at most 63 characters)", help="give one with --name")
        documents = [_workflow_template(plan, options, name, problems)]
        if plan.schedule:
            documents.append(_cron_workflow(plan, options, name))
        text = header("#", options, plan.source_sha256) + "".join(
            ("---\n" if i else "") + dump(doc) for i, doc in enumerate(documents))
        return {f"{name}.yaml": text}


BACKEND = Argo()


def body_name(split: str) -> str:
    """The DAG task (and template) that runs a foreach body once per child."""
    return f"each-{dns_name(split)}"


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
    spec["templates"] = [_dag(plan, scope) for scope in plan.scopes]
    spec["templates"] += [_container(plan, task, options) for task in plan.tasks]
    _check_limits(spec, plan, problems)
    return {"apiVersion": API_VERSION, "kind": "WorkflowTemplate", "metadata": _metadata(plan, options, name),
            "spec": spec}


def _cron_workflow(plan: Plan, options: EmitOptions, name: str) -> dict:
    spec = {"schedules": [plan.schedule.cron], "timezone": plan.schedule.timezone, "concurrencyPolicy": "Allow",
            "workflowSpec": {"workflowTemplateRef": {"name": name}}}
    return {"apiVersion": API_VERSION, "kind": "CronWorkflow", "metadata": _metadata(plan, options, name),
            "spec": spec}


def _parameter(p: ParameterSpec) -> dict:
    """Argo parameters are strings; the runtime converts them by the flow's types. An empty value for a
    parameter whose default is an expression means "use that default" (evaluated at run time)."""
    entry: dict = {"name": p.name}
    if p.has_default:
        entry["value"] = p.default_text
    elif not p.required:
        entry["value"] = ""
    description = p.help
    if p.runtime_default is not None:
        description = (description + f" (empty: default computed at run time: {p.runtime_default})").strip()
    if description:
        entry["description"] = description
    return entry


# ------------------------------------------------------------------------------------------ DAGs

def _dag(plan: Plan, scope: Scope) -> dict:
    index = "" if scope.id == TOP else "{{inputs.parameters.index}}"
    tasks = []
    for step in scope.steps:
        task = plan.task(step)
        entry: dict = {"name": dns_name(step), "template": f"step-{dns_name(step)}"}
        depends = _depends(task)
        if depends:
            entry["depends"] = depends
        if task.case_of:
            switch, _ = task.case_of
            entry["when"] = f"'{{{{tasks.{dns_name(switch)}.outputs.parameters.control}}}}' == '{step}'"
        entry["arguments"] = {"parameters": [{"name": "index", "value": index}]}
        tasks.append(entry)
        if task.fan_out == "foreach":
            tasks.append({
                "name": body_name(step),
                "template": body_name(step),
                "depends": f"{dns_name(step)}.Succeeded",
                "withParam": f"{{{{tasks.{dns_name(step)}.outputs.parameters.control}}}}",
                "arguments": {"parameters": [{"name": "index", "value": "{{item}}"}]},
            })
    template: dict = {"name": "main" if scope.id == TOP else body_name(scope.split)}
    if scope.id != TOP:
        template["inputs"] = {"parameters": [{"name": "index"}]}
    template["dag"] = {"tasks": tasks}
    return template


def _node(ref: Ref) -> str:
    return body_name(ref.name) if ref.kind == "scope" else dns_name(ref.name)


def _depends(task: TaskSpec) -> str:
    """Always `.Succeeded`: a bare name would also accept a task skipped by its `when`, running a switch
    case that was not chosen. Where switch cases meet, whichever case ran is enough."""
    nodes = [f"{_node(ref)}.Succeeded" for ref in task.after]
    return (" || " if task.waits_for_one_of else " && ").join(nodes)


# ------------------------------------------------------------------------------------------ containers

def _container(plan: Plan, task: TaskSpec, options: EmitOptions) -> dict:
    slots = {**SLOTS, "flow_file": options.flow_path or options.source_path, "datastore": options.datastore,
             "params": [a for p in plan.parameters for a in ("--param", f"{p.name}={{{{workflow.parameters.{p.name}}}}}")]}
    argv = task.argv({**slots, "python": options.python})
    pod = task.kubernetes
    container: dict = {"image": task.image or options.image, "command": argv[:1], "args": argv[1:]}
    if pod and pod.image_pull_policy:
        container["imagePullPolicy"] = pod.image_pull_policy
    env = [{"name": k, "value": v} for k, v in task.environment if "{{" not in v]
    if env:  # values holding "{{" stay out (Argo cannot escape them); the runtime sets every one anyway
        container["env"] = env
    secrets = pod_secrets(task)
    if secrets:
        container["envFrom"] = [{"secretRef": {"name": s}} for s in secrets]
    resources = _resources(task)
    if resources:
        container["resources"] = resources
    template: dict = {"name": f"step-{dns_name(task.step)}", "inputs": {"parameters": [{"name": "index"}]}}
    if task.fan_out != "none":
        template["outputs"] = {"parameters": [{"name": "control", "valueFrom": {"path": CONTROL_FILE}}]}
    if pod and (pod.labels or pod.annotations):
        template["metadata"] = {k: dict(v) for k, v in (("labels", pod.labels), ("annotations", pod.annotations)) if v}
    if pod and pod.service_account:
        template["serviceAccountName"] = pod.service_account
    if pod and pod.node_selector:
        template["nodeSelector"] = dict(pod.node_selector)
    if pod and pod.tolerations:
        template["tolerations"] = list(pod.tolerations)
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
