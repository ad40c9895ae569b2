"""Read runs back, Metaflow-style: `Run("MyFlow/run-1")["end"].task.data.result`.

    from flowc.runtime import Flow, Run
    flows()                                # every Flow in the datastore
    flow = Flow("MyFlow")                  # datastore: argument, else FLOWC_DATASTORE, else ./.flowc
    flow.runs()                            # [Run], newest first (by run.json start time)
    flow.latest_run, flow.latest_successful_run, flow["run-1"]
    run = Run("MyFlow/run-1")
    run.parameters, run.status, run.successful, run.started_at, run.data   # run.data: the end task's data
    run.steps() / run["train"]              # Step
    step.tasks() / step.task / step["3.0"] or step["3/0"]     # Task (task.id "3.0", task.index "3/0")
    task.data.x, task["x"].data, task.artifacts (name -> DataArtifact), task.status, task.stdout, task.stderr
    task.attempts() -> [Attempt]: every attempt, with its meta.json, artifacts and logs

Everything is read on demand from the datastore (flowc.runtime.datastore); nothing is cached across
objects, so a new Run shows a running flow's progress.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

from . import layout
from .datastore import Datastore, TaskRef, open_datastore
from .records import CommitRecord


def flows(datastore: "Datastore | str | None" = None) -> list["Flow"]:
    """Every flow with at least one run in the datastore, by name."""
    store = _open(datastore)
    return [Flow(name, store) for name in store.flows()]


def _open(datastore: "Datastore | str | None") -> Datastore:
    if isinstance(datastore, Datastore):
        return datastore
    return open_datastore(datastore)


class Flow:
    """A flow in the datastore."""

    def __init__(self, name: str, datastore: "Datastore | str | None" = None):
        self.name = layout.check_flow_name(name)
        self.datastore = _open(datastore)

    @property
    def pathspec(self) -> str:
        return self.name

    def runs(self) -> list["Run"]:
        """All runs, newest first (by start time, then id)."""
        runs = [Run(f"{self.name}/{run_id}", self.datastore) for run_id in self.datastore.runs(self.name)]
        return sorted(runs, key=lambda r: (r.started_at or "", r.id), reverse=True)

    def __iter__(self) -> Iterator["Run"]:
        return iter(self.runs())

    def __getitem__(self, run_id: str) -> "Run":
        if not layout.valid_run_id(run_id) or run_id not in self.datastore.runs(self.name):
            raise KeyError(f"flow {self.name} has no run {run_id!r}")
        return Run(f"{self.name}/{run_id}", self.datastore)

    @property
    def latest_run(self) -> Optional["Run"]:
        runs = self.runs()
        return runs[0] if runs else None

    @property
    def latest_successful_run(self) -> Optional["Run"]:
        return next((r for r in self.runs() if r.successful), None)

    def __repr__(self) -> str:
        return f"Flow({self.name!r})"


class Run:
    """A run: `Run("MyFlow/run-1")`."""

    def __init__(self, pathspec: str, datastore: "Datastore | str | None" = None):
        flow, sep, run_id = pathspec.partition("/")
        if not sep or not run_id or "/" in run_id:
            raise ValueError(f"bad run pathspec {pathspec!r}: expected 'FlowName/run_id'")
        self.flow_name = layout.check_flow_name(flow)
        self.id = layout.check_run_id(run_id)
        self.datastore = _open(datastore)

    @property
    def pathspec(self) -> str:
        return f"{self.flow_name}/{self.id}"

    @property
    def record(self) -> dict:
        """run.json (empty if the start task has not run yet)."""
        record = self.datastore.read_run(self.flow_name, self.id)
        return record.as_json() if record is not None else {}

    @property
    def parameters(self) -> dict:
        return dict(self.record.get("parameters", {}))

    @property
    def started_at(self) -> Optional[str]:
        return self.record.get("started_at")

    @property
    def origin_run_id(self) -> Optional[str]:
        return self.record.get("origin_run_id")

    def steps(self) -> list["Step"]:
        """The steps that have at least one task, in the order they started."""
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
        return self.status != "running"

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
    def data(self) -> Optional["TaskData"]:
        """The end task's artifacts (None until the run succeeded)."""
        return self.end_task.data if self.successful else None

    def __repr__(self) -> str:
        return f"Run({self.pathspec!r})"


