"""`flowc run` on every example flow; final artifacts read through the client and compared with values
worked out by hand from each flow's code (the comments show the arithmetic)."""

from __future__ import annotations

import pytest

from local_support import EXAMPLES


def end_data(flowc, flow: str, run_id: str) -> dict:
    task = flowc.run(f"{flow}/{run_id}")["end"].task
    return {name: artifact.data for name, artifact in task.artifacts.items()}


def run_example(flowc, example: str, *params: str) -> str:
    args = ["run", str(EXAMPLES / f"{example}.py"), "--run-id", "r1"]
    for p in params:
        args += ["--param", p]
    flowc.ok(*args)
    return "r1"


def test_hello(flowc):
    run_example(flowc, "hello")
    data = end_data(flowc, "HelloFlow", "r1")
    # name defaults to "world"; greeting = f"hello {name}"; loud = greeting.upper() + "!"
    assert data["greeting"] == "hello world"
    assert data["loud"] == "HELLO WORLD!"


def test_hello_with_a_parameter(flowc):
    run_example(flowc, "hello", "person=Ada")
    assert end_data(flowc, "HelloFlow", "r1")["loud"] == "HELLO ADA!"


def test_branching(flowc):
    run_example(flowc, "branching")
    data = end_data(flowc, "BranchFlow", "r1")
    # linear: sum([1,2,3,4]) * 0.5 = 5.0; constant: len(data) = 4.0; the best is linear
    assert data["scores"] == {"linear": 5.0, "constant": 4.0}
    assert (data["best_model"], data["best_score"]) == ("linear", 5.0)
    assert data["data"] == [1, 2, 3, 4]  # merged from the branches
    assert data["alpha"] == 0.5


def test_branching_float_parameter_changes_the_winner(flowc):
    run_example(flowc, "branching", "alpha=0.1")
    data = end_data(flowc, "BranchFlow", "r1")
    # linear: 10 * 0.1 = 1.0 < constant 4.0
    assert data["alpha"] == 0.1
    assert (data["best_model"], data["best_score"]) == ("constant", 4.0)


def test_foreach(flowc):
    run_example(flowc, "foreach")
    data = end_data(flowc, "ForeachFlow", "r1")
    # points = len(word) + bonus(1): apple 6, kiwi 5, banana 7; order = split order
    assert data["scores"] == {"apple": 6, "kiwi": 5, "banana": 7}
    assert data["order"] == ["apple", "kiwi", "banana"]
    assert len(flowc.run("ForeachFlow/r1")["score"].tasks()) == 3


def test_foreach_json_and_int_parameters(flowc):
    run_example(flowc, "foreach", 'words=[" Fig ", "PLUM"]', "bonus=10")
    data = end_data(flowc, "ForeachFlow", "r1")
    # cleaned: "fig", "plum"; points 3 + 10, 4 + 10
    assert data["scores"] == {"fig": 13, "plum": 14}
    assert data["bonus"] == 10


def test_foreach_in_switch_takes_the_batch_branch(flowc):
    run_example(flowc, "foreach_in_switch")
    run = flowc.run("ForeachInSwitchFlow/r1")
    # mode "batch" -> fan_out over a, b, c -> "aa" "bb" "cc" joined
    assert end_data(flowc, "ForeachInSwitchFlow", "r1")["final"] == "aabbcc"
    for never in ("single", "check_a", "check_b", "checks"):
        assert never not in run


def test_foreach_in_switch_takes_the_single_branch(flowc):
    run_example(flowc, "foreach_in_switch", "mode=single")
    run = flowc.run("ForeachInSwitchFlow/r1")
    # single -> check_a, check_b (both ok=True) -> "single:" + str(True)
    assert end_data(flowc, "ForeachInSwitchFlow", "r1")["final"] == "single:True"
    for never in ("fan_out", "work", "gather"):
        assert never not in run


def test_nested_branches(flowc):
    run_example(flowc, "nested_branches")
    # left_a 11 + left_b 12 = 23; right 30; total 53
    assert end_data(flowc, "NestedBranchFlow", "r1")["total"] == 53


def test_nested_foreach(flowc):
    run_example(flowc, "nested_foreach")
    data = end_data(flowc, "NestedForeachFlow", "r1")
    xs, ys, zs = [1, 2], [10, 20], [100, 200, 300]
    assert data["cells"] == [111, 211, 311, 121, 221, 321, 112, 212, 312, 122, 222, 322]
    assert data["stacks"] == [[i, j, k] for i in range(len(xs)) for j in range(len(ys)) for k in range(len(zs))]
    assert len(flowc.run("NestedForeachFlow/r1")["inner"].tasks()) == 12


def test_switch_large(flowc):
    run_example(flowc, "switch")
    data = end_data(flowc, "SwitchFlow", "r1")
    # 250 >= 100 -> large; fee = round(250 * 0.02, 2) = 5.0; reviewed; total 255.0
    assert (data["size"], data["fee"], data["total"], data["reviewed"]) == ("large", 5.0, 255.0, True)
    assert "small" not in flowc.run("SwitchFlow/r1")


def test_switch_small_with_an_int_parameter(flowc):
    run_example(flowc, "switch", "amount=50")
    data = end_data(flowc, "SwitchFlow", "r1")
    # 50 < 100 -> small; fee 1; total 51
    assert (data["size"], data["fee"], data["total"]) == ("small", 1, 51)
    run = flowc.run("SwitchFlow/r1")
    assert "large" not in run and "review" not in run


def test_switch_in_foreach(flowc):
    run_example(flowc, "switch_in_foreach")
    # 3 odd -> 10; 8 even -> 4; 5 odd -> 16; 12 even -> 6
    assert [tuple(p) for p in end_data(flowc, "SwitchInForeachFlow", "r1")["pairs"]] == [
        (3, 10), (8, 4), (5, 16), (12, 6)]
    run = flowc.run("SwitchInForeachFlow/r1")
    assert [t.index_path for t in run["halve"].tasks()] == ["1", "3"]
    assert [t.index_path for t in run["triple"].tasks()] == ["0", "2"]


@pytest.mark.parametrize("example", ["nested_foreach", "foreach_in_switch"])
def test_one_worker_is_enough(flowc, example):
    """The pool at its smallest: the deepest and the most mixed shapes still finish."""
    result = flowc.ok("run", str(EXAMPLES / f"{example}.py"), "--max-workers", "1")
    assert "finished" in result.stderr
