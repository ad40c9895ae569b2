"""The hostile-string corpus in every field of a flow and every string option, compiled for Argo: each value
is refused at compile time, or arrives unchanged in the documents as Argo's YAML 1.2 reader reads them, and
they pass Argo's own schema (see tests/support/hostile_fields.py)."""

from __future__ import annotations

import pytest
from argo_schema import schema_problems
from test_argo_yaml import ruamel_load_all
from support.hostile_fields import VALUES, compile_hostile, missing

# @batch has no effect on Argo (a warning says so), nor has a step's namespace (the workflow has one) or its
# docstring; an @environment value holding "{{" is set by the runtime, not written where Argo would substitute.
NOT_IN_OUTPUT = {"batch queue", "namespace", "step docstring"}


@pytest.mark.parametrize("value_class", VALUES)
def test_hostile_values_arrive_unchanged_or_are_refused(tmp_path, value_class):
    outcome = compile_hostile(tmp_path, "argo", value_class)
    (path,) = outcome.folder.glob("*.yaml")
    documents = ruamel_load_all(path.read_text(encoding="utf-8"), (1, 2))
    assert [d["kind"] for d in documents] == ["WorkflowTemplate", "CronWorkflow"]
    assert schema_problems(documents) == [[], []]
    not_in_output = NOT_IN_OUTPUT | ({"environment value"} if "{{" in VALUES[value_class] else set())
    assert missing(outcome, documents, not_in_output) == [], outcome.refused
