"""What the frontend needs from CPython's `ast` besides the tree itself: where a node is and what text it
was written as (counted in characters, where `ast` counts UTF-8 bytes), a call's arguments in the order
they were written, and dotted names.

`ast` is the parser Python itself uses: it is as fast as reading the file gets, every node carries its
position, and it reads exactly what the interpreter that runs the flow will read.
"""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass
from typing import Optional, Union

from .source import Span

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
TRIES = (ast.Try, ast.TryStar) if hasattr(ast, "TryStar") else (ast.Try,)  # `except*` came in Python 3.11
NEWLINE = re.compile(r"\r\n|\r|\n")  # the line ends Python's tokenizer counts
HEADER = re.compile(r"(?:async(?:[ \t\f]|\\\r?\n)+)?(?:def|class)(?:[ \t\f]|\\\r?\n)+(\w+)")


class Text:
    """Positions and source text of the nodes of one parsed file."""

    def __init__(self, text: str):
        self.text = text
        self.lines = NEWLINE.split(text)
        self.starts = [0]  # where each line starts in `text`
        for end in NEWLINE.finditer(text):
            self.starts.append(end.end())

    def span(self, node: Union[ast.AST, Span]) -> Span:
        """The node's region, 1-based, end exclusive (a Span is its own region)."""
        if isinstance(node, Span):
            return node
        return Span(line=node.lineno, col=self.column(node.lineno, node.col_offset) + 1,
                    end_line=node.end_lineno, end_col=self.column(node.end_lineno, node.end_col_offset) + 1)

    def code(self, node: ast.AST) -> str:
        """The node's text exactly as written."""
        return self.text[self.offset(node.lineno, node.col_offset):self.offset(node.end_lineno, node.end_col_offset)]

    def column(self, line: int, byte_offset: int) -> int:
        """The character column of a UTF-8 byte offset into `line`."""
        text = self.lines[line - 1]
        if text.isascii():
            return byte_offset
        return len(text.encode("utf-8", errors="surrogatepass")[:byte_offset].decode("utf-8", errors="replace"))

    def offset(self, line: int, byte_offset: int) -> int:
        return self.starts[line - 1] + self.column(line, byte_offset)

    def name_span(self, node: Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef]) -> Span:
        """The name after `def` / `class` (the `ast` has the keyword's position only)."""
        start = self.offset(node.lineno, node.col_offset)
        match = HEADER.match(self.text, start)
        if match is None or match.group(1) != node.name:  # not expected: Python just read this header
            return self.span(node)
        line = bisect.bisect_right(self.starts, match.start(1))
        col = match.start(1) - self.starts[line - 1] + 1
        return Span(line=line, col=col, end_line=line, end_col=col + len(node.name))

    def name_at(self, node: ast.AST, name: str) -> Span:
        """`name` written where `node` starts: a keyword argument's name, an imported name without its `as`."""
        col = self.column(node.lineno, node.col_offset) + 1
        return Span(line=node.lineno, col=col, end_line=node.lineno, end_col=col + len(name))


@dataclass(frozen=True)
class Arg:
    """One argument of a call as written: `value`, `keyword=value`, `*value` or `**value`. `node` is the
    whole argument (for its position)."""

    node: ast.AST
    value: ast.expr
    keyword: Optional[str] = None
    star: str = ""


def arguments(call: ast.Call) -> list[Arg]:
    """The call's arguments in the order they were written (`ast` keeps positional and keyword apart)."""
    written = [Arg(a, a.value, star="*") if isinstance(a, ast.Starred) else Arg(a, a) for a in call.args]
    written += [Arg(k, k.value, k.arg, "" if k.arg else "**") for k in call.keywords]
    if call.args and call.keywords:
        written.sort(key=lambda a: (a.node.lineno, a.node.col_offset))
    return written


def dotted(node: ast.AST) -> Optional[str]:
    """`a.b.c` for a name or attribute chain; a call or subscript is named after what it calls or indexes
    (`Generic[T]` -> `Generic`). None for anything else."""
    parts: list[str] = []
    while True:
        if isinstance(node, (ast.Call, ast.Subscript)):
            node = node.func if isinstance(node, ast.Call) else node.value
        elif isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            return ".".join(reversed(parts))
        else:
            return None


def string(node: Optional[ast.AST]) -> Optional[str]:
    """The value of a string literal (implicitly concatenated too), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None
