"""Byte-level storage under a datastore root: a local directory or an S3 prefix.

Only what the datastore needs, with the same guarantees on both: a reader never sees a partial
object (local: write a temporary file in the same directory, then os.replace; S3: one whole PUT or a
multipart upload, which becomes visible only when complete). Keys are '/'-separated, relative to the
root. boto3 is imported only when an s3:// root is opened.
"""

from __future__ import annotations

from collections.abc import Iterator

import contextlib
import os
from pathlib import Path

from .errors import DatastoreError

TMP_PREFIX = ".tmp-"  # partial files (local) start with this; listings skip names starting with '.'


def make_temp(folder: Path) -> tuple[int, Path]:
    """A new, exclusive temporary file in `folder`: (file descriptor, path). Like tempfile.mkstemp, but
    with the usual permissions (0666 less umask), so a shared datastore stays readable, and without
    importing tempfile on the task's start-up path."""
    for _ in range(100):
        path = folder / f"{TMP_PREFIX}{os.urandom(8).hex()}"
        try:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), path
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {folder}")


def open_storage(uri: str) -> "LocalStorage | S3Storage":
    """`file:///abs/dir`, a plain path (relative to the cwd) or `s3://bucket/prefix`."""
    if uri.startswith("s3://"):
        bucket, _, prefix = uri[len("s3://"):].partition("/")
        if not bucket:
            raise ValueError(f"bad datastore {uri!r}: expected s3://bucket/prefix")
        return S3Storage(bucket, prefix.strip("/"))
    if uri.startswith("file://"):
        from urllib.parse import unquote

        host, slash, path = uri[len("file://"):].partition("/")
        if host not in ("", "localhost") or not slash:
            raise ValueError(f"bad datastore {uri!r}: expected file:///absolute/dir")
        return LocalStorage(Path(unquote("/" + path)))
    if "://" in uri:
        raise ValueError(f"bad datastore {uri!r}: use file:///dir, a path or s3://bucket/prefix")
    if not uri:
        raise ValueError("empty datastore")
    return LocalStorage(Path(uri).absolute())


class LocalStorage:
    """A directory tree. Writes are atomic (temporary file + os.replace)."""

    def __init__(self, root: Path):
        self.root = root
        self.uri = root.as_uri()

    def describe(self, key: str) -> str:
        return str(self.root / key)

    def read_bytes(self, key: str) -> bytes | None:
        try:
            return (self.root / key).read_bytes()
        except (FileNotFoundError, NotADirectoryError):  # a file where a folder would be: no such record
            return None
        except OSError as error:
            raise DatastoreError(f"cannot read {self.describe(key)}: {error.strerror or error}") from None

    def read_range(self, key: str, start: int, length: int) -> bytes:
        try:
            with open(self.root / key, "rb") as f:
                f.seek(start)
                return f.read(length)
        except OSError as error:
            raise DatastoreError(f"cannot read {self.describe(key)}: {error.strerror or error}") from None

    def exists(self, key: str) -> bool:
        return (self.root / key).exists()

    def write_bytes(self, key: str, data: bytes) -> None:
        path = self.root / key
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = make_temp(path.parent)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, path)
            except BaseException:
                _unlink_quietly(tmp)
                raise
        except OSError as error:
            raise DatastoreError(f"cannot write {self.describe(key)}: {error.strerror or error}") from None

    def create_exclusive(self, key: str, data: bytes) -> bool:
        """Create `key` holding `data` unless it exists. True if this call created it. The data goes to a
        temporary file first, then os.link puts it in place (atomic, and refused if `key` exists): a reader
        never sees a created-but-empty record."""
        path = self.root / key
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = make_temp(path.parent)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.link(tmp, path)
            except FileExistsError:
                return False
            finally:
                _unlink_quietly(tmp)
        except OSError as error:
            raise DatastoreError(f"cannot write {self.describe(key)}: {error.strerror or error}") from None
        return True

    def staging_dir(self, key_prefix: str) -> Path:
        """Where to spool a large object before put_file: the same filesystem, so put_file is a rename."""
        path = self.root / key_prefix
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatastoreError(f"cannot write {path}: {error.strerror or error}") from None
        return path

    def put_file(self, key: str, local_path: Path) -> bool:
        """Move a finished local file to `key` unless `key` exists (content-addressed: same bytes).
        Returns True if this call stored it. The local file is gone afterwards either way."""
        path = self.root / key
        try:
            if path.exists():
                _unlink_quietly(local_path)
                return False
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(local_path, path)
            return True
        except OSError as error:
            _unlink_quietly(local_path)
            raise DatastoreError(f"cannot write {self.describe(key)}: {error.strerror or error}") from None

    @contextlib.contextmanager
    def open_read(self, key: str) -> Iterator[object]:
        try:
            f = open(self.root / key, "rb")
        except OSError as error:
            raise DatastoreError(f"cannot read {self.describe(key)}: {error.strerror or error}") from None
        with f:
            yield f

    def list_dir(self, key: str) -> list[str]:
        """Names directly under `key` (files and folders), sorted, without hidden/temporary names."""
        try:
            return sorted(n for n in os.listdir(self.root / key) if not n.startswith("."))
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as error:
            raise DatastoreError(f"cannot list {self.describe(key)}: {error.strerror or error}") from None

    def copy(self, src: str, dst: str) -> None:
        data = self.read_bytes(src)
        if data is None:
            raise DatastoreError(f"cannot copy {self.describe(src)}: missing")
        self.write_bytes(dst, data)


