"""kfp for the tests: its own virtualenv (kfp pins protobuf and friends), and `kfp_driver(...)` to check and run
many compiled pipelines in one process of it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from support.venvs import LOCKS, cached_venv

KFP = ["kfp==2.17.0", "kfp-kubernetes==2.15.0"]  # FIELD-NOTES: 2.17.3 may not install; 2.16 fails nested loops
DRIVER = Path(__file__).with_name("driver.py")


@pytest.fixture(scope="session")
def kfp_python() -> Path:
    return cached_venv("kfp-2.17.0", KFP, LOCKS / "kfp-2.17.0.txt")


@pytest.fixture(scope="session")
def kfp_driver(kfp_python, tmp_path_factory):
    """kfp_driver(check=[yaml...], runs=[{"path", "arguments", "env"}]) -> the driver's JSON result."""

    def drive(check=(), runs=()) -> dict:
        work = tmp_path_factory.mktemp("kfp-driver")
        spec, result = work / "spec.json", work / "result.json"
        spec.write_text(json.dumps({"check": [str(p) for p in check], "runs": list(runs),
                                    "workdir": str(work / "root")}))
        done = subprocess.run([str(kfp_python), str(DRIVER), str(spec), str(result)], capture_output=True,
                              text=True, cwd=work, env=dict(os.environ, PYTHONPATH=""))
        if done.returncode != 0 or not result.exists():
            raise AssertionError(f"the kfp driver failed ({done.returncode}):\n{done.stderr[-6000:]}")
        return json.loads(result.read_text())

    return drive
