"""The DAGs folder's `.airflowignore`. Airflow imports every `.py` file in the DAGs folder that mentions
"airflow" and "dag"; a flow file deployed beside its DAG would be a permanent import error (its `metaflow`
import does not resolve there). `flowc compile` lists such flow files, keeping every line already there."""

from __future__ import annotations

import os
from pathlib import Path

IGNORE_FILE = ".airflowignore"
COMMENT = "# flow files beside their DAGs (`flowc compile` keeps this list; other lines are left as they are)"
GLOB_SPECIALS = "\\*?[]"


def folder_files(output_dir: Path, flow_files: list[Path]) -> dict[str, str]:
    """{".airflowignore": text} when a flow file lies inside the output folder's tree, else {}."""
    patterns = sorted({_pattern(path) for path in _inside(output_dir, flow_files)})
    if not patterns:
        return {}
    path = output_dir / IGNORE_FILE
    existing = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    missing = [p for p in patterns if p not in {line.strip() for line in existing}]
    if missing and COMMENT not in existing:
        missing.insert(0, COMMENT)
    return {IGNORE_FILE: "".join(f"{line}\n" for line in existing + missing)}


def _inside(output_dir: Path, flow_files: list[Path]) -> list[str]:
    """The flow files inside the output folder's tree, relative to it (posix)."""
    root = output_dir.resolve()
    found = []
    for flow in flow_files:
        relative = Path(os.path.relpath(Path(flow).resolve(), root))
        if relative.parts and relative.parts[0] != "..":
            found.append(relative.as_posix())
    return found


def _pattern(relative: str) -> str:
    """A glob line (Airflow 3's default syntax) matching exactly this file: anchored to the folder of
    `.airflowignore` by its leading slash, glob characters escaped."""
    escaped = "".join(f"\\{c}" if c in GLOB_SPECIALS else c for c in relative)
    if escaped.endswith(" "):
        escaped = escaped[:-1] + "\\ "
    return "/" + escaped
