"""Loading a flow file for a command: compile it, print its diagnostics, and say why when it cannot be read.

Used by the CLI's commands and by the local runner alike (so the runner needs nothing of the CLI). The
compiler (pydantic, the IR) is imported only by the functions that compile, so commands that
do not compile (run with a cached plan, show) start fast.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Optional

from .flowfile import FlowFileError

if TYPE_CHECKING:
    from .api import Compiled


def load(path: str, flow_name: Optional[str], configs=None) -> Optional[Compiled]:
    """Compile `path`; None (after printing why) when the file cannot be read at all. `configs`: the
    command line's --config / --config-value (a compiler.configs.ConfigOptions)."""
    from .api import compile_file

    try:
        return compile_file(path, flow_name, configs)
    except FileNotFoundError:
        usage_error(f"no such file: {path}")
    except IsADirectoryError:
        usage_error(f"{path} is a directory; give a flow file")
    except FlowFileError as error:
        usage_error(str(error))
    except OSError as error:
        usage_error(f"cannot read {path}: {error.strerror}")
    return None


def usage_error(message: str) -> None:
    print(f"flowc: error: {message}", file=sys.stderr)


def report(compiled: Compiled, fmt: str = "text", stream=None) -> None:
    """Print a compile's diagnostics (text to stderr by default)."""
    from .diagnostics import render

    stream = stream or sys.stderr
    stream.write(render(compiled.diagnostics, compiled.source, fmt, color=_use_color(stream, fmt)))


def _use_color(stream, fmt: str) -> bool:
    return fmt == "text" and hasattr(stream, "isatty") and stream.isatty() and not os.environ.get("NO_COLOR")


def load_ok(path: str, flow_name: Optional[str], configs=None) -> tuple[Optional[Compiled], int]:
    """Compile and print diagnostics; (compiled, 0) when the flow is clean, else (None, exit code)."""
    compiled = load(path, flow_name, configs)
    if compiled is None:
        return None, 2
    if not compiled.ok:
        report(compiled)
        return None, 1
    return compiled, 0
