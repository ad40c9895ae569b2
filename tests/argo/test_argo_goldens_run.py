"""The Argo goldens executed as written (golden/<example>/argo/*.yaml, unmodified) by the test interpreter:
their `python3`, their flow path relative to the image's working directory, their S3 datastore. Final
artifacts equal `flowc run`'s."""

from __future__ import annotations

import pytest
import yaml
from interpreter import Interpreter
from support.artifacts import final_artifacts
from support.flows import EXAMPLES, REPO, flow_name, local_run
from support.goldens import DATASTORE, golden_datastore


@pytest.fixture(scope="module")
def s3_env():
    with golden_datastore() as env:
        yield env


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_argo_golden_runs_as_written(example, s3_env, tmp_path, monkeypatch):
    [path] = (REPO / "golden" / example.stem / "argo").glob("*.yaml")
    document = next(yaml.safe_load_all(path.read_text()))
    interpreter = Interpreter(document, f"golden-{example.stem}", env=s3_env, cwd=str(REPO))
    assert interpreter.run() == "Succeeded", interpreter.trace
    for name, value in s3_env.items():
        monkeypatch.setenv(name, value)
    expected = local_run(example, tmp_path / "local", {}, "local-1")
    assert final_artifacts(DATASTORE, flow_name(example), f"golden-{example.stem}") == expected
