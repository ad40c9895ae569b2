"""Kubeflow Pipelines backend: the plan as a PipelineSpec (KFP's IR YAML), plus the Kubernetes platform spec
document where steps need pod settings: the two-document layout the kfp SDK writes with kfp-kubernetes.

Plain data, not kfp's protobuf classes: no kfp at compile time, deterministic bytes, and a fast compile (the
tests check every field name with kfp's own protobuf). One container component per step (`comp-<step>`,
executor `exec-<step>`) running the task command; its `index` input is '' at the top level or the loop item
of its foreach. A foreach is a `for-loop-N` sub-DAG iterating the split's `Output` list (one per plan scope,
nested as deep as the flow); a switch is a `condition-branches-N` group with one `condition-N` per case,
triggered by the switch's `Output` (the chosen step's name), and the meet depends on the group, as the kfp
compiler does (a dependency on a skipped task would drop the meet). KFP counts no retries, so every task
passes `--attempt auto`: the runtime allocates the next attempt number in the datastore.
"""

from __future__ import annotations

import json
from typing import Optional

from flowc.compiler.emit import EmitOptions, Problems, header
from flowc.compiler.plan import (ChoiceRegion, MapRegion, ParallelRegion, ParameterSpec, Plan, StepRegion,
                                 TaskSpec)

from ..base import DNS_LABEL, Backend, Capabilities, command_texts, dns_name, kebab
from ..kubernetes import pod_secrets, quantity
from ..yamltext import dump

SCHEMA_VERSION = "2.1.0"
OUTPUT = "Output"  # the control output's name: kfp's ParallelFor iterates an output of this name
SECRETS_ROOT = "/etc/flowc/secrets"  # each @secrets source is mounted at SECRETS_ROOT/<name>
SLOTS = {  # how KFP fills the task command's slots
    "run_id": "{{$.pipeline_job_uuid}}", "index": "{{$.inputs.parameters['index']}}", "attempt": "auto",
    "control_out": ["--control-out", f"{{{{$.outputs.parameters['{OUTPUT}'].output_file}}}}"],
}
PARAMETER_TYPES = {"str": "STRING", "int": "NUMBER_INTEGER", "float": "NUMBER_DOUBLE", "bool": "BOOLEAN"}


class Kubeflow(Backend):
    name = "kubeflow"
    title = "Kubeflow"
    capabilities_ = Capabilities(runs_as="a Kubeflow Pipelines pod", per_step_namespace=False)
    max_name = 63

    def node_name(self, step: str) -> str:
        return dns_name(step)

    def generated_names(self, plan: Plan, options: EmitOptions) -> dict[str, str]:
        count = _group_count(plan.regions)
        names = {}
        for n in range(1, count + 1):
            names[f"for-loop-{n}"] = "a Kubeflow foreach group"
            names[f"condition-branches-{n}"] = "a Kubeflow switch group"
            names[f"condition-{n}"] = "a Kubeflow switch case group"
        return names

    def check(self, plan: Plan, options: EmitOptions, problems: Problems) -> None:
        for value in command_texts(plan, options):  # Kubeflow has no escape for its placeholders
            if "{{$" in value:
                problems.add(None, f"{value!r} in the task command contains `{{{{$`, which Kubeflow would replace",
                             help="rename the file or folder, or change --datastore/--python/--tag")

    def render(self, plan: Plan, options: EmitOptions, problems: Problems) -> dict[str, str]:
        name = options.get("name") or kebab(plan.flow)
        if not DNS_LABEL.match(name) or len(name) > 128:
            problems.add(None, f"the pipeline name {name!r} is not valid for Kubeflow (lowercase letters, digits "
                               "and '-', at most 128 characters)", help="give one with --name")
        for task in plan.tasks:
            if not DNS_LABEL.match(dns_name(task.step)):
                problems.add(task.step, f"step `{task.step}` has no Kubeflow task name (`{dns_name(task.step)}` "
                                        "is not lowercase letters, digits and '-')", help="rename the step")
        for p in plan.parameters:  # KFP resolves its placeholders inside parameter values, with no escape
            if p.has_default and "{{$" in p.default_text:
                problems.add(None, f"the default of parameter {p.name!r} contains `{{{{$`, which Kubeflow would "
                                   "replace with a run-time value (it has no escape for it)",
                             help="change the default, or pass the value when the run starts")
        builder = _Builder(plan, options, problems)
        documents = [builder.pipeline_spec(name)]
        if builder.platform:
            documents.append({"platforms": {"kubernetes": {"deploymentSpec": {"executors": builder.platform}}}})
        if plan.schedule:
            problems.warn(None, f"@schedule: Kubeflow keeps schedules on the server, not in the pipeline: create a "
                                f"recurring run of this pipeline with the cron expression `0 {plan.schedule.cron}` "
                                f"(KFP's cron starts with a seconds field; the flow says `{plan.schedule.cron}`), "
                                f"which the KFP server evaluates in its own timezone (UTC by default), not in "
                                f"{plan.schedule.timezone}: shift the hours if they differ",
                          help="kfp.Client().create_recurring_run(..., cron_expression=...), or the KFP UI")
        text = header("#", options, plan.source_sha256) + _step_comments(plan) + "".join(
            ("---\n" if i else "") + dump(doc) for i, doc in enumerate(documents))
        return {f"{name}.yaml": text}


