"""The few datastore questions `flowc run` / `flowc resume` ask, through the runtime's datastore API
(flowc.runtime.datastore), so local directories and s3:// behave the same."""

from __future__ import annotations

from typing import Optional

from flowc.runtime.datastore import Datastore, TaskRef, open_datastore


def open_store(uri: str) -> Datastore:
    return open_datastore(uri)


def run_exists(uri: str, flow: str, run_id: str) -> bool:
    store = open_datastore(uri)
    return store.read_run(flow, run_id) is not None or bool(store.steps(flow, run_id))


def claim_run(uri: str, flow: str, run_id: str) -> bool:
    """Take `run_id` for this `flowc run`/`resume`: False if it exists or another process took it first
    (two `flowc run --run-id X` started together: exactly one runs)."""
    return open_datastore(uri).claim_run(flow, run_id)


def log_location(store: Datastore, flow: str, run_id: str, step: str, index: str, attempt: int,
                 stream: str) -> Optional[str]:
    """Where the runtime stored a task attempt's log, if it got that far."""
    task = TaskRef(flow, run_id, step, index)
    key = store.log_key(task, attempt, stream)
    return store.storage.describe(key) if store.storage.exists(key) else None
