"""The task command line: the fast parser agrees with argparse on every well-formed line."""

from __future__ import annotations

import pytest

from flowc.runtime.cli import build_parser, fast_parse

BASE = ["task", "flow.py", "train", "--run-id", "r1", "--index", "", "--attempt", "2", "--datastore", "s3://b/p",
        "--source-sha256", "ab" * 32, "--inputs", "a|b"]


@pytest.mark.parametrize("extra", [
    [], ["--params-json", '{"a": 1}'], ["--control-out", "/tmp/c", "--flow", "F"], ["--param", "a=1", "--param", "b="],
    ["--index=3/0"], ["--params-json", "-1"],
])
def test_fast_parser_matches_argparse(extra):
    argv = BASE + extra if "--index=3/0" not in extra else BASE[:5] + BASE[7:] + extra
    fast = fast_parse(argv)
    slow = vars(build_parser().parse_args(argv))
    assert fast is not None
    for field in ("flow_file", "step", "run_id", "index", "attempt", "datastore", "source_sha256", "inputs",
                  "params_json", "control_out", "flow", "param"):
        assert fast.get(field) == slow[field], field


@pytest.mark.parametrize("argv", [
    ["--help"], ["task", "--help"], BASE[:-2], BASE + ["--bogus", "1"], BASE + ["--run-id", "again"],
    BASE[:7] + ["--attempt", "x"] + BASE[9:], BASE + ["extra-positional"], BASE + ["--flow"],
])
def test_anything_else_goes_to_argparse(argv):
    assert fast_parse(argv) is None
