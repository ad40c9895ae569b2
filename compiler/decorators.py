"""The decorators flowc understands, as a table: name -> where it goes and its keyword schema.

Each argument has a checker that returns an error message or None. Adding a decorator is adding a row.
Decorators that Metaflow has but flowc does not support are listed with the hint shown to users.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Optional

from flowc.runtime.decorators import CARD_TYPES, RESERVED_ENV_PREFIX

from .schedule import cron_problem, timezone_problem

Checker = Callable[[Any], Optional[str]]


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def number(low: float, high: float, *, whole: bool = False, above_low: bool = False,
           text: bool = False, optional: bool = False) -> Checker:
    """A checker for a number in [low, high] (or (low, high] with `above_low`): every numeric argument has
    bounds, so no value overflows a float, a timedelta or a target's field (1e999 would become `infM`)."""
    kind = "whole number" if whole else "number"
    wanted = f"must be a {kind} {'above' if above_low else 'from'} {low:,} up to {high:,}"

    def check(v: Any) -> Optional[str]:
        if v is None and optional:
            return None
        if isinstance(v, str) and text:  # Metaflow accepts "4096" as well as 4096
            try:
                v = float(v)
            except ValueError:
                return wanted
        if not _is_number(v) or (whole and not isinstance(v, int)):
            return wanted
        if not (low < v if above_low else low <= v) or not v <= high:  # NaN fails both
            return wanted
        return None

    return check


MAX_CPU = 100_000  # cores
MAX_MEGABYTES = 1_000_000_000  # a petabyte of memory, disk or tmpfs
MAX_GPU = 10_000
MAX_RETRIES = 100
MAX_RETRY_MINUTES = 525_600  # a year; Step Functions' IntervalSeconds stops at 99,999,999
MAX_TIMEOUT = {"seconds": 31_536_000, "minutes": 525_600, "hours": 8_760}  # a year each; all three < 3 years

megabytes = number(0, MAX_MEGABYTES, above_low=True, text=True)
optional_megabytes = number(0, MAX_MEGABYTES, above_low=True, text=True, optional=True)


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
    ok = isinstance(v, dict) and all(isinstance(k, str) and isinstance(x, str) for k, x in v.items())
    return None if ok else "must be a dict of strings to strings"


ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")  # Kubernetes' rule for a container's variables


def environment_vars(v: Any) -> Optional[str]:
    """Names a container accepts, none of flowc's own task variables (RESERVED_ENV_PREFIX, refused by the
    runtime too, so local and scheduled runs agree)."""
    problem = str_dict(v)
    if problem:
        return problem
    for name in v:
        if not ENV_NAME.match(name):
            return f"has the variable name {name!r}: names are letters, digits, '_', '-' and '.', not starting with a digit"
        if name.upper().startswith(RESERVED_ENV_PREFIX):
            return f"sets {name!r}: names starting with {RESERVED_ENV_PREFIX} are flowc's own task variables"
    return None


def str_list(v: Any) -> Optional[str]:
    ok = isinstance(v, list) and all(isinstance(x, str) for x in v)
    return None if ok else "must be a list of strings"


def dict_list(v: Any) -> Optional[str]:
    ok = isinstance(v, list) and all(isinstance(x, dict) for x in v)
    return None if ok else "must be a list of dicts"


SECRET_SPEC_KEYS = ("type", "id", "options", "role")  # Metaflow's dict form of a @secrets source
INLINE_SECRET_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")  # what Metaflow accepts as a secret's variable


def secret_sources(v: Any) -> Optional[str]:
    """@secrets(sources=[...]): names (str) or Metaflow's dicts {"type", "id", "options", "role"}."""
    if not isinstance(v, list):
        return "must be a list of secret names or {'type': ..., 'id': ...} dicts"
    for source in v:
        if isinstance(source, str):
            continue
        if not isinstance(source, dict):
            return "must be a list of secret names or {'type': ..., 'id': ...} dicts"
        problem = _secret_spec_problem(source)
        if problem:
            return f"has the source {source!r}, whose {problem}"
    return None


