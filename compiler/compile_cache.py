"""The compile cache: `flowc compile` (and `--check`) of an unchanged flow without parsing it.

Compiling is a pure function of the flow file's bytes, the effective options, the target and flowc's own
code (DESIGN section 7), so a clean compile's files are stored under a key made of exactly those, the way
black and ruff cache formatted files. A later compile with the same key reads them back without importing
the compiler (pydantic) or the backend. An entry holds its key and the sha256 of its
files: one that does not read, does not match its key or its hash (a torn or edited file, another
version's format) is ignored and recomputed, never believed. Entries are written to a temporary file and
renamed into place, so concurrent compiles see a whole entry or none.

The cache is `$FLOWC_CACHE_DIR/compile`, else `$XDG_CACHE_HOME/flowc/compile` (`~/.cache/flowc/compile`);
`flowc compile --no-cache` bypasses it. Any error reading or writing it just means compiling. This module
imports the standard library only.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any, Optional

FORMAT = 1
MAX_ENTRIES = 4096  # about one per flow, target and edit in flight: the oldest are removed beyond this


def cache_root() -> Path:
    """flowc's cache folder: `$FLOWC_CACHE_DIR`, else the XDG cache home's `flowc`."""
    configured = os.environ.get("FLOWC_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "flowc"


def cache_dir() -> Path:
    return cache_root() / "compile"


@functools.lru_cache(maxsize=None)
def code_fingerprint(*folders: str) -> str:
    """Changes whenever flowc's code does: the path, size and mtime of every file under `folders`
    (templates included), so an edited checkout never serves what its older self produced. A released
    flowc's files do not change, and its version is part of every key too."""
    entries = []
    for folder in folders:
        for directory, subdirectories, files in os.walk(folder):
            subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
            for name in files:
                if name.endswith((".pyc", ".tmp")):
                    continue
                path = os.path.join(directory, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    return "unknown"  # a file vanished mid-walk: nothing cached can be trusted now
                entries.append(f"{os.path.relpath(path, folder)}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()


def flowc_fingerprint() -> str:
    """The fingerprint of everything that shapes generated files: the compiler, every backend and the
    runtime (the compiler imports its rules: parameter types, config paths, requirements)."""
    import flowc.backends as backends  # a docstring only: no backend is imported
    import flowc.compiler as compiler
    import flowc.runtime as runtime  # its names load lazily: this imports nothing else

    return code_fingerprint(str(Path(compiler.__file__).parent), *backends.__path__, *runtime.__path__)


def key(target: str, source: bytes, options: Any, configs: str = "") -> str:
    """The entry's name: format, flowc's version and code, the target, the source's bytes and every
    effective option (`options` is the EmitOptions the backend would receive; `configs` the --config /
    --config-value choices). The config files a flow reads are checked when an entry is loaded."""
    from flowc.compiler import __version__

    digest = hashlib.sha256()
    for part in (str(FORMAT), __version__, flowc_fingerprint(), target, hashlib.sha256(source).hexdigest(),
                 json.dumps(asdict(options), sort_keys=True, default=repr), configs):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()


def _files_digest(files: dict) -> str:
    return hashlib.sha256(json.dumps(files, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def load(entry_key: str) -> Optional[dict[str, str]]:
    """The files stored under `entry_key`, or None when there is no entry or it cannot be trusted."""
    try:
        with open(cache_dir() / f"{entry_key}.json", encoding="utf-8") as handle:
            entry = json.load(handle)
        files = entry["files"]
        if (entry["format"] != FORMAT or entry["key"] != entry_key or not isinstance(files, dict)
                or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())
                or entry["sha256"] != _files_digest(files) or not unchanged(entry.get("depends", {}))):
            return None
        return files
    except (OSError, ValueError, KeyError, TypeError):  # missing, unreadable, torn, not ours
        return None


def unchanged(depends: dict) -> bool:
    """Do the files a compile read besides the flow (its config files: absolute path -> sha256) still
    hold the same bytes? A changed, moved or unreadable one means compiling again."""
    for path, sha256 in depends.items():
        try:
            with open(path, "rb") as handle:
                if hashlib.sha256(handle.read()).hexdigest() != sha256:
                    return False
        except (OSError, TypeError):
            return False
    return True


def store(entry_key: str, files: dict[str, str], depends: Optional[dict] = None) -> None:
    """Store a clean compile's files under `entry_key`: whole or not at all, whoever else is writing.
    `depends`: the config files the flow read (absolute path -> sha256), checked by `load`."""
    entry = {"format": FORMAT, "key": entry_key, "sha256": _files_digest(files), "files": files,
             "depends": depends or {}}
    store_json(cache_dir(), entry_key, entry, MAX_ENTRIES)


def store_json(folder: Path, name: str, data: dict, keep: int) -> None:
    """Write `data` as `folder/name.json` atomically (temporary file + rename, so concurrent writers and
    readers see a whole entry or none), then keep the newest `keep` entries (pruned once per process).
    Every error is ignored: a read-only or full cache only means the next run computes again."""
    import tempfile  # only a miss writes

    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False)
        os.replace(tmp, folder / f"{name}.json")
        tmp = None
        _prune_once(str(folder), keep)
    except OSError:
        pass
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


@functools.lru_cache(maxsize=None)
def _prune_once(folder: str, keep: int) -> None:
    """Keep the newest `keep` entries (once per process: a cache must not grow with every edit)."""
    try:
        entries = [e for e in os.scandir(folder) if e.name.endswith(".json")]
        if len(entries) <= keep:
            return
        entries.sort(key=lambda e: e.stat().st_mtime_ns)
    except OSError:
        return
    for entry in entries[: len(entries) - keep]:
        try:
            os.unlink(entry.path)
        except OSError:
            pass
