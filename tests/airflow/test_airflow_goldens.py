"""Every example's DAG file, byte for byte, as committed under golden/<example>/airflow/ (bash operators)
and golden/<example>/airflow-kubernetes/ (pods). Update with `pytest --update-goldens`."""

from __future__ import annotations

import pytest
from support.flows import EXAMPLES, REPO

from flowc.compiler.cli import build_parser
from flowc.compiler.commands.compile import build

MODES = {"airflow": [], "airflow-kubernetes": ["--operator", "kubernetes", "--image", "registry.example/flows:1"]}


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("example", [p.stem for p in EXAMPLES])
def test_golden_dag(example, mode, golden, monkeypatch):
    monkeypatch.chdir(REPO)
    out = f"golden/{example}/{mode}"
    args = build_parser().parse_args(["compile", f"examples/{example}.py", "--target", "airflow", "-o", out,
                                      "--datastore", "s3://flowc-examples/flowc", *MODES[mode]])
    status, _, files = build(args)
    assert status == 0
    assert len(files) == 1
    for name, text in files.items():
        golden(f"{example}/{mode}/{name}", text)
