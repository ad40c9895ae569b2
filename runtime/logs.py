"""Tee the task's stdout and stderr (file descriptors 1 and 2) to log files and to the real streams.

Working on the file descriptors, not sys.stdout, captures everything: print, C extensions, and
subprocesses the step starts. Until `attach` names the log files (the attempt folder is known only
after the flow is imported and its inputs resolved), output is kept in memory and written to the
files when they are attached.

Logs are best effort: a log file that cannot be written (a full disk) stops being written, the output
still reaches the real streams, and `stop()` says so once on stderr. A log never fails a task that
committed, and never hides the error that failed one (DESIGN section 4: only the datastore's records
decide a task's outcome).
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path


class _Pump:
    def __init__(self, fd: int):
        self.fd = fd
        self.saved = os.dup(fd)
        read_end, write_end = os.pipe()
        self.read_end = read_end
        os.dup2(write_end, fd)
        os.close(write_end)
        self.buffer: list[bytes] = []
        self.log = None
        self.path: Path | None = None
        self.error: OSError | None = None  # the first failure to write the log; then it is abandoned
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, daemon=True, name=f"flowc-tee-{fd}")
        self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                data = os.read(self.read_end, 1 << 16)
            except OSError:
                break
            if not data:
                break
            _write_all(self.saved, data)
            with self.lock:
                if self.log is not None:
                    try:
                        self.log.write(data)
                        self.log.flush()
                    except OSError as error:
                        self._abandon(error)
                elif self.error is None:
                    self.buffer.append(data)
        os.close(self.read_end)

    def _abandon(self, error: OSError) -> None:
        """Stop writing the log (called with the lock held); the output still reaches the real stream."""
        self.error = self.error or error
        self.buffer = []
        log, self.log = self.log, None
        if log is not None:
            try:
                log.close()
            except OSError:
                pass  # the buffered rest could not be written either

    def attach(self, path: Path) -> None:
        with self.lock:
            self.path = path
            try:
                self.log = open(path, "wb")  # a re-run of the same attempt number starts its logs afresh
                for chunk in self.buffer:
                    self.log.write(chunk)
                self.log.flush()
                self.buffer = []
            except OSError as error:
                self._abandon(error)

    def stop(self) -> None:
        os.dup2(self.saved, self.fd)  # closes the pipe's last write end we hold: the pump sees EOF
        self.thread.join(timeout=5)  # a child process still holding the pipe must not hang the task
        os.close(self.saved)
        with self.lock:
            if self.log is not None:
                log, self.log = self.log, None
                try:
                    log.close()
                except OSError as error:
                    self.error = self.error or error


class LogTee:
    """`start()` redirects fds 1 and 2; `attach(stdout_path, stderr_path)`; `stop()` restores them."""

    def __init__(self) -> None:
        self._pumps: dict[int, _Pump] = {}

    def start(self) -> None:
        _flush()
        for fd in (1, 2):
            try:
                self._pumps[fd] = _Pump(fd)
            except OSError:  # the scheduler gave us no such stream: nothing to tee
                pass

    def attach(self, stdout_path: Path, stderr_path: Path) -> None:
        _flush()
        for fd, path in ((1, stdout_path), (2, stderr_path)):
            if fd in self._pumps:
                self._pumps[fd].attach(path)
            else:
                try:
                    path.touch()
                except OSError:
                    pass

    def stop(self) -> None:
        if not self._pumps:
            return
        _flush()
        for pump in self._pumps.values():
            pump.stop()
        for pump in self._pumps.values():
            if pump.error is not None:
                _warn(f"flowc: warning: the log {pump.path} could not be written "
                      f"({pump.error.strerror or pump.error}); the output above is not in it\n")
        self._pumps = {}


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def _warn(text: str) -> None:
    _write_all(2, text.encode("utf-8", "replace"))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except OSError:
            return  # the real stream is gone (closed pipe): keep logging to the file
        view = view[written:]
