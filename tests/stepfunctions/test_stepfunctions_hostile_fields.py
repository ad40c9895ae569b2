"""The hostile-string corpus in every field of a flow and every string option, compiled for Step Functions:
each value is refused at compile time, or arrives unchanged in the state machine and the Batch job
definitions, which pass asl-validator and statelint (see tests/support/hostile_fields.py)."""

from __future__ import annotations

import json
import re

import pytest
from validators import asl_validator_problems, statelint_problems
from support.hostile_fields import GROUPS, VALUES, compile_hostile, missing

# No effect on Step Functions: @kubernetes, @project; a parameter's help has no place in a state machine;
# --role-arn is the state machine's role for `flowc deploy`, not written into the files.
NOT_IN_OUTPUT = set(GROUPS["kubernetes"]) | {"project name", "parameter help", "--role-arn"}
LITERAL = re.compile(r"'((?:\\.|[^'\\])*)'", re.S)  # a string literal inside an intrinsic function (ASL spec)


def intrinsic_literals(value) -> list[str]:
    """The string literals of every intrinsic function call ("States.Array('a\\'b', ...)"), unescaped."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith(".$") and isinstance(item, str) and item.startswith("States."):
                found += [re.sub(r"\\(.)", r"\1", text, flags=re.S) for text in LITERAL.findall(item)]
            found += intrinsic_literals(item)
    elif isinstance(value, list):
        found += [text for item in value for text in intrinsic_literals(item)]
    return found


@pytest.mark.parametrize("value_class", VALUES)
def test_hostile_values_arrive_unchanged_or_are_refused(tmp_path, value_class):
    outcome = compile_hostile(tmp_path, "stepfunctions", value_class)
    machine = outcome.folder / "HostileFieldsFlow.asl.json"
    assert sorted(p.name for p in outcome.folder.iterdir()) == [
        "HostileFieldsFlow.asl.json", "HostileFieldsFlow.batch.json", "HostileFieldsFlow.schedule.json"]
    assert statelint_problems(machine.read_text(encoding="utf-8")) == []
    if "\\" not in VALUES[value_class]:  # asl-validator 4.0.0 refuses `\\` in an intrinsic's string literal,
        assert asl_validator_problems([machine]) == {}  # which the ASL spec defines as one backslash
    loaded = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(outcome.folder.iterdir())]
    loaded.append(intrinsic_literals(loaded))
    assert missing(outcome, loaded, NOT_IN_OUTPUT) == [], outcome.refused
