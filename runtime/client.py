"""Read runs back, as Metaflow's client does: `Run("MyFlow/run-1")["end"].task.data.result`.

    from flowc.runtime import Flow, Run, Step, Task, namespace
    flows()                                # every Flow in the datastore (Metaflow().flows too)
    flow = Flow("MyFlow")                  # datastore: argument, else the running task's, FLOWC_DATASTORE, ./.flowc
    flow.runs(*tags) / iter(flow)          # [Run] in the current namespace (with all these tags), newest first
    flow.latest_run, flow.latest_successful_run, flow["run-1"]
    run = Run("MyFlow/run-1")              # Step("MyFlow/run-1/train"), Task("MyFlow/run-1/train/3.0") too
    run.parameters, run.status, run.successful, run.finished, run.started_at, run.data, run.end_task
    run.tags, run.user_tags, run.system_tags; run.add_tag(s), remove_tag(s), replace_tag(s)
    run.steps() / run["train"]              # Step, in the order they started
    step.tasks() / step.task / step["3.0"] or step["3/0"]  # Task (task.id "3.0", task.index 0, task.index_path "3/0")
    task.data.x, task["x"].data, task.artifacts (by name; iterating gives DataArtifacts; a failed task's are
    its latest attempt's, as in Metaflow: task.successful is False), task.status,
    task.stdout, task.stderr, task.stdout_size, task.stderr_size, task.exception, task.current_attempt (its
    number), task.attempts() -> [Attempt] (meta.json, artifacts, logs; the current one: task.flowc_attempt,
    its meta.json: task.flowc_meta), task.loglines("stdout") -> (datetime, line)s, task.metadata -> [Metadata],
    task.metadata_dict, task.parent_tasks / child_tasks (and their _pathspecs), task.environment_info,
    task.runtime_name ("flowc"), task.code / run.code (None: flowc builds no code package),
    step.control_task / control_tasks() (None / none: flowc has no control tasks)

Namespaces (flowc.runtime.tags): `namespace("user:alice")`, `namespace(None)` (every run),
`get_namespace()`, `default_namespace()` (yours: `user:<name>`). Runs outside the current namespace are
not listed, and naming one (`Run(pathspec)`, `flow[id]`) raises MetaflowNamespaceMismatch, as in Metaflow.
A pathspec that names nothing raises MetaflowNotFound; a missing child (`run["nope"]`) is a KeyError.

Everything is read on demand from the datastore (flowc.runtime.datastore); nothing but a run's run.json
(written once) is kept, so a new Run shows a running flow's progress and its tags as they are now.
"""

from __future__ import annotations

import builtins
from collections import namedtuple
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any, Iterator, Optional

from . import layout, tags as _tags
from .datastore import Datastore, TaskRef, open_datastore
from .errors import CaughtException
from .exception import MetaflowInvalidPathspec, MetaflowNamespaceMismatch, MetaflowNotFound, MetaflowTaggingError
from .records import CommitRecord, RunRecord

class InvalidPathspec(MetaflowInvalidPathspec, ValueError):
    """A pathspec of the wrong shape (Metaflow's MetaflowInvalidPathspec; a ValueError, like a bad run id)."""


__all__ = ["Flow", "Run", "Step", "Task", "DataArtifact", "Metaflow", "flows", "namespace", "get_namespace",
           "default_namespace", "MetaflowNotFound", "MetaflowNamespaceMismatch", "MetaflowInvalidPathspec",
           "MetaflowTaggingError"]


# -- namespaces -------------------------------------------------------------------------------------
_UNSET = object()
_namespace: object = _UNSET


def namespace(ns: Optional[str]) -> Optional[str]:
    """Switch the namespace (a tag: 'user:alice', 'project:demo', any user tag); None: every run.
    Affects every client object made afterwards in this process."""
    global _namespace
    _namespace = ns
    return get_namespace()


def get_namespace() -> Optional[str]:
    """The current namespace (the default one until `namespace` is called)."""
    if _namespace is _UNSET:
        default_namespace()
    return _namespace  # type: ignore[return-value]


def default_namespace() -> Optional[str]:
    """Go back to the default namespace: `production:<token>` or `user:<name>` (None when no user name
    can be found: every run)."""
    global _namespace
    _namespace = _tags.identity()
    return get_namespace()


def _open(datastore: "Datastore | str | None") -> Datastore:
    """The given datastore; else, inside a running task, the run's own (as Metaflow's client uses the
    flow's metadata there); else FLOWC_DATASTORE or ./.flowc."""
    if isinstance(datastore, Datastore):
        return datastore
    if datastore is None:
        from .context import current

        datastore = current.datastore if current.is_running_flow else None
    return open_datastore(datastore)


