"""The task contract, checked on what targets wrote: every task's command, pulled out of a target's own
output, is the plan's command (docs/task-contract.md) with each slot filled the way that target's
scheduler must fill it. The slot tables here are written from each scheduler's documentation, not taken
from the backends: a backend that spells the command by hand, or fills a slot wrongly, fails."""

from __future__ import annotations

from flowc.compiler.api import compile_file
from flowc.compiler.plan import Plan, build_plan


def plan_of(flow_file) -> Plan:
    return build_plan(compile_file(flow_file).graph)


def mismatches(plan: Plan, actual: dict[str, list[str]], slots: dict) -> list[str]:
    """Steps whose extracted argv differs from the plan's command under `slots` (and steps with none)."""
    problems = []
    for task in plan.tasks:
        expected = task.argv(slots)
        if actual.get(task.step) != expected:
            problems.append(f"{task.step}:\n  expected {expected}\n  found    {actual.get(task.step)}")
    extra = set(actual) - {t.step for t in plan.tasks}
    return problems + [f"{step}: a task the plan does not have" for step in sorted(extra)]
