"""Airflow backend: the plan as one DAG file that loads on Airflow 3.x and 2.11+.

Every step is one operator running flowc's task command. Run-time values (run id, attempt, foreach index,
parameters) reach the command through environment variables set from Airflow templates; user strings
(paths, URIs, environment values) are wrapped in `literal()` so Jinja never renders them, and the
command line itself holds only names flowc has validated. Switch branches that were not chosen end
with exit code 3, which the operators turn into "skipped" (skip_on_exit_code): the runtime decides,
per foreach index, and every task uses trigger rule `none_failed`.
"""

from __future__ import annotations

from flowc.compiler.emit import EmitOptions, OptionError, Problems, header
from flowc.compiler.plan import Plan, TaskSpec

from ..kubernetes import pod_resources
from .groups import Layout, layout
from .source import Source, py

PARAM_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean", "json": "string"}
SKIP_EXIT_CODE = 3  # the runtime's "not chosen by its switch" (see the task contract)
XCOM_FILE = "/airflow/xcom/return.json"  # where KubernetesPodOperator's sidecar reads XCom from
POD_SETTINGS = {  # @kubernetes argument -> KubernetesPodOperator argument, passed through as data
    "node_selector": "node_selector", "labels": "labels", "annotations": "annotations",
    "image_pull_policy": "image_pull_policy", "service_account": "service_account_name",
}
OPERATOR_IMPORTS = {
    "bash": "try:\n    from airflow.providers.standard.operators.bash import BashOperator\n"
            "except ImportError:  # Airflow 2 without the standard provider\n"
            "    from airflow.operators.bash import BashOperator\n",
    "kubernetes": "from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator\n"
                  "from kubernetes.client import models as k8s\n",
}


def emit(plan: Plan, options: EmitOptions, problems: Problems) -> dict[str, str]:
    operator = options.get("operator", "bash")
    dag_id = options.get("dag_id") or plan.flow
    if operator == "kubernetes" and not options.image and not all(t.image for t in plan.tasks):
        raise OptionError("--operator kubernetes needs --image IMAGE (the image holding the flow file and "
                          "flowc), or @kubernetes(image=...) on every step")
    places = layout(plan)
    _check_names(plan, places, problems)
    _check_decorators(plan, operator, problems)
    if problems:
        return {}
    out = Source()
    out.raw(header("#", options, plan.source_sha256))
    _preamble(out, plan, options, operator, places)
    _dag(out, plan, options, operator, places, dag_id)
    return {f"{dag_id}.py": out.text()}


def _check_names(plan: Plan, places: Layout, problems: Problems) -> None:
    """Group and helper task ids share a namespace with steps: a clash would merge two nodes."""
    steps = {t.step for t in plan.tasks}
    for name, group in places.groups.items():
        if name in steps:
            problems.add(name, f"the task group for the foreach body of `{group.split}` is named `{name}`, "
                               "like this step", help=f"rename step `{name}`")
    for split in places.flattened:
        if f"flatten_{split}" in steps:
            problems.add(f"flatten_{split}", f"the task that flattens the nested foreach `{split}` is named "
                                             f"`flatten_{split}`, like this step",
                         help=f"rename step `flatten_{split}`")


def _check_decorators(plan: Plan, operator: str, problems: Problems) -> None:
    """Say what a decorator cannot do here, instead of dropping it silently."""
    for task in plan.tasks:
        if task.batch:
            problems.warn(task.step, "@batch: the step runs as an Airflow task, not on AWS Batch",
                          help="use @kubernetes with --operator kubernetes, or remove @batch")
        if operator == "bash" and task.secrets:
            problems.add(task.step, "@secrets needs --operator kubernetes (secrets become the pod's environment)",
                         help="compile with --operator kubernetes --image IMAGE")
        if operator == "bash" and (task.kubernetes or task.resources != type(task.resources)()):
            problems.warn(task.step, "@kubernetes/@resources: with --operator bash the task runs on the Airflow "
                                     "worker, without its own image or resources",
                          help="compile with --operator kubernetes --image IMAGE to run each task in a pod")