class S3Storage:
    """A prefix in an S3 bucket, through boto3 (any S3-compatible endpoint via AWS_ENDPOINT_URL)."""

    def __init__(self, bucket: str, prefix: str):
        self.bucket = bucket
        self.prefix = prefix
        self.uri = f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}"
        self._client = None

    @property
    def client(self):
        if self._client is None:
            try:
                import boto3
                from botocore.config import Config
            except ImportError:
                raise DatastoreError("an s3:// datastore needs boto3: pip install 'flowc[s3]'") from None
            endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None
            config = Config(retries={"max_attempts": 5, "mode": "standard"}, max_pool_connections=16)
            self._client = boto3.client("s3", endpoint_url=endpoint, config=config)
        return self._client

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def describe(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}"

    def _fail(self, action: str, key: str, error: Exception) -> DatastoreError:
        return DatastoreError(f"cannot {action} {self.describe(key)}: {_s3_message(error)}")

    def read_bytes(self, key: str) -> bytes | None:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except Exception as error:
            if _is_missing(error):
                return None
            raise self._fail("read", key, error) from None

    def read_range(self, key: str, start: int, length: int) -> bytes:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key),
                                              Range=f"bytes={start}-{start + length - 1}")
            return response["Body"].read()
        except Exception as error:
            raise self._fail("read", key, error) from None

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
            return True
        except Exception as error:
            if _is_missing(error):
                return False
            raise self._fail("read", key, error) from None

    def write_bytes(self, key: str, data: bytes) -> None:
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)
        except Exception as error:
            raise self._fail("write", key, error) from None

    def create_exclusive(self, key: str, data: bytes) -> bool:
        """Create `key` unless it exists: a conditional put (If-None-Match: *). True if this call created it."""
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, IfNoneMatch="*")
            return True
        except Exception as error:
            response = getattr(error, "response", None) or {}
            if str(response.get("Error", {}).get("Code", "")) in ("PreconditionFailed", "412",
                                                                  "ConditionalRequestConflict"):
                return False
            raise self._fail("write", key, error) from None

    def staging_dir(self, key_prefix: str) -> Path:
        import tempfile

        return Path(tempfile.gettempdir())

    def put_file(self, key: str, local_path: Path) -> bool:
        try:
            if self.exists(key):
                return False
            from boto3.s3.transfer import TransferConfig

            config = TransferConfig(multipart_threshold=64 << 20, multipart_chunksize=64 << 20)
            self.client.upload_file(str(local_path), self.bucket, self._key(key), Config=config)
            return True
        except DatastoreError:
            raise
        except Exception as error:
            raise self._fail("write", key, error) from None
        finally:
            _unlink_quietly(local_path)

    @contextlib.contextmanager
    def open_read(self, key: str) -> Iterator[object]:
        """Download to a temporary file first: ranged parallel GETs, and the unpickler reads from disk."""
        import tempfile

        with tempfile.TemporaryFile() as f:
            try:
                from boto3.s3.transfer import TransferConfig

                config = TransferConfig(multipart_threshold=64 << 20, multipart_chunksize=64 << 20)
                self.client.download_fileobj(self.bucket, self._key(key), f, Config=config)
            except Exception as error:
                raise self._fail("read", key, error) from None
            f.seek(0)
            yield f

    def list_dir(self, key: str) -> list[str]:
        prefix = self._key(key).rstrip("/") + "/"
        names: set[str] = set()
        try:
            paginator = self.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/"):
                for entry in page.get("CommonPrefixes", []):
                    names.add(entry["Prefix"][len(prefix):].rstrip("/"))
                for entry in page.get("Contents", []):
                    names.add(entry["Key"][len(prefix):])
        except Exception as error:
            raise self._fail("list", key, error) from None
        return sorted(n for n in names if n and not n.startswith("."))

    def copy(self, src: str, dst: str) -> None:
        try:
            self.client.copy_object(Bucket=self.bucket, Key=self._key(dst),
                                    CopySource={"Bucket": self.bucket, "Key": self._key(src)})
        except Exception as error:
            raise self._fail("copy", src, error) from None


def _is_missing(error: Exception) -> bool:
    response = getattr(error, "response", None) or {}
    code = str(response.get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")


def _s3_message(error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    detail = response.get("Error", {})
    if detail:
        return f"{detail.get('Code', '')} {detail.get('Message', '')}".strip()
    return str(error) or type(error).__name__


def _unlink_quietly(path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
