"""The hostile-string corpus, put into every user-controlled field of a flow and every string option of
`flowc compile`, for one target (the per-target tests load what comes out with that target's own software).

For a value class and a target, `compile_hostile` first tries the value (behind a tag naming the place, so
that finding it says where it arrived) in each field, each option and the flow file's name alone
(in this process): each is either accepted or refused at compile time with a diagnostic or a usage error,
never a traceback. Then it compiles once, through the command line's function, with the value in every field
and option that accepted it, and returns the output folder and the (place, value) pairs that must arrive
unchanged in what the target loads. A value that arrives as data runs nothing: the shell values would touch
files under $PWNED_DIR.
"""

from __future__ import annotations

import ast
import os
import shutil
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

from flowc.compiler.cli import main as flowc_main

# One value per class; each carries the class's dangerous pieces at once.
VALUES = {
    "quotes": "it's \"dq\" ''' \"\"\" \\ \\n \\x00 end",
    "jinja": "{{ var.value.secret }} {% if true %}x{% endif %} {# c #} {{ dag_run.conf }}",
    "shell": "$(touch $PWNED_DIR/s1) `touch $PWNED_DIR/s2`; touch $PWNED_DIR/s3 && echo ${HOME} > /dev/null",
    "yaml": "&a *a !!python/object:os.system [x] {y: z} # c ? - | > % @ --- ... 'q' \"d\" null true 0x10",
    "line-breaks": "a\nb\rc\r\nd\x0be\x0cf\x1cg\x1dh\x1ei\x85j\u2028k\u2029l",
    "argo": "{{workflow.name}} {{inputs.parameters.text}} {{=sprig.env('HOME')}} {{$.inputs.parameters['x']}}",
    "bidi": "\u202eevil\u202c \u200bzero\u2066iso\u2069 \ufeffbom",
}

# The user tags the targets' run tests compile in (`--tag=T` each) and read back from the run: quotes, Jinja,
# shell, a leading dash, unicode, a name Airflow would read as a template file; no target refuses them.
RUN_TAGS = ("team:ml", "it's \"dq\" {{ ds }} {% raw %} {# c #} $(touch $PWNED_DIR/t1) `touch $PWNED_DIR/t2`; x",
            "-leading-dash", "é漢字 ✓ {{workflow}}", "run.sh")

# Where a value can go in the flow: name -> how the template spells it (the value is `V`, a Python literal).
FIELDS = {
    "parameter default": "default=V",
    "parameter help": "help=V",
    "flow docstring": None,  # written into the docstring (source text, not a literal)
    "step docstring": None,
    "environment value": 'vars={"HOSTILE": V}',
    "environment name": "vars={V: 'x'}",
    "image": "image=V",
    "service account": "service_account=V",
    "secret name": "secrets=[V]",
    "namespace": "namespace=V",
    "label value": 'labels={"l": V}',
    "label key": "labels={V: 'l'}",
    "annotation value": 'annotations={"a": V}',
    "annotation key": "annotations={V: 'a'}",
    "node selector value": 'node_selector={"n": V}',
    "node selector key": "node_selector={V: 'n'}",
    "toleration key": 'tolerations=[{"key": V, "operator": "Exists", "effect": "NoSchedule"}]',
    "toleration value": 'tolerations=[{"key": "k", "operator": "Equal", "value": V, "effect": "NoSchedule"}]',
    "batch queue": "queue=V",
    "batch image": "batch_image=V",
    "cron": "cron=V",
    "timezone": "timezone=V",
    "project name": "project=V",
}
# Decorator arguments a field sets, by decorator (the template joins them); "plain" fills the others.
GROUPS = {
    "parameter": ("parameter default", "parameter help"),
    "environment": ("environment value", "environment name"),
    "kubernetes": ("image", "service account", "secret name", "namespace", "label value", "label key",
                   "annotation value", "annotation key", "node selector value", "node selector key",
                   "toleration key", "toleration value"),
    "batch": ("batch queue", "batch image"),
    "schedule": ("cron", "timezone"),
}
PLAIN = {  # what an unused field holds
    "parameter default": "'plain'", "parameter help": "'plain help'", "environment value": "'x'",
    "cron": "'0 2 * * *'", "timezone": "'UTC'", "project name": "'plainproject'",
}
# String options of `flowc compile`, common and per target (the value replaces the option's plain value).
COMMON_OPTIONS = {"--datastore": "s3://bucket/flowc", "--image": "registry.example/flows:1",
                  "--python": "python3", "--flow-path": None, "--tag": None}
