"""`flowc run` honours @pypi/@conda: a run whose venv lacks a pinned package stops at that step with the
message naming it; with the pinned version installed it runs to the end. (PyYAML is in the test venv; its
version comes from importlib.metadata, not flowc.)"""

from __future__ import annotations

from importlib import metadata

YAML = metadata.version("PyYAML")

FLOW = '''
from metaflow import FlowSpec, pypi, pypi_base, step


@pypi_base(packages={{"pyyaml": "{base}"}})
class PinnedFlow(FlowSpec):
    @step
    def start(self):
        import yaml

        self.value = yaml.safe_load("a: 1")["a"]
        self.next(self.end)

    @pypi(packages={{"flowc-missing-package": "0.5.3"}})
    @step
    def end(self):
        self.done = True
'''


def test_a_run_stops_at_the_step_whose_package_is_missing(flowc):
    (flowc.cwd / "flow.py").write_text(FLOW.format(base=YAML))
    result = flowc("run", "flow.py", "--run-id", "r1")
    assert result.returncode == 1
    assert "[end] failed (exit 2)" in result.stdout + result.stderr
    assert "flowc-missing-package==0.5.3 (@pypi) is not installed" in result.stderr
    assert "pip install 'flowc-missing-package==0.5.3'" in result.stderr
    assert "packages this venv lacks" in result.stderr
    assert flowc.run("PinnedFlow/r1")["start"].task.data.value == 1  # start's pin (the base) is met


def test_warn_mode_runs_to_the_end(flowc):
    (flowc.cwd / "flow.py").write_text(FLOW.format(base=f">={YAML}"))
    flowc.env["FLOWC_REQUIREMENTS_CHECK"] = "warn"
    result = flowc.ok("run", "flow.py", "--run-id", "r2")
    assert "[end] ok" in result.stderr
    run = flowc.run("PinnedFlow/r2")
    assert run.data.done is True
    assert "warning: step 'end': flowc-missing-package==0.5.3 (@pypi) is not installed" in run["end"].task.stderr