def _secret_spec_problem(spec: dict) -> Optional[str]:
    unknown = [k for k in spec if k not in SECRET_SPEC_KEYS]
    if unknown:
        return f"key {unknown[0]!r} is unknown (known: {', '.join(SECRET_SPEC_KEYS)})"
    if not isinstance(spec.get("id"), str) or not spec["id"]:
        return "'id' must be a non-empty string"
    for key in ("type", "role"):
        if key in spec and not isinstance(spec[key], str):
            return f"{key!r} must be a string"
    options = spec.get("options", {})
    if not isinstance(options, dict):
        return "'options' must be a dict"
    if spec.get("type") == "inline":  # the values are in the flow: env_vars={"NAME": "value"}
        env = options.get("env_vars", {})
        if set(options) - {"env_vars"} or not isinstance(env, dict):
            return "options must be {'env_vars': {'NAME': 'value', ...}} (an inline secret)"
        for name, value in env.items():
            if not isinstance(name, str) or not INLINE_SECRET_NAME.match(name) or not isinstance(value, str):
                return f"env_vars entry {name!r} must be a variable name ([a-zA-Z_][a-zA-Z0-9_]*) with a string value"
            if name.upper().startswith(("METAFLOW_", RESERVED_ENV_PREFIX)):
                return f"env_vars name {name!r} starts with METAFLOW_ or {RESERVED_ENV_PREFIX}, which secrets may not set"
    return None


# Kubernetes' V1Toleration, as Metaflow spells it (camelCase): field -> checker of its value.
TOLERATION_FIELDS: dict[str, Checker] = {
    "key": lambda v: None if isinstance(v, str) else "must be a string",
    "operator": lambda v: None if v in ("Exists", "Equal") else "must be 'Exists' or 'Equal'",
    "value": lambda v: None if isinstance(v, str) else "must be a string",
    "effect": lambda v: None if v in ("NoSchedule", "PreferNoSchedule", "NoExecute") else
    "must be 'NoSchedule', 'PreferNoSchedule' or 'NoExecute'",
    "tolerationSeconds": number(0, 2**63 - 1, whole=True),
    "toleration_seconds": number(0, 2**63 - 1, whole=True),  # Metaflow's (the Python client's) spelling
}


def tolerations(v: Any) -> Optional[str]:
    problem = dict_list(v)
    if problem:
        return problem
    for toleration in v:
        for field, value in toleration.items():
            if field not in TOLERATION_FIELDS:
                return f"has an unknown toleration field {field!r} (known: {', '.join(TOLERATION_FIELDS)})"
            problem = TOLERATION_FIELDS[field](value)
            if problem:
                return f"has a toleration whose {field} {problem}"
    return None


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
    required: bool = False  # the decorator means nothing without it (@project's name)
    runtime: bool = False  # may be an expression only the running flow evaluates (@conda_base(python=f()))
    help: Optional[str] = None  # shown with an invalid value


@dataclass(frozen=True)
class DecoratorSpec:
    target: str  # "step" or "flow"
    args: dict[str, Arg]
    positional: Optional[str] = None  # the one argument that may be given positionally
    repeatable: bool = False  # a step may carry several (@card, told apart by id=)


CARD_ID = re.compile(r"^[A-Za-z0-9_]+$")  # Metaflow's rule for a card id
MAX_CARD_TIMEOUT = 3_600


def card_type(v: Any) -> Optional[str]:
    if v in CARD_TYPES:
        return None
    return f"must be one of {', '.join(map(repr, CARD_TYPES))} (the card types flowc renders)"


def card_id(v: Any) -> Optional[str]:
    ok = v is None or (isinstance(v, str) and CARD_ID.match(v))
    return None if ok else "must be letters, digits and underscores (it is used as current.card[ID])"


def plain_dict(v: Any) -> Optional[str]:
    return None if isinstance(v, dict) and all(isinstance(k, str) for k in v) else "must be a dict with string keys"


PACKAGE_NAME = re.compile(r"^(?:[A-Za-z0-9][-A-Za-z0-9_.]*::)?[A-Za-z0-9][-A-Za-z0-9_.]*(?:\[[-A-Za-z0-9_.,]+\])?$")
PYTHON_VERSION = re.compile(r"^3(?:\.\d+){0,2}t?$")


def packages(v: Any) -> Optional[str]:
    """@pypi/@conda packages: {name: version spec}; names and specs go into a requirements file as they are."""
    if not isinstance(v, dict) or not all(isinstance(k, str) and isinstance(x, str) for k, x in v.items()):
        return "must be a dict of package names to version strings, e.g. {'pandas': '2.2.2', 'requests': '>=2.31'}"
    for name, spec in v.items():
        if not PACKAGE_NAME.match(name):
            return f"has the package name {name!r}: names are letters, digits, '-', '_' and '.' (conda: 'channel::name')"
        if not spec.isprintable() or len(spec) > 200:
            return f"has the version {spec!r} for {name!r}: a version spec is one printable line, e.g. '1.2.3'"
    return None


def python_version(v: Any) -> Optional[str]:
    if v is None or (isinstance(v, str) and PYTHON_VERSION.match(v)):
        return None
    return "must be a Python 3 version string like '3.11' or '3.11.4'"


def optional_boolean(v: Any) -> Optional[str]:
    return None if v is None or isinstance(v, bool) else "must be True or False"


