"""`current`: what the running task is (flow, run, step, task, attempt), as in Metaflow.

Outside a task every field is None and `is_running_flow` is False.
"""

from __future__ import annotations

import os


_UNSET = object()


class Lazy:
    """A value computed on first use and kept (e.g. one that needs a datastore read): a field of `current`,
    or run.json, which a task reads at most once and only when something asks for it."""

    def __init__(self, function):
        self.function = function
        self.value = _UNSET

    def __call__(self):
        if self.value is _UNSET:
            self.value = self.function()
        return self.value

    def set(self, value) -> None:
        """The value is known without computing it (e.g. the record this task itself just wrote)."""
        self.value = value


class Current:
    _FIELDS = ("flow_name", "run_id", "step_name", "task_id", "retry_count", "origin_run_id", "username",
               "parameter_names", "datastore", "card", "namespace", "tags", "run", "task", "project")

    def __init__(self) -> None:
        self._values: dict = {}

    def _set(self, **values) -> None:
        unknown = set(values) - set(self._FIELDS)
        if unknown:
            raise TypeError(f"unknown current fields {sorted(unknown)}")
        self._values = dict(values)

    def _clear(self) -> None:
        self._values = {}

    def _get(self, name: str):
        value = self._values.get(name)
        return value() if isinstance(value, Lazy) else value

    @property
    def is_running_flow(self) -> bool:
        return bool(self._values)

    @property
    def flow_name(self) -> str | None:
        return self._get("flow_name")

    @property
    def run_id(self) -> str | None:
        return self._get("run_id")

    @property
    def step_name(self) -> str | None:
        return self._get("step_name")

    @property
    def task_id(self) -> str | None:
        """The task's foreach index as it appears in pathspecs: "_" (none), "3", "3.0"."""
        return self._get("task_id")

    @property
    def retry_count(self) -> int | None:
        """The attempt number, 0 for the first."""
        return self._get("retry_count")

    @property
    def origin_run_id(self) -> str | None:
        """The run this run resumes, if it is a resume."""
        return self._get("origin_run_id")

    @property
    def pathspec(self) -> str | None:
        if not self._values:
            return None
        return f"{self.flow_name}/{self.run_id}/{self.step_name}/{self.task_id}"

    @property
    def username(self) -> str | None:
        return self._get("username")

    @property
    def parameter_names(self) -> list | None:
        return self._get("parameter_names")

    @property
    def namespace(self) -> str | None:
        """The namespace the run is in: `user:<username>` (or `production:<token>`), Metaflow's identity."""
        return self._get("namespace")

    @property
    def tags(self) -> set | None:
        """The run's user tags (`flowc run --tag`)."""
        return self._get("tags")

    @property
    def tempdir(self) -> str:
        """Where a step may write scratch files: METAFLOW_TEMPDIR, else the task's working directory, as in
        Metaflow (set whether or not a flow is running)."""
        return os.environ.get("METAFLOW_TEMPDIR", ".")

    @property
    def run(self):
        """The running run, as a client Run."""
        return self._get("run")

    @property
    def task(self):
        """The running task, as a client Task."""
        return self._get("task")

    # @project's fields exist only in a flow with @project, as in Metaflow (`current.get("branch_name")` is
    # None without it). The branch is `user.<username>`, `test.<branch>`, `prod` or `prod.<branch>`.
    def _project(self, field: str):
        project = self._get("project")
        if not project:
            raise AttributeError(f"current.{field} exists only in a running flow with @project")
        return project[field]

    @property
    def project_name(self) -> str:
        return self._project("project_name")

    @property
    def branch_name(self) -> str:
        return self._project("branch_name")

    @property
    def project_flow_name(self) -> str:
        """`<project>.<branch>.<flow>`: the name of the deployment on a scheduler."""
        return self._project("project_flow_name")

    @property
    def is_production(self) -> bool:
        return self._project("is_production")

    @property
    def is_user_branch(self) -> bool:
        """True unless @project names a branch or production."""
        return self._project("is_user_branch")

    def get(self, name: str, default=None):
        """Like Metaflow's: the field's value, or `default` where the field does not exist."""
        return getattr(self, name, default)

    def __contains__(self, name: str) -> bool:
        return getattr(self, name, None) is not None

    @property
    def datastore(self) -> str | None:
        """The datastore URI of the run."""
        return self._get("datastore")

    @property
    def card(self):
        """The step's cards (flowc.runtime.cards.CardCollector): only in a step with @card, as in Metaflow."""
        value = self._get("card")
        if value is None:
            raise AttributeError("current.card exists only in a step decorated with @card")
        return value

    def __repr__(self) -> str:
        return f"<current {self.pathspec or 'not running'}>"


current = Current()
