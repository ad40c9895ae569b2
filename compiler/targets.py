"""Compile targets by name, loaded lazily (like sqlglot's dialect table).

The registry holds module names only. Each target declares itself next to its code, in a small module
with no heavy imports that exposes `TARGET` (a `Target`: its options and the module holding its
backend); the backend module exposes `BACKEND`, whose `emit(plan, options, problems)` returns
`{relative path: text}`. Third-party targets register such a module under the entry point group
`flowc.backends`. The compiler never imports a backend until it is asked for one.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Optional


@dataclass(frozen=True)
class Option:
    """A target-specific option: `--name` on the command line, `name` in `[tool.flowc.<target>]`."""

    name: str
    help: str
    choices: tuple[str, ...] = ()
    type: type = str
    repeat: bool = False  # may be given several times (a list)
    default: object = None


@dataclass(frozen=True)
class Target:
    name: str
    help: str
    backend: str  # the module exposing BACKEND
    options: tuple[Option, ...] = field(default=())
    deploys: bool = False  # `flowc deploy` can create or update it on its service


BUILTIN = {
    "airflow": "flowc.backends.airflow.target",
    "argo": "flowc.backends.argo.target",
    "stepfunctions": "flowc.backends.stepfunctions.target",
    "kubeflow": "flowc.backends.kubeflow.target",
}


class TargetError(Exception):
    """A plugin target that does not load (a usage error: the user's environment, not their flow)."""


def names() -> list[str]:
    return sorted(set(BUILTIN) | set(_entry_points()))


def get(name: str) -> Optional[Target]:
    module = BUILTIN.get(name) or getattr(_entry_points().get(name), "value", None)
    if module is None:
        return None
    try:
        target = importlib.import_module(module).TARGET
    except (ImportError, AttributeError) as error:
        raise TargetError(f"target {name!r} ({module}) does not load: {error}") from None
    return target


def load(target: Target):
    """The target's backend (imported now, not before)."""
    return importlib.import_module(target.backend).BACKEND


def builtin() -> list[Target]:
    return [get(name) for name in sorted(BUILTIN)]


def all_options() -> dict[str, list[tuple[Target, Option]]]:
    """Option name -> (target, declaration) for every built-in target that has it."""
    merged: dict[str, list[tuple[Target, Option]]] = {}
    for target in builtin():
        for option in target.options:
            merged.setdefault(option.name, []).append((target, option))
    return merged


def _entry_points() -> dict:
    from importlib.metadata import entry_points

    return {point.name: point for point in entry_points(group="flowc.backends")}
