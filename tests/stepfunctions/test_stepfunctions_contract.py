"""Every Batch job of every Step Functions golden runs exactly the plan's task command (support/contract.py),
with Step Functions' values in the slots (docs/task-contract.md, README): the run id and the index from the
state data (`$.run_id`, `$.index`, which every Map sets from its item), the attempt from the state's retry
count, `--params-json` of the merged parameters, and no `--control-out` (control values are read from S3).

The command is a `States.Array(...)` intrinsic in `ContainerOverrides.Command.$`; `intrinsic_arguments` reads
its arguments: string literals (with ASL's escapes) become their values, JSON paths and nested intrinsics stay
as their text, so a slot filled from the wrong place shows up as a different argument."""

from __future__ import annotations

import json

import pytest
from support.contract import mismatches, plan_of
from support.flows import EXAMPLES, REPO

SLOTS = {
    "python": "python3", "flow_file": None, "datastore": "s3://flowc-examples/flowc",  # flow_file: per example
    "run_id": "$.run_id",
    "index": "$.index",
    "attempt": "States.JsonToString($$.State.RetryCount)",
    "params": ["--params-json", "States.JsonToString($.params)"],
    "control_out": [],
}
ESCAPABLE = "'{}\\"  # ASL intrinsic strings escape these with a backslash


def intrinsic_arguments(text: str, function: str = "States.Array") -> list[str]:
    """The arguments of `function(...)`, the whole of `text`: literals decoded, everything else as text."""
    assert text.startswith(function + "(") and text.endswith(")"), text
    body, args, i = text[len(function) + 1:-1], [], 0
    while i < len(body):
        if body[i] in " ,":
            i += 1
        elif body[i] == "'":
            value, i = _literal(body, i)
            args.append(value)
        else:
            end = _end_of_expression(body, i)
            args.append(body[i:end].strip())
            i = end
    return args


def _literal(body: str, start: int) -> tuple[str, int]:
    """The quoted string at body[start] and the position after its closing quote."""
    out, i = [], start + 1
    while body[i] != "'":
        if body[i] == "\\":
            assert body[i + 1] in ESCAPABLE, f"not an ASL escape: {body[i:i + 2]!r}"
            i += 1
        out.append(body[i])
        i += 1
    return "".join(out), i + 1


def _end_of_expression(body: str, start: int) -> int:
    """Where a path or a nested intrinsic starting at body[start] ends: the next comma at depth 0."""
    depth, i = 0, start
    while i < len(body):
        if body[i] == "'":
            i = _literal(body, i)[1]
            continue
        if body[i] == "(":
            depth += 1
        elif body[i] == ")":
            depth -= 1
        elif body[i] == "," and depth == 0:
            break
        i += 1
    return i


def states(machine: dict):
    """Every state, nested ones (Parallel branches, Map bodies) included, as (name, state)."""
    for name, state in machine["States"].items():
        yield name, state
        for branch in state.get("Branches", []):
            yield from states(branch)
        if "ItemProcessor" in state:
            yield from states(state["ItemProcessor"])


def commands(machine: dict) -> dict[str, list[str]]:
    """step -> the argv of its Batch job (a Batch Task state is named after its step)."""
    return {name: intrinsic_arguments(state["Parameters"]["ContainerOverrides"]["Command.$"])
            for name, state in states(machine)
            if state["Type"] == "Task" and ":batch:submitJob" in state["Resource"]}


def golden_machine(example) -> dict:
    [path] = (REPO / "golden" / example.stem / "stepfunctions").glob("*.asl.json")
    return json.loads(path.read_text())


def test_the_parser_reads_asl_literals_paths_and_nested_intrinsics():
    text = r"States.Array('a\'b', 'c\\d \{x\}', $.run_id, States.Format('{}, {}', $.a, $$.Map.Item.Value), '')"
    assert intrinsic_arguments(text) == [
        "a'b", "c\\d {x}", "$.run_id", "States.Format('{}, {}', $.a, $$.Map.Item.Value)", ""]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_batch_job_runs_the_plans_command(example):
    machine = golden_machine(example)
    slots = dict(SLOTS, flow_file=f"examples/{example.name}")
    assert mismatches(plan_of(example), commands(machine), slots) == []


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_the_run_id_and_index_in_the_state_data_come_from_the_execution_and_the_map_item(example):
    """`$.run_id` and `$.index` mean what the slots say: the execution's name, "" at the top level, and in a
    foreach body the Map item's `index` (control.json's objects)."""
    machine = golden_machine(example)
    first = machine["States"][machine["StartAt"]]
    assert first["Parameters"]["run_id.$"] == "$$.Execution.Name"
    maps = [state for _, state in states(machine) if state["Type"] == "Map"]
    for state in maps:
        assert state["ItemSelector"]["index.$"] == "$$.Map.Item.Value.index"
        assert state["ItemSelector"]["run_id.$"] == "$.run_id"
    top = [s for _, s in states(machine) if s["Type"] == "Pass" and "index" in s.get("Parameters", {})]
    assert [s["Parameters"]["index"] for s in top] == [""]