BACKEND = Kubeflow()


def _group_count(regions) -> int:
    """How many kfp groups (for-loop, condition-branches, condition) the regions need: names are numbered."""
    total = 0
    for region in regions:
        if isinstance(region, MapRegion):
            total += 1 + _group_count(region.body)
        elif isinstance(region, ChoiceRegion):
            total += 1 + sum(1 + _group_count(case.body) for case in region.cases)
        elif isinstance(region, ParallelRegion):
            total += sum(_group_count(arm) for arm in region.arms)
    return total


def _steps(regions) -> list[str]:
    """Every step inside the regions."""
    found: list[str] = []
    for region in regions:
        if isinstance(region, StepRegion):
            found.append(region.step)
        elif isinstance(region, MapRegion):
            found += _steps(region.body)
        elif isinstance(region, ChoiceRegion):
            for case in region.cases:
                found += _steps(case.body)
        elif isinstance(region, ParallelRegion):
            for arm in region.arms:
                found += _steps(arm)
    return found


def _step_comments(plan: Plan) -> str:
    """Step docstrings, as comments (a PipelineSpec task has no description field). Every line of a
    docstring gets its own '#', so no text leaves the comment."""
    lines = []
    for task in plan.tasks:
        if task.docstring:
            lines.append(f"{task.step}:")
            lines += [f"  {line}" for line in task.docstring.splitlines()]
    if not lines:
        return ""
    return "# Steps:\n" + "".join(f"#   {line}".rstrip() + "\n" for line in lines)


# ------------------------------------------------------------------------------------------ the spec

