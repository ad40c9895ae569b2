"""`current` as Metaflow fills it (@project's branch rules, namespace, user, tags, the running Run/Task) and
class-level values that steps cannot assign; run through the task command. The expected values are
Metaflow's, as its @project documentation and a run under Metaflow 2.19 show them."""

from __future__ import annotations

import os
import textwrap

import pytest

from flowc.runtime import Run

NO_USER = {"METAFLOW_USER": "", "SUDO_USER": "", "USERNAME": "", "USER": "", "METAFLOW_OWNER": "",
           "METAFLOW_PRODUCTION_TOKEN": ""}

FLOW = """\
from metaflow import FlowSpec, current, project, step
{decorator}
class CurrentFlow(FlowSpec):
    @step
    def start(self):
        self.fields = {{name: current.get(name, "<absent>") for name in (
            "project_name", "branch_name", "project_flow_name", "is_production", "is_user_branch",
            "namespace", "username", "pathspec", "is_running_flow")}}
        self.has_branch = "branch_name" in current
        self.tags = sorted(current.tags)
        self.run_pathspec = current.run.pathspec
        self.task_pathspec = current.task.pathspec
        self.next(self.end)

    @step
    def end(self):
        self.end_task = current.task.pathspec
"""


def run_flow(flow_run, tmp_path, decorator: str, env: dict, tags: tuple = ()):
    flow = tmp_path / "current_flow.py"
    flow.write_text(FLOW.format(decorator=decorator))
    run = flow_run(flow, run_id="r1", env={**NO_USER, **env})
    extra = tuple(arg for tag in tags for arg in ("--tag", tag))
    for step in ("start", "end"):
        outcome = run.run_task(step, extra=extra if step == "start" else ())
        assert outcome.returncode == 0, outcome.stderr
    return Run("CurrentFlow/r1", run.datastore)


@pytest.mark.parametrize("decorator, env, project", [
    ("@project(name='demo')", {"METAFLOW_USER": "alice", "USER": "bob"},
     ("demo", "user.alice", "demo.user.alice.CurrentFlow", False, True)),
    ("@project(name='demo')", {"USER": "bob", "METAFLOW_OWNER": "ci"},
     ("demo", "user.ci", "demo.user.ci.CurrentFlow", False, True)),
    ("@project(name='demo', branch='feature_x')", {"USERNAME": "bob"},
     ("demo", "test.feature_x", "demo.test.feature_x.CurrentFlow", False, False)),
    ("@project(name='demo', production=True)", {"USER": "bob"},
     ("demo", "prod", "demo.prod.CurrentFlow", True, False)),
    ("@project(name='demo', branch='v2', production=True)", {"USER": "bob"},
     ("demo", "prod.v2", "demo.prod.v2.CurrentFlow", True, False)),
])
def test_project_fields_follow_metaflows_branch_rules(flow_run, tmp_path, decorator, env, project):
    run = run_flow(flow_run, tmp_path, decorator, env)
    fields = run["start"].task.data.fields
    names = ("project_name", "branch_name", "project_flow_name", "is_production", "is_user_branch")
    assert tuple(fields[n] for n in names) == project
    assert run["start"].task.data.has_branch


def test_identity_tags_and_the_running_objects(flow_run, tmp_path):
    run = run_flow(flow_run, tmp_path, "", {"METAFLOW_USER": "alice", "USER": "bob"}, tags=("t2", "t1"))
    data = run["start"].task.data
    assert data.fields == {
        "project_name": "<absent>", "branch_name": "<absent>", "project_flow_name": "<absent>",
        "is_production": "<absent>", "is_user_branch": "<absent>", "namespace": "user:alice",
        "username": "alice", "pathspec": "CurrentFlow/r1/start/_", "is_running_flow": True}
    assert data.has_branch is False
    assert data.tags == ["t1", "t2"]
    assert (data.run_pathspec, data.task_pathspec) == ("CurrentFlow/r1", "CurrentFlow/r1/start/_")
    assert run["end"].task.data.end_task == "CurrentFlow/r1/end/_"


@pytest.mark.parametrize("env, user", [
    ({"USER": "root"}, None),  # Metaflow never takes root for a user name
    ({"SUDO_USER": "carol", "USER": "root"}, "carol"),
    ({"USERNAME": "dave", "USER": "erin"}, "dave"),
])
def test_username_is_metaflows(flow_run, tmp_path, env, user):
    fields = run_flow(flow_run, tmp_path, "", env)["start"].task.data.fields
    assert fields["username"] == user
    assert fields["namespace"] == (f"user:{user}" if user else None)


CONSTANTS = """\
from metaflow import FlowSpec, Parameter, step


class Base(FlowSpec):
    SHARED = {"a": 1}


class ConstFlow(Base):
    LIMIT = 3
    alpha = Parameter("alpha", default=1)

    class Nested:
        pass

    @staticmethod
    def helper():
        return 1

    @property
    def doubled(self):
        return self.LIMIT * 2

    @step
    def start(self):
        self.outcomes = {}
        for name in ("LIMIT", "SHARED", "alpha", "Nested", "helper", "fresh"):
            try:
                setattr(self, name, 4)
                self.outcomes[name] = "assigned"
            except AttributeError as error:
                self.outcomes[name] = str(error)
        self.next(self.end)

    @step
    def end(self):
        self.seen = (self.LIMIT, self.SHARED, self.doubled, self.fresh)
"""


