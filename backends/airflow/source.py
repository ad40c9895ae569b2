"""A tiny writer for generated Python: indentation, and values rendered as Python literals (data, never code)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Optional


def py(value) -> str:
    """A Python literal for a JSON-like value. repr() escapes quotes, newlines and braces-as-data alike."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py(k)}: {py(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(py(v) for v in value) + "]"
    if isinstance(value, (str, int, float, bool)) or value is None:
        return repr(value)
    raise TypeError(f"not a literal: {type(value).__name__}")


class Source:
    def __init__(self) -> None:
        self._lines: list[str] = []
        self._depth = 0

    def line(self, text: Optional[str] = "") -> None:
        """Add a line at the current indentation; None adds nothing (for conditional lines)."""
        if text is None:
            return
        self._lines.append(("    " * self._depth + text).rstrip() + "\n" if text else "\n")

    def raw(self, text: str) -> None:
        self._lines.append(text)

    @contextmanager
    def indented(self):
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1

    def text(self) -> str:
        """The source, with runs of blank lines collapsed (conditional sections leave gaps)."""
        out: list[str] = []
        for chunk in "".join(self._lines).splitlines(keepends=True):
            if chunk == "\n" and len(out) >= 2 and out[-1] == "\n" and out[-2] == "\n":
                continue
            out.append(chunk)
        return "".join(out)
