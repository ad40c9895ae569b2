"""Argo Workflows backend: the plan as a WorkflowTemplate (plus a CronWorkflow when the flow has @schedule).

One DAG template per foreach scope (`main`, then `each-<split>` for every foreach body), one container
template per step (`step-<name>`) reused by every foreach child through its `index` input. The task
command is an argv list: no shell, and every flow parameter is its own `--param name=value` argument.
Branches meet through `depends`; a foreach iterates `withParam` over the split's `control` output (index
paths, never data); a switch case runs `when` the switch's `control` names it, and where cases meet
`depends` accepts whichever one succeeded.

What a real cluster would refuse is a compile error here: names Argo or Kubernetes reject, strings Argo
would substitute a second time, label and annotation values the API server refuses.
"""

from __future__ import annotations

import re
import shlex
from typing import Optional

from flowc.compiler.emit import EmitOptions, Problems, header
from flowc.compiler.plan import TOP, ParameterSpec, Plan, Ref, Scope, TaskSpec

from ..base import DNS_LABEL, Backend, Capabilities, command_texts, dns_name, kebab
from ..kubernetes import (ANNOTATIONS_BYTES, annotations_bytes, label_problems, pod_resources, pod_secrets, quantity,
                          subdomain_problem)
from ..yamltext import dump

API_VERSION = "argoproj.io/v1alpha1"
OUT_DIR = "/flowc/out"  # an emptyDir: writable even where the image's root filesystem is read-only
CONTROL_FILE = f"{OUT_DIR}/control"  # where a split/switch writes its control value for Argo to read
LIMITS = {"templates": 200, "tasks per DAG": 200}  # Argo v4 CRD limits
MAX_CRON_NAME = 52  # Argo names a scheduled run <cron name>-<10-digit time>, a 63-character label value
DEFAULTS = {"parallelism": 100, "default_cpu": 1, "default_memory": 4096, "default_disk": 10240,
            "successful_jobs_history_limit": 10000, "failed_jobs_history_limit": 10000,
            "starting_deadline_seconds": 3540}  # Metaflow's
# `depends` is an expr-lang expression: a task named like one of its keywords or literals does not parse
DEPENDS_KEYWORDS = {"in", "not", "and", "or", "matches", "contains", "startswith", "endswith", "let", "if",
                    "else", "true", "false", "nil"}
# Argo substitutes a parameter's value into the command, then substitutes the result again: a tag there
# that Argo knows is replaced (or fails validation), and `{{=...}}` is evaluated. Other tags stay as text.
ARGO_TAG = re.compile(r"{{\s*(=|(workflow|inputs|outputs|tasks|steps|pod|node|item|lastRetry|cronworkflow)\."
                      r"|(item|retries|status|exitCode|duration)\s*}})")
SLOTS = {  # how Argo fills the task command's slots
    "run_id": "{{workflow.name}}", "index": "{{inputs.parameters.index}}",
    "attempt": lambda task: "{{retries}}" if task.retry else "0",
    "control_out": ["--control-out", CONTROL_FILE],
}


class Argo(Backend):
    name = "argo"
    title = "Argo"
    capabilities_ = Capabilities(runs_as="an Argo pod", per_step_namespace=False)
    max_name = 63
    max_document_bytes = 1_000_000  # an object in etcd (under 1 MB)

    def node_name(self, step: str) -> str:
        return task_name(step)

    def limited_names(self, step: str) -> list[str]:
        return [f"step-{dns_name(step)}"]

    def generated_names(self, plan: Plan, options: EmitOptions) -> dict[str, str]:
        return {body_name(s.split): f"the Argo task that runs the foreach body of `{s.split}`"
                for s in plan.scopes[1:]}

    def check(self, plan: Plan, options: EmitOptions, problems: Problems) -> None:
        _check_workflow(plan, options, problems)

    def render(self, plan: Plan, options: EmitOptions, problems: Problems) -> dict[str, str]:
        name = options.get("name") or kebab(plan.flow)
        if not DNS_LABEL.match(name) or len(name) > 63:
            problems.add(None, f"the workflow name {name!r} is not a valid Kubernetes name (lowercase letters, "
                               "digits and '-', at most 63 characters)", help="give one with --name")
        elif plan.schedule and len(name) > MAX_CRON_NAME:
            problems.add(None, f"the CronWorkflow name {name!r} has {len(name)} characters; Argo allows "
                               f"{MAX_CRON_NAME} (it appends the run's time to name each scheduled run)",
                         help="give a shorter one with --name")
        documents = [_workflow_template(plan, options, name, problems)]
        if plan.schedule:
            documents.append(_cron_workflow(plan, options, name, problems))
        text = header("#", options, plan.source_sha256) + "".join(
            ("---\n" if i else "") + dump(doc) for i, doc in enumerate(documents))
        return {f"{name}.yaml": text}


