"""The DAG's documentation (doc_md, shown on the DAG's page) mentions foreach limits only where they apply."""

from __future__ import annotations

import ast
import os

import pytest
from support.flows import EXAMPLES, REPO, compile_for_tests, flow_name, flowc

FOREACH_FLOWS = {"foreach", "nested_foreach", "foreach_in_switch", "switch_in_foreach", "switch_meets_at_foreach_join"}


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


def test_the_doc_says_where_tasks_read_the_flow_file(tmp_path):
    """A DAG whose flow file is missing still loads: its page says where the flow must be, as the DAG's own
    FLOW_FILE line computes it (bash operator: beside the DAG; --flow-path: on the workers; pods: in the image)."""
    flow = tmp_path / "flows" / "hello.py"
    flow.parent.mkdir()
    flow.write_text((REPO / "examples" / "hello.py").read_text())
    base = ["compile", str(flow), "-t", "airflow", "--datastore", "file:///store"]
    assert flowc(*base, "-o", str(tmp_path / "deploy" / "dags"), cwd=tmp_path).returncode == 0
    dag = tmp_path / "deploy" / "dags" / "HelloFlow.py"
    assert "Tasks read the flow file at `../../flows/hello.py`, relative to this DAG file's folder" in doc_md(dag)
    assert flow_file(dag) == str(flow)

    assert flowc(*base, "-o", str(tmp_path / "workers"), "--flow-path", "/opt/flows/hello.py").returncode == 0
    assert "Tasks read the flow file at `/opt/flows/hello.py` on the workers" in \
        doc_md(tmp_path / "workers" / "HelloFlow.py")

    assert flowc(*base, "-o", str(tmp_path / "pods"), "--operator", "kubernetes", "--image",
                 "registry.example/flows:1", cwd=tmp_path).returncode == 0
    pods = tmp_path / "pods" / "HelloFlow.py"
    assert (f"Tasks read the flow file at `{flow_file(pods)}` inside the image `registry.example/flows:1`, from its "
            "working directory") in doc_md(pods)


def flow_file(dag) -> str:
    """The DAG's FLOW_FILE, computed by its own line as the DAG file would run it."""
    line = next(line for line in dag.read_text().splitlines() if line.startswith("FLOW_FILE = "))
    scope = {"__file__": str(dag), "os": os}
    exec(line, scope)
    return scope["FLOW_FILE"]
