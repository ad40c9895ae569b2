"""Task processes: start them, learn when they end, stop them all cleanly.

Each task runs in its own session (process group), so a Ctrl-C on the terminal reaches only `flowc run`,
which then stops every task group itself: SIGTERM, a grace period, SIGKILL. Killing the whole group
also ends processes the user's step started, so nothing is left behind. One small waiter thread per
running task turns "process ended" into an event on a queue the runner blocks on; there is no polling.

A task is the runtime's task command, `python -m flowc.runtime task ...`. Starting a Python interpreter and
importing the runtime costs ~40 ms per task, most of a trivial task's time, so by default the pool runs the
same command in a child forked from a process that has imported the runtime already (`ForkedTask`): same
argv, same environment, same files for its output, own session, only the interpreter start-up is skipped.
`FLOWC_RUN_EXEC=1` starts a fresh interpreter per task instead (exactly what the schedulers do).

When `flowc run` itself dies without stopping its tasks (SIGKILL, a crash), its tasks must not go on
running and committing: on Linux every task asks the kernel for SIGTERM when its parent dies
(prctl PR_SET_PDEATHSIG, through ctypes, in the child before it runs anything). The runtime handles that
SIGTERM as it handles the runner's own (the attempt is recorded as failed; an attempt already writing its
commit records finishes them, so nothing half-done is visible); a forked task then also kills what
the step left in its process group. Elsewhere (macOS, BSD) there is no such signal: a killed runner's
tasks run to their end.
"""

from __future__ import annotations

import ctypes
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Optional

STOP_GRACE_SECONDS = 5.0


@dataclass
class Running:
    key: tuple[str, str]
    attempt: int
    proc: "subprocess.Popen | ForkedTask"
    started: float
    stderr_path: str
    stdout_path: str
    control_path: Optional[str]
    killed_for_timeout: bool = False
    stopping: bool = False
    reaped: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Ended:
    task: Running
    returncode: int
    seconds: float


@dataclass
class Pool:
    """The running task processes of one run."""

    events: "queue.Queue[Ended]" = field(default_factory=queue.Queue)
    running: dict[int, Running] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, key, attempt: int, argv: list[str], env: dict, stdout_path: str, stderr_path: str,
              control_path: Optional[str], hard_limit: Optional[float]) -> Running:
        """Start one task; its end (or its kill after `hard_limit` seconds) arrives on `events`."""
        if _can_fork(argv):
            proc = ForkedTask(argv, env, stdout_path, stderr_path)
        else:
            parent = os.getpid()
            with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
                proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                                        start_new_session=True, close_fds=True,
                                        preexec_fn=lambda: die_with_parent(parent))
        task = Running(key, attempt, proc, time.monotonic(), stderr_path, stdout_path, control_path)
        with self.lock:
            self.running[proc.pid] = task
        threading.Thread(target=self._wait, args=(task, hard_limit), daemon=True).start()
        return task

    def _wait(self, task: Running, hard_limit: Optional[float]) -> None:
        timer = None
        if hard_limit is not None:
            timer = threading.Timer(hard_limit, self._kill_for_timeout, (task,))
            timer.daemon = True
            timer.start()
        # Wait for the exit WITHOUT reaping: while the task is a zombie its pid (= its group id) cannot be
        # reused, so signalling the group below can never hit an unrelated process. (Without waitid, as
        # on some BSDs, the group is signalled right after reaping: a pid reused within microseconds is
        # the only, theoretical, risk.)
        if hasattr(os, "waitid"):
            os.waitid(os.P_PID, task.proc.pid, os.WEXITED | os.WNOWAIT)
        else:
            task.proc.wait()
        if timer is not None:
            timer.cancel()
        with task.lock:
            _signal_group(task.proc.pid, signal.SIGKILL)  # whatever the step left running in its group
            task.reaped = True
            returncode = task.proc.wait()
        with self.lock:
            self.running.pop(task.proc.pid, None)
        self.events.put(Ended(task, returncode, time.monotonic() - task.started))

    def _kill_for_timeout(self, task: Running) -> None:
        task.killed_for_timeout = True
        signal_task(task, signal.SIGKILL)

    def next_event(self, timeout: Optional[float]) -> Optional[Ended]:
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            return None

    def stop_all(self, grace: float = STOP_GRACE_SECONDS) -> list[Ended]:
        """Terminate every running task (group), wait for them, kill stragglers; return their ends."""
        with self.lock:
            tasks = list(self.running.values())
        for task in tasks:
            task.stopping = True
            signal_task(task, signal.SIGTERM)
        deadline = time.monotonic() + grace
        ended = []
        pending = {t.proc.pid for t in tasks}
        while pending:
            event = self.next_event(timeout=max(0.0, deadline - time.monotonic()))
            if event is None:
                for task in tasks:
                    if task.proc.pid in pending:
                        signal_task(task, signal.SIGKILL)
                deadline = time.monotonic() + grace
                continue
            pending.discard(event.task.proc.pid)
            ended.append(event)
        return ended


