"""`from metaflow import ...` flows run without Metaflow; an installed Metaflow wins and is refused."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from flowc.runtime import Run

from runtime_driver import EXAMPLES, REPO

FLOW = """\
import sys

from metaflow import FlowSpec, current, step


class ShimFlow(FlowSpec):
    @step
    def start(self):
        self.module = sys.modules["metaflow"].__name__
        self.is_shim = getattr(sys.modules["metaflow"], "__flowc_shim__", False)
        self.next(self.end)

    @step
    def end(self):
        self.where = current.step_name


if __name__ == "__main__":
    ShimFlow()
"""

FAKE_METAFLOW = """\
class FlowSpec:
    pass


def step(f):
    return f


current = None
"""


def test_metaflow_is_not_installed_in_the_test_environment():
    proc = subprocess.run([sys.executable, "-c", "import importlib.util as u; print(u.find_spec('metaflow'))"],
                          capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "None"


def test_metaflow_imports_run_under_flowc(flow_run, tmp_path):
    flow = tmp_path / "shim_flow.py"
    flow.write_text(FLOW)
    run = flow_run(flow).run()
    task = Run(f"ShimFlow/{run.run_id}", run.datastore)["start"].task
    assert (task.data.module, task.data.is_shim) == ("metaflow", True)
    assert Run(f"ShimFlow/{run.run_id}", run.datastore)["end"].task.data.where == "end"


def test_an_installed_metaflow_wins_and_the_task_refuses_it(flow_run, tmp_path):
    fake = tmp_path / "site" / "metaflow"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(FAKE_METAFLOW)
    flow = tmp_path / "shim_flow.py"
    flow.write_text(FLOW)
    run = flow_run(flow, env={"PYTHONPATH": str(tmp_path / "site")})
    outcome = run.run_task("start")
    assert outcome.returncode == 2
    assert "real Metaflow" in outcome.stderr and "uninstall metaflow" in outcome.stderr.lower()
    assert "from flowc.runtime import" in outcome.stderr
    # A flow importing from flowc.runtime is unaffected by the installed Metaflow.
    own = tmp_path / "own_flow.py"
    own.write_text(FLOW.replace("from metaflow import", "from flowc.runtime import").replace(
        'sys.modules["metaflow"].__name__', '"flowc"').replace(
        'getattr(sys.modules["metaflow"], "__flowc_shim__", False)', "False"))
    assert flow_run(own, env={"PYTHONPATH": str(tmp_path / "site")}, run_id="own").run().outcomes


def test_running_the_flow_file_directly_explains_itself(tmp_path):
    flow = tmp_path / "hello.py"
    flow.write_text((EXAMPLES / "hello.py").read_text().replace("from metaflow import", "from flowc.runtime import"))
    proc = subprocess.run([sys.executable, str(flow)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "flowc run" in proc.stderr


@pytest.mark.slow
def test_with_the_real_metaflow_installed(flow_run, tmp_path):
    """In a venv with the real Metaflow (and only the stdlib runtime of flowc, through PYTHONPATH): a
    `from metaflow import` flow is refused with exit 2; a `from flowc.runtime import` flow runs."""
    from support.venvs import metaflow_venv

    python = metaflow_venv()
    root = tmp_path / "pkg" / "flowc"
    root.mkdir(parents=True)
    (root / "runtime").symlink_to(REPO / "runtime", target_is_directory=True)
    env = {"PYTHONPATH": str(tmp_path / "pkg"), "USERNAME": "flowc-test"}
    flow = tmp_path / "shim_flow.py"
    flow.write_text(FLOW)
    run = flow_run(flow, env=env)
    argv = [str(python)] + run.command("start")[1:]
    proc = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, **env})
    assert proc.returncode == 2, proc.stderr
    assert "real Metaflow" in proc.stderr and "metaflow.flowspec" in proc.stderr
    own = tmp_path / "own_flow.py"
    own.write_text("from flowc.runtime import FlowSpec, step\n\nclass Own(FlowSpec):\n    @step\n    def start(self):\n"
                   "        import metaflow\n        self.version = metaflow.__version__\n        self.next(self.end)\n\n"
                   "    @step\n    def end(self):\n        pass\n")
    run = flow_run(own, env=env, run_id="own")
    for step in ("start", "end"):
        proc = subprocess.run([str(python)] + run.command(step)[1:], capture_output=True, text=True,
                              env={**os.environ, **env})
        assert proc.returncode == 0, proc.stderr
    assert Run(f"Own/{run.run_id}", run.datastore)["start"].task.data.version == "2.19.39"
