"""@pypi, @conda, @pypi_base, @conda_base: accepted, merged as Metaflow merges them, and printed by
`flowc requirements` as a pip requirements file (expected texts written by hand)."""

from __future__ import annotations

import subprocess
import sys

from flowkit import compile_clean, compile_text

from flowc.compiler.cli import main
from flowc.compiler.requirements import step_requirements

FLOW = '''\
from metaflow import FlowSpec, conda, conda_base, pypi, pypi_base, step


@pypi_base(packages={"pandas": "2.2.2", "requests": ">=2.31"}, python="3.11")
@conda_base(libraries={"numpy": "1.26.4"})
class EnvFlow(FlowSpec):
    @pypi(packages={"pandas": "2.1.0", "scikit-learn": ""})
    @step
    def start(self):
        self.next(self.train)

    @conda(packages={"conda-forge::pytorch": "2.3.*"}, python="3.12")
    @step
    def train(self):
        self.next(self.end)

    @pypi(disabled=True)
    @step
    def end(self):
        pass
'''


def pins(flow, step):
    wanted = step_requirements(flow, step)
    return [(p.name, p.spec, p.kind) for p in wanted.packages], wanted.python, wanted.python_from


def test_accepted_with_their_arguments_in_the_ir():
    flow = compile_clean(FLOW).flow
    assert flow.decorator("pypi_base").args["packages"].value == {"pandas": "2.2.2", "requests": ">=2.31"}
    assert flow.step("train").decorator("conda").args["python"].value == "3.12"


def test_the_step_wins_per_package_and_pypi_wins_over_conda_as_in_metaflow():
    flow = compile_clean(FLOW).flow
    # start: @pypi merged with @pypi_base (its pandas replaces the base's); @conda_base adds numpy
    assert pins(flow, "start") == ([("numpy", "1.26.4", "conda"), ("pandas", "2.1.0", "pypi"),
                                    ("requests", ">=2.31", "pypi"), ("scikit-learn", "", "pypi")], "3.11", "@pypi_base")
    # train: @conda with the @conda_base; python from @pypi_base still wins over @conda's (Metaflow resolves the
    # environment's Python from @pypi first)
    assert pins(flow, "train") == ([("conda-forge::pytorch", "2.3.*", "conda"), ("numpy", "1.26.4", "conda"),
                                    ("pandas", "2.2.2", "pypi"), ("requests", ">=2.31", "pypi")], "3.11", "@pypi_base")
    # end: @pypi(disabled=True) turns the step's environment off altogether
    assert pins(flow, "end") == ([], None, None)


def test_a_python_expression_is_kept_for_the_running_flow():
    compiled = compile_text('''\
        import platform
        from metaflow import FlowSpec, conda_base, step

        @conda_base(python=platform.python_version())
        class ExprFlow(FlowSpec):
            @step
            def start(self):
                self.next(self.end)

            @step
            def end(self):
                pass
        ''')
    assert compiled.diagnostics == []
    assert compiled.flow.decorator("conda_base").args["python"].kind == "runtime"
    assert compiled.flow.decorator("conda_base").args["python"].source == "platform.python_version()"


def test_flowc_requirements_prints_a_pip_requirements_file(tmp_path, capsys):
    (tmp_path / "flow.py").write_text(FLOW)
    assert main(["requirements", str(tmp_path / "flow.py")]) == 0
    out, err = capsys.readouterr()
    assert out == '''\
# What EnvFlow's @pypi/@conda decorators pin.
# flowc builds no environment: install these in the task image or venv (pip install -r THIS_FILE);
# every task checks them before its step runs and exits 2 when one is missing or another version.
# python 3.11, from @pypi_base: steps start, train
# Lines marked 'conda' come from @conda/@conda_base: a conda package's pip name may differ.
numpy==1.26.4  # conda
pandas==2.1.0
pandas==2.2.2
requests>=2.31
scikit-learn
torch==2.3.*  # conda
'''
    assert err == ("flowc requirements: warning: pandas is pinned differently: pandas==2.1.0 in start; "
                   "pandas==2.2.2 in train (one image cannot hold both: use --step to write one file per image)\n")
    assert main(["requirements", str(tmp_path / "flow.py"), "--step", "start", "-o", str(tmp_path / "req.txt")]) == 0
    assert (tmp_path / "req.txt").read_text().splitlines()[-4:] == [
        "numpy==1.26.4  # conda", "pandas==2.1.0", "requests>=2.31", "scikit-learn"]
    assert "(steps start)" in (tmp_path / "req.txt").read_text().splitlines()[0]


def test_the_requirements_file_is_what_pip_reads(tmp_path):
    """pip's own requirements-file parser reads what `flowc requirements` writes (nothing is installed)."""
    (tmp_path / "flow.py").write_text(FLOW)
    assert main(["requirements", str(tmp_path / "flow.py"), "--step", "start", "-o", str(tmp_path / "r.txt")]) == 0
    probe = ("import sys; from pip._internal.req.req_file import parse_requirements; "
             "from pip._internal.network.session import PipSession; "
             "print([r.requirement for r in parse_requirements(sys.argv[1], session=PipSession())])")
    result = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "r.txt")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['numpy==1.26.4', 'pandas==2.1.0', 'requests>=2.31', 'scikit-learn']"


def test_flowc_compile_accepts_them_for_a_target(tmp_path):
    (tmp_path / "flow.py").write_text(FLOW)
    assert main(["compile", str(tmp_path / "flow.py"), "--target", "airflow", "--datastore", "s3://bucket/x",
                 "--output-dir", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "EnvFlow.py").exists()


def test_a_python_expression_over_several_lines_stays_one_comment_line():
    compiled = compile_text('''\
        from metaflow import FlowSpec, conda_base, step

        def version(text):
            return text

        @conda_base(python=version(
            "3.11"))
        class ExprFlow(FlowSpec):
            @step
            def start(self):
                self.next(self.end)

            @step
            def end(self):
                pass
        ''')
    from flowc.compiler.requirements import requirements_text

    text, _ = requirements_text(compiled.flow, ["start", "end"])
    assert [line for line in text.splitlines() if line and not line.startswith("#")] == []
    assert '# python version( "3.11") (computed when the flow runs)' in text