RUNTIME_COMMAND = ["-m", "flowc.runtime", "task"]


def _can_fork(argv: list[str]) -> bool:
    """Fork only for this interpreter's runtime task command, where POSIX fork exists and is wanted."""
    return (hasattr(os, "fork") and not os.environ.get("FLOWC_RUN_EXEC") and argv[0] == sys.executable
            and argv[1:4] == RUNTIME_COMMAND)


class ForkedTask:
    """The task command run in a forked child; quacks like the parts of Popen the pool uses."""

    _warm = False

    def __init__(self, argv: list[str], env: dict, stdout_path: str, stderr_path: str) -> None:
        if not ForkedTask._warm:  # import the runtime once, here, so that children start warm
            import flowc.runtime.cli  # noqa: F401
            import flowc.runtime.task  # noqa: F401

            ForkedTask._warm = True
        for stream in (sys.stdout, sys.stderr):
            stream.flush()  # or the child would write the parent's buffered output again
        self.returncode: Optional[int] = None
        parent = os.getpid()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                _child(argv[3:], env, stdout_path, stderr_path, parent)
            finally:
                os._exit(1)  # never return into the runner's code, whatever escaped

    def wait(self) -> int:
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode


TERMINATED = 128 + signal.SIGTERM  # the task command's exit code when SIGTERM stopped it


def _stop(signum, frame):
    """SIGTERM in a forked task outside the task command's own handler (before it starts, after it ends):
    leave through _child's way out, once (a dying runner signals again as each of its threads ends)."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise SystemExit(TERMINATED)


def _child(args: list[str], env: dict, stdout_path: str, stderr_path: str, parent: int) -> None:
    """In the forked child: become the task process, run the task command, never return.

    When the runner has died (PR_SET_PDEATHSIG's SIGTERM), it kills what the step left in its process group on
    the way out; a late repeat of that SIGTERM cannot cut the way out short."""
    code = 1
    try:
        for sig in (signal.SIGINT, signal.SIGHUP, signal.SIGPIPE, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, _stop)
        die_with_parent(parent)
        os.setsid()
        for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, stdout_path, os.O_WRONLY | os.O_CREAT),
                                (2, stderr_path, os.O_WRONLY | os.O_CREAT)):
            opened = os.open(path, flags | (os.O_TRUNC if fd else 0), 0o644)
            os.dup2(opened, fd)
            os.close(opened)
        os.environ.clear()
        os.environ.update(env)
        sys.argv = [sys.executable, *args]
        from flowc.runtime.cli import main

        code = main(args)
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        try:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:  # noqa: BLE001 - a late SIGTERM or a closed stream: leave all the same
            pass
        finally:
            if _runner_gone(parent):  # (a live runner kills the group itself once it has seen this exit)
                _signal_group(os.getpid(), signal.SIGKILL)  # what the step left in this group goes too
            os._exit(code)


def _runner_gone(parent: int) -> bool:
    """Whether the runner that forked this task has died or is dying. Killed with SIGKILL, a multi-threaded
    runner hands its children to one of its own threads first (os.getppid() unchanged, PR_SET_PDEATHSIG sent
    already) while its main thread is a zombie; only its last thread's end hands them to another process."""
    if os.getppid() != parent:
        return True
    try:
        with open(f"/proc/{parent}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[-1].split()[0] in (b"Z", b"X")
    except (OSError, IndexError):  # no /proc (not Linux, where no PR_SET_PDEATHSIG exists either)
        return False


PR_SET_PDEATHSIG = 1
_prctl = None
if sys.platform.startswith("linux"):
    try:
        _prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved here: a forked child only calls it
    except (OSError, AttributeError):
        _prctl = None


def die_with_parent(parent: int) -> None:
    """In a new task process: ask for SIGTERM when the runner (`parent`) dies; if it died already, exit."""
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(128 + signal.SIGTERM)


def signal_task(task: Running, sig: int) -> None:
    """Signal a task's whole process group, unless it has already been reaped."""
    with task.lock:
        if not task.reaped:
            _signal_group(task.proc.pid, sig)


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
