"""Diagnostics: one problem in a flow, with a code, a span under the user's own line and a fix.

Rendering follows rustc/ruff: `error[FLC014]: message`, `--> path:line:col`, the source line with a
caret span, secondary labels, then `help:`. Every code is documented in `codes.py`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .source import SourceFile, Span


@dataclass(frozen=True)
class Label:
    """A secondary place worth pointing at ("split starts here")."""

    span: Span
    message: str


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    span: Span
    help: str | None = None
    labels: tuple[Label, ...] = field(default=())
    severity: str = "error"

    def sort_key(self) -> tuple:
        return (self.span.line, self.span.col, self.code, self.message)


class Diagnostics:
    """Collects every problem of one compile, so the user sees all of them in one run."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self._items: list[Diagnostic] = []

    def error(self, code: str, message: str, span: Span, help: str | None = None,
              labels: tuple[Label, ...] = ()) -> None:
        self._items.append(Diagnostic(code, message, span, help, tuple(labels)))

    def __bool__(self) -> bool:
        return bool(self._items)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def items(self) -> list[Diagnostic]:
        """Sorted by position, duplicates removed: the same input always prints the same way."""
        return sorted(set(self._items), key=Diagnostic.sort_key)

    @property
    def codes(self) -> list[str]:
        return [d.code for d in self.items]


# ---------------------------------------------------------------------------------------- rendering

def render_text(diagnostics: list[Diagnostic], source: SourceFile, color: bool = False) -> str:
    return "".join(_render_one(d, source, color) for d in diagnostics)


def _render_one(d: Diagnostic, source: SourceFile, color: bool) -> str:
    span = d.span
    gutter = " " * len(str(max([span.line] + [lab.span.line for lab in d.labels])))
    headline = f"{d.severity}[{d.code}]"
    if color:
        headline = f"\033[1;31m{headline}\033[0m"
    out = [f"{headline}: {d.message}",
           f"{gutter}--> {source.display_path}:{span.line}:{span.col}",
           f"{gutter} |"]
    marks = [(span, "^", "")] + [(lab.span, "-", lab.message) for lab in d.labels]
    for line_no in sorted({s.line for s, _, _ in marks}):
        text = source.line(line_no).expandtabs(1)
        out.append(f"{str(line_no).rjust(len(gutter))} | {text}".rstrip())
        for s, char, message in marks:
            if s.line != line_no:
                continue
            end = s.end_col if s.end_line == s.line else len(text) + 1
            width = max(1, end - s.col)
            out.append(f"{gutter} | {' ' * (s.col - 1)}{char * width} {message}".rstrip())
    out.append(f"{gutter} |")
    if d.help:
        out.append(f"{gutter} = help: {d.help}")
    return "\n".join(out) + "\n\n"


def render_json(diagnostics: list[Diagnostic], source: SourceFile) -> list[dict]:
    return [
        {
            "code": d.code,
            "severity": d.severity,
            "message": d.message,
            "path": source.display_path,
            "line": d.span.line,
            "column": d.span.col,
            "end_line": d.span.end_line,
            "end_column": d.span.end_col,
            "help": d.help,
            "labels": [
                {"line": lab.span.line, "column": lab.span.col, "message": lab.message}
                for lab in d.labels
            ],
        }
        for d in diagnostics
    ]


def render_github(diagnostics: list[Diagnostic], source: SourceFile) -> str:
    """GitHub Actions workflow commands: annotations on the pull request's diff."""

    def escape(value: str) -> str:
        return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def escape_property(value: str) -> str:
        return escape(value).replace(":", "%3A").replace(",", "%2C")

    lines = []
    for d in diagnostics:
        message = d.message + (f" (help: {d.help})" if d.help else "")
        lines.append(
            f"::{d.severity} file={escape_property(source.display_path)},line={d.span.line},"
            f"col={d.span.col},endLine={d.span.end_line},endColumn={d.span.end_col},"
            f"title={escape_property(d.code)}::{escape(message)}"
        )
    return "".join(line + "\n" for line in lines)


def render(diagnostics: list[Diagnostic], source: SourceFile, fmt: str, color: bool = False) -> str:
    if fmt == "json":
        return json.dumps(render_json(diagnostics, source), indent=2, ensure_ascii=False) + "\n"
    if fmt == "github":
        return render_github(diagnostics, source)
    return render_text(diagnostics, source, color)
