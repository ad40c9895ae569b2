"""The decorators flowc understands, as a table: name -> where it goes and its keyword schema.

Each argument has a checker that returns an error message or None. Adding a decorator is adding a row.
Decorators that Metaflow has but flowc does not support are listed with the hint shown to users.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

from .schedule import cron_problem, timezone_problem

Checker = Callable[[Any], Optional[str]]


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def non_negative_int(v: Any) -> Optional[str]:
    ok = isinstance(v, int) and not isinstance(v, bool) and v >= 0
    return None if ok else "must be a non-negative whole number"


def positive_number(v: Any) -> Optional[str]:
    if isinstance(v, str):  # Metaflow accepts "4096" as well as 4096
        try:
            v = float(v)
        except ValueError:
            return "must be a positive number"
    return None if _is_number(v) and v > 0 else "must be a positive number"


def non_negative_number(v: Any) -> Optional[str]:
    return None if _is_number(v) and v >= 0 else "must be a non-negative number"


def optional_positive_number(v: Any) -> Optional[str]:
    return None if v is None else positive_number(v)


def string(v: Any) -> Optional[str]:
    return None if isinstance(v, str) else "must be a string"


def optional_string(v: Any) -> Optional[str]:
    return None if v is None or isinstance(v, str) else "must be a string or None"


def boolean(v: Any) -> Optional[str]:
    return None if isinstance(v, bool) else "must be True or False"


def identifier(v: Any) -> Optional[str]:
    ok = v is None or (isinstance(v, str) and v.isidentifier())
    return None if ok else "must be the name of an artifact (a Python identifier)"


def str_dict(v: Any) -> Optional[str]:
    ok = isinstance(v, dict) and all(isinstance(x, str) for x in v.values())
    return None if ok else "must be a dict of strings to strings"


def str_list(v: Any) -> Optional[str]:
    ok = isinstance(v, list) and all(isinstance(x, str) for x in v)
    return None if ok else "must be a list of strings"


def dict_list(v: Any) -> Optional[str]:
    ok = isinstance(v, list) and all(isinstance(x, dict) for x in v)
    return None if ok else "must be a list of dicts"


def timezone(v: Any) -> Optional[str]:
    if v is None:
        return None
    if not isinstance(v, str):
        return "must be an IANA name like 'Europe/Paris'"
    return timezone_problem(v)


def cron(v: Any) -> Optional[str]:
    if v is None:
        return None
    return cron_problem(v) if isinstance(v, str) else "must be a string like '0 2 * * *'"


@dataclass(frozen=True)
class Arg:
    check: Checker
    default: Any = None  # None: not recorded unless given
    help: Optional[str] = None  # shown with an invalid value


@dataclass(frozen=True)
class DecoratorSpec:
    target: str  # "step" or "flow"
    args: dict[str, Arg]
    positional: Optional[str] = None  # the one argument that may be given positionally


_RESOURCES = {
    "cpu": Arg(positive_number),
    "memory": Arg(positive_number),
    "disk": Arg(positive_number),
    "gpu": Arg(non_negative_int),
    "shared_memory": Arg(optional_positive_number),
}

SUPPORTED: dict[str, DecoratorSpec] = {
    "retry": DecoratorSpec("step", {
        "times": Arg(non_negative_int, 3),
        "minutes_between_retries": Arg(non_negative_number, 2),
    }),
    "catch": DecoratorSpec("step", {
        "var": Arg(identifier),
        "print_exception": Arg(boolean, True),
    }),
    "timeout": DecoratorSpec("step", {
        "seconds": Arg(non_negative_int, 0),
        "minutes": Arg(non_negative_int, 0),
        "hours": Arg(non_negative_int, 0),
    }),
    "resources": DecoratorSpec("step", dict(_RESOURCES)),
    "environment": DecoratorSpec("step", {"vars": Arg(str_dict, {})}),
    "kubernetes": DecoratorSpec("step", {
        **_RESOURCES,
        "image": Arg(string),
        "image_pull_policy": Arg(string),
        "service_account": Arg(string),
        "namespace": Arg(string),
        "secrets": Arg(str_list),
        "node_selector": Arg(str_dict),
        "tolerations": Arg(dict_list),
        "labels": Arg(str_dict),
        "annotations": Arg(str_dict),
        "gpu_vendor": Arg(string),
        "use_tmpfs": Arg(boolean),
        "tmpfs_size": Arg(positive_number),
    }),
    "batch": DecoratorSpec("step", {
        **_RESOURCES,
        "image": Arg(string),
        "queue": Arg(string),
        "iam_role": Arg(string),
        "execution_role": Arg(string),
        "max_swap": Arg(non_negative_int),
        "swappiness": Arg(non_negative_int),
        "use_tmpfs": Arg(boolean),
        "tmpfs_size": Arg(positive_number),
    }),
    "secrets": DecoratorSpec("step", {"sources": Arg(str_list, []), "role": Arg(optional_string)}),
    "schedule": DecoratorSpec("flow", {
        "cron": Arg(cron, help="e.g. cron='0 2 * * *' (minute hour day-of-month month day-of-week; weekdays "
                                "0-6 or SUN-SAT), or hourly=True, daily=True, weekly=True"),
        "hourly": Arg(boolean, False),
        "daily": Arg(boolean, False),
        "weekly": Arg(boolean, False),
        "timezone": Arg(timezone, help="an IANA time zone name, e.g. 'UTC' or 'Europe/Paris' (case-sensitive)"),
    }),
    "project": DecoratorSpec("flow", {"name": Arg(string), "branch": Arg(optional_string),
                                      "production": Arg(boolean, False)}, positional="name"),
}

# Metaflow decorators flowc does not run, with what to do instead.
UNSUPPORTED: dict[str, str] = {
    "parallel": "flowc does not run @parallel (gang-scheduled) steps; use a foreach instead",
    "conda": "flowc does not build environments; bake the libraries into the task image (--image or @kubernetes(image=...))",
    "conda_base": "flowc does not build environments; bake the libraries into the task image (--image)",
    "pypi": "flowc does not build environments; bake the packages into the task image (--image or @kubernetes(image=...))",
    "pypi_base": "flowc does not build environments; bake the packages into the task image (--image)",
    "card": "flowc does not render Metaflow cards; remove @card",
    "trigger": "event triggers are not supported yet; remove @trigger and trigger the deployed workflow from your scheduler",
    "trigger_on_finish": "flow-to-flow triggers are not supported yet; remove @trigger_on_finish",
    "exit_hook": "exit hooks are not supported yet; remove @exit_hook",
    "unbounded_foreach": "unbounded foreach is not supported; use a plain foreach",
    "checkpoint": "@checkpoint is not supported; save state as artifacts",
    "model": "@model is not supported; save models as artifacts",
    "nvidia": "@nvidia is not supported; request GPUs with @resources(gpu=N)",
    "huggingface_hub": "@huggingface_hub is not supported; load models inside the step",
    "airflow_external_task_sensor": "Airflow sensors are not supported; trigger the DAG from your own sensor",
    "airflow_s3_key_sensor": "Airflow sensors are not supported; trigger the DAG from your own sensor",
}

# Names the Metaflow / flowc API exports that are not decorators but may be imported by flows.
API_NAMES = {"FlowSpec", "step", "Parameter", "IncludeFile", "JSONType", "current", "Flow", "Run",
             "Step", "Task", "namespace", "get_metadata", "Metaflow", "profile", "S3", "Config",
             "config_expr", "get_namespace", "default_namespace", "metadata", "Runner"}

KNOWN = set(SUPPORTED) | set(UNSUPPORTED)
