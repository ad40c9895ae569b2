"""One parameter-type rule for compiler and runtime: every type, declared or inferred from the default
(a list default is JSON), through `flowc check`, `flowc ir`, and `flowc run` with defaults and with given
values. The targets run the same flow in their own run tests (tests/airflow, tests/argo)."""

from __future__ import annotations

import json

from support.flows import TEST_FLOWS, flowc, local_run

FLOW = TEST_FLOWS / "parameter_types.py"
DEFAULTS = {"text": ["str", "hello"], "count": ["int", 3], "ratio": ["float", 0.5], "flag": ["bool", False],
            "config": ["dict", {"a": 1}], "xs": ["list", [1, 2]]}
GIVEN = {"text": "x", "count": "7", "ratio": "0.25", "flag": "true", "config": '{"b": 2}', "xs": "[3, 4]"}
GIVEN_SEEN = {"text": ["str", "x"], "count": ["int", 7], "ratio": ["float", 0.25], "flag": ["bool", True],
              "config": ["dict", {"b": 2}], "xs": ["list", [3, 4]]}


def test_check_and_ir_type_every_parameter():
    assert flowc("check", str(FLOW)).returncode == 0
    ir = json.loads(flowc("ir", str(FLOW)).stdout)
    assert {p["name"]: p["type"] for p in ir["parameters"]} == {
        "text": "str", "count": "int", "ratio": "float", "flag": "bool", "config": "json", "xs": "json"}


def test_run_types_defaults_and_given_values(tmp_path):
    assert local_run(FLOW, tmp_path / "a", {}, "defaults")["seen"] == DEFAULTS
    assert local_run(FLOW, tmp_path / "b", GIVEN, "given")["seen"] == GIVEN_SEEN