BACKEND = Argo()


def task_name(step: str) -> str:
    """A step's DAG task: its DNS form, prefixed where `depends` would read it as an expression keyword."""
    name = dns_name(step)
    return f"step-{name}" if name.lower() in DEPENDS_KEYWORDS else name


def body_name(split: str) -> str:
    """The DAG task (and template) that runs a foreach body once per child."""
    return f"each-{dns_name(split)}"


def _option(options: EmitOptions, name: str):
    return options.get(name, DEFAULTS.get(name))


# ------------------------------------------------------------------------------------------ checks

def _check_workflow(plan: Plan, options: EmitOptions, problems: Problems) -> None:
    """The workflow-wide pod settings (each step's pod is checked by Backend._check_pod)."""
    if plan.project:
        for message in label_problems("the @project name (the label flowc/project)", [("flowc/project", plan.project)]):
            problems.add(None, message, help="use letters, digits, '-', '_' and '.' (at most 63)")
    for secret in options.get("env_secret") or ():
        problem = subdomain_problem(secret)
        if problem:
            problems.add(None, f"--env-secret {secret!r} is not a Kubernetes Secret name: it {problem}")
    if options.get("exit_command") and not options.get("exit_image"):
        problems.add(None, "--exit-command needs --exit-image (the image the exit handler runs in)")
    # the task command's own values (a --tag among them) are substituted too: Argo has no escape for `{{`
    for value in command_texts(plan, options):
        found = ARGO_TAG.search(value)
        if found:
            problems.add(None, f"{value!r} in the task command contains an Argo template tag ({found.group(0)}...}}}}): "
                               "Argo would substitute it, so the task would not see this text",
                         help="change the --tag, --datastore, --python or --flow-path value, or rename the file")


# ------------------------------------------------------------------------------------------ documents

def _metadata(plan: Plan, options: EmitOptions, name: str) -> dict:
    metadata = {"name": name}
    if options.get("namespace"):
        metadata["namespace"] = options.get("namespace")
    metadata["labels"] = {"app.kubernetes.io/managed-by": "flowc"}
    metadata["annotations"] = {"flowc/flow": plan.flow, "flowc/source": options.source_path,
                               "flowc/source-sha256": plan.source_sha256}
    if plan.docstring:  # on the template object: Argo shows it, and never substitutes {{...}} there
        key = "workflows.argoproj.io/description"
        metadata["annotations"][key] = _fitting_description(plan.docstring, metadata["annotations"], key,
                                                            options.source_path)
    if plan.project:
        metadata["labels"]["flowc/project"] = plan.project
    return metadata


def _fitting_description(docstring: str, annotations: dict, key: str, source: str) -> str:
    """The docstring, cut (with a note) so that all annotations fit Kubernetes' 256 KiB."""
    room = ANNOTATIONS_BYTES - annotations_bytes(annotations) - len(key.encode())
    if len(docstring.encode()) <= room:
        return docstring
    note = f"\n\n[cut by flowc: Kubernetes allows {ANNOTATIONS_BYTES:,} bytes of annotations; see {source}]"
    kept = docstring.encode()[: room - len(note.encode())].decode(errors="ignore")
    return kept + note


