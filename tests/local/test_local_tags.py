"""Run tags, namespaces and parameters from the environment: `flowc run --tag`, METAFLOW_RUN_<NAME>, then
the client as Metaflow's (pathspec constructors, namespace filtering, tag changes)."""

from __future__ import annotations

import json
import threading

import pytest

from flowc.runtime import Flow, Run, Step, Task, client, default_namespace, get_namespace, namespace
from flowc.runtime.exception import (MetaflowInvalidPathspec, MetaflowNamespaceMismatch, MetaflowNotFound,
                                     MetaflowTaggingError)

from local_support import FLOWS

TAGGED = str(FLOWS / "tagged.py")
IDENTITY = ("METAFLOW_USER", "SUDO_USER", "USERNAME", "USER", "METAFLOW_PRODUCTION_TOKEN", "METAFLOW_OWNER")


def as_user(flowc, user: str):
    """Run the next `flowc` commands as `user` (Metaflow's identity variables, nothing else)."""
    for name in IDENTITY:
        flowc.env.pop(name, None)
    flowc.env["USER"] = user
    return flowc


@pytest.fixture
def tagged(flowc):
    """TaggedFlow run r1 by alice, tagged, with parameters from the environment and the command line."""
    (flowc.cwd / "notes.txt").write_text("from the environment\n")
    (flowc.cwd / "default-notes.txt").write_text("the default\n")
    as_user(flowc, "alice")
    flowc.env.update(METAFLOW_RUN_ALPHA="7", METAFLOW_RUN_MY_NAME="from-env", METAFLOW_RUN_NOTES="notes.txt")
    flowc.ok("run", TAGGED, "--tag", "nightly", "--tag", "two words", "--param", "my-name=cli", "--run-id", "r1")
    for name in ("METAFLOW_RUN_ALPHA", "METAFLOW_RUN_MY_NAME", "METAFLOW_RUN_NOTES"):
        del flowc.env[name]
    return flowc


def test_env_parameters_tags_and_pathspecs(tagged):
    run = Run("TaggedFlow/r1", tagged.datastore)
    # alpha from METAFLOW_RUN_ALPHA (default 1); my-name: --param wins over METAFLOW_RUN_MY_NAME; the
    # IncludeFile reads the file the variable names. Doubled items 10, 20, 30 sum to 120.
    assert run.data.result == (7, "cli", "from the environment", 120)
    assert run.parameters == {"alpha": 7, "my-name": "cli", "notes": "notes.txt"}
    assert run.user_tags == {"nightly", "two words"}
    assert {"user:alice", "project:demo", "project_branch:user.alice"} <= run.system_tags
    assert run.tags == run.user_tags | run.system_tags
    assert run.data.seen_tags == ["nightly", "two words"]  # the end step read its own run's tags
    assert (run.successful, run.finished, run.end_task.pathspec) == (True, True, "TaggedFlow/r1/end/_")

    step = Step("TaggedFlow/r1/each", datastore=tagged.datastore)
    assert [t.pathspec for t in step] == [f"TaggedFlow/r1/each/{i}" for i in range(3)]
    task = Task("TaggedFlow/r1/each/1", datastore=tagged.datastore)
    assert (task.data.doubled, task["doubled"].data, task.stdout) == (40, 40, "doubled 40\n")
    assert {a.id: a.data for a in task.artifacts}["doubled"] == 40 and task.artifacts.doubled.data == 40
    assert task.tags == run.tags and step.user_tags == run.user_tags
    start = Task("TaggedFlow/r1/start/_", datastore=tagged.datastore)
    assert start.data.items == [10, 20, 30] and start.parent.parent.pathspec == "TaggedFlow/r1"
    assert Step(run, "join").task.data.total == 120  # parents still make children
    for missing in ("TaggedFlow/r9", "Nope/r1"):
        with pytest.raises(MetaflowNotFound):
            Run(missing, tagged.datastore)
    with pytest.raises(MetaflowNotFound):
        Task("TaggedFlow/r1/each/7", datastore=tagged.datastore)
    for bad in ("TaggedFlow", "TaggedFlow/r1/each", "TaggedFlow//x"):
        with pytest.raises(MetaflowInvalidPathspec):
            Run(bad, tagged.datastore)


