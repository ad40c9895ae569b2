"""Damaged datastore records: every reader (`flowc show`, `flowc resume`, the client, the task command) says which
file is damaged and how (flowc.runtime.records), and none of them shows a traceback or another exception."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from support.cli import flowc_in_process

from flowc.runtime import Run
from flowc.runtime.errors import FlowcError

from runtime_driver import EXAMPLES, FlowRun

FLOW = EXAMPLES / "foreach.py"
RUN = "ForeachFlow/runs/run-1"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """A finished run of examples/foreach.py (three items), made once; each test damages a copy."""
    root = tmp_path_factory.mktemp("pristine") / "ds"
    FlowRun(FLOW, datastore=root.as_uri()).run()
    return root


def edit_json(path: Path, change) -> None:
    path.write_text(json.dumps(change(json.loads(path.read_text()))))


def scores_blob(root: Path) -> Path:
    sha = json.loads((root / RUN / "join/_/done.json").read_text())["artifacts"]["scores"]["sha256"]
    return root / "ForeachFlow/objects" / sha[:2] / sha


def loop(path: Path) -> None:
    shutil.rmtree(path)
    os.symlink(path.name, path)  # a symlink to itself


# kind: (damage, the file the reports must name, the task that reads it (step, index) or None)
DAMAGE = {
    "done is a list": (lambda r: (r / RUN / "start/_/done.json").write_text("[]"), "start/_/done.json", ("clean", "0")),
    "done misses keys": (lambda r: (r / RUN / "score/0/done.json").write_text('{"step": "score"}'),
                         "score/0/done.json", ("join", "")),
    "done attempt is text": (lambda r: edit_json(r / RUN / "start/_/done.json", lambda d: {**d, "attempt": "0"}),
                             "start/_/done.json", ("clean", "1")),
    "done truncated": (lambda r: (r / RUN / "clean/1/done.json").write_bytes(
        (r / RUN / "clean/1/done.json").read_bytes()[:40]), "clean/1/done.json", ("score", "1")),
    "done not utf-8": (lambda r: (r / RUN / "score/2/done.json").write_bytes(b"\xff\xfe{"), "score/2/done.json",
                       ("join", "")),
    "done artifact sha": (lambda r: edit_json(r / RUN / "start/_/done.json", lambda d: {
        **d, "artifacts": {**d["artifacts"], "items": {"sha256": "../../x", "type": "list", "size": 1}}}),
        "start/_/done.json", ("clean", "0")),
    "done control": (lambda r: edit_json(r / RUN / "start/_/done.json", lambda d: {**d, "control": ["9/9"]}),
                     "start/_/done.json", ("join", "")),
    "done foreach": (lambda r: edit_json(r / RUN / "start/_/done.json", lambda d: {**d, "foreach": {"var": 1}}),
                     "start/_/done.json", ("clean", "2")),
    "meta is a list": (lambda r: (r / RUN / "score/0/attempt-0/meta.json").write_text("[]"),
                       "score/0/attempt-0/meta.json", None),
    "meta status": (lambda r: edit_json(r / RUN / "end/_/attempt-0/meta.json", lambda d: {**d, "status": 3}),
                    "end/_/attempt-0/meta.json", None),
    "run.json is a list": (lambda r: (r / RUN / "run.json").write_text("[1]"), "run-1/run.json", ("start", "")),
    "run.json parameters": (lambda r: edit_json(r / RUN / "run.json", lambda d: {**d, "parameters": "x"}),
                            "run-1/run.json", ("start", "")),
    "artifacts.json": (lambda r: (r / RUN / "end/_/attempt-0/artifacts.json").write_text('{"scores": 3}'),
                       "end/_/attempt-0/artifacts.json", None),
    "blob garbage": (lambda r: scores_blob(r).write_bytes(b"garbage, not a pickle"), "objects", ("end", "")),
    "blob truncated": (lambda r: scores_blob(r).write_bytes(scores_blob(r).read_bytes()[:-3]), "objects",
                       ("end", "")),
    "blob replaced": (lambda r: scores_blob(r).write_bytes(__import__("pickle").dumps({"x": 1}, protocol=5)),
                      "objects", ("end", "")),
    "index folder renamed": (lambda r: (r / RUN / "clean/1").rename(r / RUN / "clean/one"), "clean/one", None),
    "step folder renamed": (lambda r: (r / RUN / "score").rename(r / RUN / "sco-re"), "sco-re", None),
    "symlink loop": (lambda r: loop(r / RUN / "score/1"), "score/1", ("join", "")),
    "foreach items truncated": (lambda r: (r / RUN / "start/_/attempt-0/foreach-items.txt").write_text("ab\n"),
                                "foreach-items.txt", ("clean", "2")),
}


def client_walk(root: Path) -> str:
    """Read everything through the client; '' if that worked, else the FlowcError's message (any other
    exception fails the test)."""
    try:
        run = Run("ForeachFlow/run-1", root.as_uri())
        run.status, run.parameters, run.started_at
        for step in run.steps():
            for task in step.tasks():
                task.status, task.duration, task.exception, task.control
                for attempt in task.attempts():
                    attempt.meta, attempt.artifacts, attempt.stdout
                for artifact in task.artifacts.values():
                    artifact.data
        return ""
    except FlowcError as error:
        return str(error)


def shows(root: Path, tmp_path: Path) -> list:
    runs = [("show", "ForeachFlow/run-1"), ("show", "ForeachFlow/run-1/score"), ("show", "ForeachFlow/run-1/clean"),
            ("show", "ForeachFlow/run-1", "--artifact", "scores"), ("show", "ForeachFlow"),
            ("resume", "run-1", str(FLOW), "--from", "join", "--run-id", "run-2")]
    return [flowc_in_process([*args, "--datastore", str(root)], tmp_path) for args in runs]


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_damage_is_named_by_every_reader(pristine, tmp_path, kind):
    damage, named, reader = DAMAGE[kind]
    root = tmp_path / "ds"
    shutil.copytree(pristine, root, symlinks=True)
    damage(root)

    reports = []
    for result in shows(root, tmp_path):
        assert "Traceback" not in result.stderr, f"{result.args}:\n{result.stderr}"
        assert result.returncode in (0, 1, 2), result
        if result.returncode:
            reports.append(result.stderr)
    reports.append(client_walk(root))
    if reader is not None:
        step, index = reader
        outcome = FlowRun(FLOW, datastore=root.as_uri()).run_task(step, index, attempt=7)
        assert "Traceback" not in outcome.stderr, outcome.stderr
        assert outcome.returncode in (1, 2) and named in outcome.stderr, outcome.stderr
        assert "damaged" in outcome.stderr or "cannot read" in outcome.stderr or "has no item" in outcome.stderr
        reports.append(outcome.stderr)
    assert any(named in report for report in reports), reports


def test_show_names_a_damaged_blob(pristine, tmp_path):
    root = tmp_path / "ds"
    shutil.copytree(pristine, root)
    blob = scores_blob(root)
    blob.write_bytes(blob.read_bytes()[:-3])
    result = flowc_in_process(["show", "ForeachFlow/run-1", "--artifact", "scores", "--datastore", str(root)],
                              tmp_path)
    assert result.returncode == 1
    assert f"{blob} is damaged: its bytes hash to sha256" in result.stderr
