"""Metaflow's own tutorial flows, unchanged from its wheel, pass `flowc check`."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from flowc.compiler.api import compile_source
from flowc.compiler.requirements import Expression, step_requirements

CLEAN = ["00-helloworld", "01-playlist", "02-statistics", "03-playlist-redux", "05-hello-cloud"]


def test_the_wheel_ships_the_tutorials_we_expect(metaflow_tutorials):
    # 2.19.39 ships 00-05 (no 06-08). If the pin changes, revisit CLEAN.
    assert sorted(metaflow_tutorials) == sorted(CLEAN + ["04-playlist-plus"])


@pytest.mark.parametrize("tutorial", CLEAN)
def test_tutorial_is_clean(metaflow_tutorials, tutorial):
    path, text = metaflow_tutorials[tutorial]
    compiled = compile_source(text, path)
    assert compiled.diagnostics == [], [(d.code, d.message) for d in compiled.diagnostics]
    assert compiled.ok
    assert [s.name for s in compiled.flow.steps][0] == "start"


def test_playlist_plus_compiles_and_keeps_what_its_conda_decorators_pin(metaflow_tutorials):
    """04 uses @conda_base(python=get_python_version()) and @conda(libraries={"editdistance": "0.5.3"}):
    accepted, and carried (the python version is an expression only the running flow evaluates)."""
    path, text = metaflow_tutorials["04-playlist-plus"]
    compiled = compile_source(text, path)
    assert compiled.diagnostics == [], [(d.code, d.message) for d in compiled.diagnostics]
    bonus = step_requirements(compiled.flow, "bonus_movie")
    assert [(p.name, p.spec, p.kind) for p in bonus.packages] == [("editdistance", "0.5.3", "conda")]
    assert bonus.python == Expression("get_python_version()") and bonus.python_from == "@conda_base"
    start = step_requirements(compiled.flow, "start")
    assert start.packages == () and start.python == Expression("get_python_version()")


def test_playlist_plus_under_flowc_run_stops_on_what_the_image_lacks(metaflow_tutorials, tmp_path):
    """flowc builds no conda environment: the tutorial asks for Python 3.9 (its get_python_version()) and
    editdistance 0.5.3, which this Python does not have, so each task says so and exits 2."""
    path, text = metaflow_tutorials["04-playlist-plus"]
    (tmp_path / "playlist.py").write_text(text)
    env = {k: v for k, v in os.environ.items() if k != "FLOWC_DATASTORE"}
    run = subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "run", "playlist.py"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode != 0
    assert "[start] failed (exit 2)" in run.stdout + run.stderr
    assert "Python 3.9 (@conda_base(python='3.9.10')), but this task runs Python" in run.stderr
    # bonus_movie's check, on the tutorial's own decorators as the task reads them (start stops the run first)
    probe = ("import sys; sys.path.insert(0, '.'); from flowc.runtime import install_metaflow_shim; "
             "install_metaflow_shim(); import playlist; "
             "from flowc.runtime.decorators import flow_decorators, step_decorators; "
             "from flowc.runtime.requirements import merged, problems; "
             "cls = playlist.PlayListFlow; "
             "print(problems(merged(step_decorators(cls.bonus_movie), flow_decorators(cls)))[0])")
    errors = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert errors.returncode == 0, errors.stderr
    assert "editdistance==0.5.3 (@conda) is not installed" in errors.stdout
    assert "pip install 'editdistance==0.5.3'" in errors.stdout
