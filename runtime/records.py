"""Typed readers of the datastore's JSON records, in one place: every reader (the task command, the client,
`flowc show`, `flowc run`/`resume`) gets its records through these, so a damaged record is one clear
error naming the file and what is wrong with it, never a KeyError or TypeError somewhere downstream.

Records are namedtuples (as cheap to import as TaskRef; dataclasses would add ~6 ms to every task's start)
built by `from_json(data, where)`, which checks every field's type. `record["attempt"]` and
`record.get("origin")` and `dict(record)` still work, for code written against the JSON dicts; `as_json()`
gives the dict.
"""

from __future__ import annotations

from collections import namedtuple

from . import layout
from .errors import DatastoreError


class DamagedRecord(DatastoreError):
    """A datastore record or blob exists but is not what the runtime writes (edited, truncated, replaced).
    Exit 2: another attempt cannot repair it."""

    exit_code = 2

    def __init__(self, where: str, how: str):
        super().__init__(f"{where} is damaged: {how}")
        self.where = where
        self.how = how


_TYPES = {str: "a string", int: "an integer", list: "a list", dict: "an object", bool: "a boolean",
          float: "a number", type(None): "null"}


def _kind(value: object) -> str:
    return _TYPES.get(type(value), type(value).__name__)


def _want(where: str, name: str, value: object, *types: type) -> object:
    """`value` if it has one of `types` (bool is not an int here), else DamagedRecord."""
    ok = any(type(value) is t or (t is float and type(value) is int) for t in types)
    if not ok:
        wanted = " or ".join(_TYPES.get(t, t.__name__) for t in types)
        raise DamagedRecord(where, f"{name} is {_kind(value)}, expected {wanted}")
    return value


def _object(where: str, data: object, what: str = "the record") -> dict:
    if not isinstance(data, dict):
        raise DamagedRecord(where, f"{what} is {_kind(data)}, expected a JSON object")
    return data


def _fields(cls, where: str, data: object, required: tuple, types: dict) -> dict:
    data = _object(where, data)
    missing = [name for name in required if name not in data]
    if missing:
        raise DamagedRecord(where, f"missing {', '.join(repr(m) for m in missing)}")
    values = {}
    for name in cls._fields:
        values[name] = _want(where, repr(name), data.get(name), *types[name])
    return values


class _Record:
    """Dict-style access to a record's fields (by their JSON names)."""

    __slots__ = ()

    def __getitem__(self, key):
        if isinstance(key, str):
            if key not in self._fields:
                raise KeyError(key)
            return getattr(self, key)
        return tuple.__getitem__(self, key)

    def keys(self) -> tuple:
        """With __getitem__, lets dict(record) give the JSON dict."""
        return self._fields

    def get(self, key: str, default: object = None) -> object:
        return getattr(self, key) if key in self._fields else default

    def as_json(self) -> dict:
        return dict(self._asdict())


NONE = type(None)
_SHA_WHAT = "a sha256 (64 lowercase hex digits)"


def check_sha(where: str, name: str, value: object) -> str:
    if not isinstance(value, str) or not layout.SHA_HEX.fullmatch(value):
        raise DamagedRecord(where, f"{name} is {value!r:.80}, expected {_SHA_WHAT}")
    return value


def artifact_infos(where: str, data: object, what: str = "the record") -> dict:
    """{name: {"sha256", "type", "size"}} (artifacts.json, and done.json's "artifacts")."""
    for name, info in _object(where, data, what).items():
        label = f"artifact {name!r}"
        _object(where, info, label)
        check_sha(where, f"{label} sha256", info.get("sha256"))
        _want(where, f"{label} type", info.get("type"), str, NONE)
        _want(where, f"{label} size", info.get("size"), int, NONE)
    return data


def _frames(where: str, frames: list) -> list:
    for position, frame in enumerate(frames):
        label = f"foreach_stack[{position}]"
        _object(where, frame, label)
        _want(where, f"{label} step", frame.get("step"), str)
        _want(where, f"{label} var", frame.get("var"), str)
        _want(where, f"{label} index", frame.get("index"), int)
        _want(where, f"{label} num_splits", frame.get("num_splits"), int)
        check_sha(where, f"{label} item", frame.get("item"))
    return frames


