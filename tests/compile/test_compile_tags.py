"""`flowc compile --tag` and `tags = [...]` in [tool.flowc]: the user tags of every run of a deployed flow.

A tag is checked by the runtime's own rule when compiling (exit 2), reaches the start task as `--tag`
arguments, is reproduced by the header's regenerate command and is part of the compile cache's key. The
targets' tests run the tagged files and read the tags back (test_*_runs.py)."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import pytest
from support.cli import flowc_process
from support.flows import REPO, flowc

FLOW = REPO / "examples" / "hello.py"
HOSTILE_TAG = "it's \"{{ ds }}\" {% raw %} $(touch x) `id` {{workflow}} ✓"
OPTIONS = {"airflow": (), "argo": ("--image", "i:1"), "kubeflow": ("--image", "i:1"),
           "stepfunctions": ("--image", "i:1", "--job-queue", "q")}


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    shutil.copy(FLOW, tmp_path / "hello.py")
    (tmp_path / "pyproject.toml").write_text('[tool.flowc]\ndatastore = "s3://bucket/flowc"\n')
    monkeypatch.setenv("FLOWC_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def compile_text(project: Path, target: str, *args: str) -> str:
    done = flowc("compile", "hello.py", "-t", target, "-o", "out", *OPTIONS[target], *args, cwd=project)
    assert done.returncode == 0, done.stderr
    (path,) = [p for p in (project / "out").iterdir() if not p.name.endswith(".batch.json")]
    return path.read_text()


def regenerate_command(text: str) -> list[str]:
    """The header's command (a `# ` comment, or the first lines of a JSON file's Comment)."""
    lines = (json.loads(text)["Comment"] if text.startswith("{") else text).splitlines()
    at = next(i for i, line in enumerate(lines) if "regenerate" in line)
    return shlex.split(lines[at + 1].lstrip("# "))


@pytest.mark.parametrize("target", sorted(OPTIONS))
def test_the_header_reproduces_the_tags_and_the_tags_change_the_file(project, target):
    untagged = compile_text(project, target)
    tagged = compile_text(project, target, "--tag", "team:ml", f"--tag={HOSTILE_TAG}", "--tag=-leading-dash")
    assert tagged != untagged  # the cache's key holds the tags: no untagged file is served
    command = regenerate_command(tagged)
    assert command.count("--tag") == 2 and "--tag=-leading-dash" in command and HOSTILE_TAG in command
    shutil.rmtree(project / "out")
    done = flowc(*command[1:], "--no-cache", cwd=project)
    assert done.returncode == 0, done.stderr
    assert compile_text(project, target, "--tag=-leading-dash", "--tag", HOSTILE_TAG, "--tag", "team:ml") == tagged


def test_config_tags_per_target_and_per_flow_give_the_bytes_of_the_flags(project):
    flags = compile_text(project, "argo", "--tag", "b", "--tag", "a")
    (project / "pyproject.toml").write_text(
        '[tool.flowc]\ndatastore = "s3://bucket/flowc"\ntags = ["everywhere"]\n'
        '[tool.flowc.argo]\ntags = ["argo"]\n'
        '[[tool.flowc.overrides]]\nflows = ["hello.py"]\n[tool.flowc.overrides.argo]\ntags = ["a", "b", "a"]\n')
    assert compile_text(project, "argo") == flags  # the override wins; sorted, each once
    assert "- everywhere" in compile_text(project, "kubeflow")  # [tool.flowc] for the other targets
    assert "- cli" in compile_text(project, "argo", "--tag", "cli")  # the command line wins


@pytest.mark.parametrize("args, config, message", [
    (["--tag", ""], None, "--tag: a tag must not be empty"),
    (["--tag", "x" * 501], None, "is too long (501 > 500 characters)"),
    ([a for i in range(51) for a in ("--tag", f"t{i}")], None, "at most 50 user tags (51 given)"),
    (["--tag", "a\nb"], None, "--tag 'a\\nb' contains U+000A"),
    ([], 'tags = "team:ml"', "[tool.flowc] tags must be a list of strings"),
    ([], "tags = [1]", "[tool.flowc] tags must be a list of strings"),
    ([], 'tags = [""]', "--tag: a tag must not be empty"),
])
def test_a_bad_tag_is_a_usage_error(project, args, config, message):
    if config:
        (project / "pyproject.toml").write_text(f'[tool.flowc]\ndatastore = "s3://bucket/flowc"\n{config}\n')
    done = flowc("compile", "hello.py", "-t", "airflow", "-o", "out", *args, cwd=project)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not (project / "out").exists()


@pytest.mark.parametrize("target, tag, message", [
    ("argo", "run {{workflow.name}}", "contains an Argo template tag ({{workflow."),
    ("kubeflow", "run {{$.pipeline_job_uuid}}", "contains `{{$`, which Kubeflow would replace"),
])
def test_a_tag_the_target_would_substitute_is_a_compile_error(project, target, tag, message):
    done = flowc("compile", "hello.py", "-t", target, "-o", "out", *OPTIONS[target], "--tag", tag, cwd=project)
    assert done.returncode == 1
    assert "error[FLC401]" in done.stderr and message in done.stderr


def test_help_documents_the_option():
    done = flowc_process(["compile", "--help"], cwd=REPO)
    assert done.returncode == 0
    assert "--tag TAG" in done.stdout and "user tag" in done.stdout