def _preamble(out: Source, plan: Plan, options: EmitOptions, operator: str, places: Layout) -> None:
    out.line("from __future__ import annotations")
    out.line()
    out.line("import datetime")
    out.line("import json" if operator == "bash" else None)
    out.line("import os" if operator == "bash" and options.flow_path is None else None)
    out.line()
    # Import only what this DAG uses: Airflow re-parses the file often (see the field notes).
    sdk = ["DAG"] + (["Param"] if plan.parameters else []) + ["literal"] + \
        (["task"] if places.flattened else []) + (["task_group"] if places.groups else [])
    decorators = [n for n in ("task", "task_group") if n in sdk]
    out.line("try:  # Airflow 3")
    out.line(f"    from airflow.sdk import {', '.join(sdk)}")
    out.line("except ImportError:  # Airflow 2.11")
    out.line(f"    from airflow.decorators import {', '.join(decorators)}" if decorators else None)
    out.line("    from airflow.models.dag import DAG")
    out.line("    from airflow.models.param import Param" if plan.parameters else None)
    out.line("    from airflow.utils.template import literal")
    out.raw(OPERATOR_IMPORTS[operator])
    if plan.schedule:
        out.line("from airflow.timetables.trigger import CronTriggerTimetable")
    out.line()
    out.line()
    if options.flow_path is not None:
        out.line(f"FLOW_FILE = {py(options.flow_path)}")
    elif operator == "bash":
        out.line("# The flow file, found relative to this DAG file (deploy them together; or compile with --flow-path).")
        out.line(f"FLOW_FILE = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "
                 f"{py(options.flow_from_output)}))")
    else:
        out.line("# The flow file inside the image (relative to its working directory; or compile with --flow-path).")
        out.line(f"FLOW_FILE = {py(options.source_path)}")
    out.line(f"SOURCE_SHA256 = {py(plan.source_sha256)}")
    out.line(f"DATASTORE = {py(options.datastore)}")
    out.line(f"PYTHON = {py(options.python)}")
    out.line()
    if operator == "bash":
        _bash_helpers(out, plan)
    else:
        _kubernetes_helpers(out, plan)


def _bash_helpers(out: Source, plan: Plan) -> None:
    flow_option = ' --flow "$FLOWC_FLOW"' if any("--flow" in t.command for t in plan.tasks) else ""
    out.raw(f'''
def env(index, extra=None):
    """Run-time values for the task command; literal() keeps Jinja away from user strings."""
    values = {{
        "FLOWC_PYTHON": literal(PYTHON),
        "FLOWC_FLOW_FILE": literal(FLOW_FILE),
        "FLOWC_FLOW": {py(plan.flow)},
        "FLOWC_DATASTORE": literal(DATASTORE),
        "FLOWC_RUN_ID": "{{{{ run_id }}}}",
        "FLOWC_ATTEMPT": "{{{{ ti.try_number - 1 }}}}",
        "FLOWC_INDEX": index,
        "FLOWC_PARAMS": "{{{{ params | tojson }}}}",
    }}
    values.update({{name: literal(value) for name, value in (extra or {{}}).items()}})
    return values


def command(step, inputs, control=False):
    """flowc's task command in bash; every value comes from the environment, never spliced in."""
    run = (
        f'"$FLOWC_PYTHON" -m flowc.runtime task "$FLOWC_FLOW_FILE" {{step}} --run-id "$FLOWC_RUN_ID" '
        f'--index "$FLOWC_INDEX" --attempt "$FLOWC_ATTEMPT" --datastore "$FLOWC_DATASTORE" '
        f"--source-sha256 {{SOURCE_SHA256}} --inputs '{{inputs}}'{flow_option}"
    )
    if step == "start":
        run += ' --params-json "$FLOWC_PARAMS"'
    if not control:
        return "exec " + run
    # The control value is the last line of output, which BashOperator pushes to XCom.
    return f'out="$(mktemp)" && {{run}} --control-out "$out" >&2 && cat "$out" && rm -f "$out"'


def flowc_task(step, inputs, index="", control=False, environment=None, **settings):
    """One step as a BashOperator. Exit code {SKIP_EXIT_CODE}: its switch chose another branch (skipped)."""
    if control:  # a foreach split hands Airflow its list of child index paths through XCom
        settings["output_processor"] = json.loads
    return BashOperator(task_id=step, bash_command=command(step, inputs, control), env=env(index, environment),
                        append_env=True, do_xcom_push=control, skip_on_exit_code={SKIP_EXIT_CODE}, **settings)


''')