class _Builder:
    """Components, executors and platform settings, collected while the region tree is walked."""

    def __init__(self, plan: Plan, options: EmitOptions, problems: Problems):
        self.plan, self.options, self.problems = plan, options, problems
        self.components: dict[str, dict] = {}
        self.executors: dict[str, dict] = {}
        self.platform: dict[str, dict] = {}
        self.groups = 0

    def pipeline_spec(self, name: str) -> dict:
        root = {"dag": self.dag(self.plan.regions, None)}
        if self.plan.parameters:
            root["inputDefinitions"] = {"parameters": {p.name: _parameter(p) for p in self.plan.parameters}}
        info = {"name": name}
        if self.plan.docstring:
            info["description"] = self.plan.docstring
        return {  # kfp's own key order
            "components": dict(sorted(self.components.items())),
            "deploymentSpec": {"executors": dict(sorted(self.executors.items()))},
            "pipelineInfo": info,
            "root": root,
            "schemaVersion": SCHEMA_VERSION,
        }

    # -- DAGs -------------------------------------------------------------------------------------
    def dag(self, regions, index: Optional[str]) -> dict:
        """The DAG of one group. `index`: the input channel holding the foreach index (None at the top)."""
        tasks: dict[str, dict] = {}
        self.fill(regions, index, tasks, {})
        return {"tasks": dict(sorted(tasks.items()))}

    def fill(self, regions, index: Optional[str], tasks: dict, node_of: dict[str, str]) -> None:
        """Add the regions' tasks to one DAG; `node_of` maps each step seen to the task of this DAG holding it."""
        for region in regions:
            if isinstance(region, StepRegion):
                task = self.plan.task(region.step)
                tasks[dns_name(task.step)] = self.step_task(task, index, node_of)
                node_of[task.step] = dns_name(task.step)
            elif isinstance(region, ParallelRegion):  # static branches share their split's DAG
                for arm in region.arms:
                    self.fill(arm, index, tasks, node_of)
            elif isinstance(region, MapRegion):
                name, task = self.loop(region, node_of[region.split])
                tasks[name] = task
                node_of.update({s: name for s in _steps(region.body)})
            elif isinstance(region, ChoiceRegion):
                name, task = self.choice(region, node_of[region.switch], index)
                tasks[name] = task
                node_of.update({s: name for case in region.cases for s in _steps(case.body)})

    def group_component(self, name: str, regions, index: Optional[str], inputs: dict[str, str]) -> None:
        self.components[f"comp-{name}"] = {
            "dag": self.dag(regions, index), "inputDefinitions": {"parameters": {k: {"parameterType": t} for k, t in sorted(inputs.items())}}}

    def loop(self, region: MapRegion, split_node: str) -> tuple[str, dict]:
        self.groups += 1
        name = f"for-loop-{self.groups}"
        items = f"pipelinechannel--{split_node}-{OUTPUT}"
        item = f"{items}-loop-item"
        self.group_component(name, region.body, item, {items: "LIST", item: "STRING"})
        return name, {
            "componentRef": {"name": f"comp-{name}"},
            "dependentTasks": [split_node],
            "inputs": {"parameters": {items: _task_output(split_node)}},
            "parameterIterator": {"itemInput": item, "items": {"inputParameter": items}},
            "taskInfo": {"name": name},
        }

    def choice(self, region: ChoiceRegion, switch_node: str, index: Optional[str]) -> tuple[str, dict]:
        self.groups += 1
        name = f"condition-branches-{self.groups}"
        chosen = f"pipelinechannel--{switch_node}-{OUTPUT}"
        inputs = {chosen: "STRING", **({index: "STRING"} if index else {})}
        cases: dict[str, dict] = {}
        for case in region.cases:
            self.groups += 1
            case_name = f"condition-{self.groups}"
            self.group_component(case_name, case.body, index, inputs)
            first = case.body[0].step  # the control value names the case's first step
            cases[case_name] = {
                "componentRef": {"name": f"comp-{case_name}"},
                "inputs": {"parameters": {k: {"componentInputParameter": k} for k in sorted(inputs)}},
                "taskInfo": {"name": case_name},
                "triggerPolicy": {"condition": f"inputs.parameter_values['{chosen}'] == {_cel_string(first)}"},
            }
        self.components[f"comp-{name}"] = {
            "dag": {"tasks": cases},
            "inputDefinitions": {"parameters": {k: {"parameterType": t} for k, t in sorted(inputs.items())}}}
        parameters = {chosen: _task_output(switch_node)}
        if index:
            parameters[index] = {"componentInputParameter": index}
        return name, {
            "componentRef": {"name": f"comp-{name}"},
            "dependentTasks": [switch_node],
            "inputs": {"parameters": dict(sorted(parameters.items()))},
            "taskInfo": {"name": name},
        }

    # -- one step ---------------------------------------------------------------------------------
    def step_task(self, task: TaskSpec, index: Optional[str], node_of: dict[str, str]) -> dict:
        node = dns_name(task.step)
        self.components[f"comp-{node}"] = self.component(task)
        self.executors[f"exec-{node}"] = {"container": self.container(task)}
        platform = self.pod_settings(task)
        if platform:
            self.platform[f"exec-{node}"] = platform
        entry: dict = {"cachingOptions": {"enableCache": True} if self.options.get("caching") == "on" else {},
                       "componentRef": {"name": f"comp-{node}"}}
        depends = sorted({node_of[p] for p in task.waits_for if p in node_of})
        if depends:
            entry["dependentTasks"] = depends
        parameters = {"index": {"componentInputParameter": index} if index else {"runtimeValue": {"constant": ""}}}
        if task.step == "start":
            parameters.update({p.name: {"componentInputParameter": p.name} for p in self.plan.parameters})
        entry["inputs"] = {"parameters": dict(sorted(parameters.items()))}
        if task.retry:
            entry["retryPolicy"] = {
                "backoffDuration": f"{quantity(task.retry.minutes_between_retries * 60)}s",
                "backoffFactor": 1.0, "maxRetryCount": task.retry.times}
        entry["taskInfo"] = {"name": task.step}  # the display name
        return entry

    def component(self, task: TaskSpec) -> dict:
        inputs = {"index": {"parameterType": "STRING"}}
        if task.step == "start":
            inputs.update({p.name: {"parameterType": _parameter(p)["parameterType"]} for p in self.plan.parameters})
        component: dict = {"executorLabel": f"exec-{dns_name(task.step)}",
                           "inputDefinitions": {"parameters": dict(sorted(inputs.items()))}}
        if task.fan_out != "none":
            kind = "LIST" if task.fan_out == "foreach" else "STRING"
            component["outputDefinitions"] = {"parameters": {OUTPUT: {"parameterType": kind}}}
        return component

    def container(self, task: TaskSpec) -> dict:
        options = self.options
        params = [a for p in self.plan.parameters
                  for a in ("--param", f"{p.name}={{{{$.inputs.parameters['{p.name}']}}}}")]
        slots = {**SLOTS, "python": options.python, "flow_file": options.flow_path or options.source_path,
                 "datastore": options.datastore, "params": params}
        argv = task.argv(slots)
        container: dict = {"args": argv[1:], "command": argv[:1]}
        env = [{"name": k, "value": v} for k, v in task.environment if "{{" not in v]
        secrets = pod_secrets(task)
        if secrets:
            env.append({"name": "FLOWC_SECRET_DIRS", "value": ":".join(f"{SECRETS_ROOT}/{s}" for s in secrets)})
        if env:  # values holding "{{" stay out (KFP may substitute them); the runtime sets every one anyway
            container["env"] = env
        container["image"] = task.image or options.image
        resources = self.resources(task)
        if resources:
            container["resources"] = resources
        return container

    def resources(self, task: TaskSpec) -> dict:
        """Requests as kfp writes them: the current string fields and the older numeric ones."""
        r = task.resources
        spec: dict = {}
        if r.gpu:
            vendor = task.kubernetes.gpu_vendor if task.kubernetes else "nvidia"
            kind = f"{vendor}.com/gpu"
            spec["accelerator"] = {"count": str(r.gpu), "resourceCount": str(r.gpu), "resourceType": kind,
                                   "type": kind}
        if r.cpu is not None:
            spec["cpuRequest"] = float(r.cpu)
            spec["resourceCpuRequest"] = quantity(r.cpu)
        if r.memory_mb is not None:
            spec["memoryRequest"] = r.memory_mb / 1000  # GB, as kfp's numeric field counts
            spec["resourceMemoryRequest"] = f"{quantity(r.memory_mb)}M"
        if r.disk_mb is not None:
            self.problems.warn(task.step, "disk: Kubeflow Pipelines has no ephemeral-storage request; the pod gets "
                                          "the node's default", help="remove disk=, or use a node pool with enough disk")
        if r.shared_memory_mb is not None:
            self.problems.warn(task.step, "shared_memory: not set on Kubeflow Pipelines",
                               help="remove shared_memory=")
        return dict(sorted(spec.items()))

    def pod_settings(self, task: TaskSpec) -> dict:
        """The task's entry in the Kubernetes platform spec (kfp-kubernetes' KubernetesExecutorConfig)."""
        pod = task.kubernetes
        settings: dict = {}
        if task.timeout_seconds:
            settings["activeDeadlineSeconds"] = task.scheduler_timeout_seconds
        if pod and pod.image_pull_policy:
            settings["imagePullPolicy"] = pod.image_pull_policy
        pull_secrets = self.options.get("image_pull_secret") or []
        if pull_secrets:
            settings["imagePullSecret"] = [{"secretName": s} for s in pull_secrets]
        if pod and pod.node_selector:
            settings["nodeSelector"] = {"labels": dict(pod.node_selector)}
        if pod and (pod.labels or pod.annotations):
            settings["podMetadata"] = {k: dict(v) for k, v in (("annotations", pod.annotations),
                                                                ("labels", pod.labels)) if v}
        secrets = pod_secrets(task)
        if secrets:
            settings["secretAsVolume"] = [{"mountPath": f"{SECRETS_ROOT}/{s}", "optional": False, "secretName": s}
                                          for s in secrets]
        if pod and pod.tolerations:
            settings["tolerations"] = [dict(sorted(t.items())) for t in pod.tolerations]
        if pod and pod.service_account:
            self.problems.warn(task.step, "@kubernetes(service_account=...): Kubeflow runs every pod of a run as "
                                          "the run's service account", help="give it when you create the run")
        if pod and (pod.use_tmpfs or pod.tmpfs_size):
            self.problems.warn(task.step, "@kubernetes(use_tmpfs=...): not set on Kubeflow Pipelines",
                               help="remove use_tmpfs/tmpfs_size")
        return settings