TARGET_OPTIONS = {
    "airflow": {"--dag-id": None, "--namespace": None, "--operator": "kubernetes"},
    "argo": {"--name": None, "--namespace": None, "--service-account": None, "--image-pull-secret": None,
             "--env-secret": None, "--exit-image": None, "--exit-command": None},
    "kubeflow": {"--name": None, "--image-pull-secret": None},
    "stepfunctions": {"--name": None, "--job-queue": "flows-queue", "--role-arn": None, "--job-role-arn": None,
                      "--execution-role-arn": None, "--schedule-role-arn": None},
}
FIXED = {"--operator"}  # not free text: always its plain value
OPTION_PREFIX = {"--datastore": "s3://bucket/"}  # the value inside a well-formed option


def flow_text(values: dict[str, str]) -> str:
    """The flow with `values` (field -> the raw string) in those fields and plain values elsewhere."""
    def literal(name: str) -> str:
        return repr(values[name]) if name in values else PLAIN.get(name, "")

    def args(group: str) -> str:
        parts = []
        for name in GROUPS[group]:
            if name in values or name in PLAIN:
                parts.append(FIELDS[name].replace("V", literal(name)).replace("batch_image=", "image="))
        merged: dict[str, list[str]] = {}
        for part in parts:  # several fields of one dict argument (labels={k: v}) merge into one
            key, _, rest = part.partition("=")
            merged.setdefault(key, []).append(rest)
        return ", ".join(f"{key}={_merge(rests)}" for key, rests in merged.items())

    doc = _docstring(values.get("flow docstring", "A flow."))
    step_doc = _docstring(values.get("step docstring", "A step."))
    return f'''from metaflow import FlowSpec, Parameter, batch, environment, kubernetes, project, schedule, step


@project(name={literal("project name")})
@schedule({args("schedule")})
class HostileFieldsFlow(FlowSpec):
    """{doc}"""

    text = Parameter("text", {args("parameter")})

    @environment({args("environment")})
    @kubernetes({args("kubernetes")})
    @step
    def start(self):
        """{step_doc}"""
        self.next(self.middle)

    @step
    def middle(self):  # no decorator: runs in --image
        self.next(self.end)

    @batch({args("batch")})
    @step
    def end(self):
        pass
'''


def _merge(rests: list[str]) -> str:
    if len(rests) == 1:
        return rests[0]
    if rests[0].startswith("{"):
        return "{" + ", ".join(r[1:-1] for r in rests) + "}"
    return "[" + ", ".join(r[1:-1] for r in rests) + "]"


def _docstring(text: str) -> str:
    """`text` as the body of a triple-quoted docstring that means exactly `text` (escapes, not edits)."""
    body = text.replace("\\", "\\\\").replace('"', '\\"')
    body = "".join(c if c.isprintable() or c == " " else f"\\u{ord(c):04x}" for c in body)
    assert ast.literal_eval(f'"""{body}"""') == text
    return body


@dataclass
class Outcome:
    """What one (value class, target) compile produced."""

    folder: Path
    expected: dict[str, str] = field(default_factory=dict)  # place -> the value that must arrive unchanged
    refused: dict[str, str] = field(default_factory=dict)  # place -> the diagnostic or usage error


