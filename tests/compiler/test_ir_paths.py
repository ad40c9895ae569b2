"""`flowc ir` names the flow file relative to the project root (the folder of the nearest pyproject.toml),
as `flowc compile` does: the same bytes from any working directory."""

from __future__ import annotations

from flowkit import REPO

from flowc.compiler.cli import main


def ir_from(directory, flow, capsys, monkeypatch) -> str:
    monkeypatch.chdir(directory)
    capsys.readouterr()
    assert main(["ir", str(flow)]) == 0
    return capsys.readouterr().out


def test_ir_bytes_do_not_depend_on_the_working_directory(capsys, monkeypatch, tmp_path):
    flow = REPO / "examples" / "hello.py"
    from_root = ir_from(REPO, "examples/hello.py", capsys, monkeypatch)
    assert '"source_path": "examples/hello.py"' in from_root
    assert ir_from(REPO / "examples", "hello.py", capsys, monkeypatch) == from_root
    assert ir_from(tmp_path, flow, capsys, monkeypatch) == from_root
