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
READ_CHUNK = 16 << 20  # a large read is hashed chunk by chunk, each while the next is read


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
    """Unpickle the blob named `sha`, checking that its bytes hash to its name: a replaced, truncated or
    corrupted blob is a DamagedRecord, never a wrong value. A small blob is checked before it is
    unpickled; a large one while it streams into the unpickler (the hash runs in a thread beside the
    reads), and the check completes before the value is returned. This guards against damage, not
    against someone who can write the datastore: they can write a matching name (see README, "Trust")."""
    key = object_key(flow, sha)
    with storage.open_read(key) as f:
        try:
            if os.fstat(f.fileno()).st_size <= MEMORY_LIMIT:
                data = f.read()
                _check_digest(storage, key, sha, hashlib.sha256(data).hexdigest())
                return pickle.loads(data)
            reader = _VerifyingReader(f)
            try:
                value = pickle.load(reader)
            except Exception:
                reader.finish()  # damage explains the failure better than the unpickler's message
                _check_digest(storage, key, sha, reader.sha.hexdigest())
                raise
            reader.finish()
            _check_digest(storage, key, sha, reader.sha.hexdigest())
            return value
        except OSError as error:
            raise DatastoreError(f"cannot read {storage.describe(key)}: {error.strerror or error}") from None


def _check_digest(storage, key: str, name: str, actual: str) -> None:
    if actual != name:
        from .records import DamagedRecord

        raise DamagedRecord(storage.describe(key), f"its bytes hash to sha256 {actual[:16]}..., not to its name "
                                                   "(the blob was replaced, truncated or corrupted)")


class _VerifyingReader:
    """What pickle.load reads from: hashes every byte it hands out. Large reads (pickle protocol 5 reads a
    big bytes object with one readinto) go in chunks, each hashed in a thread while the next is read."""

    def __init__(self, f):
        self._f = f
        self.sha = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self._f.read(n)
        self.sha.update(data)
        return data

    def readline(self) -> bytes:
        data = self._f.readline()
        self.sha.update(data)
        return data

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        if view.nbytes < PARALLEL_HASH_MIN:
            n = _read_fully(self._f, view)
            self.sha.update(view[:n])
            return n
        total, hasher = 0, None
        try:
            for start in range(0, view.nbytes, READ_CHUNK):
                chunk = view[start:start + READ_CHUNK]
                n = _read_fully(self._f, chunk)
                if hasher is not None:
                    hasher.join()
                hasher = threading.Thread(target=self.sha.update, args=(chunk[:n],))
                hasher.start()
                total += n
                if n < chunk.nbytes:
                    break
        finally:
            if hasher is not None:
                hasher.join()
        return total

    def finish(self) -> None:
        """Hash whatever the unpickler left unread (nothing, for an intact blob)."""
        while True:
            data = self._f.read(1 << 16)  # (a big read size would allocate that much up front)
            if not data:
                return
            self.sha.update(data)


def _read_fully(f, view: memoryview) -> int:
    got = 0
    while got < view.nbytes:
        n = f.readinto(view[got:])
        if not n:
            break
        got += n
    return got


def type_name(value: object) -> str:
    t = type(value)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"