def _split(pathspec: object, parts: int, shape: str) -> list[str]:
    ids = pathspec.split("/") if isinstance(pathspec, str) else []
    if len(ids) != parts or not all(ids):
        raise InvalidPathspec(f"bad pathspec {pathspec!r}: expected {shape!r}")
    return ids


def flows(datastore: "Datastore | str | None" = None) -> list["Flow"]:
    """Every flow with a run in the current namespace, by name."""
    store = _open(datastore)
    found = [Flow(name, store, _namespace_check=False) for name in store.flows()]
    return [flow for flow in found if flow.runs()] if get_namespace() is not None else found


class Metaflow:
    """Metaflow's entry point: `Metaflow().flows`, `Metaflow()["MyFlow"]`."""

    def __init__(self, datastore: "Datastore | str | None" = None):
        self.datastore = _open(datastore)

    @property
    def flows(self) -> list["Flow"]:
        return flows(self.datastore)

    def __iter__(self) -> Iterator["Flow"]:
        return iter(self.flows)

    def __getitem__(self, name: str) -> "Flow":
        return Flow(name, self.datastore)


class _Tagged:
    """Tags and namespace checks: an object's tags are its run's (as in Metaflow)."""

    def _run(self) -> "Run":
        raise NotImplementedError

    @property
    def user_tags(self) -> frozenset:
        return self._run()._tag_sets()[0]

    @property
    def system_tags(self) -> frozenset:
        return self._run()._tag_sets()[1]

    @property
    def tags(self) -> frozenset:
        user, system = self._run()._tag_sets()
        return user | system

    def is_in_namespace(self) -> bool:
        ns = get_namespace()
        return ns is None or self._run()._carries({ns})

    def _check_namespace(self) -> None:
        if not self.is_in_namespace():
            raise MetaflowNamespaceMismatch(get_namespace())


class Flow:
    """A flow in the datastore: `Flow("MyFlow")` (MetaflowNotFound if it has no run; in a namespace,
    MetaflowNamespaceMismatch if none of its runs is in it)."""

    def __init__(self, name: str, datastore: "Datastore | str | None" = None, *, _namespace_check: bool = True):
        self.name = layout.check_flow_name(name)
        self.datastore = _open(datastore)
        if _namespace_check:
            if not self.datastore.runs(self.name):
                raise MetaflowNotFound(f"flow {self.name} has no runs in {self.datastore.uri}")
            if get_namespace() is not None and not self.runs():
                raise MetaflowNamespaceMismatch(get_namespace())

    @property
    def id(self) -> str:
        return self.name

    @property
    def pathspec(self) -> str:
        return self.name

    def runs(self, *tags: str) -> list["Run"]:
        """Runs in the current namespace that carry every tag in `tags`, newest first (by start time, then id)."""
        runs = [Run(f"{self.name}/{run_id}", self.datastore, _namespace_check=False)
                for run_id in self.datastore.runs(self.name)]
        wanted = set(tags)
        if get_namespace() is not None:
            wanted.add(get_namespace())
        if wanted:
            runs = [run for run in runs if run._carries(wanted)]
        return sorted(runs, key=lambda r: (r.started_at or "", r.id), reverse=True)

    def __iter__(self) -> Iterator["Run"]:
        return iter(self.runs())

    def __getitem__(self, run_id: str) -> "Run":
        if not layout.valid_run_id(run_id) or run_id not in self.datastore.runs(self.name):
            raise KeyError(f"flow {self.name} has no run {run_id!r}")
        run = Run(f"{self.name}/{run_id}", self.datastore, _namespace_check=False)
        run._check_namespace()
        return run

    def __contains__(self, run_id: str) -> bool:
        return layout.valid_run_id(run_id) and run_id in self.datastore.runs(self.name)

    @property
    def latest_run(self) -> Optional["Run"]:
        runs = self.runs()
        return runs[0] if runs else None

    @property
    def latest_successful_run(self) -> Optional["Run"]:
        return next((r for r in self.runs() if r.successful), None)

    def __repr__(self) -> str:
        return f"Flow({self.name!r})"


