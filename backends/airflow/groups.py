"""Where each step goes in the DAG: top level, or one of the flat mapped task groups.

Airflow cannot map inside a mapped task group, so every foreach body becomes top-level mapped groups
expanded over the *flattened* list of index paths at its depth (DESIGN section 6: nested foreach is
flattened). A body that contains an inner foreach is cut there: the steps before the inner split form one
group, the inner body another (over the flattened inner list), the steps after the inner join a third.
Inside a group Airflow chains tasks per map index; between groups it waits for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from flowc.compiler.plan import Plan, TaskSpec


@dataclass
class Group:
    name: str  # the task group id
    split: str  # the innermost foreach split whose children it is mapped over
    steps: list[str] = field(default_factory=list)  # in plan (topological) order


@dataclass
class Layout:
    groups: dict[str, Group]  # by name, in topological order of their first step
    group_of: dict[str, Optional[str]]  # step -> its group's name, None at top level
    flattened: list[str]  # nested foreach splits whose child lists need a flatten task

    def container(self, step: str) -> str:
        """The DAG node a step is reached through from outside its group."""
        return self.group_of[step] or step


def layout(plan: Plan) -> Layout:
    ancestors = _ancestors(plan)
    keys: dict[str, tuple] = {}
    for task in plan.tasks:
        if task.foreach_splits:
            keys[task.step] = (task.foreach_splits, _inner_joins_passed(plan, task, ancestors[task.step] | {task.step}))
    groups: dict[tuple, Group] = {}
    group_of: dict[str, Optional[str]] = {}
    for task in plan.tasks:
        key = keys.get(task.step)
        if key is None:
            group_of[task.step] = None
            continue
        if key not in groups:
            split = key[0][-1]
            count = sum(1 for g in groups.values() if g.split == split)
            groups[key] = Group(f"foreach_{split}" + (f"_{count + 1}" if count else ""), split)
        groups[key].steps.append(task.step)
        group_of[task.step] = groups[key].name
    flattened = [t.step for t in plan.tasks if t.fan_out == "foreach" and t.foreach_splits]
    return Layout({g.name: g for g in groups.values()}, group_of, flattened)


def _ancestors(plan: Plan) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for task in plan.tasks:  # topological: parents first
        found[task.step] = set().union(*({p} | found[p] for p in task.waits_for)) if task.waits_for else set()
    return found


def _inner_joins_passed(plan: Plan, task: TaskSpec, ancestors: set[str]) -> frozenset[str]:
    """Joins of foreaches nested in this task's body at or upstream of it: each one starts a new group."""
    return frozenset(
        a for a in ancestors
        if plan.task(a).join_of and plan.task(a).foreach_splits == task.foreach_splits
        and plan.task(plan.task(a).join_of).fan_out == "foreach"
    )