def _task_output(producer: str) -> dict:
    return {"taskOutputParameter": {"outputParameterKey": OUTPUT, "producerTask": producer}}


def _cel_string(value: str) -> str:
    """A CEL string literal (step names are identifiers; escape anyway)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _parameter(p: ParameterSpec) -> dict:
    """A typed pipeline input. A default only the running flow can compute becomes an optional STRING whose
    empty value means "not given" (the runtime evaluates the default)."""
    entry: dict = {}
    description = p.help
    if p.runtime_default is not None:
        description = (description + f" (empty: default computed at run time: {p.runtime_default})").strip()
        entry = {"defaultValue": "", "isOptional": True, "parameterType": "STRING"}
    elif not p.has_default and not p.required:  # no default at all: a string, empty when not given
        entry = {"defaultValue": "", "isOptional": True, "parameterType": "STRING"}
    else:
        kind, default = _typed(p)
        if p.has_default:
            entry["defaultValue"] = default
        entry["isOptional"] = not p.required
        entry["parameterType"] = kind
    if description:
        entry["description"] = description
    return dict(sorted(entry.items()))


def _typed(p: ParameterSpec) -> tuple[str, object]:
    """The KFP type and default of a parameter. JSON parameters are STRUCT or LIST by their default (a JSON
    text default is parsed, as the flow parses it); JSON of another shape travels as its text."""
    if p.type != "json":
        return PARAMETER_TYPES[p.type], p.default
    value = p.default
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return "STRING", p.default
    if isinstance(value, list):
        return "LIST", value
    if isinstance(value, dict) or not p.has_default:
        return "STRUCT", value
    return "STRING", p.default_text