class Run(_Tagged):
    """A run: `Run("MyFlow/run-1")`."""

    def __init__(self, pathspec: str, datastore: "Datastore | str | None" = None, *, _namespace_check: bool = True,
                 _reader=None):
        flow, run_id = _split(pathspec, 2, "FlowName/RunID")
        self.flow_name = layout.check_flow_name(flow)
        self.id = layout.check_run_id(run_id)
        self.datastore = _open(datastore)
        self._record: Optional[RunRecord] = None
        self._reader = _reader  # reads run.json: the running task's own reader (it reads it once per task)
        if _namespace_check:
            if self._read_record() is None and not self.datastore.steps(self.flow_name, self.id):
                raise MetaflowNotFound(f"run {self.pathspec} is not in {self.datastore.uri}")
            self._check_namespace()

    def _run(self) -> "Run":
        return self

    @property
    def pathspec(self) -> str:
        return f"{self.flow_name}/{self.id}"

    @property
    def path_components(self) -> list[str]:
        return [self.flow_name, self.id]

    @property
    def parent(self) -> Flow:
        return Flow(self.flow_name, self.datastore, _namespace_check=False)

    def _read_record(self) -> Optional[RunRecord]:
        """run.json, kept once read: it is written once, by the start task (or `flowc resume`)."""
        if self._record is None:
            self._record = self._reader() if self._reader else self.datastore.read_run(self.flow_name, self.id)
        return self._record

    @property
    def record(self) -> dict:
        """run.json (empty if the start task has not run yet)."""
        record = self._read_record()
        return record.as_json() if record is not None else {}

    def _carries(self, wanted: set) -> bool:
        """Has the run every tag in `wanted`? (System tags first: they need no listing of tag changes.)"""
        record = self._read_record()
        return wanted <= frozenset(record.system_tags if record else ()) or wanted <= self.tags

    def _tag_sets(self) -> tuple[frozenset, frozenset]:
        return _tags.run_tags(self.datastore, self.flow_name, self.id, self._read_record())

    @property
    def parameters(self) -> dict:
        return dict(self.record.get("parameters", {}))

    @property
    def started_at(self) -> Optional[str]:
        return self.record.get("started_at")

    @property
    def created_at(self) -> Optional[datetime]:
        """When the run started, as Metaflow's client gives times (`started_at` is the ISO text)."""
        return _local_datetime(self.started_at)

    @property
    def origin_run_id(self) -> Optional[str]:
        return self.record.get("origin_run_id")

    @property
    def origin_pathspec(self) -> Optional[str]:
        origin = self.origin_run_id
        return f"{self.flow_name}/{origin}" if origin else None

    # -- tags (user tags change; system tags never do) ---------------------------------------------
    def add_tag(self, tag: "str | Iterable[str]") -> None:
        """Add a user tag (a system tag is not added again; no error)."""
        self.replace_tags([], _one_or_many(tag))

    def add_tags(self, tags: Iterable[str]) -> None:
        self.replace_tags([], tags)

    def remove_tag(self, tag: "str | Iterable[str]") -> None:
        """Remove a user tag (removing a system tag is an error; an absent tag, a no-op)."""
        self.replace_tags(_one_or_many(tag), [])

    def remove_tags(self, tags: Iterable[str]) -> None:
        self.replace_tags(tags, [])

    def replace_tag(self, tag_to_remove: "str | Iterable[str]", tag_to_add: "str | Iterable[str]") -> None:
        self.replace_tags(_one_or_many(tag_to_remove), _one_or_many(tag_to_add))

    def replace_tags(self, tags_to_remove: Iterable[str], tags_to_add: Iterable[str]) -> None:
        """Remove, then add, in one atomic change of the run's user tags."""
        _tags.mutate_run_tags(self.datastore, self.flow_name, self.id, tags_to_remove, tags_to_add)

    # -- steps ------------------------------------------------------------------------------------
    def steps(self, *tags: str) -> list["Step"]:
        """The steps that have at least one task, in the order they started (`tags`: all or nothing, since
        a step's tags are its run's)."""
        if tags and not set(tags) <= self.tags:
            return []
        steps = [Step(self, name) for name in self.datastore.steps(self.flow_name, self.id)]
        return sorted(steps, key=lambda s: (s.started_at or "~", s.name))

    def __iter__(self) -> Iterator["Step"]:
        return iter(self.steps())

    def __getitem__(self, step: str) -> "Step":
        if step not in self.datastore.steps(self.flow_name, self.id):
            raise KeyError(f"run {self.pathspec} has no step {step!r}")
        return Step(self, step)

    def __contains__(self, step: str) -> bool:
        return step in self.datastore.steps(self.flow_name, self.id)

    @property
    def end_task(self) -> Optional["Task"]:
        return Task(Step(self, "end"), "") if "end" in self else None

    @property
    def successful(self) -> bool:
        """True once the end step has committed."""
        end = self.end_task
        return end is not None and end.successful

    @property
    def finished(self) -> bool:
        """True once the end step completed, as in Metaflow: a run that failed, in its end step or before, is
        not finished (see `status`)."""
        end = self.end_task
        return end is not None and end.finished

    @property
    def finished_at(self) -> Optional[datetime]:
        end = self.end_task
        return end.finished_at if end is not None else None

    @property
    def status(self) -> str:
        """"succeeded" (end committed), "failed" (a task's latest attempt failed and nothing committed
        it since), else "running"."""
        if self.successful:
            return "succeeded"
        for step in self.steps():
            for task in step.tasks():
                if task.status == "failed":
                    return "failed"
        return "running"

    @property
    def code(self) -> None:
        """Metaflow's Run.code (the code package of a run with a remote step): always None, as flowc builds no
        code package."""
        return None

    @property
    def data(self) -> Optional["TaskData"]:
        """The end task's artifacts (None until the run succeeded)."""
        return self.end_task.data if self.successful else None

    def __repr__(self) -> str:
        return f"Run({self.pathspec!r})"