def compile_cli(cwd: Path, flow: str, target: str, options: dict[str, str]) -> tuple[int, str]:
    """`flowc compile` through the command line's function in this process: (status, stderr)."""
    argv = ["compile", flow, "--target", target, "-o", "out", "--no-cache"]
    for option, value in options.items():
        argv += [option, value]
    previous = os.getcwd()
    os.chdir(cwd)
    err = StringIO()
    try:
        with redirect_stderr(err), redirect_stdout(StringIO()):
            try:
                status = flowc_main(argv)
            except SystemExit as exit:
                status = exit.code
    finally:
        os.chdir(previous)
    return status, err.getvalue()


def plain_options(target: str) -> dict[str, str]:
    return {o: v for o, v in {**COMMON_OPTIONS, **TARGET_OPTIONS[target]}.items() if v is not None}


FILE_NAME = "flow file name"
PLACES = [*FIELDS, *COMMON_OPTIONS, *sorted({o for options in TARGET_OPTIONS.values() for o in options}),
          FILE_NAME]


def tagged(place: str, value: str) -> str:
    """The value with a tag of its place in front ("p07-..."): finding it says where it arrived."""
    return f"p{PLACES.index(place):02d}-{value}"


def compile_hostile(work: Path, target: str, value_class: str) -> Outcome:
    """Try the class's value in every field and option alone, then compile once with all that accepted it."""
    value = VALUES[value_class]
    work.mkdir(parents=True, exist_ok=True)
    outcome = Outcome(work / "final" / "out")
    accepted_fields, accepted_options = {}, {}

    def attempt(name: str, fields: dict, options: dict, file: str = "hostile_fields.py") -> tuple[int, str]:
        folder = work / "try" / name.replace(" ", "-").lstrip("-")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / file).write_text(flow_text(fields), encoding="utf-8")
        status, err = compile_cli(folder, file, target, {**plain_options(target), **options})
        shutil.rmtree(folder)
        assert "Traceback" not in err and status in (0, 1, 2), (target, value_class, name, status, err)
        if status:
            assert err.strip(), (target, value_class, name)  # refused, and it says why
            if status == 1:  # problems in the flow: diagnostics with their code
                assert "error[FLC" in err, (target, value_class, name, err)
        return status, err

    for name in FIELDS:
        status, err = attempt(name, {name: tagged(name, value)}, {})
        if status == 0:
            accepted_fields[name] = tagged(name, value)
        else:
            outcome.refused[name] = err.strip().splitlines()[0]
    for option in {**COMMON_OPTIONS, **TARGET_OPTIONS[target]}:
        if option in FIXED:
            continue
        given = OPTION_PREFIX.get(option, "") + tagged(option, value)
        status, err = attempt(option, {}, {option: given})
        if status == 0:
            accepted_options[option] = given
        else:
            outcome.refused[option] = err.strip().splitlines()[0]
    file = tagged(FILE_NAME, value).replace("/", "_").replace("\0", "_") + ".py"
    status, err = attempt(FILE_NAME, {}, {}, file)
    if status:
        outcome.refused[FILE_NAME] = err.strip().splitlines()[0]
        file = "hostile_fields.py"
    final = work / "final"
    final.mkdir()
    (final / file).write_text(flow_text(accepted_fields), encoding="utf-8")
    status, err = compile_cli(final, file, target, {**plain_options(target), **accepted_options})
    assert status == 0, (target, value_class, sorted(accepted_fields), sorted(accepted_options), err)
    outcome.expected = {**accepted_fields, **accepted_options}
    if FILE_NAME not in outcome.refused:
        outcome.expected[FILE_NAME] = file
    return outcome


def strings(value) -> list[str]:
    """Every string (keys included) in a loaded document."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in [*strings(key), *strings(item)]]
    if isinstance(value, (list, tuple)):
        return [s for item in value for s in strings(item)]
    return []


def missing(outcome: Outcome, loaded, places_not_in_output=()) -> list[str]:
    """The expected places whose value no string of `loaded` contains unchanged."""
    found = strings(loaded)
    return [place for place, value in outcome.expected.items()
            if place not in places_not_in_output and not any(value in s for s in found)]
