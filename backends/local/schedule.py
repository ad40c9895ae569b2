"""Which tasks of a plan may run next: the plan's static graph unrolled into (step, index) tasks.

The plan says, per step, what a task waits for and what its control value means; this module turns
that into concrete tasks as tasks finish. It knows nothing about processes, retries or the datastore,
so the rules (foreach children from the control list, only the chosen switch branch, a foreach join
once every child's last body step is done) live in one small, testable place.
"""

from __future__ import annotations

from typing import Union

from .localplan import LocalPlan, TaskSpec

Control = Union[None, str, list]
Key = tuple[str, str]  # (step, index path: "" / "3" / "3/0")


def parent_index(index: str) -> str:
    """The index of the enclosing foreach level: "3/0" -> "3", "3" -> ""."""
    return index.rpartition("/")[0]


class Schedule:
    """The growing set of tasks of one run and which of them are ready."""

    def __init__(self, plan: LocalPlan):
        self.specs: dict[str, TaskSpec] = {t.step: t for t in plan.tasks}
        self.done: dict[Key, Control] = {}
        self.issued: set[Key] = set()
        # foreach joins: (join step, index) -> children of its split whose last body step is not done yet.
        # A counter, so a 10,000-way foreach costs O(n), not a scan of every child per finished child.
        self.waiting: dict[Key, int] = {}

    def first(self) -> list[Key]:
        return self._issue([("start", "")])

    @property
    def complete(self) -> bool:
        return ("end", "") in self.done

    def finished(self, step: str, index: str, control: Control) -> list[Key]:
        """Record a committed task; return the tasks that became ready because of it."""
        self.done[(step, index)] = control
        spec = self.specs[step]
        if spec.fan_out == "foreach":
            if not isinstance(control, list):
                raise ValueError(f"foreach step {step} gave no list of children (got {control!r})")
            join = spec.closed_by
            last = self.specs[join].waits_for  # a child's last body step: one of these (a switch's cases)
            self.waiting[(join, index)] = sum(
                1 for child in control if not any((step, str(child)) in self.done for step in last))
            if not control:  # nothing to wait for (the runtime refuses empty foreaches, as Metaflow does)
                return self._issue([(join, index)])
            return self._issue([(spec.children[0], str(child)) for child in control])
        if spec.fan_out == "switch":
            if control not in self.specs or control not in spec.children:
                raise ValueError(f"switch step {step} chose {control!r}, not one of {', '.join(spec.children)}")
            return self._issue([(control, index)] if self._ready(control, index) else [])
        ready = []
        for child in spec.children:
            at = parent_index(index) if self._is_foreach_join(child) else index
            if self._ready(child, at):
                ready.append((child, at))
        return self._issue(ready)

    def _issue(self, keys: list[Key]) -> list[Key]:
        fresh = [k for k in keys if k not in self.issued]
        self.issued.update(fresh)
        return fresh

    def _is_foreach_join(self, step: str) -> bool:
        join_of = self.specs[step].join_of
        return join_of is not None and self.specs[join_of].fan_out == "foreach"

    def _ready(self, step: str, index: str) -> bool:
        spec = self.specs[step]
        if self._is_foreach_join(step):
            key = (step, index)
            if key not in self.waiting:
                return False  # its split has not finished
            self.waiting[key] -= 1  # called once per finished child (its last body step)
            return self.waiting[key] == 0
        # Where switch cases meet (a meet, or a join's branch), only the chosen case ever runs (we never
        # launch the others): one step of each group is enough.
        return all(any((parent, index) in self.done for parent in group) for group in spec.waits_for_groups)