class CommitRecord(_Record, namedtuple("CommitRecord", "flow run_id step index attempt control artifacts "
                                                      "foreach_stack foreach source_sha256 committed_at origin")):
    """done.json: the task committed this attempt (see flowc.runtime.datastore)."""

    __slots__ = ()
    _REQUIRED = ("step", "index", "attempt", "artifacts")

    @property
    def control_value(self) -> object:
        """The control value: a switch's chosen step; a foreach split's children's index paths, built from
        'foreach' (done.json does not list them, so a child reads its split's record in bytes independent of
        the width; older records that list them are read as they are); else None."""
        if self.control is None and self.foreach is not None:
            return [layout.child_index(self.index, i) for i in range(self.foreach["num_splits"])]
        return self.control
    _TYPES = {"flow": (str, NONE), "run_id": (str, NONE), "step": (str,), "index": (str,), "attempt": (int,),
              "control": (NONE, str, list), "artifacts": (dict,), "foreach_stack": (list, NONE),
              "foreach": (dict, NONE), "source_sha256": (str, NONE), "committed_at": (str, NONE),
              "origin": (dict, NONE)}

    @classmethod
    def from_json(cls, data: object, where: str) -> "CommitRecord":
        values = _fields(cls, where, data, cls._REQUIRED, cls._TYPES)
        if values["attempt"] < 0:
            raise DamagedRecord(where, f"'attempt' is {values['attempt']}, expected 0 or more")
        try:
            layout.check_index(values["index"])
        except ValueError as error:
            raise DamagedRecord(where, f"'index': {error}") from None
        if isinstance(values["control"], list):
            for child in values["control"]:
                if not isinstance(child, str) or layout.parent_index(child) != values["index"] or \
                        not _valid_index(child):
                    raise DamagedRecord(where, f"'control' lists {child!r}, not a child index of "
                                               f"{values['index']!r}")
        artifact_infos(where, values["artifacts"], "'artifacts'")
        values["foreach_stack"] = _frames(where, values["foreach_stack"] or [])
        foreach = values["foreach"]
        if foreach is not None:
            _want(where, "'foreach' var", foreach.get("var"), str)
            if _want(where, "'foreach' num_splits", foreach.get("num_splits"), int) < 0:
                raise DamagedRecord(where, "'foreach' num_splits is negative")
        origin = values["origin"]
        if origin is not None:
            _want(where, "'origin' run_id", origin.get("run_id"), str)
            _want(where, "'origin' attempt", origin.get("attempt"), int)
        return cls(**values)


def _valid_index(index: str) -> bool:
    try:
        layout.check_index(index)
        return True
    except ValueError:
        return False


class AttemptMeta(_Record, namedtuple("AttemptMeta", "flow run_id step index task_id attempt status started_at "
                                                    "finished_at duration_s host pid python_version flowc_version "
                                                    "source_sha256 retry_times exit_code error caught claim parents",
                                      defaults=(None, None))):
    """attempt-N/meta.json (see flowc.runtime.task); `claim` names the attempt's claim its process holds
    (.claim when absent; see Datastore.take_attempt); `parents`: the tasks it read its inputs from, as
    "step/task_id" in its run (the client's Task.parent_tasks; absent in records written before it)."""

    __slots__ = ()
    STATUSES = ("running", "succeeded", "failed")
    _TEXT = (str, NONE)
    _TYPES = {"flow": _TEXT, "run_id": _TEXT, "step": _TEXT, "index": _TEXT, "task_id": _TEXT,
              "attempt": (int, NONE), "status": (str,), "started_at": _TEXT, "finished_at": _TEXT,
              "duration_s": (float, NONE), "host": _TEXT, "pid": (int, NONE), "python_version": _TEXT,
              "flowc_version": _TEXT, "source_sha256": _TEXT, "retry_times": (int, NONE),
              "exit_code": (int, NONE), "error": (dict, NONE), "caught": (dict, NONE), "claim": _TEXT,
              "parents": (list, NONE)}

    @classmethod
    def from_json(cls, data: object, where: str) -> "AttemptMeta":
        values = _fields(cls, where, data, ("status",), cls._TYPES)
        for position, parent in enumerate(values["parents"] or ()):
            _want(where, f"'parents'[{position}]", parent, str)
        if values["status"] not in cls.STATUSES:
            raise DamagedRecord(where, f"'status' is {values['status']!r:.40}, expected one of "
                                       f"{', '.join(cls.STATUSES)}")
        return cls(**values)


class RunRecord(_Record, namedtuple("RunRecord", "flow run_id flow_file parameters source_sha256 flowc_version "
                                                "python_version started_at origin_run_id tags system_tags",
                                     defaults=((), ()))):
    """run.json (see flowc.runtime.datastore). "tags"/"system_tags": the run's tags as it started
    (flowc.runtime.tags; absent in records written before tags existed)."""

    __slots__ = ()
    _TEXT = (str, NONE)
    _TYPES = {"flow": _TEXT, "run_id": _TEXT, "flow_file": _TEXT, "parameters": (dict, NONE),
              "source_sha256": _TEXT, "flowc_version": _TEXT, "python_version": _TEXT, "started_at": _TEXT,
              "origin_run_id": _TEXT, "tags": (list, NONE), "system_tags": (list, NONE)}

    @classmethod
    def from_json(cls, data: object, where: str) -> "RunRecord":
        values = _fields(cls, where, data, (), cls._TYPES)
        values["parameters"] = values["parameters"] or {}
        for name in ("tags", "system_tags"):
            tags = values[name] or []
            for position, tag in enumerate(tags):
                _want(where, f"{name!r}[{position}]", tag, str)
            values[name] = tuple(tags)
        return cls(**values)


class SkipRecord(_Record, namedtuple("SkipRecord", "reason switch chosen")):
    """skipped.json: a switch chose another branch."""

    __slots__ = ()
    _TYPES = {"reason": (str, NONE), "switch": (str,), "chosen": (str,)}

    @classmethod
    def from_json(cls, data: object, where: str) -> "SkipRecord":
        return cls(**_fields(cls, where, data, ("switch", "chosen"), cls._TYPES))
