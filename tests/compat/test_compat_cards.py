"""@card under real Metaflow and under `flowc run`: the same steps get cards of the same types and ids, read
with Metaflow's own card API (`metaflow.cards.get_cards`) on both sides (read_cards.py)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from test_compat import Directives, read_run, run_flowc, run_metaflow

pytestmark = pytest.mark.slow

FLOW = Path(__file__).parent / "flows" / "cards.py"
CARD_SCRIPT = Path(__file__).with_name("read_cards.py")


def test_the_same_steps_get_the_same_cards(metaflow_python, tmp_path):
    how = Directives.read(FLOW)
    seen = {}
    for side in ("metaflow", "flowc"):
        work = tmp_path / side
        shutil.copytree(FLOW.parent, work, ignore=shutil.ignore_patterns("__pycache__"))
        if side == "metaflow":
            run_id = run_metaflow(metaflow_python, work / FLOW.name, how, work)
            seen[side] = read_run(metaflow_python, f"CardsCompatFlow/{run_id}", work, shim=False, script=CARD_SCRIPT)
        else:
            run_id = run_flowc(work / FLOW.name, how, work)
            seen[side] = read_run(Path(sys.executable), f"CardsCompatFlow/{run_id}", work, shim=True, script=CARD_SCRIPT)
    assert seen["flowc"] == seen["metaflow"]
    assert seen["flowc"] == {"start": [[["default", ""]]], "train": [[["blank", "summary"], ["default", "details"]]]}
