"""The DAG's documentation (doc_md, shown on the DAG's page) mentions foreach limits only where they apply."""

from __future__ import annotations

import ast

import pytest
from support.flows import EXAMPLES, compile_for_tests, flow_name

FOREACH_FLOWS = {"foreach", "nested_foreach", "foreach_in_switch", "switch_in_foreach"}


def doc_md(dag_file) -> str:
    """The doc_md argument of the generated DAG(...) call, read without importing Airflow."""
    for node in ast.walk(ast.parse(dag_file.read_text())):
        if isinstance(node, ast.keyword) and node.arg == "doc_md":
            return ast.literal_eval(node.value)
    raise AssertionError(f"no doc_md in {dag_file}")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_foreach_limits_are_documented_only_for_a_flow_with_a_foreach(example, tmp_path):
    compile_for_tests("airflow", [example], tmp_path, "--datastore", "file:///store")
    doc = doc_md(tmp_path / f"{flow_name(example)}.py")
    has_foreach = "foreach=" in example.read_text()
    assert ("max_map_length" in doc) == has_foreach
    assert has_foreach == (example.stem in FOREACH_FLOWS)  # the examples cover both cases
