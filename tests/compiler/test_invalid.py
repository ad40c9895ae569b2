"""Invalid flows: every diagnostic's code, line and column, and the rendered text as a golden.

Each file under `invalid/` starts with `# expect: CODE@LINE:COL, ...` (written by hand, in the order
the compiler must print them: by position) and optionally `# flow: ClassName` (the --flow option) and
`# config-value: NAME TEXT` lines (--config-value; Config default= files are read from `invalid/`).
The rendered text is compared with `golden/diagnostics/<case>.txt`.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from flowkit import compile_text

from flowc.compiler.api import compile_file, compile_source
from flowc.compiler.configs import ConfigOptions
from flowc.compiler.diagnostics import render

INVALID = Path(__file__).parent / "invalid"
CASES = sorted(p.stem for p in INVALID.glob("*.py"))


def _case(name: str):
    text = (INVALID / f"{name}.py").read_text(encoding="utf-8")
    expect = re.match(r"# expect: (.*)\n", text)
    assert expect, f"{name}.py has no `# expect:` line"
    expected = [tuple(re.fullmatch(r"(FLC\d{3})@(\d+):(\d+)", item.strip()).groups())
                for item in expect.group(1).split(",")]
    flow = re.search(r"^# flow: (\w+)$", text, re.M)
    values = tuple(tuple(m) for m in re.findall(r"^# config-value: (\S+) (.*)$", text, re.M))  # --config-value
    configs = ConfigOptions(base_dir=INVALID, values=values)
    compiled = compile_source(text, f"tests/compiler/invalid/{name}.py", flow.group(1) if flow else None, configs)
    return compiled, [(code, int(line), int(col)) for code, line, col in expected]


def test_there_are_enough_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", CASES)
def test_codes_and_positions(name):
    compiled, expected = _case(name)
    assert [(d.code, d.span.line, d.span.col) for d in compiled.diagnostics] == expected
    assert not compiled.ok


@pytest.mark.parametrize("name", CASES)
def test_rendered_text_golden(name, golden):
    compiled, _ = _case(name)
    golden(f"diagnostics/{name}.txt", render(compiled.diagnostics, compiled.source, "text"))


def test_every_problem_of_a_flow_is_reported():
    """One flow with five unrelated problems: all five, in position order, in one run."""
    compiled, _ = _case("many_problems")
    assert [d.code for d in compiled.diagnostics] == ["FLC201", "FLC302", "FLC031", "FLC014", "FLC010"]


def test_help_suggests_the_closest_name():
    compiled, _ = _case("unknown_step")
    assert compiled.diagnostics[0].help == "did you mean self.train?"
    compiled, _ = _case("next_unknown_keyword")
    assert compiled.diagnostics[0].help == "did you mean foreach=?"
    compiled, _ = _case("unknown_flow_option")
    assert compiled.diagnostics[0].help == "did you mean --flow SecondFlow?"


def test_an_unjoined_split_is_reported_at_the_split_with_a_label_where_it_goes_wrong():
    compiled, _ = _case("end_before_join")
    (diagnostic,) = compiled.diagnostics
    assert "split at step *start*" in diagnostic.message  # the split, not its first body step
    assert [(lab.span.line, lab.span.col, lab.message) for lab in diagnostic.labels] == [
        (15, 9, "end reached here, inside the split")]
    compiled, _ = _case("branch_skips_join")
    (diagnostic,) = compiled.diagnostics
    assert "split at step *start*" in diagnostic.message and "its branch *b* never leads" in diagnostic.message
    assert [(lab.span.line, lab.span.col, lab.message) for lab in diagnostic.labels] == [
        (19, 9, "the join, reached only from *a*")]


@pytest.mark.parametrize("name", ["typo_in_split_target", "typo_in_join_target", "missing_next_in_branch",
                                  "branch_skips_join", "join_wrong_paths", "unrelated_splits", "inner_split_unjoined"])
def test_one_mistake_in_a_split_gives_one_error(name):
    """A broken transition, a branch that skips its join or runs into another branch, an inner split left
    open: the root mistake only, not the unjoined split, unreachable join or extra paths into `end` it causes."""
    compiled, _ = _case(name)
    assert len(compiled.diagnostics) == 1, [d.code for d in compiled.diagnostics]


def test_json_format():
    compiled, _ = _case("unknown_step")
    assert json.loads(render(compiled.diagnostics, compiled.source, "json")) == [{
        "code": "FLC014",
        "severity": "error",
        "message": "Step *start* specifies a self.next() transition to an unknown step, *tain*.",
        "path": "tests/compiler/invalid/unknown_step.py",
        "line": 8, "column": 19, "end_line": 8, "end_column": 28,
        "help": "did you mean self.train?",
        "labels": [],
    }]


def test_github_format():
    compiled, _ = _case("duplicate_step")
    assert render(compiled.diagnostics, compiled.source, "github") == (
        "::error file=tests/compiler/invalid/duplicate_step.py,line=15,col=9,endLine=15,endColumn=14,"
        "title=FLC033::step *train* is defined twice (help: rename one of them; the later definition "
        "would replace the earlier)\n")


def test_github_format_escapes_newlines_and_percent():
    # FLC032's help spans several lines; a workflow command must stay on one line.
    compiled, _ = _case("missing_start_and_end")
    out = render(compiled.diagnostics, compiled.source, "github")
    assert out.count("\n") == len(compiled.diagnostics) and "%0A" in out


def test_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.py"
    path.write_bytes(b"from metaflow import FlowSpec, step\n# caf\xe9\n")
    compiled = compile_file(path)
    assert [(d.code, d.span.line, d.span.col) for d in compiled.diagnostics] == [("FLC001", 2, 1)]
    assert compiled.flow is None


@pytest.mark.parametrize("text", [
    "x = " + "[" * 5000 + "]" * 5000 + "\n",  # deeper than CPython's parser allows
    "x = " + "-" * 9000 + "1\n",
    "x = " + "+".join(["1"] * 9000) + "\n",
    "from metaflow import FlowSpec\nclass F(FlowSpec):\n    x = 1\0\n",
], ids=["brackets", "unary", "long-sum", "nul-byte"])
def test_pathological_sources_are_a_diagnostic_not_a_crash(text):
    compiled = compile_text(text)
    # FLC001 where this Python's parser refuses the text; 3.10 and 3.13 read the long sum (no flow: FLC002)
    reads_long_sums = sys.version_info[:2] not in ((3, 11), (3, 12))
    expected = ["FLC002"] if text.startswith("x = 1+") and reads_long_sums else ["FLC001"]
    assert [d.code for d in compiled.diagnostics] == expected
    assert compiled.flow is None


def test_a_deep_expression_the_flow_does_not_use_is_read_past():
    # Python accepts 600 nested minus signs (a parser that recursed over every node used to give up on
    # them): the flow is read and its real problem reported: it has no steps.
    compiled = compile_text("from metaflow import FlowSpec\n\nclass F(FlowSpec):\n    x = " + "-" * 600 + "1\n")
    assert [d.code for d in compiled.diagnostics] == ["FLC032", "FLC032"]
    assert "start" in compiled.diagnostics[0].message and "end" in compiled.diagnostics[1].message
