"""@pypi/@conda in the task: a step runs only when this Python holds what it pins (exit 2 otherwise).

The flows pin PyYAML, which the test environment has; its installed version is read with importlib.metadata
(not flowc), and the expected comparisons below are PEP 440's, written by hand.
"""

from __future__ import annotations

import sys
from importlib import metadata

import pytest
from runtime_driver import FlowRun

from flowc.runtime.requirements import merged, problems, satisfies

YAML = metadata.version("PyYAML")
OTHER_PYTHON = f"3.{sys.version_info.minor - 1}"


def flow(tmp_path, step_decorator: str = "", base: str = "", end_decorator: str = "", name: str = "flow.py"):
    path = tmp_path / name
    path.write_text(f'''
from metaflow import FlowSpec, conda, conda_base, pypi, pypi_base, step


{base}
class RequirementsFlow(FlowSpec):
    {step_decorator}
    @step
    def start(self):
        import yaml

        self.loaded = yaml.safe_load("a: 1")
        self.next(self.end)

    {end_decorator}
    @step
    def end(self):
        pass
''')
    return FlowRun(path, datastore=str(tmp_path / "ds"))


def test_a_step_with_its_pinned_version_installed_runs(tmp_path):
    run = flow(tmp_path, f'@pypi(packages={{"pyyaml": "{YAML}"}})', '@pypi_base(packages={"PyYAML": ">=1.0"})').run()
    assert run.outcome("start").returncode == 0
    assert run.outcome("end").returncode == 0


def test_a_missing_package_stops_the_task_with_exit_2_naming_it_and_the_fix(tmp_path):
    run = flow(tmp_path, '@pypi(packages={"flowc-no-such-package": "1.2.3", "pyyaml": ""})')
    outcome = run.run_task("start")
    assert outcome.returncode == 2
    assert "flowc-no-such-package==1.2.3 (@pypi) is not installed" in outcome.stderr
    assert "pip install 'flowc-no-such-package==1.2.3'" in outcome.stderr
    assert "pyyaml" not in outcome.stderr.lower()  # it is installed
    assert "Traceback" not in outcome.stderr


def test_another_installed_version_stops_the_task(tmp_path):
    outcome = flow(tmp_path, '@conda(libraries={"pyyaml": "0.0.1"})').run_task("start")
    assert outcome.returncode == 2
    assert f"pyyaml==0.0.1 (@conda), but pyyaml {YAML} is installed" in outcome.stderr


def test_the_step_pin_wins_over_the_flow_base(tmp_path):
    # the base alone would fail (0.0.1); the step's own pin replaces it for that package
    run = flow(tmp_path, f'@pypi(packages={{"pyyaml": ">={YAML}"}})', '@pypi_base(packages={"pyyaml": "0.0.1"})',
               end_decorator="")
    assert run.run_task("start").returncode == 0
    end = run.run_task("end", inputs="start")
    assert end.returncode == 2 and "pyyaml==0.0.1 (@pypi)" in end.stderr  # end only has the base


def test_a_python_version_mismatch_stops_the_task(tmp_path):
    outcome = flow(tmp_path, base=f'@conda_base(python="{OTHER_PYTHON}.2")').run_task("start")
    assert outcome.returncode == 2
    assert f"Python {OTHER_PYTHON} (@conda_base(python='{OTHER_PYTHON}.2')), but this task runs Python" in outcome.stderr


def test_disabled_on_the_step_overrides_the_base(tmp_path):
    run = flow(tmp_path, "@conda(disabled=True)", '@conda_base(libraries={"flowc-no-such-package": "1"})')
    assert run.run_task("start").returncode == 0
    assert run.run_task("end", inputs="start").returncode == 2


def test_warn_mode_runs_the_step_and_says_what_is_missing(tmp_path):
    run = flow(tmp_path, '@pypi(packages={"flowc-no-such-package": "1"})')
    run.env["FLOWC_REQUIREMENTS_CHECK"] = "warn"
    outcome = run.run_task("start")
    assert outcome.returncode == 0
    assert "warning: step 'start': flowc-no-such-package==1 (@pypi) is not installed" in outcome.stderr


def test_a_spec_flowc_does_not_compare_is_a_warning_not_an_error(tmp_path):
    outcome = flow(tmp_path, '@conda(libraries={"pyyaml": "6.0=py311h_0"})').run_task("start")
    assert outcome.returncode == 0
    assert f"pyyaml {YAML} is installed; its version was not compared with '6.0=py311h_0'" in outcome.stderr


@pytest.mark.parametrize("installed, spec, expected", [
    ("1.2.3", "1.2.3", True), ("1.2.3", "==1.2.3", True), ("1.2.4", "1.2.3", False), ("1.0", "1.0.0", True),
    ("1.2.3", ">=1.2,<2", True), ("2.0", ">=1.2,<2", False), ("1.2.7", "1.2.*", True), ("1.3", "==1.2.*", False),
    ("1.3", "!=1.2.*", True), ("1.4.5", "~=1.4.2", True), ("1.5", "~=1.4.2", False), ("1.9", "~=1.4", True),
    ("2.0", "~=1.4", False), ("1.5.0", "~=1.4.0", False), ("2.0rc1", ">=2.0", False), ("2.0", ">2.0rc1", True),
    ("1.0.post1", ">1.0", True), ("1.0.dev1", "<1.0a1", True), ("1.0b2", ">1.0b1", True), ("24.0", "!=24.0", False),
    ("1.0+cpu", "==1.0", True), ("2.1.0", "<=2.1", True), ("1.0", "===1.0", True),
    ("not-a-version", "1", None), ("1.0", ">=one", None), ("1.0", "@ https://example.invalid/x.whl", None),
])
def test_the_pep_440_subset(installed, spec, expected):
    assert satisfies(installed, spec) is expected


def test_extras_channels_and_conda_renames_name_the_installed_distribution():
    wanted = merged({"pypi": {"packages": {"PyYAML[any]": f">={YAML}"}}},
                    {"conda_base": {"libraries": {"conda-forge::pytorch": "2.3.*", "conda-forge::flowc-absent": "1"}}})
    assert [p.pip_line for p in wanted.packages] == ["flowc-absent==1", "torch==2.3.*", f"PyYAML[any]>={YAML}"]
    errors, warnings = problems(wanted)
    assert errors[0].startswith("flowc-absent==1 (conda 'conda-forge::flowc-absent') (@conda) is not installed")
    assert not any("PyYAML" in line for line in errors + warnings)  # found as the distribution PyYAML


def test_names_are_compared_as_pip_compares_them_when_the_step_overrides_the_base():
    wanted = merged({"pypi": {"packages": {"py_yaml": "2"}}}, {"pypi_base": {"packages": {"Py.YAML": "1"}}})
    assert [(p.name, p.spec) for p in wanted.packages] == [("py_yaml", "2")]
