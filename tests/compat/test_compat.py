"""Compatibility with Metaflow: each flow runs under real Metaflow and under `flowc run`, and Metaflow's own
client API reads both runs the same way.

The corpus is every example (examples/*.py) plus tests/compat/flows/*.py: small flows written from
Metaflow's documentation of each feature (never copied from its code). Each side runs in an isolated
temporary directory (HOME, datastore and metadata all local to it). Then ONE client script, written against
Metaflow's client (`from metaflow import Run, namespace`), reads the run: in Metaflow's venv it talks to
Metaflow; here it runs with flowc's `metaflow` shim and talks to flowc's client. What it prints — every
step, every task's artifacts, the run's outcome — must be equal.

A flow says how it is run in comment lines of its own (`# compat: WORD ARGS`), read by `Directives`:

    # compat: param NAME=VALUE      a parameter on the command line (Metaflow: --NAME VALUE)
    # compat: env NAME=VALUE        an environment variable for the run (both sides)
    # compat: tag TAG               a run tag (--tag TAG on both)
    # compat: config NAME=PATH      a config file, PATH relative to the flow (--config NAME PATH)
    # compat: differs ARTIFACT      an artifact both sides have but whose value may differ (ids, paths, ...)
    # compat: skip REASON           not run: REASON says what flowc does not support yet

Metaflow lives in its own venv (`support.venvs.metaflow_venv()`, built once per machine): flowc must work
without it, so it never enters the main environment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest


pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
CORPUS = sorted(REPO.glob("examples/*.py")) + sorted((REPO / "tests" / "compat" / "flows").glob("*.py"))
CLIENT_SCRIPT = Path(__file__).with_name("read_run.py")
# Views Metaflow's client gets wrong, by flow file name: blanked as `# compat: differs` blanks an artifact (the
# examples carry no directives: their bytes are golden). Metaflow takes a foreach join fed by a switch's cases
# for a static join, so those cases' tasks list no child task; flowc's list the join.
METAFLOW_CLIENT_GAPS = {"switch_meets_at_foreach_join": {"<children>"}, "switch_joins": {"<children>"}}


@dataclass
class Directives:
    params: list[tuple[str, str]] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    configs: list[tuple[str, str]] = field(default_factory=list)
    differs: set[str] = field(default_factory=set)
    skip: str = ""

    @classmethod
    def read(cls, flow_file: Path) -> "Directives":
        found = cls()
        for line in flow_file.read_text().splitlines():
            if not line.startswith("# compat: "):
                continue
            word, _, rest = line[len("# compat: "):].strip().partition(" ")
            if word in ("param", "env", "config"):
                name, _, value = rest.partition("=")
                target = {"param": found.params, "config": found.configs}.get(word)
                if target is None:
                    found.env[name] = value
                else:
                    target.append((name, value))
            elif word == "tag":
                found.tags.append(rest)
            elif word == "differs":
                found.differs.add(rest)
            elif word == "skip":
                found.skip = rest
            else:
                raise ValueError(f"{flow_file.name}: unknown compat directive {word!r}")
        return found


def isolated_env(home: Path, extra: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("METAFLOW_", "FLOWC_"))}
    env.update(HOME=str(home), USERNAME="compat", USER="compat", METAFLOW_DEFAULT_DATASTORE="local",
               METAFLOW_DEFAULT_METADATA="local", METAFLOW_DATASTORE_SYSROOT_LOCAL=str(home),
               FLOWC_DATASTORE=str(home / ".flowc"))
    env.update(extra)
    return env


def run_metaflow(python: Path, flow_file: Path, how: Directives, work: Path, resume: str = "",
                 ok: bool = True) -> str:
    """Run the flow with Metaflow from its folder, `work` as HOME and datastore root (or resume run `resume`);
    the run's id. `ok`: whether the run must succeed (else it must fail)."""
    top = [arg for name, path in how.configs for arg in ("--config", name, path)]
    run_args = [arg for name, value in how.params for arg in (f"--{name}", value)]
    run_args += [arg for tag in how.tags for arg in ("--tag", tag)]
    verb = ["resume", "--origin-run-id", resume] if resume else ["run"]
    command = [str(python), flow_file.name, "--no-pylint", *top, *verb, "--run-id-file", "run-id", *run_args]
    done = subprocess.run(command, cwd=flow_file.parent, env=isolated_env(work, how.env), capture_output=True,
                          text=True, timeout=600)
    assert (done.returncode == 0) == ok, f"metaflow exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return (flow_file.parent / "run-id").read_text().strip()


