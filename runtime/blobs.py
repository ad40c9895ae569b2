"""Content-addressed, pickled values: save (returns sha256 and size) and load.

A value is pickled (protocol 5) straight into a spool that hashes what passes through: small pickles
stay in memory, larger ones spill to a temporary file next to their final place. The C pickler hands
large payloads (bytes, bytearray, numpy buffers) to `write` as they are, and the unpickler reads them
with `readinto`, so a 1 GiB bytes object is never copied in memory: one copy on save (the object
itself), one on load (the result). Hashing a large chunk runs in a thread while the same chunk is
written (both release the GIL), so the sha256 costs little wall time.

The name is the sha256 of the pickle bytes; a blob that exists is not written again, and concurrent
writers of the same value each write their own temporary file and rename it (same bytes either way).
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import threading
from pathlib import Path

from .errors import DatastoreError
from .layout import object_key
from .storage import make_temp

PROTOCOL = 5
MEMORY_LIMIT = 8 << 20  # pickles up to this size are hashed in memory and written with one call
PARALLEL_HASH_MIN = 1 << 20  # chunks this big are hashed in a thread while they are written


class PickleError(Exception):
    """A value could not be pickled (the message names the artifact)."""


class _HashingSpool:
    """A write-only file for pickle.dump that hashes everything and spills to disk past MEMORY_LIMIT."""

    def __init__(self, staging_dir: Path):
        self.sha = hashlib.sha256()
        self.size = 0
        self._memory = io.BytesIO()
        self._staging_dir = staging_dir
        self._file = None
        self.path: Path | None = None

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        n = view.nbytes
        if self._file is None and self.size + n > MEMORY_LIMIT:
            self._spill()
        if self._file is None:
            self.sha.update(view)
            self._memory.write(view)
        elif n >= PARALLEL_HASH_MIN:
            hasher = threading.Thread(target=self.sha.update, args=(view,))
            hasher.start()
            try:
                self._file.write(view)
            finally:
                hasher.join()
        else:
            self.sha.update(view)
            self._file.write(view)
        self.size += n
        return n

    def _spill(self) -> None:
        fd, self.path = make_temp(self._staging_dir)
        self._file = os.fdopen(fd, "wb")
        self._file.write(self._memory.getbuffer())
        self._memory = io.BytesIO()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def discard(self) -> None:
        self.close()
        if self.path is not None:
            try:
                os.unlink(self.path)
            except OSError:
                pass

    def memory_bytes(self) -> bytes:
        return self._memory.getvalue()


def save_value(storage, flow: str, value: object, name: str = "value") -> tuple[str, int]:
    """Pickle `value` into the flow's object store; return (sha256 hex, pickled size)."""
    staging = storage.staging_dir(f"{flow}/objects")
    spool = _HashingSpool(staging)
    try:
        pickle.dump(value, spool, protocol=PROTOCOL)
    except OSError as error:
        spool.discard()
        raise DatastoreError(f"cannot write {staging}: {error.strerror or error}") from None
    except Exception as error:
        spool.discard()
        raise PickleError(f"artifact {name!r} ({type(value).__name__}) cannot be pickled: {error}") from None
    spool.close()
    sha = spool.sha.hexdigest()
    key = object_key(flow, sha)
    if spool.path is None:
        if not storage.exists(key):
            storage.write_bytes(key, spool.memory_bytes())
    else:
        storage.put_file(key, spool.path)
    return sha, spool.size


def load_value(storage, flow: str, sha: str) -> object:
    key = object_key(flow, sha)
    with storage.open_read(key) as f:
        try:
            return pickle.load(f)
        except OSError as error:
            raise DatastoreError(f"cannot read {storage.describe(key)}: {error.strerror or error}") from None


def type_name(value: object) -> str:
    t = type(value)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"