def _kubernetes_helpers(out: Source, plan: Plan) -> None:
    flow_option = f', "--flow", {py(plan.flow)}' if any("--flow" in t.command for t in plan.tasks) else ""
    out.raw(f'''
def arguments(step, inputs, index, control=False):
    """flowc's task command as an argument list (no shell); literal() keeps Jinja away from user strings."""
    argv = [
        "-m", "flowc.runtime", "task", literal(FLOW_FILE), step, "--run-id", "{{{{ run_id }}}}",
        "--index", index, "--attempt", "{{{{ ti.try_number - 1 }}}}", "--datastore", literal(DATASTORE),
        "--source-sha256", SOURCE_SHA256, "--inputs", inputs{flow_option},
    ]
    if step == "start":
        argv += ["--params-json", "{{{{ params | tojson }}}}"]
    if control:
        argv += ["--control-out", {py(XCOM_FILE)}]
    return argv


def flowc_pod(step, inputs, index="", control=False, environment=None, **settings):
    """One step as a pod. Exit code {SKIP_EXIT_CODE}: its switch chose another branch (skipped)."""
    if environment:
        settings["env_vars"] = {{name: literal(value) for name, value in environment.items()}}
    return KubernetesPodOperator(task_id=step, name=step.replace("_", "-"), cmds=[literal(PYTHON)],
                                 arguments=arguments(step, inputs, index, control), do_xcom_push=control,
                                 skip_on_exit_code={SKIP_EXIT_CODE}, get_logs=True, **settings)


''')


def _dag(out: Source, plan: Plan, options: EmitOptions, operator: str, places: Layout, dag_id: str) -> None:
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
            group_name = places.group_of[task.step]
            if group_name is None:
                _operator(out, task, options, operator, '""')
                _edges(out, task, places)
            elif places.groups[group_name].steps[0] == task.step:
                _group(out, plan, places, group_name, options, operator)


def _group(out: Source, plan: Plan, places: Layout, name: str, options, operator: str) -> None:
    """A mapped task group: Airflow runs its tasks once per index path, chained per index."""
    group = places.groups[name]
    steps = set(group.steps)
    split = group.split
    items = f"{places.container(split)}.output"
    if split in places.flattened:
        items = f"flatten_{split}_task"
        if group.steps[0] in plan.task(split).children:  # the first group over this list makes it
            out.line()
            out.line(f'@task(task_id="flatten_{split}")')
            out.line(f"def flatten_{split}(lists):")
            out.line('    """Nested foreach: one flat list of child index paths (Airflow cannot map inside a map)."""')
            out.line("    return [path for paths in lists if paths for path in paths]")
            out.line(f'flatten_{split}_task = flatten_{split}(dag.get_task("{places.container(split)}.{split}").output)')
    out.line()
    out.line(f'@task_group(group_id="{name}")')
    out.line(f"def {name}(index):")
    with out.indented():
        for step in group.steps:
            task = plan.task(step)
            _operator(out, task, options, operator, "index")
            for parent in task.waits_for:
                if parent in steps:
                    out.line(f"{parent} >> {step}")
    out.line(f"{name}_group = {name}.expand(index={items})")
    outside = sorted({places.container(p) for s in group.steps for p in plan.task(s).waits_for if p not in steps})
    for parent in outside:
        if parent != places.container(split):  # that edge comes with the expand's XCom
            out.line(f"{_node(parent, places)} >> {name}_group")


def _node(container: str, places: Layout) -> str:
    return f"{container}_group" if container in places.groups else container


def _edges(out: Source, task: TaskSpec, places: Layout) -> None:
    for parent in task.waits_for:
        out.line(f"{_node(places.container(parent), places)} >> {task.step}")


