"""`[tool.flowc]` in the nearest pyproject.toml: defaults for `flowc compile` options.

The folder holding that pyproject.toml is the *project root*: paths written into generated files
(the source in the header, the regenerate command) are relative to it, so output does not depend on
the directory flowc was started from.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class ConfigError(Exception):
    """A pyproject.toml that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Config:
    root: Path  # absolute, resolved
    pyproject: Optional[Path]
    values: dict = field(default_factory=dict)  # [tool.flowc], keys with underscores

    def for_target(self, target: str) -> dict:
        """`[tool.flowc]` merged with `[tool.flowc.<target>]` (the latter wins)."""
        merged = {k: v for k, v in self.values.items() if not isinstance(v, dict)}
        merged.update(self.values.get(target, {}))
        return merged


def find(start: Path) -> Config:
    """The config of the nearest pyproject.toml at or above `start`; without one, `start` is the root."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return Config(folder, candidate, _read(candidate))
    return Config(start, None, {})


def _read(path: Path) -> dict:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path.name}: not valid TOML: {error}") from None
    section = data.get("tool", {}).get("flowc", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path.name}: [tool.flowc] must be a table")
    return _normalise(section)


def _normalise(table: dict) -> dict:
    return {key.replace("-", "_"): _normalise(v) if isinstance(v, dict) else v for key, v in table.items()}
