"""`--param NAME=VALUE` for `flowc run`: checked against the flow's Parameters, which are known statically.

Values stay strings: the runtime converts them by the Parameter's type inside the start task, exactly as
it does for a value typed into a scheduler's trigger form, so there is one conversion rule everywhere.

A parameter not given with --param takes the value of the environment variable METAFLOW_RUN_<NAME>
(the name upper-cased, '-' as '_'), as `metaflow run` does; IncludeFile too (the variable names the
file). Only `flowc run` reads them, when the run starts: a scheduler's runs take their parameters from
the trigger, and `flowc resume` keeps the earlier run's.
"""

from __future__ import annotations

import os

from .localplan import LocalPlan

ENV_PREFIX = "METAFLOW_RUN_"


def env_name(parameter: str) -> str:
    """The environment variable that gives `parameter` a value (Metaflow's: click's auto envvar)."""
    return ENV_PREFIX + parameter.replace("-", "_").upper()


class ParamError(ValueError):
    pass


def parse_params(pairs: list[str], plan: LocalPlan, environ: dict | None = None) -> dict[str, str]:
    """name -> value: --param values first, then METAFLOW_RUN_<NAME> from `environ` (os.environ)."""
    environ = os.environ if environ is None else environ
    known = {p.name: p for p in plan.parameters}
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ParamError(f"--param takes NAME=VALUE, got {pair!r}")
        if name not in known:
            raise ParamError(f"{plan.flow} has no parameter {name!r}; {_valid(plan)}")
        if name in values:
            raise ParamError(f"--param {name} is given twice")
        values[name] = value
    for name in known:
        if name not in values and env_name(name) in environ:
            values[name] = environ[env_name(name)]
    missing = [p.name for p in plan.parameters if p.required and not p.has_default and p.name not in values]
    if missing:
        raise ParamError("required parameter(s) not given: " + ", ".join(missing)
                         + " (use --param NAME=VALUE or set METAFLOW_RUN_<NAME>)")
    return values


def _valid(plan: LocalPlan) -> str:
    if not plan.parameters:
        return "it takes no parameters"
    return "valid parameters: " + ", ".join(sorted(p.name for p in plan.parameters))
