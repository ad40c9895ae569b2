"""A flow as a picture: Mermaid (renders in GitHub pull requests) or Graphviz dot."""

from __future__ import annotations

import json

from .analyse import Graph

SHAPES = {  # mermaid node shapes per kind
    "start": ("([", "])"), "end": ("([", "])"),
    "branch": ("{{", "}}"), "foreach": ("[[", "]]"), "switch": ("{", "}"),
    "join": ("[/", "\\]"), "linear": ("[", "]"),
}
DOT_SHAPES = {"start": "oval", "end": "oval", "branch": "hexagon", "foreach": "box3d",
              "switch": "diamond", "join": "invtrapezium", "linear": "box"}


def _label(graph: Graph, name: str) -> str:
    node = graph[name]
    step = graph.flow.step(name)
    if node.kind == "foreach":
        return f"{name} (foreach {step.transition.foreach})"
    if node.kind == "switch":
        return f"{name} (switch on {step.transition.condition})"
    return name


def _edges(graph: Graph):
    """(parent, child, label) in topological order; switch edges are labelled with their case."""
    for node in graph:
        step = graph.flow.step(node.name)
        cases = {}
        for case, target in step.transition.cases:
            cases.setdefault(target, []).append(case)
        for child in node.children:
            yield node.name, child, " | ".join(cases.get(child, []))


MERMAID_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.,:()=+-*/'")


def _mermaid_text(text: str) -> str:
    """A quoted Mermaid label: every character but plain ones as Mermaid's entity code (#34; for "), so a
    switch case like `a"|b` or `<b>` ends neither the label nor the edge, nor becomes HTML."""
    return '"' + "".join(c if c in MERMAID_PLAIN else f"#{ord(c)};" for c in text) + '"'


def to_mermaid(graph: Graph) -> str:
    # Node ids get a prefix: `end` (a step every flow has) is a Mermaid keyword.
    lines = ["flowchart TD"]
    for node in graph:
        opening, closing = SHAPES[node.kind]
        lines.append(f"    s_{node.name}{opening}{_mermaid_text(_label(graph, node.name))}{closing}")
    for parent, child, label in _edges(graph):
        arrow = f" -->|{_mermaid_text(label)}| " if label else " --> "
        lines.append(f"    s_{parent}{arrow}s_{child}")
    return "\n".join(lines) + "\n"


def to_dot(graph: Graph) -> str:
    lines = [f"digraph {json.dumps(graph.flow.name)} {{", "    rankdir=TB;", '    node [fontname="Helvetica"];']
    for node in graph:
        lines.append(f"    {node.name} [label={json.dumps(_label(graph, node.name))}, shape={DOT_SHAPES[node.kind]}];")
    for parent, child, label in _edges(graph):
        attrs = f" [label={json.dumps(label)}]" if label else ""
        lines.append(f"    {parent} -> {child}{attrs};")
    lines.append("}")
    return "\n".join(lines) + "\n"
