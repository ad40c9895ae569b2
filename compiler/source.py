"""Source files and spans: where in the user's file something is, for diagnostics."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict


class Span(BaseModel):
    """A region of a source file: 1-based lines, 1-based columns, end exclusive."""

    model_config = ConfigDict(frozen=True)

    line: int
    col: int
    end_line: int
    end_col: int


@dataclass(frozen=True)
class SourceFile:
    """The text of a flow file plus the name it is shown under (a relative path when possible)."""

    display_path: str
    text: str
    lines: list[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", self.text.splitlines())

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def line(self, number: int) -> str:
        """The text of 1-based line `number`, or '' past the end."""
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""

    @classmethod
    def read(cls, path: str | Path) -> "SourceFile":
        """Read a flow file. Decoding errors surface as UnicodeDecodeError for the caller to report."""
        raw = Path(path).read_bytes()
        return cls(display_path=display_path(Path(path)), text=raw.decode("utf-8"))


def display_path(path: Path) -> str:
    """Show `path` relative to the working directory, so output never carries the absolute paths of
    the machine that compiled it: below the working directory as `dir/flow.py`, elsewhere as given
    when that is relative, else as a relative `../` path."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        pass
    if not path.is_absolute():
        return path.as_posix()
    try:
        return Path(os.path.relpath(path, Path.cwd())).as_posix()
    except ValueError:  # another drive (Windows): no relative path exists
        return path.name
