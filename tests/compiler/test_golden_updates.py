"""The golden fixture of tests/conftest.py: compares bytes, updates only when asked, never under CI.

Runs the real conftest in a scratch project with its own `golden/` folder, in a child pytest.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from flowkit import REPO

TEST = '''
def test_output(golden):
    golden("demo/out.txt", "hello\\n")
'''


@pytest.fixture
def project(tmp_path):
    (tmp_path / "tests").mkdir()
    shutil.copy(REPO / "tests" / "conftest.py", tmp_path / "tests" / "conftest.py")
    shutil.copytree(REPO / "tests" / "support", tmp_path / "tests" / "support",  # the conftest imports it
                    ignore=shutil.ignore_patterns("__pycache__", "locks"))
    (tmp_path / "tests" / "test_demo.py").write_text(TEST)
    return tmp_path


def _pytest(project, *args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "FLOWC_UPDATE_GOLDENS")
             and not k.startswith("PYTEST_")}
    clean.update(env, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")  # only pytest itself: starts in a fraction of the time
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "--rootdir", str(project), str(project / "tests"), *args],
                          cwd=project, env=clean, capture_output=True, text=True, timeout=120)


def test_missing_golden_fails_and_says_how_to_create_it(project):
    result = _pytest(project)
    assert result.returncode == 1
    assert "golden/demo/out.txt is missing" in result.stdout


def test_update_writes_then_compares(project):
    golden = project / "golden" / "demo" / "out.txt"
    assert _pytest(project, FLOWC_UPDATE_GOLDENS="1").returncode == 0
    assert golden.read_bytes() == b"hello\n"
    assert _pytest(project).returncode == 0
    golden.write_bytes(b"hello\r\n")  # byte for byte: a changed line ending is a difference
    result = _pytest(project)
    assert result.returncode == 1 and "golden/demo/out.txt differs" in result.stdout
    assert _pytest(project, "--update-goldens").returncode == 0
    assert golden.read_bytes() == b"hello\n"


@pytest.mark.parametrize("how", ["option", "env"])
def test_updating_is_refused_under_ci(project, how):
    args, env = (["--update-goldens"], {}) if how == "option" else ([], {"FLOWC_UPDATE_GOLDENS": "1"})
    result = _pytest(project, *args, CI="true", **env)
    assert result.returncode == 1
    assert "refusing to update goldens while CI is set" in result.stdout
    assert not (project / "golden").exists()
