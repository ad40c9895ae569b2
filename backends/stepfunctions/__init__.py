"""AWS Step Functions backend: the plan as a state machine (Amazon States Language, JSONPath mode) whose
steps are AWS Batch jobs, plus the Batch job definitions it names and, for @schedule, an EventBridge
Scheduler schedule.

Emitted by plain recursion over `Plan.regions`: a step is a `batch:submitJob.sync` Task running the plan's
task command; static branches a Parallel state up to their join; a foreach a Distributed Map whose
ItemReader reads the split's `control.json` from S3 (width bounded by Distributed Map, not by the payload or
the history), or an inline Map (`--map-mode inline`); a switch an `aws-sdk:s3:getObject` of its
`control.json`, a Choice over the chosen step and a Fail default. Every state passes the same small data
along (`ResultPath: null`): the run id (an execution's name differs inside a Distributed Map's children),
the foreach index and its segment on disk, and the run's parameters (the execution input merged over the
flow's defaults). The attempt is the state's retry count. No DynamoDB, no Lambda.
"""

from __future__ import annotations

import hashlib
import json
import re

from flowc.compiler.emit import EmitOptions, Problems, header
from flowc.compiler.plan import Plan, TaskSpec

from ..base import Backend, Capabilities
from ..kubernetes import quantity
from .batch import JobDefinitions, s3_location
from .schedule import schedule_document

SUBMIT_JOB = "arn:aws:states:::batch:submitJob.sync"
GET_OBJECT = "arn:aws:states:::aws-sdk:s3:getObject"
ITEM_READER = "arn:aws:states:::s3:getObject"
MAX_DEFINITION = 1_048_576  # characters
MAX_NAME = 80  # state and state machine names
BAD_NAME = re.compile(r'[\s<>{}\[\]?*"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]')
INIT = ("flowc-input", "flowc-defaults", "flowc-run")  # the states before `start`
# How a Task fills the command's slots: intrinsic-function arguments (JSON paths, or quoted literals).
SLOTS = {
    "run_id": "$.run_id", "index": "$.index", "attempt": "States.JsonToString($$.State.RetryCount)",
    "params": ["'--params-json'", "States.JsonToString($.params)"], "control_out": [],
}
S3_READ_RETRY = {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2.0}


def literal(text: str) -> str:
    """A string literal inside an intrinsic function: quoted, with ' { } \\ escaped (the ASL rules)."""
    return "'" + re.sub(r"(['{}\\])", r"\\\1", text) + "'"


class StepFunctions(Backend):
    name = "stepfunctions"
    capabilities_ = Capabilities(runs_as="an AWS Batch job", batch=True, pod_settings=False,
                                 secret_types=("aws-secrets-manager",))  # an ARN id, as a plain source

    def pods_help(self) -> str:
        return "use @batch(queue=..., iam_role=...) for Batch settings"

    def _check_decorators(self, task: TaskSpec, caps: Capabilities, problems: Problems) -> None:
        super()._check_decorators(task, caps, problems)
        if task.resources.disk_mb is not None:
            problems.warn(task.step, "@resources(disk=...): an AWS Batch job gets its compute environment's disk",
                          help="size the disk in the Batch compute environment's launch template")

    def render(self, plan: Plan, options: EmitOptions, problems: Problems) -> dict[str, str]:
        name = options.get("name") or plan.flow
        if not 1 <= len(name) <= MAX_NAME or BAD_NAME.search(name):
            problems.add(None, f"the state machine name {name!r} is not valid for Step Functions (1-80 characters, "
                               "no whitespace or <>{}[]?*\"#%\\^|~`$&,;:/)", help="give one with --name")
            return {}
        bucket, prefix = s3_location(options.datastore)
        jobs = JobDefinitions(plan, options, name, problems)
        names = _state_names(plan, problems)
        if problems:
            return {}
        banner = "\n".join(line[2:] for line in header("#", options, plan.source_sha256).splitlines())
        emitter = _Emitter(plan, options, names, jobs, bucket, prefix)
        definition = {"Comment": banner + (f"\n\n{plan.docstring}" if plan.docstring else ""),
                      "StartAt": INIT[0], "States": {**_init_states(plan, names), **emitter.sequence(plan.regions, None)}}
        text = json.dumps(definition, indent=1, ensure_ascii=False) + "\n"
        if len(text) > MAX_DEFINITION:
            problems.add(None, f"the state machine definition is {len(text):,} characters; Step Functions accepts "
                               f"at most {MAX_DEFINITION:,} ({len(plan.tasks)} steps)",
                         help="split the flow into smaller flows")
        files = {f"{name}.asl.json": text, f"{name}.batch.json": jobs.document(banner)}
        if plan.schedule:
            files[f"{name}.schedule.json"] = schedule_document(plan, options, name, banner, problems)
        return files

    def deploy(self, files: dict[str, str], settings: dict, dry_run: bool, say) -> bool:
        from .deploy import deploy

        return deploy(files, settings, dry_run, say)


