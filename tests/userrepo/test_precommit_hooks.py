""".pre-commit-hooks.yaml as a user gets it: the real `pre-commit try-repo` installs flowc from this checkout's
HEAD into its own environment (pip, once per commit: the environments are cached under the tests' cache folder)
and runs the hooks in a sample git repository of flows with committed DAGs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.flows import REPO, flowc
from support.user_repo import make_user_repo
from support.venvs import cache_root, file_lock

pytestmark = pytest.mark.slow  # builds a virtualenv with pip the first time for each flowc commit

BROKEN = ("from metaflow import FlowSpec, step\n\nclass B(FlowSpec):\n    @step\n    def start(self):\n"
          "        self.next(self.nowhere)\n\n    @step\n    def end(self):\n        pass\n")


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c",
                           "commit.gpgsign=false", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path):
    """A git repository of flows with the DAGs and WorkflowTemplates `flowc compile` generated, committed."""
    root = make_user_repo(tmp_path / "team")
    assert flowc("compile", cwd=root).returncode == 0
    git(root, "init", "--quiet")
    git(root, "add", ".")
    git(root, "commit", "--quiet", "-m", "flows and what they compile to")
    return root


def try_repo(repo: Path, hook: str) -> subprocess.CompletedProcess:
    """`pre-commit try-repo <flowc checkout> HOOK --all-files` from `repo`, with flowc at this checkout's HEAD."""
    home = cache_root() / "pre-commit"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_"))}
    env.update(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])  # git, pre-commit
    head = git(REPO, "rev-parse", "HEAD").strip()
    with file_lock(home.with_name("pre-commit.lock")):  # parallel workers wait for one environment build
        return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO), hook, "--ref", head,
                               "--all-files", "--verbose"], cwd=repo, env=env, capture_output=True, text=True,
                              timeout=900)


def test_compile_check_hook_passes_when_in_sync_and_fails_on_a_stale_dag(repo):
    clean = try_repo(repo, "flowc-compile-check")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "flowc compile --check" in clean.stdout and "Passed" in clean.stdout
    assert "would regenerate 0 files, 6 up to date" in clean.stdout
    flow = repo / "flows" / "foreach.py"
    flow.write_text(flow.read_text().replace('"""Score every word', '"""Score each word'))
    (repo / "flows" / "pipelines" / "branching.py").unlink()
    git(repo, "add", "-A")
    stale = try_repo(repo, "flowc-compile-check")
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "Failed" in stale.stdout
    assert "would update dags/ForeachFlow.py" in stale.stdout
    assert "stale argo/branch-flow.yaml" in stale.stdout


def test_check_hook_reports_problems_in_flows(repo):
    clean = try_repo(repo, "flowc-check")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    (repo / "flows" / "broken.py").write_text(BROKEN)
    (repo / "README.py").write_text("print('not a flow, and outside flows/: the hook leaves it alone')\n")
    git(repo, "add", "-A")
    broken = try_repo(repo, "flowc-check")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "error[FLC014]" in broken.stdout and "flows/broken.py:6:19" in broken.stdout
    assert "README.py" not in broken.stdout