def _one_or_many(tags: "str | Iterable[str]") -> Iterable[str]:
    """add_tag and friends take one tag or, as Metaflow's do, a list of them."""
    return [tags] if isinstance(tags, (str, bytes)) else tags


class Step(_Tagged):
    """A step of a run: `Step("MyFlow/run-1/train")`, or `Step(run, "train")`."""

    def __init__(self, run: "Run | str", name: Optional[str] = None, datastore: "Datastore | str | None" = None,
                 *, _namespace_check: bool = True):
        if isinstance(run, str):
            flow, run_id, name = _split(run, 3, "FlowName/RunID/StepName")
            run = Run(f"{flow}/{run_id}", datastore, _namespace_check=_namespace_check)
            layout.check_name("step", name)
            if _namespace_check and name not in run:
                raise MetaflowNotFound(f"step {run.pathspec}/{name} has no task in {run.datastore.uri}")
        elif name is None:
            raise TypeError("Step(run, name) or Step('FlowName/RunID/StepName')")
        self.run = run
        self.name = name

    def _run(self) -> Run:
        return self.run

    @property
    def id(self) -> str:
        return self.name

    @property
    def datastore(self) -> Datastore:
        return self.run.datastore

    @property
    def pathspec(self) -> str:
        return f"{self.run.pathspec}/{self.name}"

    @property
    def path_components(self) -> list[str]:
        return [*self.run.path_components, self.name]

    @property
    def parent(self) -> Run:
        return self.run

    def tasks(self, *tags: str) -> list["Task"]:
        """Every task of the step (committed or not), in foreach order."""
        if tags and not set(tags) <= self.tags:
            return []
        return [Task(self, index) for index in self.datastore.task_indexes(self.run.flow_name, self.run.id, self.name)]

    def __iter__(self) -> Iterator["Task"]:
        return iter(self.tasks())

    def __getitem__(self, task_id: str) -> "Task":
        index = _index_of(task_id)
        if index is None or index not in self.datastore.task_indexes(self.run.flow_name, self.run.id, self.name):
            raise KeyError(f"step {self.pathspec} has no task {task_id!r}")
        return Task(self, index)

    def __contains__(self, task_id: str) -> bool:
        index = _index_of(task_id)
        return index is not None and index in self.datastore.task_indexes(self.run.flow_name, self.run.id, self.name)

    @property
    def task(self) -> Optional["Task"]:
        """The step's task when it has exactly one (not in a foreach); else the first one."""
        tasks = self.tasks()
        return tasks[0] if tasks else None

    @property
    def control_task(self) -> None:
        """Metaflow's Step.control_task (the control task of a @parallel step): always None, as flowc runs no
        @parallel steps and so has no control tasks."""
        return None

    def control_tasks(self, *tags: str) -> Iterator["Task"]:
        """Metaflow's Step.control_tasks: none (see control_task)."""
        return iter(())

    @property
    def started_at(self) -> Optional[str]:
        times = [t.started_at for t in self.tasks() if t.started_at]
        return min(times) if times else None

    @property
    def created_at(self) -> Optional[datetime]:
        return _local_datetime(self.started_at)

    @property
    def finished_at(self) -> Optional[datetime]:
        times = [t.finished_at for t in self.tasks()]
        return max(times) if times and all(times) else None

    def __repr__(self) -> str:
        return f"Step({self.pathspec!r})"


def _local_datetime(text: Optional[str]) -> Optional[datetime]:
    """A record's ISO time as Metaflow's client gives times: a naive datetime in local time, so that
    `datetime.now() - run.created_at` works as it does there."""
    return datetime.fromisoformat(text).astimezone().replace(tzinfo=None) if text else None


def _epoch_ms(text: Optional[str]) -> Optional[int]:
    """A record's ISO time as Metaflow's metadata times are: milliseconds since the epoch."""
    return round(datetime.fromisoformat(text).timestamp() * 1000) if text else None