def _environment(conda: bool) -> dict[str, Arg]:
    """@pypi/@conda and their flow-level bases (Metaflow's arguments; conda's `libraries` is its old name
    for `packages`). The task checks them (flowc.runtime.requirements); flowc builds no environment."""
    args = {"packages": Arg(packages), "python": Arg(python_version, runtime=True),
            "disabled": Arg(optional_boolean)}
    return {**args, "libraries": Arg(packages)} if conda else args


_RESOURCES = {
    "cpu": Arg(number(0, MAX_CPU, above_low=True, text=True)),
    "memory": Arg(megabytes),
    "disk": Arg(megabytes),
    "gpu": Arg(number(0, MAX_GPU, whole=True)),
    "shared_memory": Arg(optional_megabytes),
}

SUPPORTED: dict[str, DecoratorSpec] = {
    "retry": DecoratorSpec("step", {
        "times": Arg(number(0, MAX_RETRIES, whole=True), 3),
        "minutes_between_retries": Arg(number(0, MAX_RETRY_MINUTES), 2),
    }),
    "catch": DecoratorSpec("step", {
        "var": Arg(identifier),
        "print_exception": Arg(boolean, True),
    }),
    "timeout": DecoratorSpec("step", {
        **{unit: Arg(number(0, most, whole=True), 0) for unit, most in MAX_TIMEOUT.items()},
    }),
    "resources": DecoratorSpec("step", dict(_RESOURCES)),
    "environment": DecoratorSpec("step", {"vars": Arg(environment_vars, {})}),
    "kubernetes": DecoratorSpec("step", {
        **_RESOURCES,
        "image": Arg(string),
        "image_pull_policy": Arg(string),
        "service_account": Arg(string),
        "namespace": Arg(string),
        "secrets": Arg(str_list),
        "node_selector": Arg(str_dict),
        "tolerations": Arg(tolerations),
        "labels": Arg(str_dict),
        "annotations": Arg(str_dict),
        "gpu_vendor": Arg(string),
        "use_tmpfs": Arg(boolean),
        "tmpfs_size": Arg(megabytes),
    }),
    "batch": DecoratorSpec("step", {
        **_RESOURCES,
        "image": Arg(string),
        "queue": Arg(string),
        "iam_role": Arg(string),
        "execution_role": Arg(string),
        "max_swap": Arg(number(0, MAX_MEGABYTES, whole=True)),
        "swappiness": Arg(number(0, 100, whole=True)),
        "use_tmpfs": Arg(boolean),
        "tmpfs_size": Arg(megabytes),
    }),
    "secrets": DecoratorSpec("step", {"sources": Arg(secret_sources, []), "role": Arg(optional_string),
                                      "allow_override": Arg(boolean, False)}),
    "schedule": DecoratorSpec("flow", {
        "cron": Arg(cron, help="e.g. cron='0 2 * * *' (minute hour day-of-month month day-of-week; weekdays "
                                "0-6 or SUN-SAT), or hourly=True, daily=True, weekly=True"),
        "hourly": Arg(boolean, False),
        "daily": Arg(boolean, False),
        "weekly": Arg(boolean, False),
        "timezone": Arg(timezone, help="an IANA time zone name, e.g. 'UTC' or 'Europe/Paris' (case-sensitive)"),
    }),
    "project": DecoratorSpec("flow", {"name": Arg(string, required=True), "branch": Arg(optional_string),
                                      "production": Arg(boolean, False)}, positional="name"),
    "card": DecoratorSpec("step", {
        "type": Arg(card_type, "default", help="@card(type='blank') shows only your components; 'default' adds "
                                                "the task's artifacts, parameters and timings"),
        "id": Arg(card_id),
        "options": Arg(plain_dict),
        "timeout": Arg(number(0, MAX_CARD_TIMEOUT, above_low=True)),
        "save_errors": Arg(boolean),
        "customize": Arg(boolean),
        "refresh_interval": Arg(number(0, MAX_CARD_TIMEOUT)),
        "scope": Arg(lambda v: None if v == "task" else "must be 'task'"),
        "rank": Arg(lambda v: None if v in (None, "high", "medium", "low") else "must be 'high', 'medium' or 'low'"),
    }, repeatable=True),
    "pypi": DecoratorSpec("step", _environment(conda=False)),
    "conda": DecoratorSpec("step", _environment(conda=True)),
    "pypi_base": DecoratorSpec("flow", _environment(conda=False)),
    "conda_base": DecoratorSpec("flow", _environment(conda=True)),
}

# Metaflow decorators flowc does not run, with what to do instead.
UNSUPPORTED: dict[str, str] = {
    "parallel": "flowc does not run @parallel (gang-scheduled) steps; use a foreach instead",
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
