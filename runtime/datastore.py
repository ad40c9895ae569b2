"""The datastore: runs, tasks, attempts and their records, over a local or S3 storage (DESIGN section 5).

This is the API the task command, the client, `flowc run`/`resume` and `flowc show` share:

    ds = open_datastore("file:///abs/dir" | "some/dir" | "s3://bucket/prefix")   # or default_datastore()
    task = TaskRef("MyFlow", "run-1", "train", "3/0")
    ds.read_done(task)            # CommitRecord (flowc.runtime.records) or None: not committed
    ds.read_run("MyFlow", "run-1")  # RunRecord or None; read_meta: AttemptMeta. A damaged record is a DamagedRecord naming the file
    ds.runs("MyFlow"), ds.steps("MyFlow", "run-1"), ds.task_indexes("MyFlow", "run-1", "train")
    ds.attempts(task), ds.read_meta(task, n), ds.read_artifacts(task, n), ds.read_log(task, n, "stdout")
    ds.load_value("MyFlow", sha)  # an artifact's value
    ds.clone_task(task, "new-run")  # resume: make a committed task of another run committed in "new-run"

Records (JSON):
- run.json: {"flow", "run_id", "parameters": {name: value}, "source_sha256", "flowc_version",
  "python_version", "started_at", "origin_run_id", "tags": [user tags as the run started],
  "system_tags": [...]}; later changes of the user tags are .tags/<n>.json (flowc.runtime.tags)
- done.json (written last; its presence is the commit): {"flow", "run_id", "step", "index", "attempt",
  "control", "artifacts": {name: sha256}, "foreach_stack": [frame...], "foreach": {"var", "num_splits"} or
  null, "source_sha256", "committed_at", "origin": null or {"run_id", "attempt"}}. "control" is a switch's
  chosen step; a foreach split's is null (its children are 0 .. num_splits-1 under its index:
  CommitRecord.control_value), so every child reads its split's record in the same few bytes. A frame is
  {"step", "var", "index", "num_splits", "item"} (item: the sha256 of that level's foreach value).
  "artifacts" repeats attempt-N/artifacts.json's names and hashes so a reader needs one request per input.
- attempt-N/artifacts.json: {name: {"sha256", "type", "size"}} (a failed attempt whose step raised writes it
  too, for the client; only done.json commits); attempt-N/meta.json: see flowc.runtime.task;
  attempt-N/foreach-items.txt: one sha256 per line, the foreach items in order (a child reads only its
  own line); attempt-N/stdout.log, stderr.log.
- attempt-N/cards.json (steps with @card; written before done.json): [{"position", "type", "id", "file",
  "size", "error"}], one per @card of the step, top first; "file" is attempt-N/card-K.html, the card's
  self-contained HTML page; "error" is null, or why the card could not be rendered (its page then says so).
- control.json (foreach splits and switches, written after done.json): the control value where a scheduler
  that cannot take a task's output (Step Functions) reads it at a key it can compute: a foreach's is the
  JSON array of its children, each {"index": "3/0", "task_id": "3.0"} (the index path and its segment on
  disk); a switch's is {"step": chosen step}.
- skipped.json: {"reason", "switch", "chosen"}: the task's switch (or an upstream one) chose another
  branch. Not a commit; never written where done.json exists; a later commit wins.
"""

from __future__ import annotations

from collections import namedtuple

import hashlib
import json
import os
import re
from pathlib import Path

from . import blobs, holders, layout
from .errors import DatastoreError
from .records import AttemptMeta, CommitRecord, DamagedRecord, RunRecord, SkipRecord, artifact_infos
from .storage import LocalStorage, S3Storage, open_storage

DEFAULT_DIR = ".flowc"
ITEM_LINE = 65  # 64 hex digits and a newline
CLAIM = ".claim"  # attempt-N/.claim: attempt N is taken (hidden from listings)
Claim = namedtuple("Claim", "name holder")  # take_attempt: (the claim taken, None) or (None, who holds it)


def default_datastore_uri() -> str:
    """FLOWC_DATASTORE if set, else `.flowc/` in the current directory."""
    return os.environ.get("FLOWC_DATASTORE") or str(Path(DEFAULT_DIR).absolute())


def open_datastore(uri: str | None = None) -> "Datastore":
    """Open `uri` (file:///dir, a path, s3://bucket/prefix) or the default datastore."""
    return Datastore(open_storage(uri or default_datastore_uri()))