BACKEND = StepFunctions()


# ------------------------------------------------------------------------------------------ names

def _state_names(plan: Plan, problems: Problems) -> dict[tuple[str, str], str]:
    """(step, role) -> state name, for every state the flow needs. A name over 80 characters keeps its start
    and gets a hash of the whole (deterministic); a collision left after that is a compile error."""
    names: dict[tuple[str, str], str] = {}
    for task in plan.tasks:
        wanted = [""]
        if task.fan_out == "switch":
            wanted += ["read", "choice", "no-case"]
        elif task.fan_out == "foreach":
            wanted += ["read", "each"]
        elif task.closed_by:
            wanted += ["branches"]
        for role in wanted:
            names[(task.step, role)] = _short(task.step, f"-{role}" if role else "")
        if BAD_NAME.search(task.step):
            problems.add(task.step, f"the step name {task.step!r} has a character Step Functions state names cannot "
                                    "hold", help="rename the step ([a-z0-9_])")
    seen: dict[str, tuple[str, str]] = {name: ("", name) for name in INIT}
    for key, name in names.items():
        if name in seen and seen[name] != key:
            problems.add(key[0], f"the state name `{name}` would be used twice", help=f"rename step `{key[0]}`")
        seen[name] = key
    return names


def _short(base: str, suffix: str) -> str:
    name = base + suffix
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{base[:MAX_NAME - len(suffix) - 9]}.{digest}{suffix}"


def _init_states(plan: Plan, names: dict) -> dict:
    """The run's data: its id (the execution's name) and its parameters, the execution input's values merged
    over the flow's literal defaults. A parameter missing from both is left to the runtime, which evaluates
    an expression default or says that a required parameter is missing."""
    defaults = {p.name: p.default for p in plan.parameters if p.has_default}
    return {
        INIT[0]: {"Type": "Pass", "Comment": "the execution input: the run's parameter values",
                  "Parameters": {"input.$": "$", "run_id.$": "$$.Execution.Name"}, "Next": INIT[1]},
        INIT[1]: {"Type": "Pass", "Comment": "the flow's parameter defaults", "Result": defaults,
                  "ResultPath": "$.defaults", "Next": INIT[2]},
        INIT[2]: {"Type": "Pass", "Parameters": {
            "run_id.$": "$.run_id", "index": "", "task_id": "_",
            "params.$": "States.JsonMerge($.defaults, $.input, false)"}, "Next": names[("start", "")]},
    }


# ------------------------------------------------------------------------------------------ states

