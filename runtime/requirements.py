"""What a step's @pypi / @conda (and the flow's @pypi_base / @conda_base) ask for, and whether this task has it.

flowc does not build environments: the task image (or the venv of `flowc run`) provides the packages. So
that a flow never silently runs against other versions than it pins, the task checks them before the step
runs and stops with a contract error (exit 2) that names what is missing or different and how to fix it.

Merging follows Metaflow: @pypi merges @pypi_base and @conda merges @conda_base (per package the step
wins, names compared as pip compares them; python: the step's, else the base's; disabled: the step's
unless it left it unset). A disabled environment asks for nothing. Metaflow refuses @pypi and @conda
packages on one step; flowc checks both (@pypi wins on a package both name): the image holds them all.

Versions are compared with a small PEP 440 subset, standard library only: release numbers with an
optional a/b/rc, .post and .dev suffix and a +local label, under ==, !=, >=, <=, >, <, ~= and `X.*`
wildcards, several joined by commas. A spec outside that subset (a URL, conda build strings) is not
compared: the package must be installed and a warning says the version was not checked. conda packages are
looked up by their name as a Python distribution (a few renames, e.g. pytorch -> torch, are known);
`FLOWC_REQUIREMENTS_CHECK=warn` in the task's environment turns the errors into warnings.
Used by the task (flowc.runtime.task) and by the compiler (`flowc requirements`): one merge rule.
"""

from __future__ import annotations

import re
import sys
from typing import NamedTuple, Optional

KINDS = ("conda", "pypi")  # pypi last: it wins on a package both name (Metaflow prioritises PyPI)
CHECK_VARIABLE = "FLOWC_REQUIREMENTS_CHECK"  # "warn": report problems but run the step
OPERATORS = ("<", ">", "!", "~", "=", "@")  # a spec starting with one is a pip specifier as written

# conda package names whose Python distribution is called otherwise.
CONDA_RENAMES = {"pytorch": "torch", "py-xgboost": "xgboost", "matplotlib-base": "matplotlib",
                 "py-opencv": "opencv-python", "pytorch-cpu": "torch", "pytorch-gpu": "torch"}


class Package(NamedTuple):
    name: str  # as written (conda's may carry a channel: "conda-forge::numpy")
    spec: str  # as written: "1.2.3", ">=1.0", "" (any version)
    kind: str  # "pypi" or "conda"

    @property
    def pip_name(self) -> str:
        """The name pip knows: no conda channel, conda's known renames applied, extras ("[socks]") kept."""
        name = self.name.rsplit("::", 1)[-1]
        return CONDA_RENAMES.get(name.lower(), name) if self.kind == "conda" else name

    @property
    def distribution(self) -> str:
        """The installed Python distribution to look for."""
        return self.pip_name.split("[", 1)[0]

    @property
    def pip_line(self) -> str:
        """The package as a line of a pip requirements file (how Metaflow hands it to pip)."""
        if not self.spec:
            return self.pip_name
        if self.spec.startswith(OPERATORS):
            return f"{self.pip_name}{self.spec if not self.spec.startswith('@') else ' ' + self.spec}"
        return f"{self.pip_name}=={self.spec}"


class Requirements(NamedTuple):
    packages: tuple  # of Package, sorted by name
    python: Optional[object]  # the version string asked for (a runtime expression's text in the compiler)
    python_from: Optional[str]  # which decorator asked for it: "@conda_base"

    def __bool__(self) -> bool:
        return bool(self.packages) or self.python is not None


NONE = Requirements((), None, None)


def merged(step: dict, flow: dict) -> Requirements:
    """The requirements of a step from its decorators and the flow's (name -> arguments, as recorded)."""
    packages: dict[str, Package] = {}
    pythons: dict[str, tuple] = {}
    for kind in KINDS:
        own, base = step.get(kind), flow.get(f"{kind}_base")
        if own is None and base is None:
            continue
        own, base = own or {}, base or {}
        disabled = own.get("disabled") if own.get("disabled") is not None else base.get("disabled")
        if disabled:
            return NONE  # as Metaflow: a disabled @conda/@pypi means the step runs in the plain environment
        for args in (base, own):
            for name, spec in {**(args.get("libraries") or {}), **(args.get("packages") or {})}.items():
                key = re.sub(r"[-_.]+", "-", str(name).rsplit("::", 1)[-1]).lower()  # PyYAML is pyyaml
                packages.pop(key, None)  # the later (step, then pypi) wins
                packages[key] = Package(str(name), str(spec or ""), kind)
        python, where = own.get("python"), f"@{kind}"
        if python is None:
            python, where = base.get("python"), f"@{kind}_base"
        if python is not None:
            pythons[kind] = (python, where)
    python, where = pythons.get("pypi") or pythons.get("conda") or (None, None)
    return Requirements(tuple(sorted(packages.values(), key=lambda p: p.name.lower())), python, where)


