"""The plan as the local runner reads it: plain data, plus a cache so `flowc run` skips the compiler.

Compiling needs pydantic and the compiler, about 0.15 s of imports before the first task can start:
for a short flow that is more than all of its tasks together. Compilation is a pure function of the flow
file's bytes, the --flow option and the compiler itself (DESIGN section 7), so a clean compile's plan is
stored under a key made of exactly those, and a later `flowc run` of the same bytes loads it as JSON
without importing the compiler. Only clean compiles are stored: a flow with problems is compiled (and
its diagnostics shown) every time. The cache is `$FLOWC_CACHE_DIR` or `~/.cache/flowc/plans`; any error
reading or writing it just means compiling.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

CACHE_FORMAT = 3
MAX_CACHED = 256


@dataclass(frozen=True)
class Retry:
    times: int
    minutes_between_retries: float


@dataclass(frozen=True)
class TaskSpec:
    """What the runner needs of a compiler TaskSpec (flowc.compiler.plan.TaskSpec)."""

    step: str
    fan_out: str  # none | foreach | switch
    command: tuple  # str, or {"slot": name} for a value the scheduler fills in
    children: tuple[str, ...]
    waits_for: tuple[str, ...]
    waits_for_groups: tuple[tuple[str, ...], ...]  # one step of each group must have run
    join_of: Optional[str]
    closed_by: Optional[str]  # a foreach or branch split: its join
    retry: Optional[Retry]
    timeout_seconds: Optional[int]
    environment: tuple[tuple[str, str], ...]
    catches: bool = False  # @catch: a task that exits 0 may have caught its step's exception


@dataclass(frozen=True)
class Parameter:
    name: str
    required: bool
    has_default: bool


@dataclass(frozen=True)
class LocalPlan:
    flow: str
    source_sha256: str
    parameters: tuple[Parameter, ...]
    tasks: tuple[TaskSpec, ...]

    def task(self, step: str) -> TaskSpec:
        return self._by_step[step]

    @property
    def _by_step(self) -> dict:
        cached = self.__dict__.get("_steps")
        if cached is None:
            cached = {t.step: t for t in self.tasks}
            object.__setattr__(self, "_steps", cached)
        return cached

    @classmethod
    def from_data(cls, data: dict) -> "LocalPlan":
        """From `Plan.model_dump(mode="json")` (or the cache, which stores exactly that)."""
        tasks = tuple(
            TaskSpec(step=t["step"], fan_out=t["fan_out"], command=tuple(t["command"]),
                     children=tuple(t["children"]), waits_for=tuple(t["waits_for"]),
                     waits_for_groups=tuple(tuple(group) for group in t["waits_for_groups"]),
                     join_of=t["join_of"], closed_by=t["closed_by"],
                     retry=Retry(**t["retry"]) if t["retry"] else None, timeout_seconds=t["timeout_seconds"],
                     environment=tuple(tuple(pair) for pair in t["environment"]), catches=t.get("catches", False))
            for t in data["tasks"])
        parameters = tuple(Parameter(p["name"], bool(p["required"]), p["default"] is not None)
                           for p in data["parameters"])
        return cls(flow=data["flow"], source_sha256=data["source_sha256"], parameters=parameters, tasks=tasks)

    @classmethod
    def from_plan(cls, plan: Any) -> "LocalPlan":
        return cls.from_data(plan.model_dump(mode="json"))


def slot_name(arg: Any) -> Optional[str]:
    """The slot an argv template entry stands for, or None for a literal string."""
    if isinstance(arg, dict):
        return arg["slot"]
    slot = getattr(arg, "slot", None)  # a compiler Slot, when built from a Plan object
    return slot if isinstance(slot, str) else None


# -- the cache ------------------------------------------------------------------------------------------
def cache_dir() -> Path:
    from flowc.compiler.compile_cache import cache_root

    return cache_root() / "plans"


def cache_key(source: bytes, flow_class: Optional[str], configs: str = "") -> str:
    """`configs`: the --config / --config-value choices; the config files a plan read are checked on load."""
    digest = hashlib.sha256()
    for part in (str(CACHE_FORMAT), _compiler_fingerprint(), flow_class or "", hashlib.sha256(source).hexdigest(),
                 configs):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def _compiler_fingerprint() -> str:
    """Changes whenever the compiler's code does: an edited compiler in a development checkout never
    serves plans made by its older self."""
    import flowc.compiler as compiler  # the package's __init__ only: no heavy imports
    from flowc.compiler.compile_cache import code_fingerprint

    return getattr(compiler, "__version__", "") + ":" + code_fingerprint(str(Path(compiler.__file__).parent))


def load_cached(key: str) -> Optional[LocalPlan]:
    """The cached plan, unless a config file it read has changed since (then: compile again)."""
    from flowc.compiler.compile_cache import unchanged

    try:
        with open(cache_dir() / f"{key}.json", encoding="utf-8") as handle:
            data = json.load(handle)
        if not unchanged(data.get("depends", {})):
            return None
        return LocalPlan.from_data(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def store_cached(key: str, data: dict) -> None:
    from flowc.compiler.compile_cache import store_json

    store_json(cache_dir(), key, data, MAX_CACHED)
