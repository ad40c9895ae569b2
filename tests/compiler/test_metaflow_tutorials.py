"""Metaflow's own tutorial flows, unchanged from its wheel, pass `flowc check`."""

from __future__ import annotations

import pytest

from flowc.compiler.api import compile_source

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


def test_playlist_plus_only_fails_on_conda(metaflow_tutorials):
    """04 uses @conda_base and @conda, which flowc does not support: exactly those, nothing else."""
    path, text = metaflow_tutorials["04-playlist-plus"]
    compiled = compile_source(text, path)
    assert [(d.code, d.span.line) for d in compiled.diagnostics] == [("FLC301", 18), ("FLC301", 78)]
    assert [d.message for d in compiled.diagnostics] == [
        "@conda_base is not supported by flowc", "@conda is not supported by flowc"]
    # Everything else about the flow was read: its graph is complete.
    assert compiled.graph is not None and "end" in compiled.graph.nodes
