"""The Step Functions goldens executed as written (golden/<example>/stepfunctions/*.json, unmodified) by moto's
Step Functions (moto_sfn.py): their job definitions registered with moto's Batch, their datastore
`s3://flowc-examples/flowc` in the same server's S3, their `python3`, their flow path relative to the working
directory (a copy of the repository's layout). Final artifacts equal `flowc run`'s."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import boto3
import pytest
from moto_sfn import JOBS, moto_step_functions
from support.artifacts import final_artifacts
from support.flows import EXAMPLES, flow_name, local_run
from support.goldens import DATASTORE, deploy_goldens


@pytest.fixture(scope="module")
def aws(tmp_path_factory):
    """One moto server for every example; jobs run in a copy of the goldens' layout, with PATH leading to
    this environment's `python3`."""
    work = tmp_path_factory.mktemp("sfn-goldens")
    golden = deploy_goldens("stepfunctions", work)
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    with moto_step_functions(work, {"PATH": path}) as runner:
        runner.bucket("flowc-examples")
        yield runner, golden


def register_job_definitions(runner, path: Path) -> set[str]:
    """Register the golden's job definitions as written; their names."""
    batch = boto3.client("batch", endpoint_url=runner.env["AWS_ENDPOINT_URL"], region_name="us-east-1")
    names = set()
    for definition in json.loads(path.read_text())["jobDefinitions"]:
        names.add(batch.register_job_definition(**definition)["jobDefinitionName"])
    return names


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_step_functions_golden_runs_as_written(example, aws, tmp_path, monkeypatch):
    runner, golden = aws
    folder = golden / example.stem / "stepfunctions"
    [machine] = folder.glob("*.asl.json")
    [definitions] = folder.glob("*.batch.json")
    registered = register_job_definitions(runner, definitions)
    run_id = f"golden-{example.stem}"
    JOBS.clear()
    result = runner.execute(machine.read_text(), run_id)
    failed = [job for job in JOBS if job["exit_code"]]
    assert result["status"] == "SUCCEEDED", (result["error"], result["cause"], failed[-1:])
    assert JOBS and {job["definition"] for job in JOBS} <= registered
    for name, value in runner.env.items():
        monkeypatch.setenv(name, value)
    expected = local_run(example, tmp_path / "local", {}, "local-1")
    assert final_artifacts(DATASTORE, flow_name(example), run_id) == expected
