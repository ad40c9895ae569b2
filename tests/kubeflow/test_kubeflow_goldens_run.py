"""The Kubeflow goldens executed as written (golden/<example>/kubeflow/*.yaml, unmodified) by kfp.local, all in
one process of the kfp venv: their `python3` (found on PATH, as in the image), their flow path relative to the
image's working directory (here the root of a deployed copy of the goldens and examples), their S3 datastore
(a local server). KFP gives the run its id, so each flow's only run in the datastore is the golden's.
Final artifacts equal `flowc run`'s."""

from __future__ import annotations

import pytest
from support.artifacts import final_artifacts
from support.flows import EXAMPLES, flow_name, local_run
from support.goldens import DATASTORE, deploy_goldens, golden_datastore

from flowc.runtime.datastore import open_datastore


@pytest.fixture(scope="module")
def s3_env():
    with golden_datastore() as env:
        yield env


def test_every_kubeflow_golden_runs_as_written(kfp_driver, s3_env, tmp_path, monkeypatch):
    """One test, not one per example: the examples share one driver process, which pytest-xdist would
    otherwise start again on every worker that gets an example."""
    root = tmp_path / "image"
    goldens = deploy_goldens("kubeflow", root)
    runs = []
    for example in EXAMPLES:
        [path] = (goldens / example.stem / "kubeflow").glob("*.yaml")
        runs.append({"path": str(path), "arguments": {}, "env": s3_env, "cwd": str(root)})
    result = kfp_driver(runs=runs)
    for name, value in s3_env.items():
        monkeypatch.setenv(name, value)
    failures = {}
    for example, run in zip(EXAMPLES, result["runs"]):
        if run["state"] != "SUCCEEDED":
            failures[example.stem] = run["error"]
            continue
        flow = flow_name(example)
        [run_id] = open_datastore(DATASTORE).runs(flow)  # KFP named the run; it is the flow's only one
        expected = local_run(example, tmp_path / "local", {}, f"local-{example.stem}")
        if final_artifacts(DATASTORE, flow, run_id) != expected:
            failures[example.stem] = "final artifacts differ from flowc run's"
    assert failures == {}
