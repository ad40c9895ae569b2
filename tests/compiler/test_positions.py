"""The parser takes the positions of the nodes the IR records from CPython's `ast` (compiler/positions.py);
every one must be exactly what libcst's own PositionProvider says, which is what the parser used before."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from flowc.compiler.api import compile_source
from flowc.compiler.positions import Positions

REPO = Path(__file__).resolve().parents[2]
FILES = sorted(p for folder in ("examples", "tests/flows", "tests/compiler/invalid", "tests/compat/flows")
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
                                  '    def \\\n  start(self):\n        self.next(self.end)\n\n'
                                  '    @step\n    def end(self):\n        pass\n'),
}


def _check(text: str) -> int:
    module = cst.parse_module(text)
    fast = Positions(module, ast.parse(text), text)
    full = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    for node, span in fast.known.items():
        r = full[node]
        assert (span.line, span.col, span.end_line, span.end_col) == (
            r.start.line, r.start.column + 1, r.end.line, r.end.column + 1), (type(node).__name__, span)
    return len(fast.known)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_positions_are_libcsts(path):
    text = path.read_text(encoding="utf-8")
    try:
        ast.parse(text)
    except SyntaxError:
        pytest.skip("not Python: the parser stops before positions")
    _check(text)


@pytest.mark.parametrize("name", TRICKY)
def test_positions_are_libcsts_in_tricky_files(name):
    assert _check(TRICKY[name]) > 0


def test_unicode_flow_compiles_with_character_columns():
    compiled = compile_source(TRICKY["unicode"], "f.py")
    step = {s.name: s for s in compiled.flow.steps}["start"]
    # `self.next(self.énd)` starts after `self.é = "ééé"; `: columns count characters, not UTF-8 bytes
    assert (step.transition.span.line, step.transition.span.col) == (8, 25)  # 8 + len('self.é = "ééé"; ') + 1
    assert step.transition.target_spans[0].col == 35  # 10 more: `self.next(`


def test_a_stray_next_is_still_found():
    text = ('from metaflow import FlowSpec, step\n\nclass F(FlowSpec):\n    @step\n    def start(self):\n'
            '        if True:\n            self.next(self.end)\n        self.next(self.end)\n\n'
            '    @step\n    def end(self):\n        pass\n')
    compiled = compile_source(text, "f.py")
    assert [(d.code, d.span.line, d.span.col) for d in compiled.diagnostics] == [("FLC012", 7, 13)]
