"""`flowc resume`: a new run that reuses the committed tasks of an earlier run and re-runs the rest.

Which steps re-run follows Metaflow: the step(s) that failed in the earlier run, or `--from STEP`,
and everything downstream of them. Every other task that committed in the earlier run is cloned into
the new run by the runtime's datastore (`Datastore.clone_task`: the records are copied, the artifact
blobs are shared, done.json says where it came from); tasks that never committed simply run.
The new run keeps the earlier run's parameters.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from flowc.runtime.datastore import Datastore, TaskRef
from flowc.runtime.tags import resumed_system_tags
from flowc.runtime.task import flowc_version

from .localplan import LocalPlan
from .schedule import Control


class ResumeError(ValueError):
    pass


def downstream(plan: LocalPlan, steps: set[str]) -> set[str]:
    """`steps` and every step reachable from them."""
    children = {t.step: t.children for t in plan.tasks}
    seen, todo = set(), list(steps)
    while todo:
        step = todo.pop()
        if step not in seen:
            seen.add(step)
            todo.extend(children[step])
    return seen


def failed_steps(store: Datastore, plan: LocalPlan, run_id: str) -> set[str]:
    """Steps with a task that started an attempt but never committed (failed or interrupted)."""
    failed = set()
    for step in store.steps(plan.flow, run_id):
        if step not in {t.step for t in plan.tasks}:
            continue
        for index in store.task_indexes(plan.flow, run_id, step):
            task = TaskRef(plan.flow, run_id, step, index)
            if store.read_done(task) is None and store.read_skipped(task) is None and store.attempts(task):
                failed.add(step)
                break
    return failed


def rerun_steps(store: Datastore, plan: LocalPlan, origin: str, from_step: Optional[str]) -> set[str]:
    names = [t.step for t in plan.tasks]
    if from_step is not None:
        if from_step not in names:
            raise ResumeError(f"--from {from_step}: {plan.flow} has no such step; steps: {', '.join(names)}")
        return downstream(plan, {from_step})
    if store.read_done(TaskRef(plan.flow, origin, "end", "")) is not None:
        raise ResumeError(f"run {plan.flow}/{origin} finished successfully; nothing to resume "
                          "(use --from STEP to re-run a step and everything after it)")
    return downstream(plan, failed_steps(store, plan, origin))


class Reuse:
    """The runner's `reuse` hook: clone a task of the origin run instead of running it, when allowed."""

    def __init__(self, store: Datastore, flow: str, origin: str, new_run: str, rerun: set[str]):
        self.store, self.flow, self.origin, self.new_run, self.rerun = store, flow, origin, new_run, rerun

    def __call__(self, step: str, index: str) -> Control:
        if step in self.rerun:
            raise LookupError(step)
        task = TaskRef(self.flow, self.origin, step, index)
        if self.store.read_done(task) is None:
            raise LookupError(step)
        return self.store.clone_task(task, self.new_run).control_value


def write_run_record(store: Datastore, plan: LocalPlan, origin_record: dict, origin: str, new_run: str,
                     tags: tuple = ()) -> dict:
    """The new run's run.json: the earlier run's parameters, this source, and where it came from.
    Written before any task runs, so a cloned start (which writes nothing) still leaves a record.
    Tags: the user tags given to this resume (as Metaflow's resume, not the earlier run's), and the
    earlier run's system tags with the identity of whoever resumes."""
    record = dict(origin_record)
    record.update(run_id=new_run, flow=plan.flow, source_sha256=plan.source_sha256,
                  started_at=datetime.now(timezone.utc).isoformat(timespec="milliseconds"), origin_run_id=origin,
                  tags=list(tags), system_tags=resumed_system_tags(origin_record.get("system_tags") or (), flowc_version()))
    store.write_run(plan.flow, new_run, record)
    return record
