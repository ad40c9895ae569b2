"""The construct x target matrix (tests/support/matrix.py): every construct in every golden mode answers
what its row says. Cells that compile are also validated by the target's own software where that is cheap
in-process (Argo: hera's models); tests/airflow/test_airflow_matrix.py loads the Airflow cells in Airflow."""

from __future__ import annotations

import pytest
import yaml
from modes import modes
from support.matrix import CONSTRUCTS, EXPECTED, expected, flow_file

from flowc.compiler.cli import build_parser
from flowc.compiler.commands.compile import build

CELLS = [(mode, construct) for mode in modes() for construct in CONSTRUCTS]


def compile_cell(mode, construct, folder, capsys) -> tuple[str, dict[str, str]]:
    """The cell's outcome ("ok", "FLC402", "FLC401") and the files it generated."""
    flow = flow_file(construct, folder)
    args = build_parser().parse_args(["compile", str(flow), "--target", mode.target, "-o", str(folder / "out"),
                                      *mode.flags])
    capsys.readouterr()
    status, _, files = build(args)
    printed = capsys.readouterr().err
    if status:
        assert "error[FLC401]" in printed, printed
        return "FLC401", files
    return ("FLC402" if "warning[FLC402]" in printed else "ok"), files


def test_every_mode_has_a_row():
    assert sorted(EXPECTED) == sorted(m.name for m in modes()), "add the new mode's row to tests/support/matrix.py"


@pytest.mark.parametrize("mode,construct", CELLS, ids=[f"{m.name}-{c.replace(' ', '_')}" for m, c in CELLS])
def test_cell(mode, construct, tmp_path, capsys):
    outcome, files = compile_cell(mode, construct, tmp_path, capsys)
    assert outcome == expected(mode.name, construct)
    if mode.target == "argo" and files:
        from hera.workflows.models import CronWorkflow, WorkflowTemplate

        models = {"WorkflowTemplate": WorkflowTemplate, "CronWorkflow": CronWorkflow}
        for document in yaml.safe_load_all(next(iter(files.values()))):
            models[document["kind"]].model_validate(document, extra="forbid", by_alias=True, by_name=False)
