"""Reading a flow file's bytes safely: a regular file, of bounded size (no imports: the local runner uses it).

A FIFO given as FLOW would block the compiler forever and /dev/zero would fill its memory; both are usage
errors before anything is read.
"""

from __future__ import annotations

import os
import stat

MAX_FLOW_BYTES = 10_000_000  # a 1,000-step flow is about 100 KB


class FlowFileError(OSError):
    """The path is not a flow file flowc reads (a usage error, exit 2); the message says why."""


def read_flow_file(path: str | os.PathLike) -> bytes:
    """The bytes of the regular file at `path`. Raises FileNotFoundError, IsADirectoryError, FlowFileError."""
    info = os.stat(path)  # follows symlinks, as opening does
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(f"{os.fspath(path)} is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise FlowFileError(f"{os.fspath(path)} is not a regular file (a pipe, device or socket); give a flow file")
    if info.st_size > MAX_FLOW_BYTES:
        raise FlowFileError(f"{os.fspath(path)} is {info.st_size:,} bytes; flowc reads flow files up to "
                            f"{MAX_FLOW_BYTES:,} bytes")
    # O_NONBLOCK: should the path have become a FIFO since the check, opening it does not wait for a writer.
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise FlowFileError(f"{os.fspath(path)} is not a regular file; give a flow file")
        data = handle.read(MAX_FLOW_BYTES + 1)
    if len(data) > MAX_FLOW_BYTES:
        raise FlowFileError(f"{os.fspath(path)} is larger than {MAX_FLOW_BYTES:,} bytes, the most flowc reads")
    return data