# ---------------------------------------------------------------------------------------------- versions

_VERSION = re.compile(r"^v?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\d*))?"
                      r"(?:[-_.]?(?:post|rev|r)[-_.]?(\d*))?(?:[-_.]?dev[-_.]?(\d*))?(?:\+[a-z0-9.]+)?$", re.I)
_PRE = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}
_CLAUSE = re.compile(r"^\s*(===|==|!=|~=|>=|<=|>|<|=)?\s*([^\s,]+)\s*$")


def version_key(text: str) -> Optional[tuple]:
    """A sortable key of a version in the PEP 440 subset, or None outside it."""
    match = _VERSION.match(text.strip())
    if match is None:
        return None
    release, pre, pre_n, post, dev = match.groups()
    numbers = [int(n) for n in release.split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()  # 1.0 == 1
    # dev releases sort before pre-releases, which sort before the final release, before post releases
    pre_key = (_PRE[pre.lower()], int(pre_n or 0)) if pre else ((-1, 0) if dev is not None and post is None else (3, 0))
    post_key = int(post or 0) if post is not None else -1
    dev_key = int(dev or 0) if dev is not None else float("inf")
    return (tuple(numbers), pre_key, post_key, dev_key)


def satisfies(installed: str, spec: str) -> Optional[bool]:
    """Whether `installed` meets `spec` ("1.2.3", "==1.2.*", ">=1,<2", ...); None when either is outside the
    subset this module compares (the caller says the version was not checked)."""
    have = version_key(installed)
    if have is None:
        return None
    for clause in spec.split(","):
        match = _CLAUSE.match(clause)
        if match is None:
            return None
        operator, wanted = match.group(1) or "==", match.group(2)
        if operator in ("==", "=", "!=") and wanted.endswith(".*"):  # a prefix: 1.2.* matches 1.2 and 1.2.7
            prefix = _release(wanted[:-2])
            if prefix is None:
                return None
            if _starts_with(have[0], prefix) == (operator == "!="):
                return False
            continue
        if operator == "===":
            if installed.strip() != wanted:
                return False
            continue
        want = version_key(wanted)
        if want is None:
            return None
        ok = {"==": have == want, "=": have == want, "!=": have != want, ">=": have >= want, "<=": have <= want,
              ">": have > want, "<": have < want}.get(operator)
        if operator == "~=":  # ~=1.4.2: >=1.4.2 and ==1.4.*
            release = _release(wanted)
            ok = have >= want and _starts_with(have[0], release[:-1] if len(release) > 1 else release)
        if not ok:
            return False
    return True


def _release(text: str) -> Optional[tuple]:
    """The release numbers as written ("1.4.0" -> (1, 4, 0)), or None."""
    match = re.match(r"^v?(\d+(?:\.\d+)*)", text.strip())
    return tuple(int(n) for n in match.group(1).split(".")) if match else None


def _starts_with(release: tuple, prefix: tuple) -> bool:
    padded = release + (0,) * len(prefix)
    return padded[:len(prefix)] == prefix


# ---------------------------------------------------------------------------------------------- the check

def problems(requirements: Requirements) -> tuple[list[str], list[str]]:
    """What this Python lacks: (errors, warnings), each a line naming the package and the fix."""
    from importlib import metadata

    errors: list[str] = []
    warnings: list[str] = []
    python = requirements.python
    if python is not None:
        wanted = str(python).strip().rstrip("t").split(".")[:2]
        running = [str(n) for n in sys.version_info[:len(wanted)]]
        if not all(w.isdigit() for w in wanted):
            warnings.append(f"python={python!r} ({requirements.python_from}) is not a version like '3.11'; not checked")
        elif wanted != running:
            errors.append(f"Python {'.'.join(wanted)} ({requirements.python_from}(python={python!r})), but this task "
                          f"runs Python {'.'.join(map(str, sys.version_info[:3]))}: use a Python {'.'.join(wanted)} "
                          f"image (or venv)")
    for package in requirements.packages:
        where = f"@{package.kind}"
        try:
            installed = metadata.version(package.distribution)
        except metadata.PackageNotFoundError:
            renamed = "" if package.distribution == package.name else f" (conda {package.name!r})"
            errors.append(f"{package.pip_line}{renamed} ({where}) is not installed: install it in the image, "
                          f"e.g. pip install '{package.pip_line}'")
            continue
        if not package.spec or package.spec.startswith("@"):
            continue
        ok = satisfies(installed, package.spec)
        if ok is None:
            warnings.append(f"{package.distribution} {installed} is installed; its version was not compared with "
                            f"{package.spec!r} ({where}), which flowc does not parse")
        elif not ok:
            errors.append(f"{package.pip_line} ({where}), but {package.distribution} {installed} is installed: "
                          f"install that version in the image, e.g. pip install '{package.pip_line}'")
    return errors, warnings