def _workflow_template(plan: Plan, options: EmitOptions, name: str, problems: Problems) -> dict:
    spec: dict = {"entrypoint": "main"}
    if options.get("service_account"):
        spec["serviceAccountName"] = options.get("service_account")
    if _option(options, "parallelism"):
        spec["parallelism"] = int(_option(options, "parallelism"))
    if options.get("image_pull_secret"):
        spec["imagePullSecrets"] = [{"name": s} for s in options.get("image_pull_secret")]
    if options.get("pod_gc"):
        spec["podGC"] = {"strategy": options.get("pod_gc")}
    if options.get("ttl_after_completion") is not None:
        spec["ttlStrategy"] = {"secondsAfterCompletion": int(options.get("ttl_after_completion"))}
    security = _pod_security(options)
    if security:
        spec["securityContext"] = security
    if options.get("exit_image"):
        spec["onExit"] = "exit-handler"
    if plan.parameters:
        spec["arguments"] = {"parameters": [_parameter(p, problems) for p in plan.parameters]}
    spec["templates"] = [_dag(plan, scope) for scope in plan.scopes]
    spec["templates"] += [_container(plan, task, options) for task in plan.tasks]
    if options.get("exit_image"):
        spec["templates"].append(_exit_handler(options))
    _check_limits(spec, problems)
    return {"apiVersion": API_VERSION, "kind": "WorkflowTemplate", "metadata": _metadata(plan, options, name),
            "spec": spec}


def _cron_workflow(plan: Plan, options: EmitOptions, name: str, problems: Problems) -> dict:
    spec = {"schedules": [plan.schedule.cron], "timezone": plan.schedule.timezone, "concurrencyPolicy": "Allow",
            "startingDeadlineSeconds": int(_option(options, "starting_deadline_seconds")),
            "successfulJobsHistoryLimit": int(_option(options, "successful_jobs_history_limit")),
            "failedJobsHistoryLimit": int(_option(options, "failed_jobs_history_limit")),
            "workflowSpec": {"workflowTemplateRef": {"name": name}}}
    return {"apiVersion": API_VERSION, "kind": "CronWorkflow", "metadata": _metadata(plan, options, name),
            "spec": spec}


def _parameter(p: ParameterSpec, problems: Problems) -> dict:
    """Argo parameters are strings; the runtime converts them by the flow's types. An empty value for a
    parameter whose default is an expression means "use that default" (evaluated at run time)."""
    entry: dict = {"name": p.name}
    if p.has_default:
        entry["value"] = p.default_text
        if ARGO_TAG.search(p.default_text):
            problems.add(None, f"the default of parameter {p.name!r} contains an Argo template tag "
                               f"({ARGO_TAG.search(p.default_text).group(0)}...}}}}): Argo substitutes parameter "
                               "values a second time, so the step would not see this text",
                         help="Argo has no escape for `{{`: compute the default at run time (a function or an "
                              "expression), or avoid `{{workflow.`/`{{inputs.`/`{{=`-style text in it")
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
        entry: dict = {"name": task_name(step), "template": f"step-{dns_name(step)}"}
        depends = _depends(task)
        if depends:
            entry["depends"] = depends
        if task.case_of:
            switch, _ = task.case_of
            entry["when"] = f"'{{{{tasks.{task_name(switch)}.outputs.parameters.control}}}}' == '{step}'"
        entry["arguments"] = {"parameters": [{"name": "index", "value": index}]}
        tasks.append(entry)
        if task.fan_out == "foreach":
            tasks.append({
                "name": body_name(step),
                "template": body_name(step),
                "depends": f"{task_name(step)}.Succeeded",
                "withParam": f"{{{{tasks.{task_name(step)}.outputs.parameters.control}}}}",
                "arguments": {"parameters": [{"name": "index", "value": "{{item}}"}]},
            })
    template: dict = {"name": "main" if scope.id == TOP else body_name(scope.split)}
    if scope.id != TOP:
        template["inputs"] = {"parameters": [{"name": "index"}]}
    template["dag"] = {"tasks": tasks}
    return template


def _node(ref: Ref) -> str:
    return body_name(ref.name) if ref.kind == "scope" else task_name(ref.name)