def test_namespaces_filter_what_the_client_shows(tagged, monkeypatch):
    as_user(tagged, "bob").ok("run", TAGGED, "--run-id", "r2")
    store = tagged.datastore
    for name in IDENTITY:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("USER", "alice")
    assert default_namespace() == "user:alice" == get_namespace()
    assert [r.id for r in Flow("TaggedFlow", store)] == ["r1"]
    assert Flow("TaggedFlow", store).latest_run.id == "r1"
    with pytest.raises(MetaflowNamespaceMismatch):
        Run("TaggedFlow/r2", store)
    with pytest.raises(MetaflowNamespaceMismatch):
        Flow("TaggedFlow", store)["r2"]
    with pytest.raises(MetaflowNamespaceMismatch):
        Task("TaggedFlow/r2/end/_", datastore=store)
    assert Run("TaggedFlow/r2", store, _namespace_check=False).system_tags >= {"user:bob", "project_branch:user.bob"}

    assert namespace("user:bob") == "user:bob"
    assert [r.id for r in Flow("TaggedFlow", store).runs()] == ["r2"]
    namespace("nightly")  # any tag is a namespace
    assert [r.id for r in Flow("TaggedFlow", store).runs()] == ["r1"]
    namespace("project:demo")
    assert sorted(r.id for r in Flow("TaggedFlow", store).runs()) == ["r1", "r2"]
    assert [r.id for r in Flow("TaggedFlow", store).runs("nightly")] == ["r1"]
    namespace("user:carol")
    with pytest.raises(MetaflowNamespaceMismatch):
        Flow("TaggedFlow", store)
    assert client.flows(store) == []
    namespace(None)
    assert sorted(r.id for r in Flow("TaggedFlow", store)) == ["r1", "r2"]

    monkeypatch.setenv("METAFLOW_PRODUCTION_TOKEN", "tok-1")
    assert default_namespace() == "production:tok-1"
    monkeypatch.delenv("METAFLOW_PRODUCTION_TOKEN")
    monkeypatch.setenv("USER", "root")  # as Metaflow: root names nobody
    assert default_namespace() is None
    monkeypatch.setenv("METAFLOW_USER", "dana")
    assert default_namespace() == "user:dana"


def test_user_tags_change_system_tags_do_not(tagged):
    run = Run("TaggedFlow/r1", tagged.datastore)
    run.add_tag("new")
    run.replace_tag("nightly", "weekly")
    run.remove_tags(["two words", "never there"])
    run.add_tags(["a", "b"])
    run.add_tag("user:alice")  # already a system tag: not added as a user tag, no error
    assert Run("TaggedFlow/r1", tagged.datastore).user_tags == {"new", "weekly", "a", "b"}
    with pytest.raises(MetaflowTaggingError, match="system tag"):
        run.remove_tag("project:demo")
    for bad in ("", "x" * 501, 3):
        with pytest.raises(MetaflowTaggingError):
            run.add_tag(bad)
    with pytest.raises(MetaflowTaggingError, match="at most 50"):
        run.add_tags([f"t{i}" for i in range(47)])
    assert run.user_tags == {"new", "weekly", "a", "b"}
    assert "user:alice" in run.system_tags and "user:alice" not in run.user_tags

    # Concurrent changes from many threads: none is lost.
    errors = []

    def add(i: int) -> None:
        try:
            Run("TaggedFlow/r1", tagged.datastore).add_tag(f"thread-{i}")
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert run.user_tags == {"new", "weekly", "a", "b"} | {f"thread-{i}" for i in range(8)}
    # run.json still holds the tags the run started with
    record = json.loads((tagged.cwd / ".flowc/TaggedFlow/runs/r1/run.json").read_text())
    assert record["tags"] == ["nightly", "two words"]


def test_bad_tags_are_usage_errors(tagged):
    for bad in ("", "x" * 501):
        result = tagged("run", TAGGED, "--tag", bad)
        assert result.returncode == 2, result.stderr
        assert "tag" in result.stderr and "Traceback" not in result.stderr


