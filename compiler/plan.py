"""The plan: one target-neutral TaskSpec per step. Backends translate it; they never re-analyse the graph.

A TaskSpec carries the exact runtime command (shared/DESIGN.md section 4) as an argv template whose
scheduler-provided values are `Slot`s, so every backend fills the same command its own way and no
user string is ever spliced into a shell line.
"""

from __future__ import annotations

from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict

from .analyse import Graph, Node
from .ir import Decorator, Parameter, Step
from .source import Span

SlotName = Literal["python", "flow_file", "run_id", "index", "attempt", "datastore", "params_json", "control_out"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Slot(Frozen):
    """A value the scheduler supplies when the task runs (run id, foreach index, attempt, ...)."""

    slot: SlotName


Arg = Union[str, Slot]


class Retry(Frozen):
    times: int
    minutes_between_retries: float


class Resources(Frozen):
    cpu: Optional[float] = None
    memory_mb: Optional[float] = None
    disk_mb: Optional[float] = None
    gpu: Optional[int] = None
    shared_memory_mb: Optional[float] = None


class TaskSpec(Frozen):
    step: str
    kind: str  # start | linear | branch | foreach | switch | join | end
    span: Span  # the step's `def` name, for target diagnostics
    docstring: Optional[str] = None
    command: tuple[Arg, ...]
    inputs: str  # the --inputs wiring
    waits_for: tuple[str, ...]  # steps that must have run (for a switch meet: exactly one of them)
    waits_for_one_of: bool = False  # True where switch branches meet
    foreach_splits: tuple[str, ...] = ()  # enclosing foreach splits, outermost first: the index depth
    fan_out: Literal["none", "foreach", "switch"] = "none"  # what this task's control value means
    children: tuple[str, ...] = ()
    switch_cases: tuple[tuple[str, str], ...] = ()  # (case value, step)
    join_of: Optional[str] = None
    retry: Optional[Retry] = None
    timeout_seconds: Optional[int] = None
    catch_var: Optional[str] = None
    resources: Resources = Resources()
    image: Optional[str] = None
    environment: tuple[tuple[str, str], ...] = ()
    secrets: tuple[str, ...] = ()
    kubernetes: dict = {}
    batch: dict = {}


class Schedule(Frozen):
    cron: str  # five fields; @schedule(hourly/daily/weekly=True) resolved as Metaflow does
    timezone: str = "UTC"


class Plan(Frozen):
    flow: str
    source_path: str
    source_sha256: str
    docstring: Optional[str] = None
    parameters: tuple[Parameter, ...] = ()
    schedule: Optional[Schedule] = None
    project: Optional[str] = None
    tasks: tuple[TaskSpec, ...]

    def task(self, step: str) -> TaskSpec:
        return next(t for t in self.tasks if t.step == step)


def build_plan(graph: Graph, flow_class_option: bool = False) -> Plan:
    """Plan every step of an analysed (diagnostic-free) graph. `flow_class_option` adds --flow to
    the command, needed when the file holds several flows."""
    flow = graph.flow
    tasks = tuple(_task(graph, node, flow.step(node.name), flow_class_option) for node in graph)
    schedule = flow.decorator("schedule")
    project = flow.decorator("project")
    return Plan(
        flow=flow.name,
        source_path=flow.source_path,
        source_sha256=flow.source_sha256,
        docstring=flow.docstring,
        parameters=flow.parameters,
        schedule=_schedule(_values(schedule)) if schedule else None,
        project=_values(project)["name"] if project else None,
        tasks=tasks,
    )


def wiring(graph: Graph, node: Node) -> str:
    """The --inputs value of DESIGN section 4, written once here for every backend."""
    if not node.parents:
        return ""
    if node.join_of is not None:
        if graph[node.join_of].kind == "foreach":
            return f"{node.parents[0]}@{node.join_of}"
        return ",".join(node.parents)
    if node.is_switch_meet:
        return "|".join(node.parents)
    parent = graph[node.parents[0]]
    return f"@{parent.name}" if parent.kind == "foreach" else parent.name


def _task(graph: Graph, node: Node, step: Step, flow_class_option: bool) -> TaskSpec:
    fan_out = node.kind if node.kind in ("foreach", "switch") else "none"
    command: list[Arg] = [
        Slot(slot="python"), "-m", "flowc.runtime", "task", Slot(slot="flow_file"), node.name,
        "--run-id", Slot(slot="run_id"), "--index", Slot(slot="index"), "--attempt", Slot(slot="attempt"),
        "--datastore", Slot(slot="datastore"), "--source-sha256", graph.flow.source_sha256,
        "--inputs", wiring(graph, node),
    ]
    if node.name == "start":
        command += ["--params-json", Slot(slot="params_json")]
    if fan_out != "none":
        command += ["--control-out", Slot(slot="control_out")]
    if flow_class_option:
        command += ["--flow", graph.flow.name]
    retry = step.decorator("retry")
    catch = step.decorator("catch")
    environment = step.decorator("environment")
    secrets = step.decorator("secrets")
    return TaskSpec(
        step=node.name,
        kind=node.kind,
        span=step.span,
        docstring=step.docstring,
        command=tuple(command),
        inputs=wiring(graph, node),
        waits_for=node.parents,
        waits_for_one_of=node.is_switch_meet,
        foreach_splits=tuple(s for s in node.split_parents if graph[s].kind == "foreach"),
        fan_out=fan_out,
        children=node.children,
        switch_cases=step.transition.cases,
        join_of=node.join_of,
        retry=Retry(**_values(retry)) if retry and _values(retry)["times"] > 0 else None,
        timeout_seconds=_timeout(step.decorator("timeout")),
        catch_var=_values(catch).get("var") if catch else None,
        resources=_resources(step),
        image=_image(step),
        environment=tuple(sorted(_values(environment)["vars"].items())) if environment else (),
        secrets=tuple(_values(secrets)["sources"]) if secrets else (),
        kubernetes=_values(step.decorator("kubernetes")) if step.decorator("kubernetes") else {},
        batch=_values(step.decorator("batch")) if step.decorator("batch") else {},
    )


SHORTHAND_SCHEDULES = {"hourly": "0 * * * *", "daily": "0 0 * * *", "weekly": "0 0 * * 0"}


def _schedule(values: dict) -> Schedule:
    cron = values.get("cron") or next(c for k, c in SHORTHAND_SCHEDULES.items() if values.get(k))
    return Schedule(cron=cron, timezone=values.get("timezone") or "UTC")


def _values(decorator: Optional[Decorator]) -> dict:
    return {k: v.value for k, v in decorator.args.items()} if decorator else {}


def _timeout(decorator: Optional[Decorator]) -> Optional[int]:
    if decorator is None:
        return None
    v = _values(decorator)
    total = v["seconds"] + 60 * v["minutes"] + 3600 * v["hours"]
    return total or None


def _resources(step: Step) -> Resources:
    """Metaflow's rule: the largest request among @resources, @kubernetes and @batch wins."""
    merged: dict[str, float] = {}
    names = {"cpu": "cpu", "memory": "memory_mb", "disk": "disk_mb", "gpu": "gpu", "shared_memory": "shared_memory_mb"}
    for name in ("resources", "kubernetes", "batch"):
        for key, field in names.items():
            value = _values(step.decorator(name)).get(key)
            if value is not None:
                value = float(value)
                merged[field] = max(merged.get(field, value), value)
    if "gpu" in merged:
        merged["gpu"] = int(merged["gpu"])
    return Resources(**merged)


def _image(step: Step) -> Optional[str]:
    for name in ("kubernetes", "batch"):
        image = _values(step.decorator(name)).get("image")
        if image:
            return image
    return None
