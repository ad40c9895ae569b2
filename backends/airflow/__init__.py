"""Airflow backend: the plan as one DAG file that loads on Airflow 3.x and 2.11+.

Every step is one operator running the plan's task command. Run-time values (run id, attempt, foreach
index, parameters) reach the command from Airflow templates, through environment variables (bash) or
argument-list entries (pods); user strings are wrapped in `literal()` so Jinja never renders them. Airflow
cannot map inside a mapped task group, so the plan is flattened (compiler/transforms.py): every foreach
scope is a top-level mapped task group. Switch branches that were not chosen end with exit code 3, which
the operators turn into "skipped" (skip_on_exit_code): the runtime decides, per foreach index, and every
task uses trigger rule `none_failed`. The file's static parts are built by preamble.py.
"""

from __future__ import annotations

import json
import re
import shlex

from flowc.compiler.emit import EmitOptions, OptionError, Problems, header
from flowc.compiler.plan import TOP, ParameterSpec, Plan, Ref, Scope, TaskSpec

from ..base import Backend, Capabilities
from ..kubernetes import pod_resources, pod_secrets
from .preamble import preamble
from .source import Source, py

PARAM_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}  # JSON: _json_param
SKIP_EXIT_CODE = 3  # the runtime's "not chosen by its switch" (see the task contract)
CONTRACT_EXIT_CODE = 2  # the runtime's contract error (bad parameters, source mismatch): never worth a retry
XCOM_FILE = "/airflow/xcom/return.json"  # where KubernetesPodOperator's sidecar reads XCom from

# How each operator fills the command's slots. Bash: shell words reading the environment set by env().
BASH_SLOTS = {
    "python": '"$FLOWC_PYTHON"', "flow_file": '"$FLOWC_FLOW_FILE"', "run_id": '"$FLOWC_RUN_ID"',
    "index": '"$FLOWC_INDEX"', "attempt": '"$FLOWC_ATTEMPT"', "datastore": '"$FLOWC_DATASTORE"',
    "params": ["--params-json", '"$FLOWC_PARAMS"'],
    "control_out": lambda task: ["--control-out", '"$out"'] if task.fan_out == "foreach" else [],
}
# Pods: Python expressions for the argument list (names defined by the preamble).
POD_SLOTS = {
    "python": "literal(PYTHON)", "flow_file": "literal(FLOW_FILE)", "run_id": "RUN_ID",
    "index": lambda task: py("") if task.scope == TOP else "index", "attempt": "ATTEMPT",
    "datastore": "literal(DATASTORE)", "params": [py("--params-json"), "PARAMS"],
    "control_out": lambda task: [py("--control-out"), py(XCOM_FILE)] if task.fan_out == "foreach" else [],
}
POD_SETTINGS = {  # PodSpec field -> KubernetesPodOperator argument, passed through as data
    "node_selector": "node_selector", "labels": "labels", "annotations": "annotations",
    "image_pull_policy": "image_pull_policy", "service_account": "service_account_name",
}


# Airflow renders the command with Jinja, whose every delimiter ({{ {% {#) starts with "{". The plan's literal
# arguments (a run's --tag values among them) reach the task as written: below, no "{" is ever followed by
# another character of the same literal.
def shell_word(text: str) -> str:
    """One shell word meaning `text`: each "{" ends its single-quoted piece ('{''...' is the same word)."""
    return shlex.quote(text).replace("{", "{''")


def pod_argument(text: str) -> str:
    """A Python literal for the argument list; one holding "{" is wrapped in literal(), which Jinja skips."""
    return f"literal({py(text)})" if "{" in text else py(text)


