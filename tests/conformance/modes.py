"""The golden modes of golden/modes.toml: which target and flags each golden folder was compiled with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from support.flows import EXAMPLES, REPO

from flowc.compiler.config import tomllib  # tomli on Python 3.10

MANIFEST = REPO / "golden" / "modes.toml"


@dataclass(frozen=True)
class Mode:
    name: str
    target: str
    flags: tuple[str, ...]

    def argv(self, example: Path, output: str) -> list[str]:
        """`flowc compile` arguments for one example, paths relative to the project root."""
        return ["compile", f"examples/{example.name}", "--target", self.target, "-o", output, *self.flags]

    def folder(self, example: Path) -> str:
        return f"golden/{example.stem}/{self.name}"


def modes() -> list[Mode]:
    data = tomllib.loads(MANIFEST.read_text())
    shared = tuple(data["defaults"]["flags"])
    return [Mode(name, table["target"], shared + tuple(table["flags"])) for name, table in sorted(data["modes"].items())]


def cases() -> list[tuple[Path, Mode]]:
    return [(example, mode) for mode in modes() for example in EXAMPLES]


def case_id(case) -> str:
    example, mode = case
    return f"{example.stem}-{mode.name}"
