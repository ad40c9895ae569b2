"""Hardening at the command line: what a user can put in a file name or an option never leaves the header
comment of any target's file; names that become files or scheduler keys are checked; a FIFO, a device, a
huge file or a full disk end in a usage error, never a hang or a traceback."""

from __future__ import annotations

import ast
import errno
import os
import shutil
import subprocess
import sys
from contextlib import redirect_stderr
from dataclasses import replace
from io import StringIO
from pathlib import Path

import pytest
import yaml
from emitting import TARGETS, emit, options_for, parsed, shape

from flowc.compiler.cli import main as flowc_main
from flowc.compiler.emit import header

REPO = Path(__file__).resolve().parents[2]
FLOW = REPO / "examples" / "foreach.py"
# Every code point str.splitlines() breaks on: a superset of the line breaks of Python (\n, \r), YAML 1.1
# and Go's YAML (\x85, U+2028, U+2029) and JSON readers.
LINE_BREAKS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
INVISIBLE = ["\u202e", "\u200b", "\u2066", "\x00", "\x1b"]  # bidi override, zero-width space, isolate, NUL, ESC
TARGET_OPTIONS = {"stepfunctions": ["--job-queue", "q"]}


def compile_cli(cwd: Path, *args: str, target: str = "argo") -> tuple[int, str]:
    """`flowc compile` in this process: (exit status, stderr)."""
    argv = ["compile", *args, "--target", target, "-o", "out", "--datastore", "s3://bucket/flowc",
            "--image", "registry.example/flows:1", *TARGET_OPTIONS.get(target, [])]
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        err = StringIO()
        with redirect_stderr(err):
            try:
                status = flowc_main(argv)
            except SystemExit as exit:
                status = exit.code
        return status, err.getvalue()
    finally:
        os.chdir(previous)


@pytest.mark.parametrize("char", LINE_BREAKS + INVISIBLE, ids=lambda c: f"U+{ord(c[-1]):04X}")
def test_header_is_three_comment_lines_whatever_the_names(char):
    """emit.header, the one place every target's banner comes from, escapes what would end a comment."""
    options = options_for("argo", source_path=f"flows/a{char}b.py")
    options = replace(options, regenerate=f"flowc compile 'flows/a{char}b.py' --datastore 's3://x{char}y'")
    text = header("#", options, "0" * 64)
    assert len(text.splitlines()) == 3 and all(line.startswith("# ") for line in text.splitlines())
    assert len(ast.parse(text + "x = 1\n").body) == 1
    assert list(yaml.safe_load_all(text + "a: 1\n")) == [{"a": 1}]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("char", LINE_BREAKS, ids=lambda c: f"U+{ord(c[-1]):04X}")
def test_every_target_keeps_a_hostile_source_path_in_its_header(target, char):
    """Even when a caller bypasses the CLI's refusal, each target's files parse to the same statements and
    documents as with a plain name."""
    plain, _ = emit(FLOW.read_text(), target)
    options = options_for(target, source_path=f"flows/x{char}import os{char}- kind: Secret.py")
    options = replace(options, regenerate=f"flowc compile 'x{char}import os' --name 'n{char}apiVersion: v1'")
    hostile, problems = emit(FLOW.read_text(), target, options)
    assert not problems and hostile.keys() == plain.keys()
    for name, text in hostile.items():
        assert shape(name, text) == shape(name, plain[name]), name
        parsed(name, text)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("char", LINE_BREAKS + INVISIBLE[:3], ids=lambda c: f"U+{ord(c[-1]):04X}")
def test_file_names_and_option_values_with_line_breaks_are_usage_errors(tmp_path, target, char):
    name = f"a{char}b.py".replace("\x00", "")
    (tmp_path / name).write_text(FLOW.read_text())
    status, err = compile_cli(tmp_path, name, target=target)
    assert status == 2 and "rename it" in err, err
    shutil.copy(FLOW, tmp_path / "flow.py")
    status, err = compile_cli(tmp_path, "flow.py", "--python", f"python3{char}import os", target=target)
    assert status == 2 and "--python" in err, err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("dag_id", ["../escaped", "a/b", "/abs", ".hidden", "x" * 300])
def test_dag_ids_that_are_not_one_file_or_key_are_usage_errors(tmp_path, dag_id):
    shutil.copy(FLOW, tmp_path / "flow.py")
    status, err = compile_cli(tmp_path, "flow.py", "--dag-id", dag_id, target="airflow")
    assert status == 2, err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["flow.py"]  # nothing written anywhere


@pytest.mark.parametrize("target", TARGETS)
def test_an_over_long_class_name_is_a_diagnostic_or_usage_error(tmp_path, target):
    (tmp_path / "flow.py").write_text(FLOW.read_text().replace("ForeachFlow", "F" * 400))
    status, err = compile_cli(tmp_path, "flow.py", target=target)
    assert status in (1, 2) and "Traceback" not in err, err
    assert not (tmp_path / "out").exists()


def test_airflow_tags_over_100_characters_are_compile_errors(tmp_path):
    text = FLOW.read_text().replace("class ForeachFlow", f'@project(name="{"p" * 100}")\nclass ForeachFlow')
    (tmp_path / "flow.py").write_text(text.replace("from metaflow import ", "from metaflow import project, "))
    status, err = compile_cli(tmp_path, "flow.py", target="airflow")
    assert status == 1 and "FLC401" in err and "100 characters" in err, err


def test_a_full_disk_is_a_usage_error_and_leaves_nothing_half_written(tmp_path, monkeypatch):
    shutil.copy(FLOW, tmp_path / "flow.py")

    def full(self, *args, **kwargs):
        Path.open(self, "w").write("partial")  # something reached the disk before it filled up
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))

    monkeypatch.setattr(Path, "write_text", full)
    status, err = compile_cli(tmp_path, "flow.py", target="argo")
    assert status == 2 and "No space left on device" in err and "Traceback" not in err, err
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("kind", ["fifo", "device", "huge"])
@pytest.mark.parametrize("command", ["check", "ir", "compile", "run"])
def test_flow_paths_that_are_not_regular_files_are_usage_errors(tmp_path, kind, command):
    path = {"fifo": tmp_path / "flow.py", "device": Path("/dev/zero"), "huge": tmp_path / "huge.py"}[kind]
    if kind == "fifo":
        os.mkfifo(path)
    if kind == "huge":
        path.write_bytes(b"#" * 10_000_001)
    extra = {"compile": ["--target", "argo", "-o", "out", "--datastore", "s3://b/f", "--image", "i"]}
    done = subprocess.run([sys.executable, "-m", "flowc.compiler.cli", command, str(path), *extra.get(command, [])],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "regular file" in done.stderr or "bytes" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("target", ["airflow", "argo", "kubeflow"])
@pytest.mark.parametrize("setting", ['labels={"bad key": "v"}', 'labels={"k": "a\\nb"}', 'node_selector={"k/": "v"}',
                                     'annotations={"$(x)": "v"}', 'secrets=["Not_A_Secret"]'])
def test_what_the_api_server_refuses_in_a_pod_is_a_compile_error_on_every_pod_target(target, setting):
    text = (FLOW.read_text().replace("from metaflow import ", "from metaflow import kubernetes, ")
            .replace("    @step\n    def start", f"    @kubernetes({setting})\n    @step\n    def start"))
    files, problems = emit(text, target, options_for(target, operator="kubernetes"))
    assert problems and not files, (target, setting)
    messages = [p.message for p in problems.items if not p.warning]
    assert any(setting.split("=")[0] in m or "Secret" in m for m in messages), messages