class TaskRef(namedtuple("TaskRef", "flow run_id step index", defaults=("",))):
    """A task's address: (flow, run_id, step, index). Index is "" or "3" or "3/0" (outer first)."""

    __slots__ = ()

    @property
    def task_id(self) -> str:
        """The index as it appears on disk and in pathspecs ("_", "3", "3.0")."""
        return layout.index_to_disk(self.index)

    @property
    def pathspec(self) -> str:
        return f"{self.flow}/{self.run_id}/{self.step}/{self.task_id}"

    @property
    def key(self) -> str:
        return layout.task_key(self.flow, self.run_id, self.step, self.index)

    def attempt_key(self, attempt: int) -> str:
        return f"{self.key}/attempt-{attempt}"

    def at(self, step: str | None = None, index: str | None = None) -> "TaskRef":
        return self._replace(step=self.step if step is None else step, index=self.index if index is None else index)


class Datastore:
    def __init__(self, storage: "LocalStorage | S3Storage"):
        self.storage = storage

    @property
    def uri(self) -> str:
        return self.storage.uri

    @property
    def is_local(self) -> bool:
        return isinstance(self.storage, LocalStorage)

    # -- JSON records ---------------------------------------------------------------------------
    def read_json(self, key: str) -> object | None:
        data = self.storage.read_bytes(key)
        if data is None:
            return None
        try:
            return json.loads(data)
        except ValueError as error:  # UnicodeDecodeError included
            raise DamagedRecord(self.storage.describe(key), f"not valid JSON ({error})") from None

    def read_record(self, key: str, kind):
        """The record at `key` checked by `kind.from_json` (flowc.runtime.records), or None if absent."""
        data = self.read_json(key)
        return None if data is None else kind.from_json(data, self.storage.describe(key))

    def write_json(self, key: str, record: object) -> bytes:
        """Write `record` at `key`; returns the bytes written."""
        data = (json.dumps(record, indent=1, sort_keys=True) + "\n").encode()
        self.storage.write_bytes(key, data)
        return data

    # -- values -----------------------------------------------------------------------------------
    def save_value(self, flow: str, value: object, name: str = "value") -> tuple[str, int]:
        return blobs.save_value(self.storage, flow, value, name)

    def save_artifact(self, flow: str, value: object, name: str) -> dict:
        """Store an artifact's value; returns its entry in artifacts.json and done.json."""
        sha, size = self.save_value(flow, value, name)
        return {"sha256": sha, "type": blobs.type_name(value), "size": size}

    def save_values(self, flow: str, values: list, name: str = "value") -> list[tuple[str, int]]:
        """save_value for many values (a foreach's items); remote stores write them concurrently."""
        named = [(value, f"{name}[{i}]") for i, value in enumerate(values)]
        return self._map(lambda pair: self.save_value(flow, *pair), named)

    def load_value(self, flow: str, sha: str) -> object:
        return blobs.load_value(self.storage, flow, sha)

    def has_value(self, flow: str, sha: str) -> bool:
        return self.storage.exists(layout.object_key(flow, sha))

    # -- runs -------------------------------------------------------------------------------------
    def flows(self) -> list[str]:
        return [name for name in self.storage.list_dir("")
                if layout.valid_name(name) and self.storage.list_dir(layout.runs_key(name))]

    def runs(self, flow: str) -> list[str]:
        """Run ids (folders whose names follow the run id rule; nothing else can be a run)."""
        return [name for name in self.storage.list_dir(layout.runs_key(flow)) if layout.valid_run_id(name)]

    def read_run(self, flow: str, run_id: str) -> RunRecord | None:
        return self.read_record(layout.run_record_key(flow, run_id), RunRecord)

    def claim_run(self, flow: str, run_id: str) -> bool:
        """Take run `run_id` for one `flowc run`/`resume`, atomically (an exclusive create: O_EXCL locally, a
        conditional put on S3): False if it is taken or already has records."""
        if not self.storage.create_exclusive(f"{layout.run_key(flow, run_id)}/{CLAIM}", b"{}\n"):
            return False
        return self.read_run(flow, run_id) is None and not self.steps(flow, run_id)

    def write_run(self, flow: str, run_id: str, record: dict) -> RunRecord:
        """Write run.json; returns it as read_run would read it back (the start task needs it, not a read)."""
        key = layout.run_record_key(flow, run_id)
        return RunRecord.from_json(json.loads(self.write_json(key, record)), self.storage.describe(key))

    def steps(self, flow: str, run_id: str) -> list[str]:
        key = layout.run_key(flow, run_id)
        names = [n for n in self.storage.list_dir(key) if n != "run.json"]
        for name in names:
            if not layout.valid_name(name):
                raise DamagedRecord(self.storage.describe(f"{key}/{name}"), "not a step folder (a step's name "
                                                                             "is a Python identifier)")
        return names

    def task_indexes(self, flow: str, run_id: str, step: str) -> list[str]:
        """Indexes of the step's tasks that exist (committed, failed or running), in foreach order."""
        key = f"{layout.run_key(flow, run_id)}/{step}"
        names = self.storage.list_dir(key)
        for name in names:
            if not layout.valid_index_segment(name):
                raise DamagedRecord(self.storage.describe(f"{key}/{name}"),
                                    "not a task folder (expected _, 3 or 3.0: foreach positions)")
        indexes = [layout.index_from_disk(n) for n in names]
        return sorted(indexes, key=layout.index_parts)

    # -- tasks ------------------------------------------------------------------------------------
    def read_done(self, task: TaskRef) -> CommitRecord | None:
        return self.read_record(f"{task.key}/done.json", CommitRecord)

    def read_done_many(self, tasks: list[TaskRef]) -> list[CommitRecord | None]:
        """read_done for many tasks (a foreach join's inputs); remote stores read them concurrently."""
        return self._map(self.read_done, tasks)

    def _map(self, function, items: list) -> list:
        if self.is_local or len(items) < 4:
            return [function(item) for item in items]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(16, len(items))) as pool:
            return list(pool.map(function, items))

    def write_done(self, task: TaskRef, record: dict) -> None:
        self.write_json(f"{task.key}/done.json", record)

    def write_control(self, task: TaskRef, control: object) -> None:
        """control.json: the commit record's control value in the shape Step Functions reads."""
        if isinstance(control, list):
            record: object = [{"index": index, "task_id": layout.index_to_disk(index)} for index in control]
        else:
            record = {"step": control}
        self.storage.write_bytes(f"{task.key}/control.json", (json.dumps(record, separators=(",", ":")) + "\n").encode())

    def read_control(self, task: TaskRef) -> object | None:
        return self.read_json(f"{task.key}/control.json")

    def read_skipped(self, task: TaskRef) -> SkipRecord | None:
        return self.read_record(f"{task.key}/skipped.json", SkipRecord)

    def write_skipped(self, task: TaskRef, switch: str, chosen: str) -> None:
        self.write_json(f"{task.key}/skipped.json",
                        {"reason": f"switch {switch} chose {chosen}", "switch": switch, "chosen": chosen})

    def attempts(self, task: TaskRef) -> list[int]:
        numbers = (layout.attempt_number(n) for n in self.storage.list_dir(task.key))
        return sorted(n for n in numbers if n is not None)

    def claim_attempt(self, task: TaskRef) -> int:
        """Allocate the task's next attempt number, atomically: two callers never get the same number (an
        exclusive create of attempt-N/.claim: O_EXCL locally, a conditional put on S3). Numbers only grow, so
        a later attempt never sorts before a committed one."""
        existing = self.attempts(task)
        number = existing[-1] + 1 if existing else 0
        data = holders.claim_data(holders.this_process())
        for _ in range(1000):
            if self.storage.create_exclusive(f"{task.attempt_key(number)}/{CLAIM}", data):
                return number
            number += 1
        raise DatastoreError(f"cannot claim an attempt of {task.pathspec}: 1000 attempts are taken")

    def take_attempt(self, task: TaskRef, attempt: int) -> Claim:
        """Claim attempt `attempt` of `task` for this process: Claim(name, None) when taken (its meta.json
        records `name`), else Claim(None, who holds it).

        The claims of one attempt form a chain: .claim, then .claim-<hash of the claim before>, each an
        exclusive create. The next link may be taken only when the current holder has finished (meta.json says
        it failed) or is provably dead (killed on this machine: flowc.runtime.holders); so a failed or killed
        attempt runs again under its number, and concurrent re-runs still exclude each other."""
        key = task.attempt_key(attempt)
        me, name = holders.this_process(), CLAIM
        for _ in range(1000):
            data = holders.claim_data(me, name)
            if self.storage.create_exclusive(f"{key}/{name}", data):
                return Claim(name, None)
            held = self.storage.read_bytes(f"{key}/{name}") or b""
            following = f"{CLAIM}-{hashlib.sha256(held).hexdigest()[:16]}"
            if not self.storage.exists(f"{key}/{following}"):
                holder = _claim_holder(held)
                meta = self.read_meta(task, attempt)
                finished = meta is not None and meta.status != "running" and (meta.claim or CLAIM) == name
                if not (finished or holders.state(holder) == holders.DEAD):
                    return Claim(None, holders.describe(holder))
            name = following
        raise DatastoreError(f"cannot claim attempt {attempt} of {task.pathspec}: 1000 claims are taken")

    def read_meta(self, task: TaskRef, attempt: int) -> AttemptMeta | None:
        return self.read_record(f"{task.attempt_key(attempt)}/meta.json", AttemptMeta)

    def write_meta(self, task: TaskRef, attempt: int, record: dict) -> None:
        self.write_json(f"{task.attempt_key(attempt)}/meta.json", record)

    def read_artifacts(self, task: TaskRef, attempt: int) -> dict | None:
        key = f"{task.attempt_key(attempt)}/artifacts.json"
        data = self.read_json(key)
        return None if data is None else artifact_infos(self.storage.describe(key), data)

    def write_artifacts(self, task: TaskRef, attempt: int, record: dict) -> None:
        self.write_json(f"{task.attempt_key(attempt)}/artifacts.json", record)

    def read_log(self, task: TaskRef, attempt: int, stream: str) -> bytes | None:
        return self.storage.read_bytes(f"{task.attempt_key(attempt)}/{stream}.log")

    def log_key(self, task: TaskRef, attempt: int, stream: str) -> str:
        return f"{task.attempt_key(attempt)}/{stream}.log"

    # -- cards (flowc.runtime.cardtask writes them; flowc.runtime.cards.get_cards reads them) ----------
    def write_card(self, task: TaskRef, attempt: int, file: str, data: bytes) -> None:
        self.storage.write_bytes(f"{task.attempt_key(attempt)}/{_card_file(file)}", data)

    def write_cards(self, task: TaskRef, attempt: int, entries: list[dict]) -> None:
        self.write_json(f"{task.attempt_key(attempt)}/cards.json", entries)

    def read_cards(self, task: TaskRef, attempt: int) -> list[dict] | None:
        """attempt-N/cards.json: the attempt's cards, or None when it has none."""
        key = f"{task.attempt_key(attempt)}/cards.json"
        data = self.read_json(key)
        if data is None:
            return None
        if not isinstance(data, list) or not all(isinstance(e, dict) and isinstance(e.get("file"), str)
                                                 and CARD_FILE.fullmatch(e["file"]) for e in data):
            raise DamagedRecord(self.storage.describe(key), "not a list of cards ({\"file\": \"card-K.html\", ...})")
        return data

    def read_card(self, task: TaskRef, attempt: int, file: str) -> bytes | None:
        return self.storage.read_bytes(f"{task.attempt_key(attempt)}/{_card_file(file)}")

    def card_path(self, task: TaskRef, attempt: int, file: str) -> str | None:
        """The card's file on this machine (a local datastore), else None."""
        if not self.is_local:
            return None
        return str(self.storage.root / task.attempt_key(attempt) / _card_file(file))

    def write_foreach_items(self, task: TaskRef, attempt: int, shas: list[str]) -> None:
        self.storage.write_bytes(f"{task.attempt_key(attempt)}/foreach-items.txt",
                                 "".join(f"{sha}\n" for sha in shas).encode())

    def read_foreach_item(self, task: TaskRef, attempt: int, position: int) -> str:
        """The sha256 of item `position` of a committed foreach split (one small ranged read)."""
        key = f"{task.attempt_key(attempt)}/foreach-items.txt"
        line = self.storage.read_range(key, position * ITEM_LINE, ITEM_LINE).decode("ascii", "replace").strip()
        if not layout.SHA_HEX.fullmatch(line):
            raise DatastoreError(f"{self.storage.describe(key)} has no item {position}")
        return line

    # -- resume -----------------------------------------------------------------------------------
    def clone_task(self, task: TaskRef, new_run_id: str) -> CommitRecord:
        """Make the committed `task` committed in run `new_run_id` too (for resume): its committed
        attempt's records are copied (values are shared, not copied) and a done.json is written that
        names where it came from ("origin"). Returns the new commit record."""
        done = self.read_done(task)
        if done is None:
            raise DatastoreError(f"cannot clone {task.pathspec}: it has not committed")
        target = TaskRef(task.flow, new_run_id, task.step, task.index)
        attempt = done["attempt"]
        for name in self.storage.list_dir(task.attempt_key(attempt)):
            self.storage.copy(f"{task.attempt_key(attempt)}/{name}", f"{target.attempt_key(attempt)}/{name}")
        origin = done.origin or {"run_id": task.run_id, "attempt": attempt}
        record = done._replace(run_id=new_run_id, origin=origin)
        self.write_done(target, record.as_json())
        if record.control_value is not None:
            self.write_control(target, record.control_value)
        return record


CARD_FILE = re.compile(r"^card-(0|[1-9][0-9]{0,3})\.html$")


def _card_file(file: str) -> str:
    if not CARD_FILE.fullmatch(file):  # a card's name never leaves the attempt's folder
        raise DatastoreError(f"bad card file name {file!r}: expected card-K.html")
    return file


def _claim_holder(data: bytes) -> dict:
    """A claim's holder record ({} for an empty, older or damaged one: a holder nobody can check)."""
    try:
        holder = json.loads(data)
    except ValueError:
        return {}
    return holder if isinstance(holder, dict) else {}
