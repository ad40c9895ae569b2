"""`current`: what the running task is (flow, run, step, task, attempt), as in Metaflow.

Outside a task every field is None and `is_running_flow` is False.
"""

from __future__ import annotations



class Lazy:
    """A field computed on first use (e.g. one that needs a datastore read)."""

    def __init__(self, function):
        self.function = function


class Current:
    _FIELDS = ("flow_name", "run_id", "step_name", "task_id", "retry_count", "origin_run_id", "username",
               "parameter_names", "project_name", "datastore", "card")

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
        if isinstance(value, Lazy):
            value = self._values[name] = value.function()
        return value

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
    def project_name(self) -> str | None:
        return self._get("project_name")

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
