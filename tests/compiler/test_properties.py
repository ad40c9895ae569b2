"""Property tests: generated flows compile back to the generated graph; no input makes the compiler crash.

Example counts are modest so the file runs in seconds on two cores.
"""

from __future__ import annotations

import os
import re
import tempfile

from flowgen import FlowBuilder, blocks, expected_table, render
from flowkit import REPO, actual_table
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowc.compiler.api import Compiled, compile_file, compile_source
from flowc.compiler.codes import CODES
from flowc.compiler.diagnostics import render as render_diagnostics
from flowc.compiler.plan import build_plan

ROUNDTRIP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------------------------- round trip

@ROUNDTRIP
@given(block=blocks(), data=st.data())
def test_generated_flows_compile_to_the_generated_graph(block, data):
    steps = FlowBuilder().flow(block)
    order = data.draw(st.permutations(list(steps)), label="method order")
    text = render(steps, order, style=data.draw(st.integers(0, 3), label="import style"),
                  noise=data.draw(st.booleans(), label="docstrings and assignments"))
    compiled = compile_source(text, "generated.py")
    assert compiled.diagnostics == [], text
    assert actual_table(compiled) == expected_table(steps, order)


@settings(max_examples=25, deadline=None)
@given(block=blocks())
def test_in_source_order_the_nodes_come_in_source_order(block):
    steps = FlowBuilder().flow(block)  # creation order is a topological order
    order = list(steps)
    compiled = compile_source(render(steps, order), "generated.py")
    assert list(compiled.graph.nodes) == order
    plan = build_plan(compiled.graph)
    assert [task.inputs for task in plan.tasks] == [expected_table(steps, order)[n]["wiring"] for n in order]


def test_the_generator_reaches_every_shape():
    """Guard against a generator that silently stops producing nested shapes."""
    leaf = [("linear",)]
    three_deep = ("foreach", [("foreach", [("foreach", leaf)])])
    switch_in_branch = ("branch", [leaf, [("switch", [leaf, leaf])]])
    nested = [three_deep, ("switch", [[("foreach", leaf)], [switch_in_branch]]), ("linear",)]
    steps = FlowBuilder().flow(nested)
    kinds = sorted({s.kind for s in steps.values()})
    assert kinds == ["branch", "end", "foreach", "join", "linear", "switch"]
    compiled = compile_source(render(steps, list(steps)), "generated.py")
    assert compiled.diagnostics == []
    assert max(n.foreach_depth for n in compiled.graph) == 3
    assert actual_table(compiled) == expected_table(steps, list(steps))


# ---------------------------------------------------------------------------------- fuzzing

def assert_well_behaved(compiled: Compiled) -> None:
    """Every input ends in a usable result: a clean graph (that plans) or diagnostics we can print."""
    assert compiled.ok or compiled.diagnostics
    for diagnostic in compiled.diagnostics:
        assert diagnostic.code in CODES
        assert diagnostic.span.line >= 1 and diagnostic.span.col >= 1
    for fmt in ("text", "json", "github"):
        render_diagnostics(compiled.diagnostics, compiled.source, fmt)
    if compiled.flow is not None:
        compiled.flow.model_dump_json()
    if compiled.ok:
        plan = build_plan(compiled.graph)
        assert [t.step for t in plan.tasks] == list(compiled.graph.nodes)


SEEDS = [p.read_text(encoding="utf-8") for p in sorted((REPO / "examples").glob("*.py"))]
SEEDS += [p.read_text(encoding="utf-8") for p in sorted((REPO / "tests" / "compiler" / "invalid").glob("*.py"))[:12]]
TOKENS = re.compile(r"\w+|[^\w\s]")
SNIPPETS = ["self.next(", ")", "(self, inputs)", "@step\n", "foreach=", "condition=", "{", "}", ":", "\n    ",
            "\t", "def ", "class X(FlowSpec):\n", '"', "\\", "\x00", "é", "\r", "self.end", "pass\n", "#"]


def _mutate(text: str, data) -> str:
    kind = data.draw(st.sampled_from(["delete", "duplicate", "swap", "truncate", "insert", "replace"]))
    lines = text.splitlines(keepends=True)
    if kind in ("delete", "duplicate") and lines:
        i = data.draw(st.integers(0, len(lines) - 1))
        lines[i:i + 1] = [] if kind == "delete" else [lines[i], lines[i]]
        return "".join(lines)
    if kind == "swap":
        tokens = list(TOKENS.finditer(text))
        if len(tokens) >= 2:
            a, b = sorted(data.draw(st.lists(st.integers(0, len(tokens) - 1), min_size=2, max_size=2, unique=True)))
            ta, tb = tokens[a], tokens[b]
            return (text[:ta.start()] + tb.group() + text[ta.end():tb.start()] + ta.group() + text[tb.end():])
        return text
    position = data.draw(st.integers(0, len(text)))
    if kind == "truncate":
        return text[:position]
    insert = data.draw(st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=5)))
    if kind == "insert":
        return text[:position] + insert + text[position:]
    return text[:position] + insert + text[position + 1:]


@FUZZ
@given(seed=st.sampled_from(SEEDS), data=st.data())
def test_mutated_flows_never_crash(seed, data):
    text = seed
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        text = _mutate(text, data)
    assert_well_behaved(compile_source(text, "mutated.py"))


@FUZZ
@given(text=st.text(max_size=300))
def test_random_text_never_crashes(text):
    assert_well_behaved(compile_source(text, "random.py"))


@settings(max_examples=40, deadline=None)
@given(raw=st.one_of(st.binary(max_size=300), st.sampled_from(SEEDS).map(lambda s: s.encode("utf-16"))))
def test_random_bytes_never_crash(raw):
    handle, path = tempfile.mkstemp(suffix=".py")
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(raw)
        assert_well_behaved(compile_file(path))
    finally:
        os.unlink(path)
