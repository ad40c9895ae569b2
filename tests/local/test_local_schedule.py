"""The local runner's unrolling of a plan into (step, index) tasks, driven by hand.

Each test plays the role of the task processes: it reports tasks as finished with the control value
the flow's code would produce (worked out by reading the example), and checks which tasks become ready.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flowc.backends.local.localplan import LocalPlan
from flowc.backends.local.schedule import Schedule, parent_index
from flowc.compiler.api import compile_file
from flowc.compiler.plan import build_plan

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def schedule_of(example: str) -> Schedule:
    compiled = compile_file(EXAMPLES / f"{example}.py")
    assert compiled.ok, compiled.diagnostics
    return Schedule(LocalPlan.from_plan(build_plan(compiled.graph)))


def test_parent_index():
    assert parent_index("3/0") == "3"
    assert parent_index("3") == ""
    assert parent_index("12/4/7") == "12/4"


def test_linear_chain():
    s = schedule_of("hello")
    assert s.first() == [("start", "")]
    assert s.finished("start", "", None) == [("shout", "")]
    assert s.finished("shout", "", None) == [("end", "")]
    assert not s.complete
    assert s.finished("end", "", None) == []
    assert s.complete


def test_static_branch_join_waits_for_both():
    s = schedule_of("branching")
    s.first()
    assert s.finished("start", "", None) == [("linear", ""), ("constant", "")]
    assert s.finished("constant", "", None) == []
    assert s.finished("linear", "", None) == [("join", "")]


def test_foreach_children_come_from_the_control_list():
    s = schedule_of("foreach")
    s.first()
    # start: items = ["apple", "kiwi", "banana"] -> three children
    assert s.finished("start", "", ["0", "1", "2"]) == [("clean", "0"), ("clean", "1"), ("clean", "2")]
    assert s.finished("clean", "1", None) == [("score", "1")]
    assert s.finished("score", "1", None) == []
    for i in ("0", "2"):
        s.finished("clean", i, None)
    assert s.finished("score", "0", None) == []
    assert s.finished("score", "2", None) == [("join", "")]
    assert s.finished("join", "", None) == [("end", "")]


def test_nested_foreach_joins_each_level_at_its_own_index():
    s = schedule_of("nested_foreach")
    s.first()
    assert s.finished("start", "", ["0", "1"]) == [("outer", "0"), ("outer", "1")]
    assert s.finished("outer", "1", ["1/0", "1/1"]) == [("middle", "1/0"), ("middle", "1/1")]
    assert s.finished("middle", "1/0", ["1/0/0", "1/0/1", "1/0/2"]) == [
        ("inner", "1/0/0"), ("inner", "1/0/1"), ("inner", "1/0/2")]
    assert s.finished("inner", "1/0/0", None) == []
    assert s.finished("inner", "1/0/2", None) == []
    assert s.finished("inner", "1/0/1", None) == [("join_inner", "1/0")]
    assert s.finished("join_inner", "1/0", None) == []  # middle 1/1 has not even split yet
    s.finished("middle", "1/1", ["1/1/0"])
    s.finished("inner", "1/1/0", None)
    assert s.finished("join_inner", "1/1", None) == [("join_middle", "1")]
    assert s.finished("join_middle", "1", None) == []  # outer 0 is still out
    s.finished("outer", "0", ["0/0"])
    s.finished("middle", "0/0", ["0/0/0"])
    s.finished("inner", "0/0/0", None)
    assert s.finished("join_inner", "0/0", None) == [("join_middle", "0")]
    assert s.finished("join_middle", "0", None) == [("join_outer", "")]


def test_switch_launches_only_the_chosen_branch_and_the_meet_waits_for_it():
    s = schedule_of("switch")
    s.first()
    # amount = 250 -> size "large"
    assert s.finished("start", "", "large") == [("large", "")]
    assert s.finished("large", "", None) == [("review", "")]
    assert s.finished("review", "", None) == [("settle", "")]
    assert s.finished("settle", "", None) == [("end", "")]
    assert ("small", "") not in s.issued


def test_switch_choosing_the_short_branch():
    s = schedule_of("switch")
    s.first()
    assert s.finished("start", "", "small") == [("small", "")]
    assert s.finished("small", "", None) == [("settle", "")]


def test_switch_inside_foreach_chooses_per_item():
    s = schedule_of("switch_in_foreach")
    s.first()
    s.finished("start", "", ["0", "1", "2", "3"])  # numbers = [3, 8, 5, 12]
    assert s.finished("classify", "0", "triple") == [("triple", "0")]  # 3 is odd
    assert s.finished("classify", "1", "halve") == [("halve", "1")]  # 8 is even
    assert s.finished("halve", "1", None) == [("collect", "1")]
    assert s.finished("triple", "0", None) == [("collect", "0")]


def test_foreach_inside_the_chosen_switch_branch():
    s = schedule_of("foreach_in_switch")
    s.first()
    assert s.finished("start", "", "fan_out") == [("fan_out", "")]  # mode "batch"
    assert s.finished("fan_out", "", ["0", "1", "2"]) == [("work", "0"), ("work", "1"), ("work", "2")]
    s.finished("work", "0", None)
    s.finished("work", "2", None)
    assert s.finished("work", "1", None) == [("gather", "")]
    assert s.finished("gather", "", None) == [("finish", "")]
    assert not {("single", ""), ("check_a", ""), ("checks", "")} & s.issued


def test_a_switch_choice_outside_its_cases_is_rejected():
    s = schedule_of("switch")
    s.first()
    with pytest.raises(ValueError, match="chose 'review'"):
        s.finished("start", "", "review")


def test_a_foreach_without_a_list_is_rejected():
    s = schedule_of("foreach")
    s.first()
    with pytest.raises(ValueError, match="no list"):
        s.finished("start", "", None)


def test_a_wide_foreach_join_is_ready_exactly_when_the_last_child_finishes():
    s = schedule_of("foreach")
    s.first()
    children = [str(i) for i in range(5000)]
    assert len(s.finished("start", "", children)) == 5000
    for child in reversed(children):
        s.finished("clean", child, None)
    ready = [s.finished("score", child, None) for child in children]
    assert ready[:-1] == [[]] * 4999 and ready[-1] == [("join", "")]
