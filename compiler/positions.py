"""Source positions for the parser, without a pass over every node.

libcst knows positions only through its PositionProvider, a code generation pass that records every node
of the file (about 40% of compiling a flow). CPython's `ast`, which the parser builds anyway to vet the file
first, has positions on every node for free. This module pairs the few libcst nodes the IR records (flow
and step names, decorators, transitions and their targets, parameter declarations) with their `ast`
counterparts and takes the positions from there. Any other node (one a diagnostic points at) is resolved
by libcst itself, on first use, so every position is libcst's.

It also counts each method's `self.next(...)` calls from the `ast`, so the parser looks for stray
transitions (with a libcst visitor) only in a method that has one.
"""

from __future__ import annotations

import ast
import re
from typing import Optional

import libcst as cst

from .source import Span

NEWLINES = re.compile(r"\r\n|\r|\n")  # as libcst and CPython's tokenizer split lines
RECORDED = {"Name", "Attribute", "Call", "Dict"}  # the expressions the IR takes positions of (same class names)
HEADER = re.compile(r"(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)")


class Positions:
    """`span(node)` for any node of `module`; cheap for the nodes the IR records."""

    def __init__(self, module: cst.Module, tree: Optional[ast.Module], text: str):
        self.module = module
        self.known: dict[cst.CSTNode, Span] = {}
        self.next_calls: dict[cst.FunctionDef, int] = {}
        self._resolved = None
        self._lines = NEWLINES.split(text)
        # A BOM or a form feed is where CPython's columns and libcst's could disagree: let libcst do it all.
        if tree is not None and not text.startswith("\ufeff") and "\f" not in text:
            try:
                self._statements(module.body, tree.body, in_class=False)
            except _Mismatch:
                self.known.clear()
                self.next_calls.clear()

    def span(self, node: cst.CSTNode) -> Span:
        known = self.known.get(node)
        if known is not None:
            return known
        r = self._libcst()[node]
        return Span(line=r.start.line, col=r.start.column + 1, end_line=r.end.line, end_col=r.end.column + 1)

    def _libcst(self):
        if self._resolved is None:
            from libcst.metadata import MetadataWrapper, PositionProvider

            self._resolved = MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(PositionProvider)
        return self._resolved

    # ------------------------------------------------------------------------------ pairing

    def _statements(self, statements, nodes: list[ast.stmt], in_class: bool) -> None:
        """Pair a statement list with the `ast` one: a line of `a; b` is one libcst statement, two in `ast`."""
        index = 0
        for statement in statements:
            if isinstance(statement, cst.SimpleStatementLine):
                smalls = statement.body
                paired = nodes[index:index + len(smalls)]
                index += len(smalls)
                if in_class:
                    for small, node in zip(smalls, paired):
                        self._class_attribute(small, node)
                continue
            node = _expect(nodes, index, ast.stmt)
            index += 1
            if isinstance(statement, cst.ClassDef):
                self._class(statement, _expect([node], 0, ast.ClassDef))
            elif isinstance(statement, cst.FunctionDef) and in_class:
                self._function(statement, _expect([node], 0, (ast.FunctionDef, ast.AsyncFunctionDef)))
        if index != len(nodes):
            raise _Mismatch()

    def _class(self, node: cst.ClassDef, tree: ast.ClassDef) -> None:
        self._name(node.name, tree)
        self._decorators(node.decorators, tree.decorator_list)
        self._block(node.body, tree.body, in_class=True)

    def _function(self, node: cst.FunctionDef, tree: ast.FunctionDef) -> None:
        self._name(node.name, tree)
        self._decorators(node.decorators, tree.decorator_list)
        last = _last_small(node.body)
        ends_in_call = False
        if isinstance(last, cst.Expr) and isinstance(last.value, cst.Call) and tree.body:
            ending = tree.body[-1]
            if isinstance(ending, ast.Expr) and isinstance(ending.value, ast.Call):
                self._call(last.value, ending.value)
                ends_in_call = _is_next_call(ending.value)
        # Most steps mention `next` once, in the transition that ends them: no need to walk their bodies.
        mentions = sum(line.count("next") for line in self._lines[tree.lineno - 1:tree.end_lineno])
        self.next_calls[node] = mentions if mentions == 0 or (mentions == 1 and ends_in_call) else _next_calls(tree)

    def _block(self, block, nodes: list[ast.stmt], in_class: bool) -> None:
        if isinstance(block, cst.SimpleStatementSuite):
            if len(block.body) != len(nodes):
                raise _Mismatch()
            if in_class:
                for small, node in zip(block.body, nodes):
                    self._class_attribute(small, node)
        else:
            self._statements(block.body, nodes, in_class)

    def _decorators(self, decorators, nodes: list[ast.expr]) -> None:
        if len(decorators) != len(nodes):
            raise _Mismatch()
        for decorator, node in zip(decorators, nodes):
            self._expression(decorator.decorator, node)

    def _class_attribute(self, small, node: ast.stmt) -> None:
        """`x = Parameter(...)` and `x: T = Parameter(...)`: the call's position."""
        if isinstance(small, cst.Assign) and isinstance(node, ast.Assign):
            self._expression(small.value, node.value)
        elif isinstance(small, cst.AnnAssign) and isinstance(node, ast.AnnAssign) and small.value is not None:
            self._expression(small.value, node.value)

    def _call(self, call: cst.Call, node: ast.Call) -> None:
        """A transition: the call, its positional targets and, for a switch, each case's step."""
        self._expression(call, node)
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        given = [a for a in node.args if not isinstance(a, ast.Starred)]
        if len(positional) != len(given):
            raise _Mismatch()
        for value, tree in zip(positional, given):
            self._expression(value, tree)
            if isinstance(value, cst.Dict) and isinstance(tree, ast.Dict):
                if len(value.elements) != len(tree.values):
                    raise _Mismatch()
                for element, key, case in zip(value.elements, tree.keys, tree.values):
                    if isinstance(element, cst.DictElement) and key is not None:
                        self._expression(element.value, case)

    # ------------------------------------------------------------------------------ positions

    def _expression(self, node: cst.CSTNode, tree: ast.AST) -> None:
        """Record `node`'s position if it is one of the kinds the IR records (and the `ast` node is too)."""
        kind = type(node).__name__
        if kind not in RECORDED or type(tree).__name__ != kind:
            return
        self.known[node] = Span(line=tree.lineno, col=self._column(tree.lineno, tree.col_offset) + 1,
                                end_line=tree.end_lineno,
                                end_col=self._column(tree.end_lineno, tree.end_col_offset) + 1)

    def _name(self, name: cst.Name, tree) -> None:
        """The name after `def`/`class` (the `ast` has the keyword's position only); left to libcst when
        the header is not on one line."""
        text = self._lines[tree.lineno - 1]
        match = HEADER.match(text, self._column(tree.lineno, tree.col_offset))
        if match is not None and match.group(1) == name.value:
            self.known[name] = Span(line=tree.lineno, col=match.start(1) + 1, end_line=tree.lineno,
                                    end_col=match.end(1) + 1)

    def _column(self, line: int, offset: int) -> int:
        """`ast` counts UTF-8 bytes within a line, libcst characters."""
        text = self._lines[line - 1]
        if text.isascii():
            return offset
        return len(text.encode("utf-8", errors="surrogatepass")[:offset].decode("utf-8", errors="replace"))


class _Mismatch(Exception):
    """The two trees did not pair up as expected: positions come from libcst alone."""


def _expect(nodes: list, index: int, kind):
    if index >= len(nodes) or not isinstance(nodes[index], kind):
        raise _Mismatch()
    return nodes[index]


def _last_small(block):
    """The last simple statement of a body (None when the body ends in a compound statement)."""
    if isinstance(block, cst.SimpleStatementSuite):
        return block.body[-1] if block.body else None
    last = block.body[-1] if block.body else None
    if isinstance(last, cst.SimpleStatementLine) and last.body:
        return last.body[-1]
    return None


def _next_calls(function: ast.FunctionDef) -> int:
    """How many `self.next(...)` calls `function` makes itself (nested functions and classes excluded)."""
    count = 0
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if _is_next_call(node):
            count += 1
        stack.extend(ast.iter_child_nodes(node))
    return count


def _is_next_call(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "next"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "self")
