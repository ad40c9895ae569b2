"""Compile targets by name, loaded lazily (like sqlglot's dialect table).

The compiler never imports a backend until it is asked for one, so `flowc check` stays fast and the
compiler does not depend on `flowc.backends`. Third-party backends register a module under the entry
point group `flowc.backends`; its `emit(plan, options)` returns `{relative path: text}`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Optional


@dataclass(frozen=True)
class Option:
    """A target-specific option: `--name` on the command line, `name` in `[tool.flowc]`."""

    name: str
    help: str
    choices: tuple[str, ...] = ()
    type: type = str
    repeat: bool = False  # may be given several times (a list)
    default: object = None


@dataclass(frozen=True)
class Target:
    name: str
    module: str
    help: str
    options: tuple[Option, ...] = field(default=())


BUILTIN = {
    "airflow": Target("airflow", "flowc.backends.airflow", "an Airflow DAG file (Airflow 3.x and 2.11+)", (
        Option("operator", "run tasks with BashOperator or KubernetesPodOperator", ("bash", "kubernetes"),
               default="bash"),
        Option("dag_id", "the DAG id (default: the flow's class name)"),
        Option("namespace", "the Kubernetes namespace: of each pod (airflow, --operator kubernetes), of the "
                            "WorkflowTemplate (argo)"),
    )),
    "argo": Target("argo", "flowc.backends.argo", "an Argo Workflows WorkflowTemplate (+ CronWorkflow) YAML", (
        Option("name", "the WorkflowTemplate name (default: the flow's class name in kebab-case)"),
        Option("namespace", "the Kubernetes namespace: of each pod (airflow, --operator kubernetes), of the "
                            "WorkflowTemplate (argo)"),
        Option("service_account", "the service account workflow pods run as"),
        Option("parallelism", "at most this many pods at once", type=int),
        Option("image_pull_secret", "a secret for pulling the image (repeatable)", repeat=True),
    )),
}


def names() -> list[str]:
    return sorted(set(BUILTIN) | set(_entry_points()))


def get(name: str) -> Optional[Target]:
    if name in BUILTIN:
        return BUILTIN[name]
    point = _entry_points().get(name)
    return Target(name, point.value, f"{name} (plugin)") if point else None


def load(target: Target):
    """Import a target's backend module."""
    return importlib.import_module(target.module)


def all_options() -> dict[str, list[Option]]:
    """Option name -> the declarations of it (one per target that has it)."""
    merged: dict[str, list[Option]] = {}
    for target in BUILTIN.values():
        for option in target.options:
            merged.setdefault(option.name, []).append(option)
    return merged


def _entry_points() -> dict:
    from importlib.metadata import entry_points

    return {point.name: point for point in entry_points(group="flowc.backends")}
