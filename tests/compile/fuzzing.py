"""Hostile strings into every user-controlled field of a flow, for every target (shared by the CI fuzz test
and bench/fuzz.py). A case is a flow text built from a seeded random choice of corpus strings; its
outcome is one of: refused at compile time (diagnostics or target problems), or files that parse, have the
same statements/documents as the plain flow, and carry every hostile env value and parameter default
unchanged as data."""

from __future__ import annotations

import json
import random
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO
from pathlib import Path

from emitting import TARGETS, emit, options_for, parsed, shape

from flowc.compiler.cli import main as flowc_main
from flowc.compiler.emit import OptionError

CORPUS = [
    "it's", '"dq"', "'''", '"""', "\\", "\\n", "{{ run_id }}", "{{ var.value.x }}", "{% raw %}", "{%- if 1 %}",
    "$(touch /tmp/pwned)", "`id`", "; rm -rf /", "${HOME}", "{{workflow.name}}", "{{inputs.parameters.x}}",
    "{{$.inputs.parameters['x']}}", "- kind: Secret", "key: value", "&anchor", "*alias", "!!python/object", "? q",
    "| block", "> fold", "# comment", "%TAG", "---", "...", "@at", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c",
    "\x85", "\u2028", "\u2029", "\u202e", "\u200b", "\u2066", "\ufeff", "✓", "é", "𝔘", "\t", "", " ", "null",
    "true", "0x10", "1e999", "NaN", "<script>", "]]>", "\"\"\"+__import__('os').system('id')+\"\"\"",
]
TEMPLATE = '''"""{flow_doc}"""
from metaflow import FlowSpec, Parameter, environment, kubernetes, step


class HostileFuzzFlow(FlowSpec):
    """{flow_doc}"""

    text = Parameter("text", default={default!r}, help={help!r})

    @environment(vars={{"HOSTILE": {env!r}}})
    @kubernetes(labels={{"l": {label!r}}}, annotations={{"a": {annotation!r}}}, node_selector={{"n": {node!r}}})
    @step
    def start(self):
        """{step_doc}"""
        self.next(self.end)

    @step
    def end(self):
        pass
'''
FIELDS = ("default", "help", "env", "label", "annotation", "node", "flow_doc", "step_doc")


# Env values a target keeps out of its file on purpose (the runtime sets every @environment value anyway):
# Argo and Kubeflow would substitute placeholders inside "{{...}}" and have no escape for them.
ENV_FROM_RUNTIME = {"argo": lambda value: "{{" in value, "kubeflow": lambda value: "{{" in value}


def hostile_value(rng: random.Random) -> str:
    return "".join(rng.choice(CORPUS) for _ in range(rng.randint(1, 4)))


def case(seed: int) -> dict:
    rng = random.Random(seed)
    values = {field: hostile_value(rng) for field in FIELDS}
    for doc in ("flow_doc", "step_doc"):  # a docstring is source text: keep it a valid string literal
        values[doc] = values[doc].replace("\\", "").replace('"""', "").replace("\r", "").strip('"') or "doc"
    return values


PLAIN = TEMPLATE.format(**{**dict.fromkeys(FIELDS, "plain"), "flow_doc": "doc", "step_doc": "doc"})


_FOLDER = Path(tempfile.mkdtemp(prefix="flowc-fuzz-"))  # one file per process, rewritten for every case


def flowc_ir(text: str) -> tuple[int, str, str]:
    """`flowc ir` on the flow `text`, through the command line's own function in this process (no
    subprocess per case): (exit status, stdout, stderr)."""
    path = _FOLDER / "fuzz.py"
    path.write_text(text, encoding="utf-8")
    out, err = StringIO(), StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            status = flowc_main(["ir", str(path)])
        except SystemExit as exit:  # argparse's usage errors
            status = exit.code
    return status, out.getvalue(), err.getvalue()


def check_case(seed: int, targets=TARGETS) -> str:
    """Run one case through `flowc ir` and every target; returns its outcome ("refused" or "ok"), or raises."""
    values = case(seed)
    text = TEMPLATE.format(**values)
    status, out, err = flowc_ir(text)
    assert "Traceback" not in err, (seed, err)
    if status == 1:
        assert "error[FLC" in err, (seed, err)
        return "refused"
    assert status == 0, (seed, status, err)
    ir = json.loads(out)  # the IR carries the user's strings as data, byte for byte
    assert [s["name"] for s in ir["steps"]] == ["start", "end"], seed
    assert ir["parameters"][0]["default"]["value"] == values["default"], seed
    assert ir["parameters"][0]["help"] == values["help"], seed
    for target in targets:
        options = options_for(target, operator="kubernetes")
        try:
            files, problems = emit(text, target, options)
        except OptionError:
            continue
        if problems:
            continue
        plain, _ = emit(PLAIN, target, options)
        assert files.keys() == plain.keys(), (seed, target)
        for name, content in files.items():
            assert shape(name, content) == shape(name, plain[name]), (seed, target, name)
        strings = [s for name, content in files.items() for s in _strings(parsed(name, content))]
        for field in ("env", "default"):
            if field == "env" and target in ENV_FROM_RUNTIME and ENV_FROM_RUNTIME[target](values[field]):
                continue
            assert any(values[field] in s for s in strings), (seed, target, field, values[field])
    return "ok"


def _strings(value):
    """Every string in a parsed file (for Python, the dumped AST holds the constants' reprs: decode them)."""
    if isinstance(value, str):
        if value.startswith(("Expr(", "Assign(", "With(", "ImportFrom(", "Import(", "FunctionDef(", "Try(",
                             "If(", "Expr(")):
            yield from _python_strings(value)
        else:
            yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _python_strings(dumped: str):
    import ast

    tree = ast.parse(dumped, mode="eval")  # the dump is itself an expression of ast node constructors
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Constant":
            for keyword in node.keywords:
                if keyword.arg == "value" and isinstance(keyword.value, ast.Constant):
                    if isinstance(keyword.value.value, str):
                        yield keyword.value.value
