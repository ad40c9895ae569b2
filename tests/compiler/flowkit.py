"""Helpers shared by the compiler tests: compile flow text and compare graphs with hand-written tables.

(The module has a distinctive name because pytest puts this folder on sys.path.)
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from flowc.compiler.api import Compiled, compile_source
from flowc.compiler.plan import wiring

REPO = Path(__file__).resolve().parents[2]
HEADER = "from metaflow import FlowSpec, Parameter, step\n\n\n"


def compile_text(text: str, path: str = "flow.py", flow: Optional[str] = None) -> Compiled:
    return compile_source(textwrap.dedent(text), path, flow)


def compile_clean(text: str) -> Compiled:
    compiled = compile_text(text)
    assert compiled.diagnostics == [], [(d.code, d.message) for d in compiled.diagnostics]
    assert compiled.ok
    return compiled


def flow_text(methods: str, name: str = "TestFlow", header: str = HEADER) -> str:
    """A flow file from the text of its class body (written at column 0, indented here)."""
    return f"{header}class {name}(FlowSpec):\n{textwrap.indent(textwrap.dedent(methods).strip(), '    ')}\n"


@dataclass(frozen=True)
class Expect:
    """What one analysed step should look like; names are space-separated for short tables."""

    kind: str
    parents: str = ""
    children: str = ""
    wiring: str = ""
    splits: str = ""  # enclosing branch/foreach splits, outermost first
    depth: int = 0  # foreach depth
    join_of: Optional[str] = None
    closed_by: Optional[str] = None
    meet: Optional[str] = None  # a switch's meeting step
    is_meet: bool = False

    def as_dict(self) -> dict:
        return {
            "kind": self.kind, "parents": tuple(self.parents.split()), "children": tuple(self.children.split()),
            "wiring": self.wiring, "split_parents": tuple(self.splits.split()), "foreach_depth": self.depth,
            "join_of": self.join_of, "closed_by": self.closed_by, "switch_meet": self.meet,
            "is_switch_meet": self.is_meet,
        }


def actual_table(compiled: Compiled) -> dict[str, dict]:
    graph = compiled.graph
    return {
        node.name: {
            "kind": node.kind, "parents": node.parents, "children": node.children,
            "wiring": wiring(graph, node), "split_parents": node.split_parents,
            "foreach_depth": node.foreach_depth, "join_of": node.join_of, "closed_by": node.closed_by,
            "switch_meet": node.switch_meet, "is_switch_meet": node.is_switch_meet,
        }
        for node in graph
    }


def assert_graph(compiled: Compiled, expected: dict[str, Expect]) -> None:
    """Every field of every node, and the node order (topological, ties broken by source order)."""
    actual = actual_table(compiled)
    assert list(actual) == list(expected)
    for name, want in expected.items():
        assert actual[name] == want.as_dict(), name
