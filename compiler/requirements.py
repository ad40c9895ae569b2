"""`flowc requirements`: what a flow's @pypi/@conda (and @pypi_base/@conda_base) pin, as a pip requirements file.

flowc builds no environments: the task image or venv must hold these packages, and every task checks it
before its step runs (flowc.runtime.requirements, which also owns the merge rule used here).
"""

from __future__ import annotations

from typing import NamedTuple, Optional

from flowc.runtime.requirements import Requirements, merged

from .ir import Decorator, Flow

NAMES = ("pypi", "conda", "pypi_base", "conda_base")


class Expression(NamedTuple):
    """An argument only the running flow evaluates (`python=get_python_version()`): its source text."""

    source: str


def _arguments(decorators: tuple[Decorator, ...]) -> dict[str, dict]:
    return {d.name: {k: (v.value if v.kind == "literal" else Expression(v.source)) for k, v in d.args.items()}
            for d in decorators if d.name in NAMES}


def step_requirements(flow: Flow, step: str) -> Requirements:
    """The step's decorators merged with the flow's, as the task merges them."""
    return merged(_arguments(flow.step(step).decorators), _arguments(flow.decorators))


def requirements_text(flow: Flow, steps: list[str]) -> tuple[str, list[str]]:
    """A pip requirements file for `steps` (sorted by package, deterministic), and warnings: packages the
    steps pin differently (one image cannot satisfy both) and pythons that differ."""
    lines: dict[str, set[str]] = {}  # pip line -> steps
    conda: set[str] = set()
    pythons: dict[str, list[str]] = {}
    for step in steps:
        wanted = step_requirements(flow, step)
        if wanted.python is not None:
            python = wanted.python
            text = (f"{' '.join(python.source.split())} (computed when the flow runs)" if isinstance(python, Expression)
                    else str(python))
            pythons.setdefault(f"{text}, from {wanted.python_from}", []).append(step)
        for package in wanted.packages:
            lines.setdefault(package.pip_line, set()).add(step)
            if package.kind == "conda":
                conda.add(package.pip_line)
    scope = "" if steps == [s.name for s in flow.steps] else f" (steps {', '.join(steps)})"
    out = [f"# What {flow.name}'s @pypi/@conda decorators pin{scope}.",
           "# flowc builds no environment: install these in the task image or venv (pip install -r THIS_FILE);",
           "# every task checks them before its step runs and exits 2 when one is missing or another version."]
    for python, users in sorted(pythons.items()):
        out.append(f"# python {python}: steps {', '.join(users)}")
    if conda:
        out.append("# Lines marked 'conda' come from @conda/@conda_base: a conda package's pip name may differ.")
    for line in sorted(lines, key=lambda text: (text.lower(), text)):
        out.append(line + ("  # conda" if line in conda else ""))
    by_name: dict[str, list[str]] = {}
    for line in lines:
        by_name.setdefault(_name(line), []).append(line)
    warnings = [f"{name} is pinned differently: " + "; ".join(f"{line} in {', '.join(sorted(lines[line]))}"
                                                               for line in sorted(found))
                + " (one image cannot hold both: use --step to write one file per image)"
                for name, found in sorted(by_name.items()) if len(found) > 1]
    if len(pythons) > 1:
        warnings.append("the steps ask for different Python versions: " + "; ".join(sorted(pythons)))
    return "\n".join(out) + "\n", warnings


def _name(line: str) -> str:
    for index, char in enumerate(line):
        if char in "<>=!~ @[":
            return line[:index].lower()
    return line.lower()


def steps_of(flow: Flow, chosen: Optional[list[str]]) -> list[str]:
    return list(chosen) if chosen else [s.name for s in flow.steps]
