"""`--param NAME=VALUE` for `flowc run`: checked against the flow's Parameters, which are known statically.

Values stay strings: the runtime converts them by the Parameter's type inside the start task, exactly as
it does for a value typed into a scheduler's trigger form, so there is one conversion rule everywhere.
"""

from __future__ import annotations

from .localplan import LocalPlan


class ParamError(ValueError):
    pass


def parse_params(pairs: list[str], plan: LocalPlan) -> dict[str, str]:
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
    missing = [p.name for p in plan.parameters if p.required and not p.has_default and p.name not in values]
    if missing:
        raise ParamError("required parameter(s) not given: " + ", ".join(missing)
                         + " (use --param NAME=VALUE)")
    return values


def _valid(plan: LocalPlan) -> str:
    if not plan.parameters:
        return "it takes no parameters"
    return "valid parameters: " + ", ".join(sorted(p.name for p in plan.parameters))