class Airflow(Backend):
    name = "airflow"

    def capabilities(self, options: EmitOptions) -> Capabilities:
        pods = options.get("operator", "bash") == "kubernetes"
        return Capabilities(runs_as="a pod" if pods else "a BashOperator task on an Airflow worker",
                            nested_foreach=False, needs_image=pods, pods=pods, secrets=pods)

    def secrets_help(self) -> str:
        return "compile with --operator kubernetes --image IMAGE (secrets become the pod's environment)"

    def pods_help(self) -> str:
        return "compile with --operator kubernetes --image IMAGE to run each task in a pod"

    def generated_names(self, plan: Plan, options: EmitOptions) -> dict[str, str]:
        names = {}
        for scope in plan.scopes[1:]:
            names[group_name(scope)] = f"the task group for the foreach body of `{scope.split}`"
            if scope.flattened:
                names[f"flatten_{scope.split}"] = f"the task that flattens the nested foreach `{scope.split}`"
        return names

    def render(self, plan: Plan, options: EmitOptions, problems: Problems) -> dict[str, str]:
        dag_id = options.get("dag_id") or plan.flow
        _check_keys(plan, options, dag_id, problems)
        if problems:
            return {}
        out = Source()
        out.raw(header("#", options, plan.source_sha256))
        out.raw(_preamble(plan, options))
        out.line()
        out.line()
        _dag(out, plan, options, dag_id)
        return {f"{dag_id}.py": out.text()}


BACKEND = Airflow()

# Airflow's own rules (airflow.utils.helpers.validate_key, DAG(tags=...)): a DAG that breaks them does not load.
DAG_ID = re.compile(r"^[\w.-]{1,250}$")
MAX_TAG = 100


def _check_keys(plan: Plan, options: EmitOptions, dag_id: str, problems: Problems) -> None:
    if not DAG_ID.match(dag_id):
        if options.get("dag_id"):
            raise OptionError(f"--dag-id {dag_id!r} is not an Airflow DAG id: 1-250 letters, digits, '_', '-', '.'")
        problems.add(None, f"the DAG id {dag_id[:60]!r} (the flow's class name) is not an Airflow DAG id: "
                           "1-250 letters, digits, '_', '-', '.'", help="give one with --dag-id, or rename the class")
    for tag in _tags(plan):
        if len(tag) > MAX_TAG:
            problems.add(None, f"the DAG tag {tag[:40]!r}... is longer than Airflow's {MAX_TAG} characters",
                         help="shorten the flow's class name or its @project name")


def group_name(scope: Scope) -> str:
    return f"foreach_{scope.split}" + (f"_{scope.ordinal}" if scope.ordinal > 1 else "")


def _preamble(plan: Plan, options: EmitOptions) -> str:
    bash = options.get("operator", "bash") == "bash"
    groups = len(plan.scopes) > 1
    flatten = any(s.flattened for s in plan.scopes)
    # Import only what this DAG uses: Airflow re-parses the file often (see the field notes).
    sdk = ["DAG"] + (["Param"] if plan.parameters else []) + ["literal"] + (["task"] if flatten else []) + \
        (["task_group"] if groups else [])
    relative_flow = bash and options.flow_path is None
    flow_file = options.flow_path or (options.flow_from_output if relative_flow else options.source_path)
    return preamble(
        bash=bash, relative_flow=relative_flow, sdk=sdk, decorators=[n for n in ("task", "task_group") if n in sdk],
        params=bool(plan.parameters), schedule=bool(plan.schedule), flatten=flatten, skip=SKIP_EXIT_CODE,
        contract=CONTRACT_EXIT_CODE, flow_file=py(flow_file), datastore=py(options.datastore), python=py(options.python))


def _dag(out: Source, plan: Plan, options: EmitOptions, dag_id: str) -> None:
    out.line("with DAG(")
    with out.indented():
        out.line(f"dag_id={py(dag_id)},")
        out.line(f"description={py(f'flowc flow {plan.flow} ({options.source_path})')},")
        out.line(f"doc_md={py(_doc(plan, options))},")
        _schedule(out, plan)
        out.line("catchup=False,")
        out.line(f"tags={py(_tags(plan))},")
        out.line('default_args={"trigger_rule": "none_failed"},  # the runtime decides what a switch skipped')
        _params(out, plan)
    out.line(") as dag:")
    with out.indented():
        for task in plan.tasks:
            if task.scope == TOP:
                _operator(out, task, options)
                _edges(out, (f"{_node(plan, r)} >> {task.step}" for r in task.after))
            elif plan.scope(task.scope).steps[0] == task.step:
                _group(out, plan, plan.scope(task.scope), options)


