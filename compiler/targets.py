"""Compile targets by name, loaded lazily (like sqlglot's dialect table).

The registry holds module names only. Each target declares itself next to its code, in a small module
with no heavy imports that exposes `TARGET` (a `Target`: its options and the module holding its
backend); the backend module exposes `BACKEND`, whose `emit(plan, options, problems)` returns
`{relative path: text}`. Third-party targets register such a module under the entry point group
`flowc.backends`. The compiler never imports a backend until it is asked for one.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
import sys
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
    # a light module whose `folder_files(output_dir, flow_files) -> {name: text}` says what else the output
    # folder needs beside the compiled files (Airflow: `.airflowignore` for flow files deployed with the DAGs)
    folder_files: Optional[str] = None
    # a light module whose `flow_lookup(path, text) -> Optional[Path]` reads back which flow file a generated
    # file's tasks read, when that file is on this machine (Airflow's bash DAGs: relative to the DAG file)
    flow_lookup: Optional[str] = None


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
        target = _import_declaration(module).TARGET
    except (ImportError, AttributeError) as error:
        raise TargetError(f"target {name!r} ({module}) does not load: {error}") from None
    return target


def _import_declaration(name: str):
    """Import a target's declaration without its package's `__init__`, which is usually the backend itself
    (pydantic, the plan...): building the command line or reading a cached compile needs only the
    declaration. Falls back to a plain import when the module is not a plain file next to its package."""
    package, _, leaf = name.rpartition(".")
    if name in sys.modules or package in sys.modules or "." not in package:
        return importlib.import_module(name)
    grandparent, _, package_leaf = package.rpartition(".")
    folders = [os.path.join(folder, package_leaf) for folder in importlib.import_module(grandparent).__path__]
    spec = importlib.machinery.PathFinder.find_spec(name, folders)
    if spec is None or spec.loader is None:
        return importlib.import_module(name)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def load(target: Target):
    """The target's backend (imported now, not before)."""
    return importlib.import_module(target.backend).BACKEND


def folder_files(target: Target, output_dir, flow_files) -> dict[str, str]:
    """The files a target keeps in its output folder beside the compiled ones (see Target.folder_files)."""
    if target.folder_files is None:
        return {}
    return _import_declaration(target.folder_files).folder_files(output_dir, flow_files)


def flow_read_by(path, text: str):
    """The flow file that the generated file at `path` (any built-in target's) has its tasks read, or None when
    that is not a file on this machine (see Target.flow_lookup)."""
    for target in builtin():
        if target.flow_lookup is not None:
            found = _import_declaration(target.flow_lookup).flow_lookup(path, text)
            if found is not None:
                return found
    return None


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