def _operator(out: Source, task: TaskSpec, options: EmitOptions, operator: str, index: str) -> None:
    """`step = flowc_task("step", "wiring", ...)`: the helper holds what every task shares."""
    args = [f'"{task.step}"', f'"{task.inputs}"']
    if index != '""':
        args.append(f"index={index}")
    if task.fan_out == "foreach":  # a switch's choice is read by the runtime, not by Airflow
        args.append("control=True")
    if task.environment:
        args.append(f"environment={py(dict(task.environment))}")
    if task.docstring:
        args.append(f"doc_md={py(_no_md_path(task.docstring))}")
    if operator == "kubernetes":
        args += _pod_settings(task, options)
    if task.retry:
        args.append(f"retries={task.retry.times}")
        args.append(f"retry_delay=datetime.timedelta(seconds={py(task.retry.minutes_between_retries * 60)})")
    if task.timeout_seconds:
        args.append(f"execution_timeout=datetime.timedelta(seconds={task.timeout_seconds})")
    helper = "flowc_task" if operator == "bash" else "flowc_pod"
    if len(args) <= 4:
        out.line(f"{task.step} = {helper}({', '.join(args)})")
        return
    out.line(f"{task.step} = {helper}({args[0]}, {args[1]},")
    with out.indented():
        for arg in args[2:-1]:
            out.line(f"    {arg},")
        out.line(f"    {args[-1]})")


def _pod_settings(task: TaskSpec, options: EmitOptions) -> list[str]:
    k8s = task.kubernetes
    settings = [f"image=literal({py(task.image or options.image)})"]
    namespace = k8s.get("namespace") or options.get("namespace")
    if namespace:
        settings.append(f"namespace=literal({py(namespace)})")
    secrets = [*task.secrets, *k8s.get("secrets", [])]
    if secrets:  # references to Kubernetes secrets, never their values
        settings.append("env_from=[" + ", ".join(
            f"k8s.V1EnvFromSource(secret_ref=k8s.V1SecretEnvSource(name={py(name)}))" for name in secrets) + "]")
    requests, limits = pod_resources(task)
    if requests or limits:
        settings.append(f"container_resources=k8s.V1ResourceRequirements(requests={py(requests)}, "
                        f"limits={py(limits)})")
    for decorator_arg, operator_arg in POD_SETTINGS.items():
        if k8s.get(decorator_arg):
            settings.append(f"{operator_arg}={py(k8s[decorator_arg])}")
    if k8s.get("tolerations"):
        settings.append("tolerations=[" + ", ".join(f"k8s.V1Toleration(**{py(t)})" for t in k8s["tolerations"]) + "]")
    return settings


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


def _param(p) -> str:
    help_text = p.help or ""
    kind = PARAM_TYPES[p.type] if p.kind == "parameter" else "string"
    if p.type == "json":
        help_text = (help_text + " (JSON)").strip()
    if p.kind == "include_file":
        help_text = (help_text + " (a path to a file, read when the run starts)").strip()
    default = p.default
    if default is None or default.kind == "runtime" or default.value is None:
        if default is not None and default.kind == "runtime":
            help_text = (help_text + f" (default computed at run time: {default.source})").strip()
        if p.required and default is None:
            return f"Param(type={py(kind)}, description={py(help_text)})"
        return f"Param(None, type={py(['null', kind])}, description={py(help_text)})"
    value = default.value
    if p.type == "json" and not isinstance(value, str):
        import json

        value = json.dumps(value, sort_keys=True)
    return f"Param({py(value)}, type={py(kind)}, description={py(help_text)})"


def _doc(plan: Plan, options: EmitOptions) -> str:
    lines = [f"# {plan.flow}", ""]
    if plan.docstring:
        lines += [plan.docstring, ""]
    lines.append(f"Compiled by flowc from `{options.source_path}`. Each task runs `python -m flowc.runtime task`. "
                 "Foreach fan-outs are Airflow mapped task groups, limited to `max_map_length` items "
                 "(default 1024, setting `[core] max_map_length`).")
    return _no_md_path("\n".join(lines))


def _no_md_path(text: str) -> str:
    """Airflow reads doc_md from a file when the text ends in `.md`; a trailing newline keeps it text."""
    return text + "\n" if text.rstrip().endswith(".md") else text


def _tags(plan: Plan) -> list[str]:
    return ["flowc", f"flow:{plan.flow}"] + ([f"project:{plan.project}"] if plan.project else [])
