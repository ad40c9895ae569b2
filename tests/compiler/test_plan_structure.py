"""The plan's structure for random flows (tests/compiler/flowgen.py's independent model): every task's
scope and lifted dependencies, the scope tree, and the region tree from which block-structured targets
are emitted. And the flattening transform Airflow opts into, on the deepest shape."""

from __future__ import annotations

from flowgen import FlowBuilder, blocks, expected_scopes, render
from flowkit import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowc.compiler.api import compile_file, compile_source
from flowc.compiler.plan import TOP, build_plan
from flowc.compiler.transforms import flatten_nested_foreach

STRUCTURE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def as_tuples(regions) -> list:
    """Plan regions in flowgen's tuple vocabulary."""
    out = []
    for r in regions:
        if r.kind == "step":
            out.append(("step", r.step))
        elif r.kind == "parallel":
            out.append(("parallel", r.split, [as_tuples(arm) for arm in r.arms], r.join))
        elif r.kind == "map":
            out.append(("map", r.split, as_tuples(r.body), r.join))
        else:
            out.append(("choice", r.switch, [(c.value, as_tuples(c.body)) for c in r.cases], r.meet))
    return out


@STRUCTURE
@given(block=blocks(), data=st.data())
def test_scopes_dependencies_and_regions_match_the_generated_flow(block, data):
    builder = FlowBuilder()
    steps = builder.flow(block)
    order = data.draw(st.permutations(list(steps)), label="method order")
    plan = build_plan(compile_source(render(steps, order), "generated.py").graph)
    expected = expected_scopes(steps)
    actual = {t.step: (t.scope, sorted((r.kind, r.name) for r in t.after)) for t in plan.tasks}
    assert actual == expected
    for task in plan.tasks:  # the groups partition the same nodes (a group of several: a switch's cases)
        assert {r for group in task.after_groups for r in group} == set(task.after), task.step
        assert len({r for group in task.after_groups for r in group}) == sum(map(len, task.after_groups))
    for scope in plan.scopes:
        assert set(scope.steps) == {s for s, (owner, _) in expected.items() if owner == scope.id}
        position = {t.step: i for i, t in enumerate(plan.tasks)}
        assert list(scope.steps) == sorted(scope.steps, key=position.__getitem__)  # topological
    assert {s.id for s in plan.scopes} == {TOP} | {n for n, s in steps.items() if s.kind == "foreach"}
    assert as_tuples(plan.regions) == builder.regions


def test_flattening_cuts_bodies_at_inner_foreaches():
    """examples/nested_foreach.py, grouped as Airflow needs it: each group is mapped over one (flattened)
    list of index paths; the steps after an inner join form a new group over the same list."""
    plan = flatten_nested_foreach(build_plan(compile_file(REPO / "examples" / "nested_foreach.py").graph))
    groups = {s.id: (s.split, s.ordinal, s.flattened, s.steps, [r.name for r in s.after]) for s in plan.scopes[1:]}
    assert groups == {
        "start": ("start", 1, False, ("outer",), []),
        "outer": ("outer", 1, True, ("middle",), []),
        "middle": ("middle", 1, True, ("inner",), []),
        "outer#2": ("outer", 2, True, ("join_inner",), ["middle"]),
        "start#2": ("start", 2, False, ("join_middle",), ["outer#2"]),
    }
    assert [r.name for r in plan.task("join_outer").after] == ["start#2"]
    assert all(not t.after for t in plan.tasks if t.scope != TOP)  # one step per group here


def test_lookups_are_dict_lookups_that_follow_copies():
    plan = build_plan(compile_file(REPO / "examples" / "nested_foreach.py").graph)
    assert plan.task("inner").scope == "middle"  # builds the index
    flat = flatten_nested_foreach(plan)
    assert flat.task("join_inner").scope == "outer#2"  # a copy never answers from its original's index
