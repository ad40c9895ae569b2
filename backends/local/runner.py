"""Execute a plan on this machine: the same task command the schedulers run, in a pool of processes.

The loop is small on purpose: start ready tasks while there is room, wait for one to end, hand the
result to the `Schedule` (which says what became ready), retry or stop on failure. Ctrl-C / SIGTERM set
a flag the loop notices within a tick; it then stops every task process group and waits for them, so
no process outlives `flowc run` and no half-written task is ever committed (the runtime writes
done.json last).
"""

from __future__ import annotations

import heapq
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Optional

from flowc.runtime.errors import FlowcError

from .localplan import LocalPlan, TaskSpec, slot_name
from .processes import Ended, Pool
from .progress import Progress, task_label
from .schedule import Control, Key, Schedule

EXIT_OK, EXIT_FAILED = 0, 1
# Ctrl-C, kill, and a closed terminal all stop the run cleanly (tasks run in their own sessions, so
# without this they would outlive flowc after a SIGHUP).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
TICK_SECONDS = 0.1
STDERR_TAIL_LINES = 25
STDOUT_ECHO_LINES = 100


def timeout_grace(seconds: float) -> float:
    """How long past @timeout a task may run before we kill it (the runtime should stop it first)."""
    return max(5.0, 0.1 * seconds)


@dataclass
class RunOptions:
    flow_file: str  # absolute path
    run_id: str
    datastore: str  # URI or absolute path, as given to the task command
    params: dict = field(default_factory=dict)  # name -> value, for start's --params-json
    tags: tuple = ()  # the run's user tags (`flowc run --tag`), for start's --tag
    max_workers: int = 1
    python: str = sys.executable
    # Resume: called for a ready task before it is launched; returns the committed control value of an
    # earlier run's task it cloned into this run, or raises LookupError to run the task normally.
    reuse: Optional[Callable[[str, str], Control]] = None


@dataclass
class Failure:
    key: Key
    attempt: int
    reason: str
    stderr_path: str
    stdout_path: str
    exit_code: Optional[int] = None  # 2: a contract error (bad parameters, source mismatch)


class Interrupted(Exception):
    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