def test_class_level_values_are_read_only_in_steps(flow_run, tmp_path):
    flow = tmp_path / "const_flow.py"
    flow.write_text(CONSTANTS)
    run = flow_run(flow).run()
    client = Run(f"ConstFlow/{run.run_id}", run.datastore)
    outcomes = client["start"].task.data.outcomes
    refused = "Flow level attributes and Parameters are not modifiable"  # Metaflow's words
    assert [name for name, text in outcomes.items() if text.startswith(refused)] == ["LIMIT", "SHARED", "alpha"]
    assert {name: outcomes[name] for name in ("Nested", "helper", "fresh")} == dict.fromkeys(
        ("Nested", "helper", "fresh"), "assigned")
    assert client["end"].task.data.seen == (3, {"a": 1}, 6, 4)
    # and, as in Metaflow, class-level values are artifacts of every task (stored by start)
    assert [(client[s].task.data.LIMIT, client[s].task.data.SHARED) for s in ("start", "end")] == [(3, {"a": 1})] * 2


def test_assigning_a_class_constant_fails_the_step(flow_run, tmp_path):
    flow = tmp_path / "const_fail.py"
    flow.write_text(textwrap.dedent("""\
        from metaflow import FlowSpec, step


        class ConstFail(FlowSpec):
            THRESHOLD = 0.5

            @step
            def start(self):
                self.THRESHOLD = 0.9
                self.next(self.end)

            @step
            def end(self):
                pass
    """))
    outcome = flow_run(flow).run_task("start")
    assert outcome.returncode == 1
    assert ("AttributeError: Flow level attributes and Parameters are not modifiable: 'THRESHOLD' is a class "
            "attribute of ConstFail") in outcome.stderr


def test_a_parameter_defaults_context_has_the_same_user(flow_run, tmp_path):
    flow = tmp_path / "user_param.py"
    flow.write_text(textwrap.dedent("""\
        from metaflow import FlowSpec, Parameter, current, step


        class UserParam(FlowSpec):
            owner = Parameter("owner", default=lambda context: context.user_name)

            @step
            def start(self):
                self.same = self.owner == current.username
                self.next(self.end)

            @step
            def end(self):
                pass
    """))
    run = flow_run(flow, env={**NO_USER, "METAFLOW_USER": "alice", "LOGNAME": "bob"}).run()
    data = Run(f"UserParam/{run.run_id}", run.datastore)["start"].task.data
    assert (data.owner, data.same) == ("alice", True)


TEMPDIR_FLOW = """\
import os
from metaflow import FlowSpec, current, step


class TempdirFlow(FlowSpec):
    @step
    def start(self):
        self.tempdir = current.tempdir
        self.writable = os.access(current.tempdir, os.W_OK)
        self.next(self.end)

    @step
    def end(self):
        pass
"""


@pytest.mark.parametrize("env, expected", [({}, "."), ({"METAFLOW_TEMPDIR": "/tmp"}, "/tmp")])
def test_tempdir_is_metaflows(flow_run, tmp_path, env, expected):
    flow = tmp_path / "tempdir_flow.py"
    flow.write_text(TEMPDIR_FLOW)
    run = flow_run(flow, run_id="r1", env=env)
    outcome = run.run_task("start")
    assert outcome.returncode == 0, outcome.stderr
    data = Run("TempdirFlow/r1", run.datastore)["start"].task.data
    assert (data.tempdir, data.writable) == (expected, True)


READS_FLOW = """\
from metaflow import FlowSpec, current, project, step


@project(name="demo")
class ReadsFlow(FlowSpec):
    @step
    def start(self):
        self.seen = self.look()
        self.next(self.end)

    @step
    def end(self):
        self.seen = self.look()

    def look(self):
        return (current.origin_run_id, current.branch_name, sorted(current.tags), sorted(current.run.tags),
                sorted(current.task.tags), current.run.parameters)
"""

# Counts the task's reads of run.json: loaded before the runtime, through PYTHONPATH.
COUNT_READS = """\
import os
from flowc.runtime import storage

_read = storage.LocalStorage.read_bytes


def read_bytes(self, key):
    if key.endswith("/run.json"):
        with open(os.environ["RUN_JSON_READS"], "a") as log:
            log.write(key + "\\n")
    return _read(self, key)


storage.LocalStorage.read_bytes = read_bytes
"""


@pytest.mark.parametrize("look", [True, False])
def test_a_task_reads_run_json_at_most_once(flow_run, tmp_path, look):
    """run.json backs origin_run_id, @project's branch, the tags and current.run/task: a task reads it once, and
    only when asked (the start task's read is its check that the run has no record yet)."""
    flow = tmp_path / "reads_flow.py"
    flow.write_text(READS_FLOW if look else READS_FLOW.replace("self.look()", "None"))
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(COUNT_READS)
    log = tmp_path / "reads.log"
    path = os.pathsep.join(filter(None, (str(hook), os.environ.get("PYTHONPATH"))))
    run = flow_run(flow, run_id="r1", env={**NO_USER, "USER": "alice", "RUN_JSON_READS": str(log), "PYTHONPATH": path})
    counts = []
    for step in ("start", "end"):
        log.write_text("")
        outcome = run.run_task(step, extra=("--tag", "t1") if step == "start" else ())
        assert outcome.returncode == 0, outcome.stderr
        counts.append(len(log.read_text().splitlines()))
    assert counts == ([1, 1] if look else [1, 0])
    if look:  # and what it read is right, in the start task (which wrote it) as in the next
        client = Run("ReadsFlow/r1", run.datastore)
        for step in ("start", "end"):
            origin, branch, tags, run_tags, task_tags, parameters = client[step].task.data.seen
            assert (origin, branch, tags, parameters) == (None, "user.alice", ["t1"], {})
            assert run_tags == task_tags == sorted(client.tags)
            assert {"t1", "project:demo", "project_branch:user.alice"} <= set(run_tags)
