"""Every example in every golden mode (golden/modes.toml), byte for byte, and — black's `assert_stable` —
the same bytes again from a fresh interpreter under another hash seed and working directory.
Update with `pytest --update-goldens` (refused when CI is set)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from modes import case_id, cases
from support.flows import REPO

from flowc.compiler.cli import build_parser
from flowc.compiler.commands.compile import build


@pytest.mark.parametrize("case", cases(), ids=case_id)
def test_golden(case, golden, monkeypatch):
    example, mode = case
    monkeypatch.chdir(REPO)
    status, _, files = build(build_parser().parse_args(mode.argv(example, mode.folder(example))))
    assert status == 0
    assert files, "no file was generated"
    for name, text in files.items():
        golden(f"{example.stem}/{mode.name}/{name}", text)


STABILITY_CHECK = """
import json, os, sys
from flowc.compiler.cli import main
failed = [args for args in json.loads(sys.argv[1]) if main(args) != 0]
print(json.dumps(failed))
"""


@pytest.mark.parametrize("seed", ["1", "4242"])
def test_goldens_are_stable_across_hash_seeds_and_directories(seed, tmp_path):
    """`flowc compile --check` of every golden from examples/ (another working directory) in a fresh
    interpreter with another PYTHONHASHSEED: nothing would change."""
    argv = []
    for example, mode in cases():
        args = mode.argv(example, f"../{mode.folder(example)}")
        args[1] = example.name  # relative to examples/, where the check runs
        argv.append([*args, "--check", "--no-cache"])  # recompile for real: a cache hit would prove nothing
    done = subprocess.run([sys.executable, "-c", STABILITY_CHECK, json.dumps(argv)], cwd=REPO / "examples",
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "PYTHONHASHSEED": seed,
                                                             "FLOWC_CACHE_DIR": str(tmp_path / "cache")})
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.splitlines()[-1]) == [], done.stderr[-3000:]
