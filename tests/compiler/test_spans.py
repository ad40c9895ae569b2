"""Every span the IR records covers exactly the text it names, in characters (CPython's `ast` counts UTF-8
bytes), across line ends, tabs, comments, one-line suites and headers split by a backslash."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowc.compiler.api import compile_source
from flowc.compiler.source import Span
from flowc.compiler.syntax import NEWLINE

REPO = Path(__file__).resolve().parents[2]
FILES = sorted(p for folder in ("examples", "tests/flows", "tests/compat/flows")
               for p in (REPO / folder).glob("*.py"))

TRICKY = {
    "unicode": ('from metaflow import FlowSpec, step, Parameter\n\nclass Fl\u00f6w(FlowSpec):\n'
                '    \u00e5 = Parameter("\u00e9t\u00e9", default="\u2603\u2603")  # \u00fc\n\n'
                '    @step\n    def start(self):\n        self.\u00e9 = "\u00e9\u00e9\u00e9"; self.next(self.\u00e9nd)\n\n'
                '    @step\n    def \u00e9nd(self):\n        self.x = "\U0001F600"; self.next(self.end)\n\n'
                '    @step\n    def end(self): pass\n'),
    "crlf-tabs-semicolons": ('from metaflow import FlowSpec, step, retry\r\n\r\nclass F(FlowSpec):\r\n'
                             '\t@retry(times=2)\r\n\t@step\r\n\tdef start(self):\r\n\t\tx = 1; self.next(\r\n'
                             '\t\t\tself.a,\r\n\t\t\tself.b)\r\n\t@step\r\n\tdef a(self): self.next(self.j)\r\n'
                             '\t@step\r\n\tdef b(self):\r\n\t\t(self.next(self.j))\r\n'
                             '\t@step\r\n\tdef j(self, inputs): self.next(self.end)\r\n'
                             '\t@step\r\n\tdef end(self): pass\r\n'),
    "switch-and-comments": ('from metaflow import FlowSpec, step\n\nclass F(  # a flow\n    FlowSpec):\n'
                            '    @step\n    # comment between decorator and def\n    def   start (self):\n'
                            '        self.c = "x"\n        self.next({"x": self.a,  # case x\n'
                            '                   "y": self.b}, condition="c")\n'
                            '    @step\n    def a(self):\n        self.next(self.end)\n'
                            '    @step\n    def b(self):\n        self.next(self.end)\n'
                            '    @step\n    def end(self):\n        pass\n'),
    "header-split-by-backslash": ('from metaflow import FlowSpec, step\n\nclass F(FlowSpec):\n    @step\n'
                                  '    async def \\\n  start(self):\n        self.next(self.end)\n\n'
                                  '    @step\n    def end(self):\n        pass\n'),
    "byte-order-mark": ('\ufefffrom metaflow import FlowSpec, step\nclass F(FlowSpec):\n    @step\n'
                        '    def start(self): self.next(self.end)\n    @step\n    def end(self): pass\n'),
    "old-mac-line-ends": ('from metaflow import FlowSpec, step\r\rclass F(FlowSpec):\r    @step\r    def start(self):\r'
                          '        self.next(self.end)\r\r    @step\r    def end(self):\r        pass\r'),
}


def _text(source: str, span: Span) -> str:
    lines = NEWLINE.split(source)
    if span.line == span.end_line:
        return lines[span.line - 1][span.col - 1:span.end_col - 1]
    return "\n".join([lines[span.line - 1][span.col - 1:], *lines[span.line:span.end_line - 1],
                      lines[span.end_line - 1][:span.end_col - 1]])


def _check(source: str) -> int:
    """Assert every recorded span's text; the number of spans checked."""
    compiled = compile_source(source, "f.py")
    assert compiled.flow is not None, compiled.diagnostics
    flow = compiled.flow
    checked = [(_text(source, flow.span), flow.name)]
    for step in flow.steps:
        checked.append((_text(source, step.span), step.name))
        transition = step.transition
        if transition.kind != "end":
            call = _text(source, transition.span)
            assert call.startswith("self.next(") and call.endswith(")"), call
        for target, span in zip(transition.targets if transition.kind != "switch" else
                                [t for _, t in transition.cases], transition.target_spans):
            checked.append((_text(source, span), f"self.{target}"))
        for decorator in step.decorators:
            assert _text(source, decorator.span).split("(")[0].split(".")[-1] == decorator.name
    for parameter in flow.parameters:
        assert _text(source, parameter.span).split("(")[0].split(".")[-1] in ("Parameter", "IncludeFile")
    for got, want in checked:
        assert got == want
    return len(checked)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_spans_cover_what_they_name(path):
    source = path.read_text(encoding="utf-8")
    if "FlowSpec" not in source:
        pytest.skip("not a flow")
    assert _check(source) >= 3


@pytest.mark.parametrize("name", TRICKY)
def test_spans_in_tricky_files(name):
    assert _check(TRICKY[name]) >= 3


def test_unicode_columns_count_characters():
    compiled = compile_source(TRICKY["unicode"], "f.py")
    step = {s.name: s for s in compiled.flow.steps}["start"]
    # `self.next(self.énd)` starts after `self.é = "ééé"; `: columns count characters, not UTF-8 bytes
    assert (step.transition.span.line, step.transition.span.col) == (8, 25)  # 8 + len('self.é = "ééé"; ') + 1
    assert step.transition.target_spans[0].col == 35  # 10 more: `self.next(`


def test_a_byte_order_mark_is_read_as_python_reads_it():
    """Editors on Windows save UTF-8 with a BOM; Python runs such a file, so flowc compiles it, and a
    first-line column is counted as Python counts it (without the mark)."""
    compiled = compile_source("\ufeffimport metaflow.nope\n" + TRICKY["byte-order-mark"][1:], "f.py")
    assert [(d.code, d.span.line, d.span.col) for d in compiled.diagnostics] == [("FLC040", 1, 8)]


def test_a_stray_next_is_still_found():
    text = ('from metaflow import FlowSpec, step\n\nclass F(FlowSpec):\n    @step\n    def start(self):\n'
            '        if True:\n            self.next(self.end)\n        self.next(self.end)\n\n'
            '    @step\n    def end(self):\n        pass\n')
    compiled = compile_source(text, "f.py")
    assert [(d.code, d.span.line, d.span.col) for d in compiled.diagnostics] == [("FLC012", 7, 13)]