def _utc_datetime(text: Optional[str]) -> Optional[datetime]:
    """A record's ISO time as Metaflow's log lines give times: a naive datetime in UTC."""
    return datetime.fromisoformat(text).astimezone(timezone.utc).replace(tzinfo=None) if text else None


LOG_STREAMS = ("stdout", "stderr")


def _check_stream(stream: object) -> None:
    if stream not in LOG_STREAMS:
        raise ValueError(f"no log stream {stream!r}: expected one of {', '.join(LOG_STREAMS)}")


def _index_of(task_id: str) -> Optional[str]:
    """A task id as pathspecs print it ("_", "3", "3.0") or an index path ("3/0") -> the index, or None."""
    if not isinstance(task_id, str):
        return None
    if task_id == layout.NO_INDEX or "." in task_id:
        return layout.index_from_disk(task_id) if layout.valid_index_segment(task_id) else None
    try:
        return layout.check_index(task_id)
    except ValueError:
        return None


Metadata = namedtuple("Metadata", "name value created_at type task")
Metadata.__doc__ = "One metadata entry of a task, as Metaflow's client gives it (Task.metadata)."

# The metadata type Metaflow gives each of its names that flowc writes too; flowc's own names have type "flowc".
_METAFLOW_TYPES = {name: name for name in ("attempt", "origin-run-id", "origin-task-id", "ds-type", "ds-root",
                                           "runtime", "python_version", "script-name", "user")}
_METAFLOW_TYPES["attempt_ok"] = "internal_attempt_status"


class Attempt:
    """One attempt of a task: its meta.json, artifacts.json and logs."""

    def __init__(self, task: "Task", number: int):
        self.task = task
        self.number = number

    @property
    def meta(self) -> dict:
        meta = self.task.datastore.read_meta(self.task.ref, self.number)
        return meta.as_json() if meta is not None else {}

    @property
    def status(self) -> str:
        """meta.json's status, except that "succeeded" needs the task's commit: meta.json says so just before
        done.json is written, so without done.json (not yet written, or never: the task was killed, or the disk
        filled up, in between) the attempt is still "running", as a killed attempt stays."""
        status = self.meta.get("status", "unknown")
        if status == "succeeded" and self.task.done is None:
            return "running"
        return status

    @property
    def artifacts(self) -> dict:
        return self.task.datastore.read_artifacts(self.task.ref, self.number) or {}

    def log_bytes(self, stream: str) -> bytes:
        """The attempt's stdout or stderr log as written (b"" when it has none)."""
        _check_stream(stream)
        return self.task.datastore.read_log(self.task.ref, self.number, stream) or b""

    def log(self, stream: str) -> str:
        return self.log_bytes(stream).decode("utf-8", "replace")

    @property
    def stdout(self) -> str:
        return self.log("stdout")

    @property
    def stderr(self) -> str:
        return self.log("stderr")

    def __repr__(self) -> str:
        return f"Attempt({self.task.pathspec!r}, {self.number})"


