"""@card under real Metaflow and under `flowc run`: the same steps get cards of the same types and ids, read
with Metaflow's own card API (`metaflow.cards.get_cards`) on both sides (read_cards.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_compat import Directives, isolated_env, metaflow_python, run_flowc, run_metaflow  # noqa: F401

pytestmark = pytest.mark.slow

FLOW = Path(__file__).parent / "flows" / "cards.py"
CARD_SCRIPT = Path(__file__).with_name("read_cards.py")


def read_cards(python: Path, pathspec: str, work: Path, shim: bool) -> dict:
    prelude = "import flowc.runtime; flowc.runtime.install_metaflow_shim(); " if shim else ""
    code = f"{prelude}import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
    done = subprocess.run([str(python), "-c", code, str(CARD_SCRIPT), pathspec], cwd=work,
                          env=isolated_env(work, {}), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"reading the cards of {pathspec} failed:\n{done.stderr[-3000:]}"
    return json.loads(done.stdout)


def test_the_same_steps_get_the_same_cards(metaflow_python, tmp_path):  # noqa: F811
    how = Directives.read(FLOW)
    seen = {}
    for side in ("metaflow", "flowc"):
        work = tmp_path / side
        shutil.copytree(FLOW.parent, work, ignore=shutil.ignore_patterns("__pycache__"))
        if side == "metaflow":
            run_id = run_metaflow(metaflow_python, work / FLOW.name, how, work)
            seen[side] = read_cards(metaflow_python, f"CardsCompatFlow/{run_id}", work, shim=False)
        else:
            run_id = run_flowc(work / FLOW.name, how, work)
            seen[side] = read_cards(Path(sys.executable), f"CardsCompatFlow/{run_id}", work, shim=True)
    assert seen["flowc"] == seen["metaflow"]
    assert seen["flowc"] == {"start": [[["default", ""]]], "train": [[["blank", "summary"], ["default", "details"]]]}
