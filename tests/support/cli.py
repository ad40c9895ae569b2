"""`flowc ARGS` run inside the test process: `flowc.compiler.cli.main(argv)` with the working directory,
environment and output streams a real `flowc` process would have.

A `flowc` process costs 0.5-1.3 s of CPU, nearly all of it importing the compiler; in-process calls pay that
once per pytest worker. Tests that need a fresh interpreter (hash seeds, signals, a terminal) and a few
smoke tests still start real processes (`flowc_process`).

Output is captured at the file descriptors, not only `sys.stdout`: `flowc run` forks its task processes
from here, and they write to file descriptors 1 and 2 exactly as they would under a real `flowc`.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator, Optional


def flowc_in_process(args, cwd: Path, env: Optional[dict] = None) -> subprocess.CompletedProcess:
    """`flowc ARGS` from `cwd` (with the environment `env`, if given); its exit status and text output."""
    from flowc.compiler.cli import main

    argv = [str(arg) for arg in args]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        with _working_directory(cwd), _environment(env), _output_to(out, err):
            try:
                status = main(argv)
            except SystemExit as exit:  # argparse: --help, bad options
                status = _exit_status(exit.code)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(["flowc", *argv], status, out.read().decode(), err.read().decode())


def flowc_process(args, cwd: Path, env: Optional[dict] = None, timeout: float = 180) -> subprocess.CompletedProcess:
    """`flowc ARGS` as a real process of this interpreter."""
    return subprocess.run([sys.executable, "-m", "flowc.compiler.cli", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def _exit_status(code) -> int:
    if code is None or isinstance(code, int):
        return code or 0
    print(code, file=sys.stderr)  # what the interpreter does with `sys.exit("message")`
    return 1


@contextlib.contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


@contextlib.contextmanager
def _environment(env: Optional[dict]) -> Iterator[None]:
    """Replace os.environ by `env` for the call (None: leave it as it is)."""
    if env is None:
        yield
        return
    previous = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(previous)


@contextlib.contextmanager
def _output_to(out, err) -> Iterator[None]:
    """Point file descriptors 1 and 2 at `out` and `err`, and sys.stdout/sys.stderr at them (as in a fresh
    interpreter), whatever pytest's capturing did to both."""
    streams = sys.stdout, sys.stderr
    for stream in streams:
        stream.flush()
    saved = os.dup(1), os.dup(2)
    os.dup2(out.fileno(), 1)
    os.dup2(err.fileno(), 2)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)
    try:
        yield
    finally:
        sys.stdout.close()  # flushes; closefd=False leaves the descriptor to dup2 below
        sys.stderr.close()
        sys.stdout, sys.stderr = streams
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])