class Task(_Tagged):
    """A task: `Task("MyFlow/run-1/train/3.0")` (the task id as pathspecs print it: "_" outside a foreach),
    or `Task(step, "3/0")`."""

    def __init__(self, step: "Step | str", index: Optional[str] = None, datastore: "Datastore | str | None" = None,
                 *, _namespace_check: bool = True):
        if isinstance(step, str):
            flow, run_id, step_name, task_id = _split(step, 4, "FlowName/RunID/StepName/TaskID")
            index = _index_of(task_id)
            if index is None:
                raise InvalidPathspec(f"bad task id {task_id!r} in {step!r}: expected _, 3 or 3.0 "
                                      "(foreach positions)")
            step = Step(f"{flow}/{run_id}/{step_name}", None, datastore, _namespace_check=_namespace_check)
            if _namespace_check and index not in step.datastore.task_indexes(flow, run_id, step_name):
                raise MetaflowNotFound(f"task {step.pathspec}/{task_id} is not in {step.datastore.uri}")
        elif index is None:
            raise TypeError("Task(step, index) or Task('FlowName/RunID/StepName/TaskID')")
        self.step = step
        self.index_path = index
        self.ref = TaskRef(step.run.flow_name, step.run.id, step.name, index)

    def _run(self) -> Run:
        return self.step.run

    @property
    def datastore(self) -> Datastore:
        return self.step.datastore

    @property
    def id(self) -> str:
        """The task id in pathspecs: the index as on disk ("_", "3", "3.0")."""
        return self.ref.task_id

    @property
    def index(self) -> Optional[int]:
        """Metaflow's Task.index: the position in the innermost foreach, None outside a foreach. (The whole
        index path, "3/0", is `index_path`.)"""
        return layout.index_parts(self.index_path)[-1] if self.index_path else None

    foreach_index = index

    @property
    def pathspec(self) -> str:
        return self.ref.pathspec

    @property
    def path_components(self) -> list[str]:
        return [*self.step.path_components, self.id]

    @property
    def parent(self) -> Step:
        return self.step

    @property
    def done(self) -> Optional[CommitRecord]:
        """The commit record (done.json, flowc.runtime.records.CommitRecord), None if not committed."""
        return self.datastore.read_done(self.ref)

    @property
    def successful(self) -> bool:
        return self.done is not None

    def attempts(self) -> list[Attempt]:
        return [Attempt(self, n) for n in self.datastore.attempts(self.ref)]

    @property
    def flowc_attempt(self) -> Optional[Attempt]:
        """flowc's Attempt (meta.json, artifacts, logs) of the current attempt: the committed one if there is
        one, else the latest; None before the first. (Metaflow's `current_attempt` is its number.)"""
        done = self.done
        if done is not None:
            return Attempt(self, done.attempt)
        attempts = self.attempts()
        return attempts[-1] if attempts else None

    @property
    def current_attempt(self) -> int:
        """Metaflow's Task.current_attempt: the number of the attempt `stdout` and `metadata` read (0 before
        the first, as in Metaflow). flowc's Attempt object is `flowc_attempt`."""
        attempt = self.flowc_attempt
        return attempt.number if attempt else 0

    @property
    def flowc_meta(self) -> dict:
        """The current attempt's meta.json as flowc writes it ({} before the first attempt); Metaflow's view of
        it is `metadata` / `metadata_dict`."""
        attempt = self.flowc_attempt
        return attempt.meta if attempt else {}

    # meta.json fields metadata gives under their own names (the rest: paths, status, error, claim, parents)
    _META_FIELDS = ("started_at", "finished_at", "duration_s", "exit_code", "retry_times", "host", "pid",
                    "python_version", "flowc_version", "source_sha256")

    @property
    def metadata(self) -> list[Metadata]:
        """Metaflow's Task.metadata: a Metadata(name, value, created_at, type, task) per name, of the current
        attempt (the one `stdout` reads; Metaflow's lists every attempt's, flowc keeps older attempts in
        `attempts()`), built from flowc's records; [] before the task's first attempt. Values are text, as in
        Metaflow; created_at is the attempt's start in milliseconds since the epoch (flowc records one time per
        attempt); type is Metaflow's for its names, "flowc" for flowc's own. Names as Metaflow's: "attempt",
        "attempt_ok" ("True"/"False" once the attempt ended), "origin-run-id" (the resumed run, "None" if not
        resumed: Metaflow writes it so), "origin-task-id" (a task resume cloned), "ds-type" ("local"/"s3"),
        "ds-root", "runtime" (runtime_name), "python_version" (the task's interpreter; else the run's system tag),
        "script-name", "user" (the run's user: tag); flowc's own from meta.json: "started_at", "finished_at",
        "duration_s", "exit_code", "retry_times", "host", "pid", "flowc_version", "source_sha256"."""
        attempt = self.flowc_attempt
        if attempt is None:
            return []
        meta = attempt.meta
        record = self._run().record
        system = dict(tag.split(":", 1) for tag in record.get("system_tags", ()) if ":" in tag)
        done = self.done
        values = {field: meta.get(field) for field in self._META_FIELDS}
        values.update({
            "attempt": attempt.number,
            "attempt_ok": {"succeeded": True, "failed": False}.get(attempt.status),
            "origin-run-id": str(record.get("origin_run_id")),
            "origin-task-id": self.id if done is not None and done.origin else None,
            "ds-type": "local" if self.datastore.is_local else "s3",
            "ds-root": self.datastore.uri,
            "runtime": self.runtime_name,
            "python_version": meta.get("python_version") or system.get("python_version"),
            "script-name": (record.get("flow_file") or "").rsplit("/", 1)[-1] or None,
            "user": system.get("user"),
        })
        created_at = _epoch_ms(meta.get("started_at"))
        return [Metadata(name, str(value), created_at, _METAFLOW_TYPES.get(name, "flowc"), self)
                for name, value in sorted(values.items()) if value is not None]

    @property
    def metadata_dict(self) -> dict[str, str]:
        """Metaflow's Task.metadata_dict: name -> value of `metadata`."""
        return {entry.name: entry.value for entry in self.metadata}

    @property
    def runtime_name(self) -> str:
        """Metaflow's Task.runtime_name (its runtime: tag, "dev" for a local run): "flowc" on every scheduler,
        as flowc records no scheduler name."""
        return "flowc"

    @property
    def environment_info(self) -> dict[str, str]:
        """What flowc knows of the environment that ran the task: "python_version" and "flowc_version" (from
        metadata_dict). Metaflow's gives its environment's description and None without a code package."""
        meta = self.metadata_dict
        return {name: meta[name] for name in ("python_version", "flowc_version") if name in meta}

    @property
    def code(self) -> None:
        """Metaflow's Task.code (the task's code package): always None, as flowc builds no code package."""
        return None

    @property
    def status(self) -> str:
        """"succeeded" (committed), "skipped" (not chosen by its switch), else the latest attempt's
        status: "running", "failed" or "unknown"."""
        if self.successful:
            return "succeeded"
        if self.datastore.read_skipped(self.ref) is not None:
            return "skipped"
        attempt = self.flowc_attempt
        return attempt.status if attempt else "unknown"

    @property
    def finished(self) -> bool:
        """As Metaflow's: whether the task completed, which a failed task did not (Metaflow reads the task's
        `_task_ok` flag, False when it failed)."""
        return self.status in ("succeeded", "skipped")

    @property
    def started_at(self) -> Optional[str]:
        return self.flowc_meta.get("started_at")

    @property
    def created_at(self) -> Optional[datetime]:
        return _local_datetime(self.started_at)

    @property
    def finished_at(self) -> Optional[datetime]:
        """When the task finished, as Metaflow's client gives times (the ISO text: flowc_meta["finished_at"])."""
        return _local_datetime(self.flowc_meta.get("finished_at"))

    @property
    def duration(self) -> Optional[float]:
        return self.flowc_meta.get("duration_s")

    @property
    def exception(self) -> Optional[CaughtException]:
        """What made the latest attempt fail, as Metaflow's client gives it: an exception wrapper with `.type`
        ("builtins.ValueError"), `.exception` (the message) and `.stacktrace`; None if it did not fail."""
        error = self.flowc_meta.get("error")
        if not error:
            return None
        kind = error.get("type", "")
        builtin = "." not in kind and isinstance(getattr(builtins, kind, None), type)
        return CaughtException(f"builtins.{kind}" if builtin else kind, error.get("message", ""),
                               error.get("traceback", ""))

    @property
    def control(self) -> Any:
        done = self.done
        return done.control_value if done else None

    @property
    def artifacts(self) -> "Artifacts":
        """The committed attempt's artifacts; without a commit, as in Metaflow, the latest attempt's (a failed
        attempt keeps what it had; a running one has none yet): `artifacts["x"]`, `artifacts.x`,
        `for artifact in artifacts` (DataArtifacts, as Metaflow's), `.items()`, `.keys()`."""
        done = self.done
        if done is not None:
            infos = sorted(done.artifacts.items())
        else:
            attempt = self.flowc_attempt
            infos = sorted(attempt.artifacts.items()) if attempt is not None else []
        return Artifacts({name: DataArtifact(self, name, info) for name, info in infos}, self.pathspec)

    def __getitem__(self, name: str) -> "DataArtifact":
        artifacts = self.artifacts
        if name not in artifacts:
            raise KeyError(f"task {self.pathspec} has no artifact {name!r}")
        return artifacts[name]

    def __contains__(self, name: str) -> bool:
        return name in self.artifacts

    def __iter__(self) -> Iterator["DataArtifact"]:
        return iter(self.artifacts)

    @property
    def data(self) -> "TaskData":
        return TaskData(self.artifacts.by_name, self.pathspec)

    @property
    def stdout(self) -> str:
        attempt = self.flowc_attempt
        return attempt.stdout if attempt else ""

    @property
    def stderr(self) -> str:
        attempt = self.flowc_attempt
        return attempt.stderr if attempt else ""

    @property
    def stdout_size(self) -> int:
        """Metaflow's Task.stdout_size: the size in bytes of the stdout log as stored (Metaflow's stored logs
        carry a prefix on each line, so its sizes are larger than the text's; flowc's are the text's)."""
        return self._log_size("stdout")

    @property
    def stderr_size(self) -> int:
        """Metaflow's Task.stderr_size (see stdout_size)."""
        return self._log_size("stderr")

    def _log_size(self, stream: str) -> int:
        attempt = self.flowc_attempt
        return len(attempt.log_bytes(stream)) if attempt else 0

    # -- the tasks around this one (meta.json's "parents": the tasks its attempt read its inputs from) --------
    @property
    def parent_task_pathspecs(self) -> Iterator[str]:
        """Metaflow's Task.parent_task_pathspecs: the tasks this task's inputs came from (a join's inputs, a
        foreach child's split, else the step before it); none for start, or before the task's first attempt."""
        for parent in self.flowc_meta.get("parents") or ():
            yield f"{self.step.run.pathspec}/{parent}"

    @property
    def child_task_pathspecs(self) -> Iterator[str]:
        """Metaflow's Task.child_task_pathspecs: the tasks of the run that read their inputs from this one (found
        by reading every task's meta.json in the run: flowc's records name parents, not children)."""
        me = self.pathspec
        for step in self.step.run.steps():
            if step.id == self.step.id:
                continue  # a step never feeds itself
            for task in step.tasks():
                if me in task.parent_task_pathspecs:
                    yield task.pathspec

    @property
    def parent_tasks(self) -> Iterator["Task"]:
        """Metaflow's Task.parent_tasks: Tasks of parent_task_pathspecs."""
        for pathspec in self.parent_task_pathspecs:
            yield Task(pathspec, datastore=self.datastore, _namespace_check=False)

    @property
    def child_tasks(self) -> Iterator["Task"]:
        """Metaflow's Task.child_tasks: Tasks of child_task_pathspecs."""
        for pathspec in self.child_task_pathspecs:
            yield Task(pathspec, datastore=self.datastore, _namespace_check=False)

    def loglines(self, stream: str, as_unicode: bool = True) -> Iterator[tuple[Optional[datetime], "str | bytes"]]:
        """Metaflow's Task.loglines: (time, line) for each line (without its newline; bytes unless as_unicode)
        of the log `stdout`/`stderr` read. flowc's logs carry no per-line times, so every line has its attempt's
        start, a naive UTC datetime as Metaflow's line times are."""
        _check_stream(stream)
        attempt = self.flowc_attempt
        data = attempt.log_bytes(stream) if attempt else b""
        when = _utc_datetime(attempt.meta.get("started_at")) if data else None
        lines = data.split(b"\n")
        if lines[-1] == b"":  # the newline ending the last line starts no line
            lines.pop()
        for line in lines:
            yield when, line.decode("utf-8", "replace") if as_unicode else line

    def __repr__(self) -> str:
        return f"Task({self.pathspec!r})"


