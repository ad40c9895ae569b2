"""Parity with Metaflow: every example flow run by real Metaflow and by `flowc run` ends with the same
artifacts.

Metaflow lives in its own venv (`support.venvs.metaflow_venv()`, built once per machine): flowc
must work without it, so it never enters the main environment. Each side runs in an isolated temporary
directory (HOME, datastore and metadata all local to it); a small script in the Metaflow venv prints the
end step's artifacts as JSON, and flowc's client does the same here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.venvs import metaflow_venv

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"

# Read with Metaflow's own client, inside its venv. Artifacts starting with "_" are Metaflow's internals;
# "name" is the flow's name, which Metaflow stores as an artifact of every task.
DUMP_METAFLOW = """
import json, sys
from metaflow import Run, namespace
namespace(None)
task = Run(sys.argv[1])["end"].task
values = {a.id: a.data for a in task.artifacts if not a.id.startswith("_") and a.id != "name"}
print(json.dumps(values, default=repr, sort_keys=True))
"""

# Differences between Metaflow and flowc that the examples hit: example -> (why, {artifact: (metaflow's
# value, flowc's value)}). Those artifacts must differ exactly so; every other artifact must be equal.
# None today: a parameter attribute that FlowSpec shadows (Metaflow's `self.name`) is now FLC206.
KNOWN_DIFFERENCES: dict = {}


@pytest.fixture(scope="session")
def metaflow_python() -> Path:
    return metaflow_venv()


def isolated_env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("METAFLOW_", "FLOWC_"))}
    env.update(HOME=str(home), USERNAME="parity", USER="parity", METAFLOW_DEFAULT_DATASTORE="local",
               METAFLOW_DEFAULT_METADATA="local", METAFLOW_DATASTORE_SYSROOT_LOCAL=str(home))
    return env


def run_metaflow(python: Path, flow_file: Path, flow: str, work: Path) -> dict:
    env = isolated_env(work)
    run = subprocess.run([str(python), flow_file.name, "--no-pylint", "run", "--run-id-file", "run-id"],
                         cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"metaflow run failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    run_id = (work / "run-id").read_text().strip()
    dump = subprocess.run([str(python), "-c", DUMP_METAFLOW, f"{flow}/{run_id}"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=300)
    assert dump.returncode == 0, dump.stderr
    return json.loads(dump.stdout)


def run_flowc(flow_file: Path, flow: str, work: Path) -> dict:
    env = isolated_env(work)
    run = subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "run", flow_file.name, "--run-id", "parity"],
                         cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"flowc run failed:\n{run.stderr[-3000:]}"
    from flowc.runtime import Run

    task = Run(f"{flow}/parity", str(work / ".flowc"))["end"].task
    values = {name: artifact.data for name, artifact in task.artifacts.items() if not name.startswith("_")}
    return json.loads(json.dumps(values, default=repr, sort_keys=True))


def flow_class(flow_file: Path) -> str:
    from flowc.compiler.api import compile_file

    compiled = compile_file(flow_file)
    assert compiled.ok, compiled.diagnostics
    return compiled.flow.name


@pytest.mark.parametrize("example", sorted(p.stem for p in EXAMPLES.glob("*.py")))
def test_end_artifacts_match_metaflow(example, metaflow_python, tmp_path):
    flow = flow_class(EXAMPLES / f"{example}.py")
    sides = {}
    for side in ("metaflow", "flowc"):
        work = tmp_path / side
        work.mkdir()
        flow_file = work / f"{example}.py"
        shutil.copy(EXAMPLES / f"{example}.py", flow_file)
        if side == "metaflow":
            sides[side] = run_metaflow(metaflow_python, flow_file, flow, work)
        else:
            sides[side] = run_flowc(flow_file, flow, work)
    _, expected = KNOWN_DIFFERENCES.get(example, ("", {}))
    for artifact, (metaflow_value, flowc_value) in expected.items():
        assert (sides["metaflow"].pop(artifact, None), sides["flowc"].pop(artifact, None)) == (
            metaflow_value, flowc_value)
    assert sides["flowc"] == sides["metaflow"]
