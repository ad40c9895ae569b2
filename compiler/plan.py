"""The plan: everything a target needs to know about a flow, decided once. Backends translate it.

Per step, a TaskSpec: the runtime command (shared/DESIGN.md section 4) as an argv template whose
scheduler-provided values are `Slot`s, its scope and its dependencies already lifted to that scope,
its place in a switch, and its settings as typed records. For the flow, the scope tree (what a
block-structured target nests: the top level and one scope per foreach body) and the region tree
(sequence / parallel branches / foreach map / switch choice, for targets emitted by recursion, like
Step Functions). Graph reasoning ends here: a backend walks these, it never re-derives them.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Callable, Literal, Mapping, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

from .analyse import Graph, Node
from flowc.runtime.configs import encode as encode_configs

from .ir import Config, Decorator, Parameter, Step
from .schedule import resolve_cron
from .source import Span

SlotName = Literal["python", "flow_file", "run_id", "index", "attempt", "datastore", "params", "control_out"]
TOP = ""  # the id of the top-level scope


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Slot(Frozen):
    """A value the scheduler supplies when the task runs (run id, foreach index, attempt, ...).
    `params` stands for any number of arguments: each target passes the run's parameters its own way."""

    slot: SlotName


Arg = Union[str, Slot]
SlotValue = Union[str, list, Callable[["TaskSpec"], Union[str, list]]]


class Ref(Frozen):
    """A node of a scope's DAG: a step, or a nested scope (a foreach body) seen from outside as one node."""

    kind: Literal["step", "scope"]
    name: str  # the step name, or the scope id


class Retry(Frozen):
    times: int
    minutes_between_retries: float


class Resources(Frozen):
    cpu: Optional[float] = None
    memory_mb: Optional[float] = None
    disk_mb: Optional[float] = None
    gpu: Optional[int] = None
    shared_memory_mb: Optional[float] = None


class SecretSource(Frozen):
    """A @secrets source in Metaflow's dict form that is more than a name: a backend type (`aws-secrets-manager`),
    a per-source role or options. A target delivers it if it can (Capabilities.secret_types), else FLC401."""

    type: Optional[str] = None  # None: the target's own kind of secret
    id: str
    role: Optional[str] = None
    options: bool = False  # the source has options

    def describe(self) -> str:
        extras = [f"role={self.role!r}"] * bool(self.role) + ["options"] * self.options
        return f"{self.type or 'default'}:{self.id}" + (f" ({', '.join(extras)})" if extras else "")


