"""The `flowc` command line for the frontend commands: check, ir, graph, --version, --help.

Most tests call the real entry point in-process (`main(argv)`); the exit-code tests also run the
installed `flowc` script as a user would.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from flowkit import REPO

from flowc.compiler.cli import build_parser, main

INVALID = REPO / "tests" / "compiler" / "invalid"
FLOWC = Path(sys.executable).with_name("flowc")

BRANCH_FLOW = '''\
from metaflow import FlowSpec, step


class BranchFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b)

    @step
    def a(self):
        self.next(self.join)

    @step
    def b(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
'''


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A scratch directory as the working directory, holding a clean flow and two broken ones."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "branch.py").write_text(BRANCH_FLOW)
    shutil.copy(INVALID / "unknown_step.py", tmp_path / "typo.py")
    second = BRANCH_FLOW.replace("BranchFlow", "SecondFlow").replace("from metaflow import FlowSpec, step\n", "")
    (tmp_path / "two.py").write_text(BRANCH_FLOW.replace("BranchFlow", "FirstFlow") + second)
    return tmp_path


def run(capsys, *argv):
    try:
        status = main(list(argv))
    except SystemExit as exit:  # argparse: --help, --version, bad options
        status = exit.code
    out, err = capsys.readouterr()
    return status, out, err


# ------------------------------------------------------------------------------------------ check

def test_check_clean(work, capsys):
    status, out, err = run(capsys, "check", "branch.py")
    assert (status, out) == (0, "")
    assert err == "flowc check: 1 file(s), no problems\n"


def test_check_problems_exit_1(work, capsys):
    status, out, err = run(capsys, "check", "branch.py", "typo.py")
    assert status == 1
    assert out.startswith("error[FLC014]: Step *start* specifies a self.next() transition to an unknown step")
    assert " --> typo.py:8:19\n" in out
    assert err == "flowc check: 2 file(s), problems found\n"


@pytest.mark.parametrize("argv,message", [
    (["check", "missing.py"], "flowc: error: no such file: missing.py\n"),
    (["check", "."], "flowc: error: . is a directory; give a flow file\n"),
])
def test_check_unreadable_exit_2(work, capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert err.startswith(message)


def test_missing_file_wins_over_problems(work, capsys):
    status, _, _ = run(capsys, "check", "typo.py", "missing.py")
    assert status == 2


@pytest.mark.parametrize("argv", [["check", "branch.py", "--format", "xml"], ["check"], ["check", "--bogus", "x.py"],
                                  ["nonsense"], []])
def test_usage_errors_exit_2(work, capsys, argv):
    status, _, _ = run(capsys, *argv)
    assert status == 2


def test_check_json(work, capsys):
    status, out, _ = run(capsys, "check", "--format", "json", "branch.py", "typo.py")
    assert status == 1
    (item,) = json.loads(out)
    assert (item["code"], item["path"], item["line"], item["column"]) == ("FLC014", "typo.py", 8, 19)
    status, out, _ = run(capsys, "check", "--format", "json", "branch.py")
    assert (status, json.loads(out)) == (0, [])


def test_check_github(work, capsys):
    status, out, _ = run(capsys, "check", "--format", "github", "typo.py")
    assert status == 1
    assert out.startswith("::error file=typo.py,line=8,col=19,endLine=8,endColumn=28,title=FLC014::Step *start*")
    assert out.count("\n") == 1


def test_flow_option(work, capsys):
    status, out, _ = run(capsys, "check", "two.py")
    assert status == 1 and "error[FLC003]: this file defines several flows (FirstFlow, SecondFlow)" in out
    assert "help: choose one with --flow, e.g. --flow FirstFlow" in out
    status, out, _ = run(capsys, "check", "two.py", "--flow", "SecondFlow")
    assert (status, out) == (0, "")
    status, out, _ = run(capsys, "check", "two.py", "--flow", "ThirdFlow")
    assert status == 1 and "error[FLC004]: no flow named 'ThirdFlow' in this file (it has: FirstFlow, SecondFlow)" in out


# ------------------------------------------------------------------------------------------ ir

def test_ir(work, capsys):
    status, out, _ = run(capsys, "ir", "branch.py")
    assert status == 0
    ir = json.loads(out)
    assert (ir["ir_version"], ir["name"], ir["source_path"]) == (1, "BranchFlow", "branch.py")
    assert [s["name"] for s in ir["steps"]] == ["start", "a", "b", "join", "end"]
    assert ir["steps"][0]["transition"]["kind"] == "branch"
    assert ir["steps"][3]["is_join"] is True


def test_ir_of_a_broken_flow_prints_diagnostics_and_exits_1(work, capsys):
    status, out, err = run(capsys, "ir", "typo.py")
    assert (status, out) == (1, "")
    assert "error[FLC014]" in err


def test_ir_flow_option(work, capsys):
    status, out, _ = run(capsys, "ir", "two.py", "--flow", "SecondFlow")
    assert status == 0 and json.loads(out)["name"] == "SecondFlow"
    status, out, err = run(capsys, "ir", "two.py")
    assert (status, out) == (1, "") and "FLC003" in err


# ------------------------------------------------------------------------------------------ graph

def test_graph_mermaid(work, capsys):
    status, out, _ = run(capsys, "graph", "branch.py")
    assert status == 0
    assert out == (
        'flowchart TD\n'
        '    s_start{{"start"}}\n'
        '    s_a["a"]\n'
        '    s_b["b"]\n'
        '    s_join[/"join"\\]\n'
        '    s_end(["end"])\n'
        '    s_start --> s_a\n'
        '    s_start --> s_b\n'
        '    s_a --> s_join\n'
        '    s_b --> s_join\n'
        '    s_join --> s_end\n'
    )


def test_graph_dot_labels_switch_cases(capsys):
    status, out, _ = run(capsys, "graph", str(REPO / "examples" / "switch.py"), "--format", "dot")
    assert status == 0
    assert out.startswith('digraph "SwitchFlow" {\n')
    assert '    start [label="start (switch on size)", shape=diamond];\n' in out
    assert '    start -> small [label="small"];\n' in out
    assert '    start -> large [label="large"];\n' in out
    assert out.endswith("}\n")


def test_graph_output_file(work, capsys):
    status, out, _ = run(capsys, "graph", "branch.py", "--format", "dot", "-o", "g.dot")
    assert (status, out) == (0, "")
    assert (work / "g.dot").read_text().startswith('digraph "BranchFlow" {')


@pytest.mark.skipif(shutil.which("dot") is not None, reason="Graphviz is installed here")
def test_graph_svg_without_graphviz_is_a_clear_usage_error(work, capsys):
    status, out, err = run(capsys, "graph", "branch.py", "--format", "svg")
    assert (status, out) == (2, "")
    assert "needs Graphviz's `dot` program, which is not on PATH" in err
    assert "--format mermaid" in err


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed here")
def test_graph_svg_with_graphviz(work, capsys):
    status, out, _ = run(capsys, "graph", "branch.py", "--format", "svg")
    assert status == 0 and "<svg" in out


def test_graph_of_a_broken_flow(work, capsys):
    status, out, err = run(capsys, "graph", "typo.py")
    assert (status, out) == (1, "") and "FLC014" in err


# ------------------------------------------------------------------------------------------ the program

def test_version(capsys):
    status, out, _ = run(capsys, "--version")
    assert (status, out) == (0, f"flowc {version('flowc')}\n")


def _commands() -> list[str]:
    parser = build_parser()
    (subparsers,) = [a for a in parser._actions if a.dest == "command"]
    return sorted(subparsers.choices)


def test_frontend_commands_exist():
    assert {"check", "ir", "graph"} <= set(_commands())


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help(capsys, command):
    status, out, _ = run(capsys, command, "--help")
    assert status == 0
    assert out.startswith(f"usage: flowc {command}")


def test_top_level_help(capsys):
    status, out, _ = run(capsys, "--help")
    assert status == 0
    for command in ("check", "ir", "graph"):
        assert command in out


@pytest.mark.parametrize("args,status", [
    (["check", "branch.py"], 0),
    (["check", "typo.py"], 1),
    (["check", "missing.py"], 2),
    (["check", "--format", "yaml", "branch.py"], 2),
])
def test_installed_script_exit_codes(work, args, status):
    result = subprocess.run([str(FLOWC), *args], cwd=work, capture_output=True, text=True, timeout=60)
    assert result.returncode == status, result.stderr
