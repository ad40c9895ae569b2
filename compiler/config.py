"""`[tool.flowc]` in the nearest pyproject.toml: defaults for `flowc compile` options, and the project.

The folder holding that pyproject.toml is the *project root*: paths written into generated files
(the source in the header, the regenerate command) are relative to it, so output does not depend on
the directory flowc was started from. Without a pyproject.toml the root is the git work tree holding the
flow (where people run commands and CI runs `--check`), else the flow file's own folder.

The project (what `flowc compile` with no FLOW compiles, and the pytest plugin's goldens):

    [tool.flowc]
    flows = ["flows/*.py"]           # globs, relative to the root
    targets = ["airflow", "argo"]    # default: [target]
    datastore = "s3://bucket/flowc"  # options every target shares
    config = ["settings=conf/settings.json"]  # the flows' Configs (NAME=PATH), as --config NAME PATH
    [tool.flowc.airflow]             # per target: its output folder and options
    output-dir = "dags"
    [[tool.flowc.overrides]]         # per flow: options (and `flow = "Class"`) for the files its globs match
    flows = ["flows/train.py"]
    datastore = "s3://other/flowc"
    [tool.flowc.overrides.airflow]   # ... for one target only
    dag-id = "train"

More specific wins: [tool.flowc] < [tool.flowc.TARGET] < an override < its TARGET table < the command line.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

PROJECT_KEYS = ("flows", "targets", "overrides")  # say what the project is, not how to compile a flow
NOT_PER_FLOW = ("output_dir", "target", "targets", "flows")  # one output folder per target, for every flow

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
    repository: bool = False  # no pyproject.toml: the root is a git work tree's top folder

    @property
    def root_name(self) -> str:
        """How generated headers name the root, e.g. "regenerate from the project root with"."""
        if self.pyproject:
            return "the project root"
        return "the repository root" if self.repository else "the flow file's folder"

    def for_target(self, target: str) -> dict:
        """`[tool.flowc]` merged with `[tool.flowc.<target>]` (the latter wins)."""
        merged = {k: v for k, v in self.values.items() if not isinstance(v, dict) and k not in PROJECT_KEYS}
        merged.update(self.values.get(target, {}))
        return merged

    def for_flow(self, target: Optional[str], flow_file: Path) -> dict:
        """`for_target`, then every override whose globs match `flow_file`, in order (later ones win).
        May hold `flow`, the class to compile from that file. No target: the settings of every target."""
        merged = self.for_target(target)
        for override in self.overrides():
            if flow_file.resolve() in self._glob(override["flows"], "[[tool.flowc.overrides]] flows"):
                merged.update({k: v for k, v in override.items() if not isinstance(v, dict) and k != "flows"})
                merged.update(override.get(target, {}))
        return merged

    def flow_files(self) -> list[Path]:
        """The project's flows: `flows` globs, relative to the root; sorted, each once."""
        if "flows" not in self.values:
            where = self.pyproject.name if self.pyproject else f"no pyproject.toml at or above {self.root}"
            raise ConfigError(f"no FLOW given, and [tool.flowc] has no `flows` ({where}): name flow files, "
                              'or list them in pyproject.toml, e.g. flows = ["flows/*.py"]')
        found = self._glob(self.values["flows"], "[tool.flowc] flows")
        if not found:
            raise ConfigError(f"[tool.flowc] flows {self.values['flows']!r} matches no file under {self.root}")
        return sorted(found)

    def targets(self) -> list[str]:
        """What the project compiles for: `targets`, else `[target]`, else nothing."""
        names = self.values.get("targets", [self.values["target"]] if "target" in self.values else [])
        return _strings(names, "[tool.flowc] targets")

    def overrides(self) -> list[dict]:
        overrides = self.values.get("overrides", [])
        if not isinstance(overrides, list) or not all(isinstance(o, dict) for o in overrides):
            raise ConfigError("[tool.flowc] overrides must be an array of tables: [[tool.flowc.overrides]]")
        for override in overrides:
            _strings(override.get("flows"), "[[tool.flowc.overrides]] flows")
            tables = [(override, NOT_PER_FLOW[:3]), *((v, NOT_PER_FLOW) for v in override.values() if isinstance(v, dict))]
            for table, not_here in tables:
                refused = [k for k in table if k in not_here]
                if refused:
                    raise ConfigError(f"[[tool.flowc.overrides]] cannot set {refused[0].replace('_', '-')}: "
                                      "every flow of a target goes to that target's output-dir")
        return overrides

    def _glob(self, patterns, what: str) -> set[Path]:
        found = set()
        for pattern in _strings(patterns, what):
            if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
                raise ConfigError(f"{what}: {pattern!r} must be relative to {self.root} and stay inside it")
            found.update(p.resolve() for p in self.root.glob(pattern) if p.is_file())
        return found


def find(start: Path) -> Config:
    """The config of the nearest pyproject.toml at or above `start`; without one, the root is the git work
    tree holding `start` (a `.git` at or above it), else `start` itself."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return Config(folder, candidate, _read(candidate))
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return Config(folder, None, {}, repository=True)
    return Config(start, None, {})


def with_listed_configs(listed, root: Path, given):
    """The `config = ["NAME=PATH", ...]` setting (PATH relative to `root`) under the command line's
    --config / --config-value `given` (those win, name by name): a ConfigOptions, or `given` when nothing
    is listed."""
    from .config_options import ConfigOptions

    if listed is None:
        return given
    if not isinstance(listed, list) or not all(isinstance(i, str) and "=" in i for i in listed):
        raise ConfigError('[tool.flowc] config must be a list of "NAME=PATH" strings, e.g. '
                          'config = ["settings=conf/settings.json"]')
    chosen = {n for n, _ in (given.files + given.values)} if given else set()
    files = tuple((name, str(root / path)) for name, _, path in (i.partition("=") for i in listed)
                  if name not in chosen)
    return ConfigOptions(files=files + (given.files if given else ()), values=given.values if given else ())


def _strings(value, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{what} must be a list of strings, e.g. [\"flows/*.py\"]")
    return value


def _read(path: Path) -> dict:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path.name}: not valid TOML: {error}") from None
    section = data.get("tool", {}).get("flowc", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path.name}: [tool.flowc] must be a table")
    return _normalise(section)


def _normalise(value):
    """Keys spelled with dashes (as on the command line) or underscores mean the same; also in arrays of tables."""
    if isinstance(value, dict):
        return {key.replace("-", "_"): _normalise(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value
