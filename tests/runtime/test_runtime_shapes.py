"""Every flow shape of examples/ runs through the real task command; results read with the client."""

from __future__ import annotations

import itertools

import pytest

from flowc.runtime import Flow, Run

from runtime_driver import EXAMPLES


def data(run, step: str, index: str = ""):
    return Run(f"{run.plan.flow}/{run.run_id}", run.datastore)[step][index or "_"].data


def test_linear(flow_run):
    run = flow_run(EXAMPLES / "hello.py").run()
    assert data(run, "end").loud == "HELLO WORLD!"
    assert "HELLO WORLD!" in run.outcome("end").stdout


def test_branch_join_merge_include(flow_run):
    run = flow_run(EXAMPLES / "branching.py").run()
    end = data(run, "end")
    assert (end.best_model, end.best_score) == ("linear", 5.0)
    assert end.scores == {"linear": 5.0, "constant": 4.0}
    assert end.data == [1, 2, 3, 4]
    assert end.alpha == 0.5
    assert "model" not in end and "score" not in end  # not merged: the join set only what it chose


def test_nested_branches(flow_run):
    run = flow_run(EXAMPLES / "nested_branches.py").run()
    assert data(run, "end").total == (10 + 1) + (10 + 2) + 10 * 3


def test_foreach_two_step_body(flow_run):
    run = flow_run(EXAMPLES / "foreach.py").run()
    end = data(run, "end")
    assert end.scores == {"apple": 6, "kiwi": 5, "banana": 7}
    assert end.order == ["apple", "kiwi", "banana"]
    assert run.outcome("start").control == ["0", "1", "2"]
    assert data(run, "score", "2").word == "banana"


def test_nested_foreach_three_deep_keeps_order(flow_run):
    run = flow_run(EXAMPLES / "nested_foreach.py").run()
    end = data(run, "end")
    combos = list(itertools.product(enumerate([1, 2]), enumerate([10, 20]), enumerate([100, 200, 300])))
    assert end.cells == [x + y + z for (_, x), (_, y), (_, z) in combos]
    assert end.stacks == [[i, j, k] for (i, _), (j, _), (k, _) in combos]
    assert run.outcome("middle", "1/0").control == ["1/0/0", "1/0/1", "1/0/2"]
    inner = data(run, "inner", "1/1/2")
    assert (inner.x, inner.y, inner.z) == (2, 20, 300)


@pytest.mark.parametrize("amount,size,total,ran", [(250, "large", 255.0, "review"), (50, "small", 51, "small")])
def test_switch(flow_run, amount, size, total, ran):
    run = flow_run(EXAMPLES / "switch.py", params={"amount": amount}).run()
    end = data(run, "end")
    assert (end.size, end.total) == (size, total)
    assert run.outcome("start").control == size
    assert ran in Run(f"SwitchFlow/{run.run_id}", run.datastore)


def test_switch_in_foreach(flow_run):
    run = flow_run(EXAMPLES / "switch_in_foreach.py").run()
    assert data(run, "end").pairs == [(3, 10), (8, 4), (5, 16), (12, 6)]
    assert [run.outcome("classify", str(i)).control for i in range(4)] == ["triple", "halve", "triple", "halve"]


def test_switch_cases_ending_at_a_branch_join_give_one_input_for_their_branch(flow_run):
    run = flow_run(EXAMPLES / "switch_in_branch.py").run()
    assert data(run, "end").labels == ["count:14", "huge:7+"]
    assert "small" not in Run(f"SwitchInBranchFlow/{run.run_id}", run.datastore)


def test_switch_cases_ending_at_a_foreach_join_give_one_input_per_child(flow_run):
    run = flow_run(EXAMPLES / "switch_meets_at_foreach_join.py").run()
    assert data(run, "end").results == [(3, 10), (5, 16), (8, 4), (12, 6)]
    client = Run(f"SwitchMeetsAtForeachJoinFlow/{run.run_id}", run.datastore)
    assert [t.index_path for t in client["halve"].tasks()] == ["1", "3"]
    assert [t.index_path for t in client["triple"].tasks()] == ["0", "2"]


@pytest.mark.parametrize("mode,final", [("batch", "aabbcc"), ("single", "single:True")])
def test_foreach_in_switch(flow_run, mode, final):
    run = flow_run(EXAMPLES / "foreach_in_switch.py", params={"mode": mode}).run()
    assert data(run, "end").final == final


def test_client_lists_runs_steps_tasks(flow_run):
    first = flow_run(EXAMPLES / "foreach.py", run_id="a").run()
    flow_run(EXAMPLES / "foreach.py", run_id="b").run()
    flow = Flow("ForeachFlow", first.datastore)
    assert sorted(r.id for r in flow.runs()) == ["a", "b"]
    assert flow.latest_run.id == "b"
    run = flow["a"]
    assert run.successful and run.status == "succeeded"
    assert [s.name for s in run.steps()] == ["start", "clean", "score", "join", "end"]
    assert [t.index_path for t in run["clean"].tasks()] == ["0", "1", "2"]
    assert run["clean"]["1"].data.word == "kiwi"
    assert run["end"].task["scores"].data == {"apple": 6, "kiwi": 5, "banana": 7}
    assert run.parameters == {"words": ["apple", "kiwi", "banana"], "bonus": 1}
    assert run.data.order == ["apple", "kiwi", "banana"]