def run_flowc(flow_file: Path, how: Directives, work: Path, run_id: str = "compat", resume: str = "",
              ok: bool = True) -> str:
    """Run the flow with `flowc run` from its folder, `work` as HOME and datastore root (or `flowc resume` run
    `resume`); the run's id. `ok`: whether the run must succeed (else it must fail)."""
    args = [] if resume else [arg for name, value in how.params for arg in ("--param", f"{name}={value}")]
    args += [arg for tag in how.tags for arg in ("--tag", tag)]
    args += [arg for name, path in how.configs for arg in ("--config", name, path)]
    verb = ["resume", resume, flow_file.name] if resume else ["run", flow_file.name]
    command = [sys.executable, "-m", "flowc.compiler.cli", *verb, "--run-id", run_id, *args]
    done = subprocess.run(command, cwd=flow_file.parent, env=isolated_env(work, how.env), capture_output=True,
                          text=True, timeout=600)
    assert (done.returncode == 0) == ok, f"flowc: exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return run_id


def read_run(python: Path, pathspec: str, work: Path, shim: bool, script: Path = CLIENT_SCRIPT) -> dict:
    """What a script written against Metaflow's API (CLIENT_SCRIPT by default) prints of the run, as JSON,
    run by `python`: Metaflow's own, or this one with flowc's shim."""
    prelude = "import flowc.runtime; flowc.runtime.install_metaflow_shim(); " if shim else ""
    code = f"{prelude}import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
    done = subprocess.run([str(python), "-c", code, str(script), pathspec], cwd=work,
                          env=isolated_env(work, {}), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"reading {pathspec} failed:\n{done.stderr[-3000:]}"
    return json.loads(done.stdout)


def flow_name(flow_file: Path) -> str:
    from flowc.compiler.api import compile_file

    compiled = compile_file(flow_file)
    assert compiled.ok, compiled.diagnostics
    return compiled.flow.name


def without(view: dict, differs: set[str]) -> dict:
    """The view with the `differs` artifacts' values blanked (their presence is still compared)."""
    for step in view["steps"].values():
        for task in step:
            for name in differs & set(task):
                task[name] = "<differs>"
    return view


def differences(flowc, metaflow, path: str = "") -> list[str]:
    """Where two views differ, as readable lines (the whole views are too long to read in an assertion)."""
    if isinstance(flowc, dict) and isinstance(metaflow, dict):
        found = []
        for key in sorted(set(flowc) | set(metaflow), key=str):
            if key not in flowc or key not in metaflow:
                found.append(f"{path}/{key}: only in {'flowc' if key in flowc else 'metaflow'}")
            else:
                found += differences(flowc[key], metaflow[key], f"{path}/{key}")
        return found
    if isinstance(flowc, (list, tuple)) and isinstance(metaflow, (list, tuple)) and len(flowc) == len(metaflow):
        return [line for i, (a, b) in enumerate(zip(flowc, metaflow)) for line in differences(a, b, f"{path}[{i}]")]
    return [] if flowc == metaflow else [f"{path}: flowc {flowc!r:.300} != metaflow {metaflow!r:.300}"]


@pytest.mark.parametrize("flow_file", CORPUS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_metaflow_and_flowc_runs_read_the_same(flow_file, metaflow_python, tmp_path):
    how = Directives.read(flow_file)
    if how.skip:
        pytest.skip(how.skip)
    how.differs |= METAFLOW_CLIENT_GAPS.get(flow_file.stem, set())
    flow = flow_name(flow_file)
    views = {}
    for side in ("metaflow", "flowc"):
        work = tmp_path / side
        shutil.copytree(flow_file.parent, work, ignore=shutil.ignore_patterns("__pycache__"))
        if side == "metaflow":
            run_id = run_metaflow(metaflow_python, work / flow_file.name, how, work)
            views[side] = read_run(metaflow_python, f"{flow}/{run_id}", work, shim=False)
        else:
            run_id = run_flowc(work / flow_file.name, how, work)
            views[side] = read_run(Path(sys.executable), f"{flow}/{run_id}", work, shim=True)
    assert not differences(without(views["flowc"], how.differs), without(views["metaflow"], how.differs))


# Metaflow's own tutorials that need nothing but the standard library, in the order they build on each other
# (03 reads 02's latest successful run through the client). Read from Metaflow's installed package at test
# time, never copied here. Value: the artifacts a tutorial picks at random, and those it shuffles (compared
# sorted).
PLAYLIST_RANDOMNESS = ({"bonus", "playlist"}, {"movies"})
TUTORIALS = {"00-helloworld/helloworld.py": (set(), set()), "01-playlist/playlist.py": PLAYLIST_RANDOMNESS,
             "02-statistics/stats.py": (set(), {"genres"}),  # list(set of str): its order follows the hash seed
             "03-playlist-redux/playlist.py": PLAYLIST_RANDOMNESS}


def shuffled(view: dict, names: set[str]) -> dict:
    """The view with the `names` artifacts' lists sorted: the same items in a random order compare equal."""
    for step in view["steps"].values():
        for task in step:
            for name in names & set(task):
                task[name] = sorted(task[name], key=json.dumps)
    return view


def test_metaflow_tutorials_run_unchanged(metaflow_python, tmp_path):
    found = subprocess.run([str(metaflow_python), "-c", "import metaflow, os; print(os.path.dirname(metaflow.__file__))"],
                           capture_output=True, text=True, check=True)
    tutorials = Path(found.stdout.strip()) / "tutorials"
    views: dict = {"metaflow": [], "flowc": []}
    for side, views_of_side in views.items():
        work = tmp_path / side
        shutil.copytree(tutorials, work, ignore=shutil.ignore_patterns("__pycache__", "*.ipynb"))
        for number, (tutorial, (differs, shuffles)) in enumerate(TUTORIALS.items()):
            flow_file = work / tutorial
            flow = flow_name(flow_file)
            if side == "metaflow":
                run_id = run_metaflow(metaflow_python, flow_file, Directives(), work)
                view = read_run(metaflow_python, f"{flow}/{run_id}", work, shim=False)
            else:
                run_id = run_flowc(flow_file, Directives(), work, run_id=f"tutorial-{number}")
                view = read_run(Path(sys.executable), f"{flow}/{run_id}", work, shim=True)
            views_of_side.append((tutorial, shuffled(without(view, differs), shuffles)))
    assert not differences(views["flowc"], views["metaflow"])


# Flows run in order in one datastore (tests/compat/sequences/NAME/): ones that read earlier runs through the
# client, and a failed run then resumed. Each entry: a flow file of that folder, how it is run, and "run",
# "fails" (a run that must fail) or "resume" (resumes the previous entry's run). Every run is read and compared,
# a failed one too: its failed task shows the artifacts its failed attempt kept, on both sides.
SEQUENCES = {
    "previous_runs": [("producer.py", Directives(tags=["nightly"]), "run"),
                      ("producer.py", Directives(params=[("version", "2")]), "run"),
                      ("consumer.py", Directives(), "run")],
    "resume": [("debug_resume.py", Directives(env={"COMPAT_BROKEN": "1"}), "fails"),
               ("debug_resume.py", Directives(), "resume")],
}


@pytest.mark.parametrize("sequence", sorted(SEQUENCES))
def test_flows_run_in_order_read_the_same(sequence, metaflow_python, tmp_path):
    folder = Path(__file__).with_name("sequences") / sequence
    views: dict = {"metaflow": [], "flowc": []}
    for side, views_of_side in views.items():
        work = tmp_path / side
        shutil.copytree(folder, work, ignore=shutil.ignore_patterns("__pycache__"))
        run_id = ""
        for number, (name, how, kind) in enumerate(SEQUENCES[sequence]):
            flow_file = work / name
            flow = flow_name(flow_file)
            origin, ok = (run_id if kind == "resume" else ""), kind != "fails"
            if side == "metaflow":
                run_id = run_metaflow(metaflow_python, flow_file, how, work, resume=origin, ok=ok)
                view = read_run(metaflow_python, f"{flow}/{run_id}", work, shim=False)
            else:
                run_id = run_flowc(flow_file, how, work, run_id=f"{sequence}-{number}", resume=origin, ok=ok)
                view = read_run(Path(sys.executable), f"{flow}/{run_id}", work, shim=True)
            views_of_side.append((name, view))
    assert not differences(views["flowc"], views["metaflow"])

def test_directives_are_read(tmp_path):
    flow = tmp_path / "flow.py"
    flow.write_text("# compat: param alpha=3\n# compat: env METAFLOW_RUN_BETA=x=y\n# compat: tag t1\n"
                    "# compat: config cfg=cfg.json\n# compat: differs a\nx = 1  # compat: param not=read\n")
    how = Directives.read(flow)
    assert (how.params, how.env, how.tags, how.configs, how.differs) == (
        [("alpha", "3")], {"METAFLOW_RUN_BETA": "x=y"}, ["t1"], [("cfg", "cfg.json")], {"a"})