class Step:
    def __init__(self, run: Run, name: str):
        self.run = run
        self.name = name

    @property
    def datastore(self) -> Datastore:
        return self.run.datastore

    @property
    def pathspec(self) -> str:
        return f"{self.run.pathspec}/{self.name}"

    def tasks(self) -> list["Task"]:
        """Every task of the step (committed or not), in foreach order."""
        return [Task(self, index) for index in self.datastore.task_indexes(self.run.flow_name, self.run.id, self.name)]

    def __iter__(self) -> Iterator["Task"]:
        return iter(self.tasks())

    def __getitem__(self, task_id: str) -> "Task":
        index = layout.index_from_disk(task_id) if ("." in task_id or task_id == layout.NO_INDEX) else task_id
        if index not in self.datastore.task_indexes(self.run.flow_name, self.run.id, self.name):
            raise KeyError(f"step {self.pathspec} has no task {task_id!r}")
        return Task(self, index)

    @property
    def task(self) -> Optional["Task"]:
        """The step's task when it has exactly one (not in a foreach); else the first one."""
        tasks = self.tasks()
        return tasks[0] if tasks else None

    @property
    def started_at(self) -> Optional[str]:
        times = [t.started_at for t in self.tasks() if t.started_at]
        return min(times) if times else None

    def __repr__(self) -> str:
        return f"Step({self.pathspec!r})"


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
        return self.meta.get("status", "unknown")

    @property
    def artifacts(self) -> dict:
        return self.task.datastore.read_artifacts(self.task.ref, self.number) or {}

    def log(self, stream: str) -> str:
        data = self.task.datastore.read_log(self.task.ref, self.number, stream)
        return data.decode("utf-8", "replace") if data is not None else ""

    @property
    def stdout(self) -> str:
        return self.log("stdout")

    @property
    def stderr(self) -> str:
        return self.log("stderr")

    def __repr__(self) -> str:
        return f"Attempt({self.task.pathspec!r}, {self.number})"


class Task:
    def __init__(self, step: Step, index: str):
        self.step = step
        self.index = index
        self.ref = TaskRef(step.run.flow_name, step.run.id, step.name, index)

    @property
    def datastore(self) -> Datastore:
        return self.step.datastore

    @property
    def id(self) -> str:
        """The task id in pathspecs: the index as on disk ("_", "3", "3.0")."""
        return self.ref.task_id

    @property
    def foreach_index(self) -> Optional[int]:
        """The position in the innermost foreach (Metaflow's Task.index), None outside a foreach.
        (`index` is the whole index path, "3/0".)"""
        return layout.index_parts(self.index)[-1] if self.index else None

    @property
    def pathspec(self) -> str:
        return self.ref.pathspec

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
    def current_attempt(self) -> Optional[Attempt]:
        """The committed attempt if there is one, else the latest attempt."""
        done = self.done
        if done is not None:
            return Attempt(self, done.attempt)
        attempts = self.attempts()
        return attempts[-1] if attempts else None

    @property
    def metadata(self) -> dict:
        attempt = self.current_attempt
        return attempt.meta if attempt else {}

    @property
    def status(self) -> str:
        """"succeeded" (committed), "skipped" (not chosen by its switch), else the latest attempt's
        status: "running", "failed" or "unknown"."""
        if self.successful:
            return "succeeded"
        if self.datastore.read_skipped(self.ref) is not None:
            return "skipped"
        attempt = self.current_attempt
        return attempt.status if attempt else "unknown"

    @property
    def finished(self) -> bool:
        return self.status in ("succeeded", "failed", "skipped")

    @property
    def started_at(self) -> Optional[str]:
        return self.metadata.get("started_at")

    @property
    def finished_at(self) -> Optional[str]:
        return self.metadata.get("finished_at")

    @property
    def duration(self) -> Optional[float]:
        return self.metadata.get("duration_s")

    @property
    def exception(self) -> Optional[dict]:
        return self.metadata.get("error")

    @property
    def control(self) -> Any:
        done = self.done
        return done.control if done else None

    @property
    def artifacts(self) -> dict[str, "DataArtifact"]:
        """name -> DataArtifact of the committed attempt ({} if not committed)."""
        done = self.done
        if done is None:
            return {}
        return {name: DataArtifact(self, name, info) for name, info in sorted(done.artifacts.items())}

    def __getitem__(self, name: str) -> "DataArtifact":
        artifacts = self.artifacts
        if name not in artifacts:
            raise KeyError(f"task {self.pathspec} has no artifact {name!r}")
        return artifacts[name]

    def __contains__(self, name: str) -> bool:
        return name in self.artifacts

    @property
    def data(self) -> "TaskData":
        return TaskData(self.artifacts, self.pathspec)

    @property
    def stdout(self) -> str:
        attempt = self.current_attempt
        return attempt.stdout if attempt else ""

    @property
    def stderr(self) -> str:
        attempt = self.current_attempt
        return attempt.stderr if attempt else ""

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
    def pathspec(self) -> str:
        return f"{self.task.pathspec}/{self.name}"

    @property
    def data(self) -> Any:
        return self.task.datastore.load_value(self.task.ref.flow, self.sha)

    def __repr__(self) -> str:
        return f"DataArtifact({self.pathspec!r})"


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
