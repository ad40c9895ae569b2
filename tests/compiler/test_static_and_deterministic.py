"""Static means static (compiling runs none of the flow's code) and the output is the same bytes
whatever the hash seed or the directory flowc is run from."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from flowkit import REPO
from support.cli import flowc_in_process

from flowc.compiler.api import compile_file
from flowc.compiler.cli import main

FLOWC = Path(sys.executable).with_name("flowc")

SIDE_EFFECTS = '''\
import pathlib
pathlib.Path("{marker}").write_text("module body ran")
import definitely_not_installed_anywhere
from metaflow import FlowSpec, Parameter, step

raise SystemExit("importing this flow is forbidden")


def compute():
    pathlib.Path("{marker}").write_text("a default was evaluated")
    return 1


class SideEffectFlow(FlowSpec):
    pathlib.Path("{marker}").write_text("class body ran")
    alpha = Parameter("alpha", default=compute())
    beta = Parameter("beta", default=__import__("os").system("touch {marker}"))

    @step
    def start(self):
        pathlib.Path("{marker}").write_text("a step ran")
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    SideEffectFlow()
'''


def test_compiling_runs_nothing_of_the_flow(tmp_path):
    marker = tmp_path / "ran.txt"
    flow = tmp_path / "side_effects.py"
    flow.write_text(SIDE_EFFECTS.format(marker=marker.as_posix()))
    compiled = compile_file(flow)
    assert compiled.diagnostics == []
    assert not marker.exists()
    alpha, beta = compiled.flow.parameters
    # Defaults that only running code could produce are kept as source text, evaluated at run time.
    assert (alpha.default.kind, alpha.default.source) == ("runtime", "compute()")
    assert beta.default.kind == "runtime" and beta.default.source.startswith('__import__("os")')


def test_the_cli_runs_nothing_of_the_flow(tmp_path, monkeypatch, capsys):
    marker = tmp_path / "ran.txt"
    (tmp_path / "side_effects.py").write_text(SIDE_EFFECTS.format(marker=marker.as_posix()))
    monkeypatch.chdir(tmp_path)
    for command in ("check", "ir", "graph"):
        assert main([command, "side_effects.py"]) == 0, capsys.readouterr().err
    assert not marker.exists()
    assert "definitely_not_installed_anywhere" not in sys.modules


def _flowc(args, cwd, seed):
    """The installed `flowc` script in a fresh interpreter with this hash seed: (exit status, stdout bytes)."""
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    result = subprocess.run([str(FLOWC), *args], cwd=cwd, env=env, capture_output=True, timeout=60)
    return result.returncode, result.stdout


def _flowc_here(args, cwd):
    """The same in this process (for tests that do not vary the hash seed)."""
    result = flowc_in_process(args, cwd)
    return result.returncode, result.stdout.encode()


def test_ir_is_byte_identical_across_hash_seeds_and_directories(tmp_path):
    elsewhere = tmp_path / "checkout"
    (elsewhere / "examples").mkdir(parents=True)
    shutil.copy(REPO / "examples" / "foreach_in_switch.py", elsewhere / "examples")
    (elsewhere / "pyproject.toml").write_text("")  # a checkout elsewhere: paths are relative to its root
    status_a, first = _flowc(["ir", "examples/foreach_in_switch.py"], REPO, 0)
    status_b, second = _flowc(["ir", "examples/foreach_in_switch.py"], elsewhere, 4242)
    assert (status_a, status_b) == (0, 0)
    assert first == second
    text = first.decode()
    assert '"source_path": "examples/foreach_in_switch.py"' in text
    assert str(REPO) not in text and str(tmp_path) not in text


def test_ir_names_a_file_outside_the_working_directory_relative_to_its_project_root(tmp_path):
    """As `flowc compile` does: relative to the folder of the nearest pyproject.toml, else to the flow's own."""
    (tmp_path / "flows").mkdir()
    (tmp_path / "cwd").mkdir()
    shutil.copy(REPO / "examples" / "hello.py", tmp_path / "flows")
    status, out = _flowc_here(["ir", str(tmp_path / "flows" / "hello.py")], tmp_path / "cwd")
    assert status == 0
    assert '"source_path": "hello.py"' in out.decode()  # no pyproject.toml: the flow's folder is the root
    (tmp_path / "pyproject.toml").write_text("")
    status, out = _flowc_here(["ir", str(tmp_path / "flows" / "hello.py")], tmp_path / "cwd")
    assert '"source_path": "flows/hello.py"' in out.decode()
    assert str(tmp_path) not in out.decode()


def test_diagnostics_are_byte_identical_across_hash_seeds_and_directories(tmp_path):
    case = REPO / "tests" / "compiler" / "invalid" / "many_problems.py"
    shutil.copy(case, tmp_path / "many_problems.py")
    runs = [_flowc(["check", "--format", "json", "many_problems.py"], tmp_path, seed) for seed in (0, 77)]
    runs.append(_flowc(["check", "--format", "json", "tests/compiler/invalid/many_problems.py"], REPO, 5))
    assert [status for status, _ in runs] == [1, 1, 1]
    assert runs[0][1] == runs[1][1]
    # Only the path differs when run from elsewhere.
    assert runs[2][1] == runs[0][1].replace(b'"many_problems.py"', b'"tests/compiler/invalid/many_problems.py"')