class PodSpec(Frozen):
    """@kubernetes settings other than resources and image (those are in TaskSpec.resources/.image)."""

    image_pull_policy: Optional[str] = None
    service_account: Optional[str] = None
    namespace: Optional[str] = None
    secrets: tuple[str, ...] = ()  # Kubernetes Secret names
    node_selector: tuple[tuple[str, str], ...] = ()
    tolerations: tuple[dict, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()
    gpu_vendor: str = "nvidia"
    use_tmpfs: Optional[bool] = None
    tmpfs_size: Optional[float] = None


class BatchSpec(Frozen):
    """@batch settings other than resources and image."""

    queue: Optional[str] = None
    iam_role: Optional[str] = None
    execution_role: Optional[str] = None
    max_swap: Optional[int] = None
    swappiness: Optional[int] = None
    use_tmpfs: Optional[bool] = None
    tmpfs_size: Optional[float] = None


class ParameterSpec(Frozen):
    """A run parameter as targets show it: decided once, so every trigger form says the same."""

    name: str  # as given on the command line / trigger form
    attribute: str
    kind: Literal["parameter", "include_file"]
    type: Literal["str", "int", "float", "bool", "json"]
    default: Any = None  # the literal default, typed (None: no literal default)
    has_default: bool = False  # a literal, non-None default exists
    runtime_default: Optional[str] = None  # source text of a default only the running flow can compute
    required: bool = False  # must be given: required=True and no default of any kind
    help: str = ""

    @property
    def default_text(self) -> str:
        """The default as a string, for targets whose parameters are strings (JSON for non-strings)."""
        return self.default if isinstance(self.default, str) else json.dumps(self.default, sort_keys=True)


class TaskSpec(Frozen):
    step: str
    kind: Literal["start", "linear", "branch", "foreach", "switch", "join", "end"]
    span: Span  # the step's `def` name, for target diagnostics
    docstring: Optional[str] = None
    command: tuple[Arg, ...]
    inputs: str  # the --inputs wiring
    waits_for: tuple[str, ...]  # the steps it depends on (its graph parents)
    # waits_for grouped: the task runs once one step of every group has run (a group of several is a
    # switch's cases, of which only one runs: where they meet, or a join's branch whose cases end at it)
    waits_for_groups: tuple[tuple[str, ...], ...] = ()
    foreach_splits: tuple[str, ...] = ()  # enclosing foreach splits, outermost first: the index depth
    scope: str = TOP  # the id of the scope whose DAG holds this task
    after: tuple[Ref, ...] = ()  # waits_for lifted to nodes of this task's scope (its own split left out)
    after_groups: tuple[tuple[Ref, ...], ...] = ()  # waits_for_groups lifted so: one node of each group succeeds
    fan_out: Literal["none", "foreach", "switch"] = "none"  # what this task's control value means
    children: tuple[str, ...] = ()
    switch_cases: tuple[tuple[str, str], ...] = ()  # a switch: (case value, step)
    case_of: Optional[tuple[str, str]] = None  # the first step of a switch case: (switch, case value)
    join_of: Optional[str] = None  # a join: the split it closes
    closed_by: Optional[str] = None  # a branch or foreach split: its join
    meet: Optional[str] = None  # a switch: the step where its cases meet
    retry: Optional[Retry] = None
    timeout_seconds: Optional[int] = None
    catch_var: Optional[str] = None
    catches: bool = False  # @catch: the step's exception may be caught (and the task still succeed)
    resources: Resources = Resources()
    image: Optional[str] = None
    environment: tuple[tuple[str, str], ...] = ()
    secrets: tuple[str, ...] = ()  # @secrets sources the target delivers by name (plain names, {"id": name} dicts)
    typed_secrets: tuple[SecretSource, ...] = ()  # @secrets dict sources that are more than a name
    kubernetes: Optional[PodSpec] = None  # None: no @kubernetes
    batch: Optional[BatchSpec] = None  # None: no @batch

    @property
    def scheduler_timeout_seconds(self) -> Optional[int]:
        """The limit a scheduler enforces (Airflow's execution_timeout, Argo's activeDeadlineSeconds, ...):
        @timeout plus a margin, so the task's own clock fires first and @catch can record the timeout;
        the scheduler only stops a task that outlives it (stuck loading inputs or saving artifacts)."""
        return scheduler_timeout(self.timeout_seconds)

    def argv(self, slots: Mapping[str, SlotValue], quote: Callable[[str], str] = str) -> list[str]:
        """The task command in a target's terms. `slots` says how the scheduler fills each slot (a value,
        a list of values for `params`, or a function of the task); `quote` turns the plan's literal
        arguments into the target's syntax (shell quoting, a Python literal, ...)."""
        out: list[str] = []
        for arg in self.command:
            if isinstance(arg, str):
                out.append(quote(arg))
                continue
            value = slots[arg.slot]
            if callable(value):
                value = value(self)
            out.extend(value if isinstance(value, list) else [value])
        return out


class Scope(Frozen):
    """A DAG a block-structured target nests: the top level, or the body of a foreach (run once per child
    index path). Seen from its parent scope, a body is one node that runs after `after`."""

    id: str  # TOP, or the foreach split's name (a flattened plan numbers a split's later groups: "s#2")
    split: Optional[str] = None  # the foreach split whose child index paths it runs over
    ordinal: int = 1  # the n-th scope over the same split (flattened plans only)
    flattened: bool = False  # over the flat list of all of a nested split's children (flattened plans)
    parent: Optional[str] = None
    steps: tuple[str, ...] = ()  # its own tasks, in topological order
    after: tuple[Ref, ...] = ()  # in the parent scope (the split itself left out: the fan-out brings it)


class StepRegion(Frozen):
    kind: Literal["step"] = "step"
    step: str


class ParallelRegion(Frozen):
    """Static branches between a split (the StepRegion before it) and their join (the one after it)."""

    kind: Literal["parallel"] = "parallel"
    split: str
    arms: tuple[tuple["Region", ...], ...]
    join: str


class MapRegion(Frozen):
    """A foreach body between its split (the StepRegion before it) and its join (the one after it)."""

    kind: Literal["map"] = "map"
    split: str
    body: tuple["Region", ...]
    join: str


class Case(Frozen):
    value: str
    body: tuple["Region", ...]  # from the case's first step up to (not including) the meet


class ChoiceRegion(Frozen):
    """A switch's cases, after the switch (the StepRegion before it), up to where they meet (`meet`,
    usually the StepRegion after it; a switch nested in a case may share its enclosing switch's meet)."""

    kind: Literal["choice"] = "choice"
    switch: str
    cases: tuple[Case, ...]
    meet: Optional[str]  # None: the cases run to the end of the flow, or of the branch or foreach body
    # holding the switch (they meet at its join, which gets one input from whichever case ran)


Region = Annotated[Union[StepRegion, ParallelRegion, MapRegion, ChoiceRegion], Field(discriminator="kind")]
for _model in (ParallelRegion, MapRegion, Case, ChoiceRegion):
    _model.model_rebuild()


class Schedule(Frozen):
    cron: str  # five fields; @schedule(hourly/daily/weekly=True) resolved as Metaflow does
    timezone: str = "UTC"


class Plan(Frozen):
    flow: str
    source_path: str
    source_sha256: str
    docstring: Optional[str] = None
    flow_class_option: bool = False  # the command names the flow class (--flow): the file holds several
    parameters: tuple[ParameterSpec, ...] = ()
    configs: tuple[Config, ...] = ()  # resolved when compiled; their values ride in every task's --configs
    schedule: Optional[Schedule] = None
    project: Optional[str] = None
    tasks: tuple[TaskSpec, ...]  # topological order
    scopes: tuple[Scope, ...] = ()  # parents before children; scopes[0] is the top level
    regions: tuple[Region, ...] = ()  # the flow as a sequence from start to end

    def task(self, step: str) -> TaskSpec:
        return self._index("tasks", "step")[step]

    def scope(self, scope_id: str) -> Scope:
        return self._index("scopes", "id")[scope_id]

    def _index(self, field: str, key: str) -> dict:
        """Lookups are dict lookups, built on first use. The cache remembers which tuple it indexes, so a
        copy with other tasks (a plan transform's model_copy) never answers from its original's index."""
        items = getattr(self, field)
        cached = self.__dict__.get(f"_by_{field}")
        if cached is None or cached[0] is not items:
            cached = (items, {getattr(item, key): item for item in items})
            object.__setattr__(self, f"_by_{field}", cached)
        return cached[1]


def build_plan(graph: Graph, flow_class_option: bool = False, tags: tuple[str, ...] = ()) -> Plan:
    """Plan every step of an analysed (diagnostic-free) graph. `flow_class_option` adds --flow to
    the command; a file that holds several flow classes (bases included) always gets it, so a task never
    has to work out which class the compiler chose. `tags` (checked by the runtime's rule) are the user
    tags of every run: literal `--tag` arguments of the start task, quoted by each target like any literal."""
    flow = graph.flow
    flow_class_option = flow_class_option or flow.names_class
    steps = {s.name: s for s in flow.steps}
    cases = _cases(graph, steps)
    scope_of = {node.name: _innermost_foreach(graph, node) for node in graph}
    tasks = tuple(_task(graph, node, steps[node.name], flow_class_option, scope_of, cases, tags) for node in graph)
    schedule = flow.decorator("schedule")
    project = flow.decorator("project")
    return Plan(
        flow=flow.name,
        source_path=flow.source_path,
        source_sha256=flow.source_sha256,
        docstring=flow.docstring,
        flow_class_option=flow_class_option,
        parameters=tuple(_parameter(p) for p in flow.parameters),
        configs=flow.configs,
        schedule=_schedule(_values(schedule)) if schedule else None,
        project=_values(project)["name"] if project else None,
        tasks=tasks,
        scopes=_scopes(tasks),
        regions=_regions(graph, steps, "start", None),
    )


def wiring(graph: Graph, node: Node) -> str:
    """The --inputs value of DESIGN section 4, written once here for every backend."""
    if not node.parents:
        return ""
    if node.join_of is not None:  # one entry per branch: "a|b" where a branch ends in a switch's cases
        entries = ["|".join(group) for group in node.input_groups]
        if graph[node.join_of].kind == "foreach":
            return f"{entries[0]}@{node.join_of}"
        return ",".join(entries)
    if node.is_switch_meet:
        return "|".join(node.parents)
    parent = graph[node.parents[0]]
    return f"@{parent.name}" if parent.kind == "foreach" else parent.name


# ------------------------------------------------------------------------------------------ structure

def _innermost_foreach(graph: Graph, node: Node) -> str:
    splits = [s for s in node.split_parents if graph[s].kind == "foreach"]
    return splits[-1] if splits else TOP


def lift(step: str, chain: tuple[str, ...], scope: str) -> Optional[Ref]:
    """The node of `scope`'s DAG through which a dependency on `step` (whose enclosing foreach splits are
    `chain`, outermost first) is reached: the step itself, or the outermost body inside `scope` that holds
    it. None when `step` is outside `scope` (the split that started it: the body as a whole waits for that).
    Written once, for every target (kfp calls it the first uncommon ancestor)."""
    if scope == TOP:
        inner = chain
    elif scope in chain:
        inner = chain[chain.index(scope) + 1:]
    else:
        return None
    return Ref(kind="scope", name=inner[0]) if inner else Ref(kind="step", name=step)


def _after(graph: Graph, node: Node, scope_of: dict[str, str]) -> tuple[Ref, ...]:
    scope = scope_of[node.name]
    refs = (lift(p, _chain(graph, p), scope) for p in node.parents)
    return tuple(dict.fromkeys(r for r in refs if r is not None))


def _after_groups(graph: Graph, node: Node, scope_of: dict[str, str]) -> tuple[tuple[Ref, ...], ...]:
    scope = scope_of[node.name]
    groups = (tuple(dict.fromkeys(r for r in (lift(p, _chain(graph, p), scope) for p in group) if r is not None))
              for group in node.input_groups)
    return tuple(dict.fromkeys(g for g in groups if g))


def _chain(graph: Graph, step: str) -> tuple[str, ...]:
    return tuple(s for s in graph[step].split_parents if graph[s].kind == "foreach")


def _scopes(tasks: tuple[TaskSpec, ...]) -> tuple[Scope, ...]:
    members: dict[str, list[str]] = {TOP: []}
    for task in tasks:
        if task.fan_out == "foreach":
            members[task.step] = []
        members[task.scope].append(task.step)
    scope_of = {t.step: t.scope for t in tasks}
    top = Scope(id=TOP, steps=tuple(members[TOP]))
    bodies = tuple(Scope(id=split, split=split, parent=scope_of[split], steps=tuple(steps))
                   for split, steps in members.items() if split != TOP)
    return (top, *bodies)


def _cases(graph: Graph, steps: dict[str, Step]) -> dict[str, tuple[str, str]]:
    """First step of each switch case -> (switch, case value)."""
    found = {}
    for node in graph:
        if node.kind == "switch":
            for value, target in steps[node.name].transition.cases:
                found[target] = (node.name, value)
    return found


def _regions(graph: Graph, steps: dict[str, Step], first: Optional[str], stop: Optional[str]) -> tuple:
    """The steps from `first` up to (not including) `stop`, as nested regions."""
    items: list = []
    current = first
    while current is not None and current != stop:
        node = graph[current]
        items.append(StepRegion(step=current))
        if node.kind in ("branch", "foreach"):
            join = node.closed_by
            arms = tuple(_regions(graph, steps, child, join) for child in node.children)
            items.append(MapRegion(split=current, body=arms[0], join=join) if node.kind == "foreach"
                         else ParallelRegion(split=current, arms=arms, join=join))
            current = join
        elif node.kind == "switch":
            meet = node.switch_meet
            cases = tuple(Case(value=value, body=_regions(graph, steps, target, meet))
                          for value, target in steps[current].transition.cases)
            ends_body = meet is not None and meet == stop and graph[meet].kind == "join"
            items.append(ChoiceRegion(switch=current, cases=cases, meet=None if ends_body else meet))
            current = meet
        else:
            current = node.children[0] if node.children else None
    return tuple(items)


# ------------------------------------------------------------------------------------------ one task

def _task(graph: Graph, node: Node, step: Step, flow_class_option: bool, scope_of: dict[str, str],
          cases: dict[str, tuple[str, str]], tags: tuple[str, ...] = ()) -> TaskSpec:
    fan_out = node.kind if node.kind in ("foreach", "switch") else "none"
    inputs = wiring(graph, node)
    command: list[Arg] = [
        Slot(slot="python"), "-m", "flowc.runtime", "task", Slot(slot="flow_file"), node.name,
        "--run-id", Slot(slot="run_id"), "--index", Slot(slot="index"), "--attempt", Slot(slot="attempt"),
        "--datastore", Slot(slot="datastore"), "--source-sha256", graph.flow.source_sha256,
        "--inputs", inputs,
    ]
    if node.name == "start":  # tags before the parameters: a tag never ends the command (Airflow would read
        command += [arg for tag in tags for arg in ("--tag", tag)]  # a bash command ending in .sh as a file)
        command.append(Slot(slot="params"))
    if fan_out != "none":
        command.append(Slot(slot="control_out"))
    if flow_class_option:
        command += ["--flow", graph.flow.name]
    if graph.flow.configs:  # every task reads self.<config>; base64url: no scheduler templates it
        command += ["--configs", encode_configs({c.name: c.value for c in graph.flow.configs})]
    retry = _values(step.decorator("retry"))
    catch = step.decorator("catch")
    environment = step.decorator("environment")
    secrets = step.decorator("secrets")
    return TaskSpec(
        step=node.name,
        kind=node.kind,
        span=step.span,
        docstring=step.docstring,
        command=tuple(command),
        inputs=inputs,
        waits_for=node.parents,
        waits_for_groups=node.input_groups,
        foreach_splits=_chain(graph, node.name),
        scope=scope_of[node.name],
        after=_after(graph, node, scope_of),
        after_groups=_after_groups(graph, node, scope_of),
        fan_out=fan_out,
        children=node.children,
        switch_cases=step.transition.cases,
        case_of=cases.get(node.name),
        join_of=node.join_of,
        closed_by=node.closed_by,
        meet=node.switch_meet,
        retry=Retry(**retry) if retry and retry["times"] > 0 else None,
        timeout_seconds=_timeout(step.decorator("timeout")),
        catch_var=_values(catch).get("var") if catch else None,
        catches=catch is not None,
        resources=_resources(step),
        image=_image(step),
        environment=tuple(sorted(_values(environment)["vars"].items())) if environment else (),
        secrets=_secret_names(secrets),
        typed_secrets=_typed_secrets(secrets),
        kubernetes=_pod(step.decorator("kubernetes")),
        batch=_batch(step.decorator("batch")),
    )


def _parameter(p: Parameter) -> ParameterSpec:
    literal = p.default is not None and p.default.kind == "literal" and p.default.value is not None
    return ParameterSpec(
        name=p.name, attribute=p.attribute, kind=p.kind, type=p.type,
        default=p.default.value if literal else None,
        has_default=literal,
        runtime_default=p.default.source if p.default is not None and p.default.kind == "runtime" else None,
        required=p.required and p.default is None,
        help=p.help or "",
    )


def _schedule(values: dict) -> Optional[Schedule]:
    cron = resolve_cron(values)
    return Schedule(cron=cron, timezone=values.get("timezone") or "UTC") if cron else None


def _values(decorator: Optional[Decorator]) -> dict:
    return {k: v.value for k, v in decorator.args.items()} if decorator else {}


def scheduler_timeout(seconds: Optional[int]) -> Optional[int]:
    """@timeout's seconds plus a margin of 10%, at least 60 seconds (see TaskSpec.scheduler_timeout_seconds)."""
    return seconds + max(60, seconds // 10) if seconds else None


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


# @secrets sources: a name, or Metaflow's dict {"type", "id", "options", "role"}. A dict with only an id is
# that name; an inline one ({"type": "inline", "options": {"env_vars": {...}}}) holds its values in the flow
# and the runtime sets them on every target; any other dict is a SecretSource for the target to deliver.
def _secret_sources(decorator: Optional[Decorator]) -> list:
    return list(_values(decorator)["sources"]) if decorator else []


def _secret_names(decorator: Optional[Decorator]) -> tuple[str, ...]:
    return tuple(s if isinstance(s, str) else s["id"] for s in _secret_sources(decorator)
                 if isinstance(s, str) or set(s) == {"id"})


def _typed_secrets(decorator: Optional[Decorator]) -> tuple[SecretSource, ...]:
    return tuple(SecretSource(type=s.get("type"), id=s["id"], role=s.get("role"), options=bool(s.get("options")))
                 for s in _secret_sources(decorator)
                 if isinstance(s, dict) and set(s) != {"id"} and s.get("type") != "inline")


def _pod(decorator: Optional[Decorator]) -> Optional[PodSpec]:
    if decorator is None:
        return None
    v = {k: value for k, value in _values(decorator).items() if value is not None}
    pairs = ("node_selector", "labels", "annotations")
    fields = {k: v[k] for k in PodSpec.model_fields if k in v and k not in pairs}
    fields.update({k: tuple(v[k].items()) for k in pairs if k in v})
    for key in ("secrets", "tolerations"):
        if key in fields:
            fields[key] = tuple(fields[key])
    if "tolerations" in fields:  # Kubernetes' spelling, whichever of the two the flow used
        fields["tolerations"] = tuple({"tolerationSeconds" if k == "toleration_seconds" else k: value
                                       for k, value in t.items()} for t in fields["tolerations"])
    return PodSpec(**fields)


def _batch(decorator: Optional[Decorator]) -> Optional[BatchSpec]:
    if decorator is None:
        return None
    v = _values(decorator)
    return BatchSpec(**{k: v[k] for k in BatchSpec.model_fields if v.get(k) is not None})