class Runner:
    def __init__(self, plan: LocalPlan, options: RunOptions, progress: Progress):
        self.plan = plan
        self.opts = options
        self.progress = progress
        self.schedule = Schedule(plan)
        self.pool = Pool()
        self.ready: deque[Key] = deque()
        self.retries: list[tuple[float, Key, int]] = []  # heap of (due time, task, attempt)
        self.failure: Optional[Failure] = None
        # Started but not yet handled here. Counted in this thread (not read from the pool, whose waiter
        # threads update it before the end event is queued), so the loop never exits with an event pending.
        self.in_flight = 0
        self.stop_signal: Optional[int] = None
        # Control-out files and a copy of each task's output (for the failure report); removed at the end
        # unless a failed task left no log in the datastore (it died before its attempt started).
        self.workdir = tempfile.mkdtemp(prefix="flowc-run-")
        self.keep_workdir = False
        self.env = dict(os.environ)
        self.env.setdefault("PYTHONUNBUFFERED", "1")

    # -- the loop ---------------------------------------------------------------------------------
    def run(self) -> int:
        """Run to the end; 0 when `end` committed, 1 on a task failure, 128+signal when interrupted."""
        previous = {}
        if threading.current_thread() is threading.main_thread():  # only there can Python take signals
            previous = {sig: signal.signal(sig, self._on_signal) for sig in STOP_SIGNALS}
        try:
            self._enqueue(self.schedule.first())
            while True:
                if self.stop_signal is not None:
                    raise Interrupted(self.stop_signal)
                self._launch_ready()
                if not self.in_flight and not self.ready and not self.retries:
                    break
                event = self.pool.next_event(timeout=self._wait_budget())
                if event is not None:
                    self._handle(event)
                self.progress.tick()
        except Interrupted as stop:
            self._interrupted(stop.signum)
            return 128 + stop.signum
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.progress.close()
            if not self.keep_workdir:
                shutil.rmtree(self.workdir, ignore_errors=True)
        if self.failure is not None:
            return EXIT_FAILED
        if not self.schedule.complete:
            self.progress.message("flowc run: internal error: nothing left to run but `end` did not run")
            return EXIT_FAILED
        return EXIT_OK

    def _on_signal(self, signum, _frame) -> None:
        # Only a flag: the loop wakes at least every TICK_SECONDS and stops from a known state, so a
        # signal can never land between starting a process and recording it.
        if self.stop_signal is None:
            self.stop_signal = signum

    def _wait_budget(self) -> float:
        if self.retries and self.failure is None:
            return max(0.0, min(TICK_SECONDS, self.retries[0][0] - time.monotonic()))
        return TICK_SECONDS

    def _enqueue(self, keys: list[Key]) -> None:
        self.ready.extend(keys)
        self.progress.total = len(self.schedule.issued)
        self.progress.total_final = ("end", "") in self.schedule.issued

    def _launch_ready(self) -> None:
        if self.failure is not None:
            self.ready.clear()
            self.retries.clear()
            return
        now = time.monotonic()
        while self.retries and self.retries[0][0] <= now and self.in_flight < self.opts.max_workers:
            _, key, attempt = heapq.heappop(self.retries)
            self._start(key, attempt)
        while self.ready and self.in_flight < self.opts.max_workers:
            key = self.ready.popleft()
            if self.opts.reuse is not None:
                try:
                    control = self.opts.reuse(*key)
                except LookupError:
                    pass
                except FlowcError as error:  # the earlier run's record is damaged or unreadable
                    self.progress.ended(key, "failed", 0.0, ok=False)
                    self._fail(Failure(key, 0, f"cannot reuse it from the earlier run: {error}", "", ""))
                    return
                else:
                    self.progress.reused_task(key)
                    self._enqueue(self.schedule.finished(key[0], key[1], control))
                    continue
            self._start(key, 0)

    # -- one task ---------------------------------------------------------------------------------
    def _start(self, key: Key, attempt: int) -> None:
        step, index = key
        spec = self.plan.task(step)
        base = os.path.join(self.workdir, f"{step}.{index.replace('/', '.') or '_'}.{attempt}")
        control_path = base + ".control" if spec.fan_out != "none" else None
        argv = self.command(spec, index, attempt, control_path)
        env = self.env
        if spec.environment:
            env = {**self.env, **dict(spec.environment)}
        hard_limit = spec.timeout_seconds + timeout_grace(spec.timeout_seconds) if spec.timeout_seconds else None
        self.pool.start(key, attempt, argv, env, base + ".out", base + ".err", control_path, hard_limit)
        self.in_flight += 1
        self.progress.started(key)

    def command(self, spec: TaskSpec, index: str, attempt: int, control_path: Optional[str]) -> list[str]:
        values = {
            "python": self.opts.python,
            "flow_file": self.opts.flow_file,
            "run_id": self.opts.run_id,
            "index": index,
            "attempt": str(attempt),
            "datastore": self.opts.datastore,
            "params": ["--params-json", json.dumps(self.opts.params)]
                      + [arg for tag in self.opts.tags for arg in ("--tag", tag)],
            "control_out": ["--control-out", control_path] if control_path else [],
        }
        argv = []
        for arg in spec.command:
            value = arg if slot_name(arg) is None else values[slot_name(arg)]
            argv.extend(value if isinstance(value, list) else [value])
        return argv

    def _handle(self, event: Ended) -> None:
        self.in_flight -= 1
        task = event.task
        key, spec = task.key, self.plan.task(task.key[0])
        self._echo_stdout(task)
        if event.returncode == 0:
            try:
                control = self._read_control(spec, task.control_path)
                ready = self.schedule.finished(key[0], key[1], control)
            except (OSError, ValueError) as error:
                self.progress.ended(key, "failed", event.seconds, ok=False)
                self._fail(Failure(key, task.attempt, f"bad control value: {error}", task.stderr_path,
                                   task.stdout_path))
                return
            outcome = "caught" if spec.catches and self._caught(key, task.attempt) else "ok"
            self.progress.ended(key, outcome, event.seconds, ok=True)
            self._enqueue(ready)
            return
        reason = self._describe_exit(event)
        if task.stopping or self.stop_signal is not None:
            self.progress.ended(key, "stopped", event.seconds, ok=False)
            return
        retryable = event.returncode != 2  # 2 = usage / contract error: another attempt cannot help
        times = spec.retry.times if spec.retry else 0
        if retryable and task.attempt < times and self.failure is None:
            # Like Metaflow's local runtime, retry at once: minutes_between_retries is the schedulers' delay.
            self.progress.ended(key, reason, event.seconds, ok=False,
                                note=f"; retrying now (attempt {task.attempt + 2} of {times + 1})")
            heapq.heappush(self.retries, (time.monotonic(), key, task.attempt + 1))
            return
        self.progress.ended(key, reason, event.seconds, ok=False)
        self._fail(Failure(key, task.attempt, reason, task.stderr_path, task.stdout_path, event.returncode))

    def _caught(self, key: Key, attempt: int) -> bool:
        """Whether @catch swallowed the step's exception in this committed attempt (its meta.json says)."""
        from flowc.runtime.datastore import TaskRef

        from .store import open_store

        try:
            meta = open_store(self.opts.datastore).read_meta(TaskRef(self.plan.flow, self.opts.run_id, *key),
                                                             attempt)
        except Exception:  # a progress word must not fail the run
            return False
        return meta is not None and meta.caught is not None

    def _echo_stdout(self, task) -> None:
        """What the step printed, prefixed with its task, once the task has ended (so lines of parallel
        tasks never interleave). Long outputs are cut to their last lines; the log has all of it."""
        lines = _tail(task.stdout_path, STDOUT_ECHO_LINES + 1)
        if not lines:
            return
        label = task_label(*task.key)
        shown = [f"[{label}] {line}" for line in lines[-STDOUT_ECHO_LINES:]]
        if len(lines) > STDOUT_ECHO_LINES:
            shown.insert(0, f"[{label}] ... (earlier output in its stdout.log)")
        self.progress.message("\n".join(shown))

    def _describe_exit(self, event: Ended) -> str:
        if event.task.killed_for_timeout:
            limit = self.plan.task(event.task.key[0]).timeout_seconds
            return (f"failed (killed: still running {limit + timeout_grace(limit):g}s after it started; "
                    f"@timeout is {limit}s)")
        if event.returncode < 0:
            return f"failed (killed by {signal.Signals(-event.returncode).name})"
        return f"failed (exit {event.returncode})"

    @staticmethod
    def _read_control(spec: TaskSpec, path: Optional[str]) -> Control:
        if spec.fan_out == "none":
            return None
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        return json.loads(text) if spec.fan_out == "foreach" else text.strip()

    def _fail(self, failure: Failure) -> None:
        self.progress.failed += 1
        first = self.failure is None
        if first:
            self.failure = failure
        self.progress.message(self.failure_report(failure))
        if first and self.in_flight:
            self.progress.message(f"flowc run: not starting new tasks; waiting for {self.in_flight} "
                                  "running task(s) to finish (Ctrl-C to stop them)")

    def failure_report(self, failure: Failure) -> str:
        step, index = failure.key
        where = f"step {step}" + (f", index {index}" if index else "") + f", attempt {failure.attempt}"
        lines = [f"flowc run: task failed: {where}: {failure.reason}"]
        tail = _tail(failure.stderr_path, STDERR_TAIL_LINES)
        if tail:
            lines.append("--- last lines of its stderr ---")
            lines += ["  " + line for line in tail]
            lines.append("---")
        lines.append(self._log_hint(failure))
        return "\n".join(lines)

    def _log_hint(self, failure: Failure) -> str:
        step, index = failure.key
        try:
            from .store import log_location, open_store

            store = open_store(self.opts.datastore)
            where = log_location(store, self.plan.flow, self.opts.run_id, step, index, failure.attempt, "stderr")
        except Exception as error:  # the report must not fail because the datastore cannot be read
            where = None
            reason = f" ({error})"
        else:
            reason = ""
        if where:
            return f"logs: {where} (and stdout.log beside it)"
        self.keep_workdir = True
        return (f"logs: the task left no log in the datastore{reason}; its output is in {failure.stderr_path} "
                f"and {failure.stdout_path}")

    def _interrupted(self, signum: int) -> None:
        name = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
        count = self.in_flight
        self.progress.message(f"flowc run: {name}: stopping {count} running task(s)")
        # Ignore further signals while stopping: the task groups must be waited for, not abandoned.
        if threading.current_thread() is threading.main_thread():
            for sig in STOP_SIGNALS:
                signal.signal(sig, signal.SIG_IGN)
        for event in self.pool.stop_all():
            self.in_flight -= 1
            committed = event.returncode == 0  # it finished (the runtime lets a task that is committing finish)
            self.progress.ended(event.task.key, "ok" if committed else "stopped", event.seconds, ok=committed)


def _tail(path: str, lines: int) -> list[str]:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 64 * 1024))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return []
    return text.rstrip("\n").splitlines()[-lines:]