def test_resume_takes_the_tags_given_to_it(tagged):
    as_user(tagged, "erin").ok("resume", "r1", "--from", "end", "--tag", "again", "--run-id", "r3")
    run = Run("TaggedFlow/r3", tagged.datastore)
    assert run.user_tags == {"again"}
    assert {"user:erin", "project:demo", "project_branch:user.alice"} <= run.system_tags
    assert "user:alice" not in run.system_tags
    assert run.data.result == (7, "cli", "from the environment", 120)  # parameters kept, not re-read


def test_tags_on_s3(flowc, s3_env, monkeypatch):
    """The same records on S3: run.json's tags, and changes as conditional puts that never lose one."""
    import uuid

    import boto3

    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
        flowc.env.pop(name, None)
        monkeypatch.delenv(name, raising=False)
    flowc.env.update(s3_env)
    for name, value in s3_env.items():
        monkeypatch.setenv(name, value)
    bucket = f"flowc-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client("s3", endpoint_url=s3_env["AWS_ENDPOINT_URL"])
    s3.create_bucket(Bucket=bucket)
    store = f"s3://{bucket}/runs"
    (flowc.cwd / "default-notes.txt").write_text("the default\n")
    as_user(flowc, "alice").ok("run", TAGGED, "--datastore", store, "--tag", "on-s3", "--run-id", "s1")
    run = Run("TaggedFlow/s1", store)
    assert run.user_tags == {"on-s3"} and "user:alice" in run.system_tags
    assert run.data.seen_tags == ["on-s3"]

    errors = []

    def add(i: int) -> None:
        try:
            Run("TaggedFlow/s1", store).replace_tag("on-s3" if i == 0 else [], f"thread-{i}")
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert run.user_tags == {f"thread-{i}" for i in range(6)}
    keys = s3.list_objects_v2(Bucket=bucket, Prefix="runs/TaggedFlow/runs/s1/.tags/")["Contents"]
    assert sorted(int(k["Key"].rsplit("/", 1)[1][:-5]) for k in keys) == list(range(1, 7))


def test_damaged_tag_records_are_named(tagged):
    from flowc.runtime.records import DamagedRecord

    run_dir = tagged.cwd / ".flowc/TaggedFlow/runs/r1"
    Run("TaggedFlow/r1", tagged.datastore).add_tag("ok")
    (run_dir / ".tags/1.json").write_text('{"tags": "not a list"}\n')
    with pytest.raises(DamagedRecord, match=r"\.tags/1\.json is damaged: 'tags' is not a list of strings"):
        Run("TaggedFlow/r1", tagged.datastore).user_tags
    record = json.loads((run_dir / "run.json").read_text())
    (run_dir / "run.json").write_text(json.dumps(dict(record, system_tags=["user:alice", 7])))
    with pytest.raises(DamagedRecord, match=r"run\.json is damaged: 'system_tags'\[1\] is an integer"):
        Run("TaggedFlow/r1", tagged.datastore)


def test_show_lists_a_runs_tags(tagged):
    Run("TaggedFlow/r1", tagged.datastore).add_tag("later")
    out = tagged.ok("show", "TaggedFlow/r1").stdout
    assert out.splitlines()[2] == "tags: later, nightly, two words"
    shown = json.loads(tagged.ok("show", "TaggedFlow/r1", "--json").stdout)
    assert shown["tags"] == ["later", "nightly", "two words"] and "user:alice" in shown["system_tags"]


def test_a_required_parameter_from_the_environment(flowc):
    flow = flowc.cwd / "needs.py"
    flow.write_text("from metaflow import FlowSpec, Parameter, step\n\n\n"
                    "class NeedsFlow(FlowSpec):\n"
                    "    size = Parameter('size', type=int, required=True)\n\n"
                    "    @step\n    def start(self):\n        self.twice = self.size * 2\n        self.next(self.end)\n\n"
                    "    @step\n    def end(self):\n        pass\n")
    missing = flowc("run", str(flow))
    assert missing.returncode == 2 and "required parameter(s) not given: size" in missing.stderr
    assert "METAFLOW_RUN_<NAME>" in missing.stderr
    flowc.env["METAFLOW_RUN_SIZE"] = "21"
    flowc.ok("run", str(flow), "--run-id", "e1")
    assert Run("NeedsFlow/e1", flowc.datastore).data.twice == 42