def _group(out: Source, plan: Plan, scope: Scope, options: EmitOptions) -> None:
    """A mapped task group: Airflow runs its tasks once per index path, chained per index."""
    name, split = group_name(scope), scope.split
    items = f"{split}.output"  # a top-level split; a nested one's lists are flattened first
    if scope.flattened:
        items = f"flatten_{split}_task"
        if scope.ordinal == 1:  # the first group over this list makes it
            out.line()
            out.line(f'{items} = task(task_id="flatten_{split}")(flatten)('
                     f'dag.get_task("{group_name(plan.scope(plan.task(split).scope))}.{split}").output)')
    out.line()
    out.line(f'@task_group(group_id="{name}")')
    out.line(f"def {name}(index):")
    with out.indented():
        for step in scope.steps:
            task = plan.task(step)
            _operator(out, task, options)
            _edges(out, (f"{r.name} >> {step}" for r in task.after))
    out.line(f"{name}_group = {name}.expand(index={items})")
    _edges(out, sorted(f"{_node(plan, r)} >> {name}_group" for r in scope.after))


def _node(plan: Plan, ref: Ref) -> str:
    """The Python name of a DAG node: a top-level task, or a task group's expansion."""
    return f"{group_name(plan.scope(ref.name))}_group" if ref.kind == "scope" else ref.name


def _edges(out: Source, lines) -> None:
    for line in lines:
        out.line(line)


def _operator(out: Source, task: TaskSpec, options: EmitOptions) -> None:
    """`step = flowc_task("step", command, ...)`: the helper holds what every task shares."""
    bash = options.get("operator", "bash") == "bash"
    if bash:
        command = py(" ".join(task.argv(BASH_SLOTS, quote=shell_word)))
    else:
        command = "[" + ", ".join(task.argv(POD_SLOTS, quote=pod_argument)) + "]"
    args = [py(task.step), command]
    if bash and task.scope != TOP:
        args.append("index=index")
    if task.fan_out == "foreach":  # a switch's choice is read by the runtime, not by Airflow
        args.append("control=True")
    if task.environment:
        args.append(f"environment={py(dict(task.environment))}")
    if task.docstring:
        args.append(f"doc_md={py(_no_md_path(task.docstring))}")
    if not bash:
        args += _pod_settings(task, options)
    if task.retry:
        args.append(f"retries={task.retry.times}")
        args.append(f"retry_delay=datetime.timedelta(seconds={py(task.retry.minutes_between_retries * 60)})")
    if task.timeout_seconds:
        args.append(f"execution_timeout=datetime.timedelta(seconds={task.scheduler_timeout_seconds})")
    helper = "flowc_task" if bash else "flowc_pod"
    out.line(f"{task.step} = {helper}(")
    with out.indented():
        for arg in args:
            out.line(f"{arg},")
    out.line(")")


def _pod_settings(task: TaskSpec, options: EmitOptions) -> list[str]:
    pod = task.kubernetes
    settings = [f"image=literal({py(task.image or options.image)})"]
    namespace = (pod and pod.namespace) or options.get("namespace")
    if namespace:
        settings.append(f"namespace=literal({py(namespace)})")
    secrets = pod_secrets(task)
    if secrets:  # references to Kubernetes secrets, never their values
        settings.append("env_from=[" + ", ".join(
            f"k8s.V1EnvFromSource(secret_ref=k8s.V1SecretEnvSource(name={py(name)}))" for name in secrets) + "]")
    requests, limits = pod_resources(task)
    if requests or limits:
        settings.append(f"container_resources=k8s.V1ResourceRequirements(requests={py(requests)}, "
                        f"limits={py(limits)})")
    for field, operator_arg in POD_SETTINGS.items():
        value = getattr(pod, field, None)
        if value:
            settings.append(f"{operator_arg}={_literals(dict(value)) if isinstance(value, tuple) else py(value)}")
    if pod and pod.tolerations:
        settings.append("tolerations=[" + ", ".join(f"k8s.V1Toleration(**{py(_snake_case(t))})"
                                                    for t in pod.tolerations) + "]")
    return settings


def _literals(pairs: dict) -> str:
    """A dict for a templated operator field (labels, annotations, node_selector are Jinja-rendered by
    KubernetesPodOperator, keys aside): every value wrapped in literal() so it reaches the pod unrendered."""
    return "{" + ", ".join(f"{py(key)}: literal({py(value)})" for key, value in pairs.items()) + "}"