class DataArtifact:
    """One artifact: `.data` loads its value; `.sha`, `.type`, `.size` come from the record."""

    def __init__(self, task: Task, name: str, info: dict):
        self.task = task
        self.name = name
        self.sha = info["sha256"]
        self.type = info.get("type")
        self.size = info.get("size")

    @property
    def id(self) -> str:
        return self.name

    @property
    def pathspec(self) -> str:
        return f"{self.task.pathspec}/{self.name}"

    @property
    def data(self) -> Any:
        return self.task.datastore.load_value(self.task.ref.flow, self.sha)

    def __repr__(self) -> str:
        return f"DataArtifact({self.pathspec!r})"


class Artifacts:
    """A task's artifacts by name. Iterating gives the DataArtifacts (Metaflow's `task.artifacts` is a
    namedtuple of them); `["x"]`, `.x`, `in`, `.keys()`, `.items()`, `.values()` go by name."""

    def __init__(self, by_name: dict[str, DataArtifact], pathspec: str):
        self.by_name = by_name
        self.pathspec = pathspec

    def __iter__(self) -> Iterator[DataArtifact]:
        return iter(self.by_name.values())

    def __len__(self) -> int:
        return len(self.by_name)

    def __getitem__(self, name: str) -> DataArtifact:
        return self.by_name[name]

    def __getattr__(self, name: str) -> DataArtifact:
        by_name = self.__dict__.get("by_name", {})
        if name in by_name:
            return by_name[name]
        raise AttributeError(f"task {self.__dict__.get('pathspec')} has no artifact {name!r}")

    def __contains__(self, name: object) -> bool:
        return name in self.by_name

    def keys(self):
        return self.by_name.keys()

    def items(self):
        return self.by_name.items()

    def values(self):
        return self.by_name.values()

    def __repr__(self) -> str:
        return f"<artifacts of {self.pathspec}: {', '.join(self.by_name)}>"


class TaskData:
    """`task.data.x`: artifact values by attribute, loaded on access."""

    def __init__(self, artifacts: dict[str, DataArtifact], pathspec: str):
        object.__setattr__(self, "_artifacts", artifacts)
        object.__setattr__(self, "_pathspec", pathspec)

    def __getattr__(self, name: str) -> Any:
        artifacts = object.__getattribute__(self, "_artifacts")
        if name in artifacts:
            return artifacts[name].data
        raise AttributeError(f"task {object.__getattribute__(self, '_pathspec')} has no artifact {name!r}")

    def __contains__(self, name: str) -> bool:
        return name in object.__getattribute__(self, "_artifacts")

    def __dir__(self) -> list:
        return sorted(object.__getattribute__(self, "_artifacts"))

    def __repr__(self) -> str:
        return f"<data of {object.__getattribute__(self, '_pathspec')}: {', '.join(self.__dir__())}>"
