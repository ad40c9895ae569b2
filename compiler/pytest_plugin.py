"""flowc's pytest plugin: golden-file tests of what a project's flows compile to, and smoke runs.

Installed with flowc (entry point `pytest11`), it does nothing until a test asks for one of its fixtures:

    def test_generated_workflows(flowc_goldens):
        flowc_goldens.check()                      # every flow of [tool.flowc], for every target it lists

    def test_hello_runs(flowc_run):
        flowc_run("flows/hello.py", person="ci")   # `flowc run` on a tiny parameter set; fails on a failed run

Goldens live in `goldens/<target>/<file>` next to the test module (`check(folder=...)` to move them) and hold
exactly what `flowc compile` writes, header included. A mismatch fails with a unified diff; goldens are
rewritten only with `pytest --flowc-update-goldens`, which is refused when `CI` is set, so CI can never make a
golden agree with itself. A golden that no flow produces any more (a deleted or renamed flow) fails the test
too, and updating removes it.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest

UPDATE = "--flowc-update-goldens"


def pytest_addoption(parser):
    group = parser.getgroup("flowc", "flowc golden files")
    group.addoption(UPDATE, action="store_true", default=False,
                    help="rewrite flowc goldens (flowc_goldens fixture) with what the flows compile to now, "
                         "and remove goldens no flow produces; refused when CI is set")


class FlowcGoldens:
    """Compiles the project the test belongs to and compares it with the goldens."""

    def __init__(self, test_file: Path, update: bool):
        self.test_folder = test_file.parent
        self.update = update

    def check(self, targets: Optional[list[str]] = None, folder: str | os.PathLike = "goldens",
              project: Optional[str | os.PathLike] = None) -> list[str]:
        """Compile every flow of the project (the nearest pyproject.toml at or above the test's folder, or
        `project`) for `targets` (default: the project's) and compare with `folder`/<target>/ (relative to the
        test's folder). Fails the test on any difference; with --flowc-update-goldens, rewrites instead and
        returns what it changed."""
        goldens = self.test_folder / folder
        start = self.test_folder / project if project is not None else self.test_folder
        problems, changed = [], []
        for target, files in _compile(start, targets):
            expected_folder = goldens / target
            for name, text in sorted(files.items()):
                problem = self._compare(expected_folder / name, text, changed)
                if problem:
                    problems.append(problem)
            for orphan in _orphans(expected_folder, files):
                if self.update:
                    orphan.unlink()
                    changed.append(f"removed {self._show(orphan)}")
                else:
                    problems.append(f"{self._show(orphan)}: no flow produces it any more (its flow was deleted or "
                                    f"renamed); `pytest {UPDATE}` removes it")
        if problems:
            pytest.fail("\n\n".join(problems), pytrace=False)
        for line in changed:
            print(f"flowc goldens: {line}")
        return changed

    def _compare(self, path: Path, text: str, changed: list[str]) -> Optional[str]:
        data = text.encode("utf-8")
        current = path.read_bytes() if path.is_file() else None
        if current == data:
            return None
        if self.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            changed.append(f"{'created' if current is None else 'updated'} {self._show(path)}")
            return None
        if current is None:
            return f"{self._show(path)} is missing; create it with `pytest {UPDATE}`"
        diff = "".join(difflib.unified_diff(
            current.decode("utf-8", "replace").splitlines(keepends=True), text.splitlines(keepends=True),
            f"{self._show(path)} (golden)", f"{self._show(path)} (compiled now)"))
        return f"{self._show(path)} differs from what the flow compiles to (update with `pytest {UPDATE}`):\n{diff}"

    def _show(self, path: Path) -> str:
        return os.path.relpath(path, self.test_folder)


def _compile(start: Path, only: Optional[list[str]]) -> list[tuple[str, dict[str, str]]]:
    """[(target, {file name: text})] for the project at or above `start`, as `flowc compile` would write."""
    from flowc.compiler import config as config_mod
    from flowc.compiler.cli import build_parser
    from flowc.compiler.emit import OptionError
    from flowc.compiler.project import compile_project
    from flowc.compiler.targets import TargetError

    names = only or config_mod.find(start).targets()
    if not names:
        pytest.fail("flowc goldens: the project lists no targets; set [tool.flowc] targets in pyproject.toml "
                    "or pass check(targets=[...])", pytrace=False)
    compiled, said = [], io.StringIO()
    for name in names:
        args = build_parser().parse_args(["compile"])
        try:
            with contextlib.redirect_stderr(said):
                status, outputs, _ = compile_project(args, start, only=[name])
        except (OptionError, config_mod.ConfigError, TargetError) as error:
            pytest.fail(f"flowc goldens: {error}\n{said.getvalue()}", pytrace=False)
        if status:
            pytest.fail(f"flowc goldens: the project's flows have problems on {name}:\n{said.getvalue()}",
                        pytrace=False)
        compiled.append((name, outputs[0][1]))
    return compiled


def _orphans(folder: Path, files: dict[str, str]) -> list[Path]:
    from flowc.compiler.project import is_generated

    if not folder.is_dir():
        return []
    return [p for p in sorted(folder.iterdir()) if p.is_file() and p.name not in files and is_generated(p)]


@pytest.fixture
def flowc_goldens(request) -> FlowcGoldens:
    """Golden files of what the project's flows compile to; see `FlowcGoldens.check`."""
    update = request.config.getoption(UPDATE)
    if update and os.environ.get("CI"):
        pytest.fail("refusing to update flowc goldens while CI is set: update them locally and commit the diff",
                    pytrace=False)
    return FlowcGoldens(Path(request.path), update)


@pytest.fixture
def flowc_run(request, tmp_path_factory):
    """`flowc_run(FLOW, **params)`: run the flow with `flowc run` on this machine (a datastore in a temporary
    folder), fail the test if the run fails; the finished process. FLOW is relative to the test's folder."""
    folder = Path(request.path).parent

    def run(flow: str | os.PathLike, *args: str, **params) -> subprocess.CompletedProcess:
        store = tmp_path_factory.mktemp("flowc-run")
        argv = [sys.executable, "-m", "flowc.compiler.cli", "run", str(folder / flow), "--datastore",
                store.as_uri(), *(a for k, v in params.items() for a in ("--param", f"{k}={v}")), *args]
        done = subprocess.run(argv, cwd=folder, capture_output=True, text=True)
        if done.returncode != 0:
            pytest.fail(f"flowc run {flow} failed (exit {done.returncode}):\n{done.stdout}{done.stderr}",
                        pytrace=False)
        return done

    return run
