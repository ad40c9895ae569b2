"""Valid flows of every shape: the analysed graph and the plan's --inputs wiring, written by hand.

Each flow's methods are written in a topological order, so the graph's node order is the source order.
Where the source order differs from the split order (arms defined out of order), joins must still list
their parents in split order, and switch meets list theirs in source order.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flowkit import REPO, Expect as E, assert_graph, compile_clean, compile_text, flow_text

from flowc.compiler.api import compile_file
from flowc.compiler.plan import build_plan


def test_linear():
    compiled = compile_clean(flow_text("""
        @step
        def start(self):
            self.next(self.a)

        @step
        def a(self):
            self.next(self.b)

        @step
        def b(self):
            self.next(self.end)

        @step
        def end(self):
            pass
    """))
    assert_graph(compiled, {
        "start": E("start", children="a"),
        "a": E("linear", parents="start", children="b", wiring="start"),
        "b": E("linear", parents="a", children="end", wiring="a"),
        "end": E("end", parents="b", wiring="b"),
    })


def test_static_branch_joins_in_split_order():
    # The arms are defined z, y, x but split as x, y, z: the join's parents follow the split.
    compiled = compile_clean(flow_text("""
        @step
        def start(self):
            self.next(self.x, self.y, self.z)

        @step
        def z(self):
            self.next(self.join)

        @step
        def y(self):
            self.next(self.join)

        @step
        def x(self):
            self.next(self.x2)

        @step
        def x2(self):
            self.next(self.join)

        @step
        def join(self, inputs):
            self.next(self.end)

        @step
        def end(self):
            pass
    """))
    assert_graph(compiled, {
        "start": E("branch", children="x y z", closed_by="join"),
        "z": E("linear", parents="start", children="join", wiring="start", splits="start"),
        "y": E("linear", parents="start", children="join", wiring="start", splits="start"),
        "x": E("linear", parents="start", children="x2", wiring="start", splits="start"),
        "x2": E("linear", parents="x", children="join", wiring="x", splits="start"),
        "join": E("join", parents="x2 y z", children="end", wiring="x2,y,z", join_of="start"),
        "end": E("end", parents="join", wiring="join"),
    })


def test_nested_branches():
    compiled = compile_clean(flow_text("""
        @step
        def start(self):
            self.next(self.left, self.right)

        @step
        def left(self):
            self.next(self.la, self.lb)

        @step
        def la(self):
            self.next(self.lj)

        @step
        def lb(self):
            self.next(self.lj)

        @step
        def lj(self, inputs):
            self.next(self.join)

        @step
        def right(self):
            self.next(self.join)

        @step
        def join(self, inputs):
            self.next(self.end)

        @step
        def end(self):
            pass
    """))
    assert_graph(compiled, {
        "start": E("branch", children="left right", closed_by="join"),
        "left": E("branch", parents="start", children="la lb", wiring="start", splits="start", closed_by="lj"),
        "la": E("linear", parents="left", children="lj", wiring="left", splits="start left"),
        "lb": E("linear", parents="left", children="lj", wiring="left", splits="start left"),
        "lj": E("join", parents="la lb", children="join", wiring="la,lb", splits="start", join_of="left"),
        "right": E("linear", parents="start", children="join", wiring="start", splits="start"),
        "join": E("join", parents="lj right", children="end", wiring="lj,right", join_of="start"),
        "end": E("end", parents="join", wiring="join"),
    })


def test_foreach_with_a_one_step_body():
    compiled = compile_clean(flow_text("""
        @step
        def start(self):
            self.items = [1, 2, 3]
            self.next(self.work, foreach="items")

        @step
        def work(self):
            self.next(self.join)

        @step
        def join(self, inputs):
            self.next(self.end)

        @step
        def end(self):
            pass
    """))
    assert_graph(compiled, {
        "start": E("foreach", children="work", closed_by="join"),
        "work": E("linear", parents="start", children="join", wiring="@start", splits="start", depth=1),
        "join": E("join", parents="work", children="end", wiring="work@start", join_of="start"),
        "end": E("end", parents="join", wiring="join"),
    })
    assert compiled.flow.step("start").transition.foreach == "items"


def test_foreach_with_a_multi_step_body():
    compiled = compile_clean(flow_text("""
        @step
        def start(self):
            self.next(self.prep)

        @step
        def prep(self):
            self.next(self.b1, foreach="rows")

        @step
        def b1(self):
            self.next(self.b2)

        @step
        def b2(self):
            self.next(self.b3)

        @step
        def b3(self):
            self.next(self.join)

        @step
        def join(self, inputs):
            self.next(self.end)

        @step
        def end(self):
            pass
    """))
    assert_graph(compiled, {
        "start": E("start", children="prep"),
        "prep": E("foreach", parents="start", children="b1", wiring="start", closed_by="join"),
        "b1": E("linear", parents="prep", children="b2", wiring="@prep", splits="prep", depth=1),
        "b2": E("linear", parents="b1", children="b3", wiring="b1", splits="prep", depth=1),
        "b3": E("linear", parents="b2", children="join", wiring="b2", splits="prep", depth=1),
        "join": E("join", parents="b3", children="end", wiring="b3@prep", join_of="prep"),
        "end": E("end", parents="join", wiring="join"),
    })


def test_foreach_nested_three_deep():
    compiled = compile_clean(flow_text("""
        @step
        def start(self):
            self.next(self.outer, foreach="xs")

        @step
        def outer(self):
            self.next(self.middle, foreach="ys")

        @step
        def middle(self):
            self.next(self.inner, foreach="zs")

        @step
        def inner(self):
            self.next(self.join_inner)

        @step
        def join_inner(self, inputs):
            self.next(self.join_middle)

        @step
        def join_middle(self, inputs):
            self.next(self.join_outer)

        @step
        def join_outer(self, inputs):
            self.next(self.end)

        @step
        def end(self):
            pass
    """))
    assert_graph(compiled, {
        "start": E("foreach", children="outer", closed_by="join_outer"),
        "outer": E("foreach", parents="start", children="middle", wiring="@start", splits="start", depth=1,
                   closed_by="join_middle"),
        "middle": E("foreach", parents="outer", children="inner", wiring="@outer", splits="start outer",
                    depth=2, closed_by="join_inner"),
        "inner": E("linear", parents="middle", children="join_inner", wiring="@middle",
                   splits="start outer middle", depth=3),
        "join_inner": E("join", parents="inner", children="join_middle", wiring="inner@middle",
                        splits="start outer", depth=2, join_of="middle"),
        "join_middle": E("join", parents="join_inner", children="join_outer", wiring="join_inner@outer",
                         splits="start", depth=1, join_of="outer"),
        "join_outer": E("join", parents="join_middle", children="end", wiring="join_middle@start",
                        join_of="start"),
        "end": E("end", parents="join_outer", wiring="join_outer"),
    })


def test_switch_meets_in_a_plain_step():
    # Cases in the dict: small, medium, large; defined large, medium, small. Children follow the dict,
    # the meet's parents follow the source.
    compiled = compile_clean(flow_text("""
        size = Parameter("size", default="small")

        @step
        def start(self):
            self.next(self.route)

        @step
        def route(self):
            self.next({"small": self.small, "medium": self.medium, "large": self.large}, condition="size")

        @step
        def large(self):
            self.next(self.review)

        @step
        def review(self):
            self.next(self.settle)

        @step
        def medium(self):
            self.next(self.settle)

        @step
        def small(self):
            self.next(self.settle)

        @step
        def settle(self):
            self.next(self.end)

        @step
        def end(self):
            pass
    """))
    assert_graph(compiled, {
        "start": E("start", children="route"),
        "route": E("switch", parents="start", children="small medium large", wiring="start", meet="settle"),
        "large": E("linear", parents="route", children="review", wiring="route"),
        "review": E("linear", parents="large", children="settle", wiring="large"),
        "medium": E("linear", parents="route", children="settle", wiring="route"),
        "small": E("linear", parents="route", children="settle", wiring="route"),
        "settle": E("linear", parents="review medium small", children="end", wiring="review|medium|small",
                    is_meet=True),
        "end": E("end", parents="settle", wiring="settle"),
    })
    route = compiled.flow.step("route").transition
    assert route.condition == "size"
    assert route.cases == (("small", "small"), ("medium", "medium"), ("large", "large"))


def test_switch_meeting_at_end():
    compiled = compile_clean(flow_text("""
        @step
        def start(self):
            self.next({"a": self.a, "b": self.b}, condition="pick")

        @step
        def a(self):
            self.next(self.end)

        @step
        def b(self):
            self.next(self.end)

        @step
        def end(self):
            pass
    """))
    assert_graph(compiled, {
        "start": E("switch", children="a b", meet="end"),
        "a": E("linear", parents="start", children="end", wiring="start"),
        "b": E("linear", parents="start", children="end", wiring="start"),
        "end": E("end", parents="a b", wiring="a|b", is_meet=True),
    })


def test_switch_inside_a_foreach():
    compiled = compile_clean(flow_text("""
        @step
        def start(self):
            self.next(self.classify, foreach="numbers")

        @step
        def classify(self):
            self.next({"even": self.halve, "odd": self.triple}, condition="parity")

        @step
        def halve(self):
            self.next(self.collect)

        @step
        def triple(self):
            self.next(self.collect)

        @step
        def collect(self):
            self.next(self.join)

        @step
        def join(self, inputs):
            self.next(self.end)

        @step
        def end(self):
            pass
    """))
    assert_graph(compiled, {
        "start": E("foreach", children="classify", closed_by="join"),
        "classify": E("switch", parents="start", children="halve triple", wiring="@start", splits="start",
                      depth=1, meet="collect"),
        "halve": E("linear", parents="classify", children="collect", wiring="classify", splits="start", depth=1),
        "triple": E("linear", parents="classify", children="collect", wiring="classify", splits="start", depth=1),
        "collect": E("linear", parents="halve triple", children="join", wiring="halve|triple", splits="start",
                     depth=1, is_meet=True),
        "join": E("join", parents="collect", children="end", wiring="collect@start", join_of="start"),
        "end": E("end", parents="join", wiring="join"),
    })


def test_foreach_inside_a_switch_branch():
    compiled = compile_clean(flow_text("""
        mode = Parameter("mode", default="batch")

        @step
        def start(self):
            self.next({"batch": self.fan_out, "single": self.single}, condition="mode")

        @step
        def fan_out(self):
            self.next(self.work, foreach="parts")

        @step
        def work(self):
            self.next(self.gather)

        @step
        def gather(self, inputs):
            self.next(self.finish)

        @step
        def single(self):
            self.next(self.finish)

        @step
        def finish(self):
            self.next(self.end)

        @step
        def end(self):
            pass
    """))
    assert_graph(compiled, {
        "start": E("switch", children="fan_out single", meet="finish"),
        "fan_out": E("foreach", parents="start", children="work", wiring="start", closed_by="gather"),
        "work": E("linear", parents="fan_out", children="gather", wiring="@fan_out", splits="fan_out", depth=1),
        "gather": E("join", parents="work", children="finish", wiring="work@fan_out", join_of="fan_out"),
        "single": E("linear", parents="start", children="finish", wiring="start"),
        "finish": E("linear", parents="gather single", children="end", wiring="gather|single", is_meet=True),
        "end": E("end", parents="finish", wiring="finish"),
    })


def test_branch_inside_a_switch_branch():
    compiled = compile_clean(flow_text("""
        @step
        def start(self):
            self.next(self.decide)

        @step
        def decide(self):
            self.next({"deep": self.fork, "shallow": self.quick}, condition="depth")

        @step
        def fork(self):
            self.next(self.p, self.q)

        @step
        def p(self):
            self.next(self.merge)

        @step
        def q(self):
            self.next(self.merge)

        @step
        def merge(self, inputs):
            self.next(self.done)

        @step
        def quick(self):
            self.next(self.done)

        @step
        def done(self):
            self.next(self.end)

        @step
        def end(self):
            pass
    """))
    assert_graph(compiled, {
        "start": E("start", children="decide"),
        "decide": E("switch", parents="start", children="fork quick", wiring="start", meet="done"),
        "fork": E("branch", parents="decide", children="p q", wiring="decide", closed_by="merge"),
        "p": E("linear", parents="fork", children="merge", wiring="fork", splits="fork"),
        "q": E("linear", parents="fork", children="merge", wiring="fork", splits="fork"),
        "merge": E("join", parents="p q", children="done", wiring="p,q", join_of="fork"),
        "quick": E("linear", parents="decide", children="done", wiring="decide"),
        "done": E("linear", parents="merge quick", children="end", wiring="merge|quick", is_meet=True),
        "end": E("end", parents="done", wiring="done"),
    })


def test_switch_inside_a_switch_branch():
    compiled = compile_clean(flow_text("""
        @step
        def start(self):
            self.next({"x": self.inner, "y": self.other}, condition="outer_choice")

        @step
        def inner(self):
            self.next({"u": self.p, "v": self.q}, condition="inner_choice")

        @step
        def p(self):
            self.next(self.inner_done)

        @step
        def q(self):
            self.next(self.inner_done)

        @step
        def inner_done(self):
            self.next(self.done)

        @step
        def other(self):
            self.next(self.done)

        @step
        def done(self):
            self.next(self.end)

        @step
        def end(self):
            pass
    """))
    assert_graph(compiled, {
        "start": E("switch", children="inner other", meet="done"),
        "inner": E("switch", parents="start", children="p q", wiring="start", meet="inner_done"),
        "p": E("linear", parents="inner", children="inner_done", wiring="inner"),
        "q": E("linear", parents="inner", children="inner_done", wiring="inner"),
        "inner_done": E("linear", parents="p q", children="done", wiring="p|q", is_meet=True),
        "other": E("linear", parents="start", children="done", wiring="start"),
        "done": E("linear", parents="inner_done other", children="end", wiring="inner_done|other", is_meet=True),
        "end": E("end", parents="done", wiring="done"),
    })


def test_switch_cases_ending_at_a_static_join_are_one_input_of_their_branch():
    # The second branch's switch nests another switch: all three of its cases end at the join. The first
    # branch is defined after the second, so split order is not source order.
    compiled = compile_clean(flow_text("""
        @step
        def start(self):
            self.next(self.count, self.route)

        @step
        def route(self):
            self.next({"big": self.big, "small": self.small}, condition="kind")

        @step
        def big(self):
            self.next({"huge": self.huge, "large": self.large}, condition="grade")

        @step
        def huge(self):
            self.next(self.join)

        @step
        def large(self):
            self.next(self.join)

        @step
        def small(self):
            self.next(self.join)

        @step
        def count(self):
            self.next(self.join)

        @step
        def join(self, inputs):
            self.next(self.end)

        @step
        def end(self):
            pass
    """))
    assert_graph(compiled, {
        "start": E("branch", children="count route", closed_by="join"),
        "route": E("switch", parents="start", children="big small", wiring="start", splits="start", meet="join"),
        "big": E("switch", parents="route", children="huge large", wiring="route", splits="start", meet="join"),
        "huge": E("linear", parents="big", children="join", wiring="big", splits="start"),
        "large": E("linear", parents="big", children="join", wiring="big", splits="start"),
        "small": E("linear", parents="route", children="join", wiring="route", splits="start"),
        "count": E("linear", parents="start", children="join", wiring="start", splits="start"),
        "join": E("join", parents="count huge large small", children="end", wiring="count,huge|large|small",
                  join_of="start"),
        "end": E("end", parents="join", wiring="join"),
    })
    plan = build_plan(compiled.graph)
    join = plan.task("join")
    assert join.waits_for_groups == (("count",), ("huge", "large", "small"))
    assert [[r.name for r in group] for group in join.after_groups] == [["count"], ["huge", "large", "small"]]
    parallel = plan.regions[1]
    assert parallel.kind == "parallel" and parallel.join == "join"
    route = parallel.arms[1][1]
    assert route.kind == "choice" and route.meet is None  # the cases end the arm
    assert route.cases[0].body[1].kind == "choice" and route.cases[0].body[1].meet is None


def test_switch_cases_ending_at_a_foreach_join_are_one_input_per_child():
    compiled = compile_clean(flow_text("""
        @step
        def start(self):
            self.next(self.classify, foreach="numbers")

        @step
        def classify(self):
            self.next({"even": self.halve, "odd": self.triple}, condition="parity")

        @step
        def halve(self):
            self.next(self.join)

        @step
        def triple(self):
            self.next(self.join)

        @step
        def join(self, inputs):
            self.next(self.end)

        @step
        def end(self):
            pass
    """))
    assert_graph(compiled, {
        "start": E("foreach", children="classify", closed_by="join"),
        "classify": E("switch", parents="start", children="halve triple", wiring="@start", splits="start",
                      depth=1, meet="join"),
        "halve": E("linear", parents="classify", children="join", wiring="classify", splits="start", depth=1),
        "triple": E("linear", parents="classify", children="join", wiring="classify", splits="start", depth=1),
        "join": E("join", parents="halve triple", children="end", wiring="halve|triple@start", join_of="start"),
        "end": E("end", parents="join", wiring="join"),
    })
    join = build_plan(compiled.graph).task("join")
    assert join.waits_for_groups == (("halve", "triple"),)
    assert [[(r.kind, r.name) for r in group] for group in join.after_groups] == [[("scope", "start")]]


def test_methods_defined_out_of_order_give_the_same_graph():
    """Source order only breaks ties; defining `end` first changes nothing but the node order rule."""
    compiled = compile_clean(flow_text("""
        @step
        def end(self):
            pass

        @step
        def b(self):
            self.next(self.end)

        @step
        def start(self):
            self.next(self.a)

        @step
        def a(self):
            self.next(self.b)
    """))
    assert_graph(compiled, {
        "start": E("start", children="a"),
        "a": E("linear", parents="start", children="b", wiring="start"),
        "b": E("linear", parents="a", children="end", wiring="a"),
        "end": E("end", parents="b", wiring="b"),
    })


def test_helpers_and_user_decorators_are_not_steps():
    compiled = compile_clean("""
        import functools
        from metaflow import FlowSpec, step, retry

        def logged(f):
            @functools.wraps(f)
            def wrapper(*args, **kwargs):
                return f(*args, **kwargs)
            return wrapper

        class HelperFlow(FlowSpec):
            def helper(self):
                self.next(self.nowhere)  # not a step: never read as a transition

            @logged
            @retry(times=2)
            @step
            def start(self):
                if self.helper():
                    pass
                self.next(self.end)

            @step
            def end(self):
                pass
    """)
    assert [s.name for s in compiled.flow.steps] == ["start", "end"]
    assert [d.name for d in compiled.flow.step("start").decorators] == ["retry"]
    assert compiled.flow.step("start").decorators[0].args["times"].value == 2


@pytest.mark.parametrize("header,decorator", [
    ("from metaflow import FlowSpec as Base, step as st\n", "st"),
    ("import metaflow as mf\n", "mf.step"),
    ("import metaflow\n", "metaflow.step"),
    ("from flowc.runtime import FlowSpec, step\n", "step"),
    ("from flowc import runtime as rt\n", "rt.step"),
    ("from metaflow import *\n", "step"),
    ("try:\n    from flowc.runtime import FlowSpec, step\nexcept ImportError:\n    from metaflow import FlowSpec, step\n",
     "step"),
])
def test_every_import_style_is_recognised(header, decorator):
    base = {"st": "Base", "mf.step": "mf.FlowSpec", "metaflow.step": "metaflow.FlowSpec",
            "rt.step": "rt.FlowSpec"}.get(decorator, "FlowSpec")
    text = (f"{header}\n\nclass AliasFlow({base}):\n    @{decorator}\n    def start(self):\n"
            f"        self.next(self.end)\n\n    @{decorator}\n    def end(self):\n        pass\n")
    compiled = compile_text(text)
    assert compiled.diagnostics == []
    assert compiled.flow.name == "AliasFlow"
    assert [s.name for s in compiled.flow.steps] == ["start", "end"]


def test_a_flowspec_from_elsewhere_is_not_a_flow():
    compiled = compile_text("""
        from mylib import FlowSpec, step

        class NotOurs(FlowSpec):
            @step
            def start(self):
                self.next(self.end)
    """)
    assert [d.code for d in compiled.diagnostics] == ["FLC002"]


@pytest.mark.parametrize("example", sorted(p.name for p in (REPO / "examples").glob("*.py")))
def test_examples_are_clean_and_plan(example):
    path = REPO / "examples" / example
    compiled = compile_file(path)  # from the file: a Config's default file is read beside it
    assert compiled.diagnostics == []
    plan = build_plan(compiled.graph)
    assert [t.step for t in plan.tasks] == list(compiled.graph.nodes)