class _Emitter:
    def __init__(self, plan: Plan, options: EmitOptions, names: dict, jobs: JobDefinitions, bucket: str,
                 prefix: str):
        self.plan, self.options, self.names, self.jobs = plan, options, names, jobs
        self.bucket, self.prefix = bucket, prefix
        self.inline = options.get("map_mode") == "inline"

    def state(self, step: str, role: str = "") -> str:
        return self.names[(step, role)]

    def entry(self, region) -> str:
        """The first state of a region."""
        if region.kind == "step":
            return self.state(region.step)
        if region.kind == "parallel":
            return self.state(region.split, "branches")
        if region.kind == "map":
            return self.state(region.split, "read" if self.inline else "each")
        return self.state(region.switch, "read")

    def sequence(self, regions: tuple, after: str | None, in_map: bool = False) -> dict:
        """The states of `regions` in order; the last goes to `after` (None: it ends its state machine)."""
        states: dict = {}
        for i, region in enumerate(regions):
            follow = self.entry(regions[i + 1]) if i + 1 < len(regions) else after
            states.update(getattr(self, f"_{region.kind}")(region, follow, in_map and follow is None))
        return states

    # -- one region each ------------------------------------------------------------------------------------
    def _step(self, region, follow: str | None, ends_child: bool) -> dict:
        task = self.plan.task(region.step)
        state = {"Type": "Task"}
        if task.docstring:
            state["Comment"] = task.docstring
        state["Resource"] = SUBMIT_JOB
        state["Parameters"] = self._submit_job(task)
        state["ResultPath"] = None
        if task.timeout_seconds:
            state["TimeoutSeconds"] = task.scheduler_timeout_seconds
        if task.retry:
            state["Retry"] = [{"ErrorEquals": ["States.ALL"],
                               "IntervalSeconds": max(1, round(task.retry.minutes_between_retries * 60)),
                               "MaxAttempts": task.retry.times, "BackoffRate": 1.0}]
        return {self.state(task.step): _link(state, follow, ends_child)}

    def _parallel(self, region, follow: str | None, ends_child: bool) -> dict:
        branches = [{"StartAt": self.entry(arm[0]), "States": self.sequence(arm, None)} for arm in region.arms]
        state = {"Type": "Parallel", "Comment": f"the branches of {region.split}, up to {region.join}",
                 "Branches": branches, "ResultPath": None}
        return {self.state(region.split, "branches"): _link(state, follow, ends_child)}

    def _map(self, region, follow: str | None, ends_child: bool) -> dict:
        split = region.split
        processor = {"ProcessorConfig": {"Mode": "INLINE"} if self.inline else
                     {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                     "StartAt": self.entry(region.body[0]), "States": self.sequence(region.body, None, True)}
        state: dict = {"Type": "Map", "Comment": f"the foreach of {split}: one child per index path it wrote"}
        states = {}
        if self.inline:
            states[self.state(split, "read")] = self._read(split, "$.foreach", self.state(split, "each"))
            state["ItemsPath"] = "$.foreach.control"
        else:
            state["ItemReader"] = {"Resource": ITEM_READER, "ReaderConfig": {"InputType": "JSON"},
                                   "Parameters": {"Bucket": self.bucket, "Key.$": self._control_key(split)}}
        state["ItemSelector"] = {"run_id.$": "$.run_id", "index.$": "$$.Map.Item.Value.index",
                                 "task_id.$": "$$.Map.Item.Value.task_id"}
        state["ItemProcessor"] = processor
        if self.options.get("max_concurrency"):
            state["MaxConcurrency"] = int(self.options.get("max_concurrency"))
        if self.inline:  # keep the children's list out of the data that flows on
            state["ResultSelector"] = {"children.$": "States.ArrayLength($)"}
            state["ResultPath"] = "$.foreach"
        else:
            state["ResultPath"] = None
        states[self.state(split, "each")] = _link(state, follow, ends_child)
        return states

    def _choice(self, region, follow: str | None, ends_child: bool) -> dict:
        switch = region.switch
        meet = self.state(region.meet) if region.meet else follow
        states = {self.state(switch, "read"): self._read(switch, "$.switch", self.state(switch, "choice"))}
        choices = []
        for (value, target), case in zip(self.plan.task(switch).switch_cases, region.cases):
            entry = self.entry(case.body[0]) if case.body else meet
            choices.append({"Variable": "$.switch.control.step", "StringEquals": target, "Next": entry})
        states[self.state(switch, "choice")] = {
            "Type": "Choice", "Comment": f"the case {switch} chose", "Choices": choices,
            "Default": self.state(switch, "no-case")}
        states[self.state(switch, "no-case")] = {
            "Type": "Fail", "Error": "flowc.UnknownCase",
            "Cause": f"switch {switch} chose a step that is not one of its cases: recompile the flow"}
        for case in region.cases:
            states.update(self.sequence(case.body, meet, ends_child and meet is None))
        return states

    # -- pieces ---------------------------------------------------------------------------------------------
    def _control_key(self, step: str) -> str:
        """The S3 key of the step's control.json at the current index (runtime/layout.py)."""
        key = f"{self.plan.flow}/runs/{{}}/{step}/{{}}/control.json"
        fixed = re.sub(r"(['\\])", r"\\\1", f"{self.prefix}/" if self.prefix else "")
        fixed = re.sub(r"([{}])", r"\\\1", fixed)
        return f"States.Format('{fixed}{key}', $.run_id, $.task_id)"

    def _read(self, step: str, result_path: str, follow: str) -> dict:
        """A small Task reading the step's control.json into the data at `result_path` + `.control`."""
        return {"Type": "Task", "Comment": f"what {step} chose (its control.json)", "Resource": GET_OBJECT,
                "Parameters": {"Bucket": self.bucket, "Key.$": self._control_key(step)},
                "ResultSelector": {"control.$": "States.StringToJson($.Body)"}, "ResultPath": result_path,
                "Retry": [S3_READ_RETRY], "Next": follow}

    def _submit_job(self, task: TaskSpec) -> dict:
        options = self.options
        slots = {**SLOTS, "python": literal(options.python),
                 "flow_file": literal(options.flow_path or options.source_path),
                 "datastore": literal(options.datastore)}
        command = "States.Array(" + ", ".join(task.argv(slots, quote=literal)) + ")"
        overrides: dict = {"Command.$": command}
        if task.environment:
            overrides["Environment"] = [{"Name": k, "Value": v} for k, v in task.environment]
        requirements = _resource_requirements(task)
        if requirements:
            overrides["ResourceRequirements"] = requirements
        parameters = {"JobName": _job_name(self.plan.flow, task.step), "JobDefinition": self.jobs.name_for(task),
                      "JobQueue": (task.batch and task.batch.queue) or options.get("job_queue"),
                      "ContainerOverrides": overrides}
        if task.timeout_seconds:
            parameters["Timeout"] = {"AttemptDurationSeconds": task.scheduler_timeout_seconds}
        return parameters


def _link(state: dict, follow: str | None, ends_child: bool) -> dict:
    """Chain a state to the next one, or end its state machine. The last state of a foreach child outputs {}:
    a Distributed Map gathers every child's output, and 256 KiB must hold them all."""
    if follow is not None:
        state["Next"] = follow
        return state
    if ends_child:
        state["OutputPath"] = None
    state["End"] = True
    return state


def _resource_requirements(task: TaskSpec) -> list[dict]:
    r = task.resources
    out = []
    if r.cpu is not None:
        out.append({"Type": "VCPU", "Value": quantity(r.cpu)})
    if r.memory_mb is not None:
        out.append({"Type": "MEMORY", "Value": str(int(r.memory_mb))})
    if r.gpu:
        out.append({"Type": "GPU", "Value": str(r.gpu)})
    return out


def _job_name(flow: str, step: str) -> str:
    """Batch job names: at most 128 letters, digits, '-' and '_', starting with a letter or digit."""
    name = re.sub(r"[^A-Za-z0-9_-]", "_", f"{flow}-{step}")
    if len(name) > 128:
        name = f"{name[:119]}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"
    return name

