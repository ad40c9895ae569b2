"""Plan rewrites a target opts into by a capability flag (like sqlglot's transforms): graph reasoning
that only some targets need, still done once, here, and never inside a backend."""

from __future__ import annotations

from .plan import TOP, Plan, Ref, Scope


def flatten_nested_foreach(plan: Plan) -> Plan:
    """For targets that cannot run a fan-out inside a fan-out (Airflow cannot map inside a mapped task
    group): every foreach body becomes top-level scopes mapped over the *flat* list of index paths at its
    depth. A body holding an inner foreach is cut there: the steps before the inner split form one scope,
    the inner body another (over the flattened inner list), the steps after the inner join a third. Inside a
    scope a target chains tasks per index; between scopes it waits for all of them.

    The grouping rule: two steps of one body share a scope when the same inner foreach joins lie upstream
    of both. Computed in one topological pass (linear in the flow for ordinary nesting)."""
    if not any(t.fan_out == "foreach" and t.foreach_splits for t in plan.tasks):
        return plan
    passed: dict[str, frozenset] = {}  # step -> the inner foreach joins of its body at or upstream of it
    group_of: dict[str, str] = {}
    groups: dict[tuple, Scope] = {}
    count: dict[str, int] = {}
    members: dict[str, list[str]] = {}
    for task in plan.tasks:
        if task.scope == TOP:
            group_of[task.step] = TOP
            continue
        joins = frozenset().union(*(passed[p] for p in task.waits_for if plan.task(p).scope == task.scope))
        if task.join_of and plan.task(task.join_of).fan_out == "foreach":
            joins |= {task.step}
        passed[task.step] = joins
        key = (task.scope, joins)
        if key not in groups:
            split = task.scope
            count[split] = count.get(split, 0) + 1
            n = count[split]
            groups[key] = Scope(id=split if n == 1 else f"{split}#{n}", split=split, ordinal=n,
                                flattened=bool(plan.task(split).foreach_splits), parent=TOP)
            members[groups[key].id] = []
        group_of[task.step] = groups[key].id
        members[groups[key].id].append(task.step)

    def node(step: str) -> Ref:
        group = group_of[step]
        return Ref(kind="step", name=step) if group == TOP else Ref(kind="scope", name=group)

    tasks = []
    for task in plan.tasks:
        group = group_of[task.step]
        def nodes(steps) -> tuple[Ref, ...]:
            return tuple(dict.fromkeys(node(p) for p in steps if group == TOP or group_of[p] == group))

        after_groups = tuple(dict.fromkeys(g for g in map(nodes, task.waits_for_groups) if g))
        tasks.append(task.model_copy(update={"scope": group, "after": nodes(task.waits_for),
                                             "after_groups": after_groups}))
    scopes = [Scope(id=TOP, steps=tuple(t.step for t in plan.tasks if group_of[t.step] == TOP))]
    for scope in groups.values():
        steps = members[scope.id]
        outside = (node(p) for s in steps for p in plan.task(s).waits_for if group_of[p] != scope.id)
        fan_out = node(scope.split)  # that dependency comes with the fan-out itself
        after = tuple(dict.fromkeys(r for r in outside if r != fan_out))
        scopes.append(scope.model_copy(update={"steps": tuple(steps), "after": after}))
    return plan.model_copy(update={"tasks": tuple(tasks), "scopes": tuple(scopes)})