def _snake_case(toleration: dict) -> dict:
    """The Python client's V1Toleration takes toleration_seconds (the plan spells it as Kubernetes does)."""
    return {re.sub(r"(?<=[a-z])([A-Z])", lambda m: "_" + m.group(1).lower(), key): value
            for key, value in toleration.items()}


def _schedule(out: Source, plan: Plan) -> None:
    if not plan.schedule:
        out.line("schedule=None,")
        return
    out.line(f"schedule=CronTriggerTimetable({py(plan.schedule.cron)}, timezone={py(plan.schedule.timezone)}),")
    out.line("start_date=datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc),")


def _params(out: Source, plan: Plan) -> None:
    if not plan.parameters:
        out.line("params={},")
        return
    out.line("params={")
    with out.indented():
        for p in plan.parameters:
            out.line(f"{py(p.name)}: {_param(p)},")
    out.line("},")


def _param(p: ParameterSpec) -> str:
    notes = [p.help]
    if p.type == "json":
        notes.append("(JSON)")
    if p.kind == "include_file":
        notes.append("(a path to a file, read when the run starts)")
    if p.runtime_default is not None:
        notes.append(f"(default computed at run time: {p.runtime_default})")
    description = py(" ".join(n for n in notes if n))
    if p.type == "json" and p.kind == "parameter":
        return _json_param(p, description)
    kind = PARAM_TYPES[p.type] if p.kind == "parameter" else "string"
    if p.has_default:
        return f"Param({py(p.default)}, type={py(kind)}, description={description})"
    if p.required:
        return f"Param(type={py(kind)}, description={description})"
    return f"Param(None, type={py(['null', kind])}, description={description})"


def _json_param(p: ParameterSpec, description: str) -> str:
    """A list or dict default makes an `array`/`object` Param, so the trigger form edits it as JSON. Any other
    JSON parameter gets no type: the form sends text, conf may send a value, and the runtime accepts both."""
    value = _json_value(p.default) if p.has_default else None
    if isinstance(value, (list, dict)):
        kind = "array" if isinstance(value, list) else "object"
        return f"Param({py(value)}, type={py(kind)}, description={description})"
    if p.has_default:
        return f"Param({py(p.default_text)}, description={description})"
    if p.required:
        return f"Param(description={description})"
    return f"Param(None, description={description})"


def _json_value(default: object) -> object:
    """A JSON parameter's default as a value: JSON text is decoded (None when it is not JSON)."""
    if not isinstance(default, str):
        return default
    try:
        return json.loads(default)
    except ValueError:
        return None


def _doc(plan: Plan, options: EmitOptions) -> str:
    lines = [f"# {plan.flow}", ""]
    if plan.docstring:
        lines += [plan.docstring, ""]
    text = f"Compiled by flowc from `{options.source_path}`. Each task runs `python -m flowc.runtime task`. "
    text += _where_the_flow_is(options)
    if len(plan.scopes) > 1:  # only a flow with a foreach has a mapped task group to limit
        text += (" Foreach fan-outs are Airflow mapped task groups, limited to `max_map_length` items "
                 "(default 1024, setting `[core] max_map_length`).")
    lines.append(text)
    return _no_md_path("\n".join(lines))


def _where_the_flow_is(options: EmitOptions) -> str:
    """Where tasks look for the flow file, said on the DAG's page: a DAG whose flow is not deployed still
    loads, and fails only when a task runs (`flowc compile --check` reports it: see lookup.py)."""
    if options.get("operator", "bash") == "kubernetes":
        return (f"Tasks read the flow file at `{options.flow_path or options.source_path}` inside the image "
                f"`{options.image}`, from its working directory.")
    if options.flow_path is not None:
        return f"Tasks read the flow file at `{options.flow_path}` on the workers (`--flow-path`)."
    return (f"Tasks read the flow file at `{options.flow_from_output}`, relative to this DAG file's folder: "
            "deploy it there with the DAGs (or compile with `--flow-path`).")


def _no_md_path(text: str) -> str:
    """Airflow reads doc_md from a file when the text ends in `.md`; a trailing newline keeps it text."""
    return text + "\n" if text.rstrip().endswith(".md") else text


def _tags(plan: Plan) -> list[str]:
    return ["flowc", f"flow:{plan.flow}"] + ([f"project:{plan.project}"] if plan.project else [])