def _depends(task: TaskSpec) -> str:
    """Always `.Succeeded`: a bare name would also accept a task skipped by its `when`, running a switch
    case that was not chosen. Where switch cases meet, whichever case ran is enough."""
    groups = [" || ".join(f"{_node(ref)}.Succeeded" for ref in group) for group in task.after_groups]
    if len(groups) == 1:
        return groups[0]
    return " && ".join(f"({g})" if " || " in g else g for g in groups)


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
    secrets = [*(options.get("env_secret") or ()), *pod_secrets(task)]
    if secrets:
        container["envFrom"] = [{"secretRef": {"name": s}} for s in secrets]
    resources = _resources(task, options)
    if resources:
        container["resources"] = resources
    volumes, mounts = _volumes(task, options)
    if mounts:
        container["volumeMounts"] = mounts
    if options.get("security_context") == "restricted":
        container["securityContext"] = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
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
    if volumes:
        template["volumes"] = volumes
    if task.timeout_seconds:
        template["activeDeadlineSeconds"] = task.scheduler_timeout_seconds
    if task.retry:
        template["retryStrategy"] = {
            "limit": str(task.retry.times), "retryPolicy": "Always",
            "expression": NOT_A_CONTRACT_ERROR,
            "backoff": {"duration": f"{quantity(task.retry.minutes_between_retries * 60)}s"}}
    template["container"] = container
    return template


# Retry unless the task command exited 2, a contract error (bad parameters, source mismatch) that no other
# attempt can fix. Argo evaluates it after each failed attempt; a pod it killed has exit code -1.
NOT_A_CONTRACT_ERROR = "asInt(lastRetry.exitCode) != 2"


def _resources(task: TaskSpec, options: EmitOptions) -> dict:
    defaults = {"cpu": _option(options, "default_cpu"), "memory_mb": _option(options, "default_memory"),
                "disk_mb": _option(options, "default_disk")}
    requests, limits = pod_resources(task, defaults)
    return {k: v for k, v in (("requests", requests), ("limits", limits)) if v}


def _volumes(task: TaskSpec, options: EmitOptions) -> tuple[list, list]:
    """Memory-backed emptyDirs for @resources(shared_memory=) at /dev/shm and @kubernetes(use_tmpfs=,
    tmpfs_size=) at /metaflow_temp (Metaflow's paths), and the emptyDir a split or switch writes its
    control value to."""
    volumes, mounts = [], []

    def add(name: str, path: str, empty_dir: dict) -> None:
        volumes.append({"name": name, "emptyDir": empty_dir})
        mounts.append({"name": name, "mountPath": path})

    if task.fan_out != "none":
        add("flowc-out", OUT_DIR, {})
    if task.resources.shared_memory_mb:
        add("dshm", "/dev/shm", {"medium": "Memory", "sizeLimit": f"{quantity(task.resources.shared_memory_mb)}M"})
    pod = task.kubernetes
    if pod and (pod.use_tmpfs or (pod.tmpfs_size and pod.use_tmpfs is None)):
        size = pod.tmpfs_size or (task.resources.memory_mb or _option(options, "default_memory")) / 2  # Metaflow: half
        add("tmpfs", "/metaflow_temp", {"medium": "Memory", "sizeLimit": f"{quantity(size)}M"})
    return volumes, mounts


def _pod_security(options: EmitOptions) -> Optional[dict]:
    security: dict = {}
    if options.get("security_context") == "restricted":
        security = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    if options.get("run_as_user") is not None:
        security["runAsUser"] = int(options.get("run_as_user"))
    return security or None


def _exit_handler(options: EmitOptions) -> dict:
    """Argo's onExit: runs once the workflow has ended, whatever its status."""
    container: dict = {"image": options.get("exit_image")}
    if options.get("exit_command"):
        container["command"] = shlex.split(options.get("exit_command"))
    container["env"] = [{"name": "FLOWC_RUN_ID", "value": "{{workflow.name}}"},
                        {"name": "FLOWC_WORKFLOW_STATUS", "value": "{{workflow.status}}"}]
    return {"name": "exit-handler", "container": container}


def _check_limits(spec: dict, problems: Problems) -> None:
    if len(spec["templates"]) > LIMITS["templates"]:
        problems.add(None, f"the workflow needs {len(spec['templates'])} templates; Argo allows "
                           f"{LIMITS['templates']}", help="split the flow into smaller flows")
    for template in spec["templates"]:
        count = len(template.get("dag", {}).get("tasks", []))
        if count > LIMITS["tasks per DAG"]:
            problems.add(None, f"the DAG `{template['name']}` has {count} tasks; Argo allows "
                               f"{LIMITS['tasks per DAG']} per DAG", help="split the flow into smaller flows")
