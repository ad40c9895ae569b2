"""What `flowc run` tells the person watching.

On a terminal: one status line, redrawn in place (done / running / failed / total and the steps now
running); messages such as a failure are printed above it. Elsewhere (CI logs, pipes): one plain line
per finished task, e.g. "[start] ok 0.03s", so logs stay readable and greppable. Either way, what a step
printed is shown once its task ends, each line prefixed with the task ("[end] HELLO WORLD!").
"""

from __future__ import annotations

import shutil
import sys
import time
from typing import Optional, TextIO


def task_label(step: str, index: str) -> str:
    return f"{step}[{index}]" if index else step


class Progress:
    REDRAW_SECONDS = 0.1

    def __init__(self, stream: Optional[TextIO] = None, live: Optional[bool] = None):
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.done = self.failed = self.reused = 0
        self.total = 0
        self.total_final = False
        self.running: dict[tuple[str, str], float] = {}
        self._line_shown = False
        self._last_draw = 0.0

    # -- events from the runner -------------------------------------------------------------------
    def message(self, text: str) -> None:
        """A line that stays (above the live status line on a terminal)."""
        self._clear()
        self.stream.write(text.rstrip("\n") + "\n")
        self._draw(force=True)

    def started(self, key: tuple[str, str]) -> None:
        self.running[key] = time.monotonic()
        self._draw()

    def ended(self, key: tuple[str, str], outcome: str, seconds: float, ok: bool, note: str = "") -> None:
        """A task process ended; `outcome` is a short word or phrase ("ok", "failed (exit 1)")."""
        self.running.pop(key, None)
        if ok:
            self.done += 1
        if not self.live:
            self.stream.write(f"[{task_label(*key)}] {outcome} {seconds:.2f}s{note}\n")
            self.stream.flush()
        self._draw(force=True)

    def reused_task(self, key: tuple[str, str]) -> None:
        self.done += 1
        self.reused += 1
        if not self.live:
            self.stream.write(f"[{task_label(*key)}] reused\n")
        self._draw()

    def tick(self) -> None:
        self._draw()

    def close(self) -> None:
        if self.live and self._line_shown:
            self._draw(force=True)
            self.stream.write("\n")
            self._line_shown = False
        self.stream.flush()

    # -- the live line ----------------------------------------------------------------------------
    def status_line(self) -> str:
        total = f"{self.total}" if self.total_final else f"{self.total}+"
        parts = [f"{self.done}/{total} done", f"{len(self.running)} running"]
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.reused:
            parts.append(f"{self.reused} reused")
        line = " | ".join(parts)
        if self.running:
            now = time.monotonic()
            oldest = sorted(self.running.items(), key=lambda kv: kv[1])
            shown = [f"{task_label(*key)} {now - start:.0f}s" for key, start in oldest[:4]]
            more = len(oldest) - len(shown)
            line += " | " + ", ".join(shown) + (f" +{more}" if more > 0 else "")
        return line

    def _draw(self, force: bool = False) -> None:
        if not self.live:
            return
        now = time.monotonic()
        if not force and now - self._last_draw < self.REDRAW_SECONDS:
            return
        self._last_draw = now
        width = shutil.get_terminal_size((100, 20)).columns
        self.stream.write("\r\x1b[K" + self.status_line()[: max(10, width - 1)])
        self.stream.flush()
        self._line_shown = True

    def _clear(self) -> None:
        if self.live and self._line_shown:
            self.stream.write("\r\x1b[K")
            self._line_shown = False
