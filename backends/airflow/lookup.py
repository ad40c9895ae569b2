"""Where a generated DAG's tasks look for their flow file, read back from the DAG file itself.

A DAG whose flow file is not where it looks (the DAG folder moved, the flow deleted or never committed)
still loads in Airflow, and fails only when a task runs; `flowc compile --check` asks this module so the
DAG repository's CI says so first. Light on purpose: no backend imports."""

from __future__ import annotations

import ast
import os
from pathlib import Path
from typing import Optional


def flow_lookup(path: Path, text: str) -> Optional[Path]:
    """The flow file that the DAG at `path` reads, when it names it relative to its own folder (the bash
    operator's default), else None: a `--flow-path` or a path inside an image is not on this machine."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == "FLOW_FILE" and _relative_to_this_file(node.value)):
            relative = node.value.args[0].args[-1]
            if isinstance(relative, ast.Constant) and isinstance(relative.value, str):
                return Path(os.path.normpath(path.parent / relative.value))
    return None


def _relative_to_this_file(value: ast.expr) -> bool:
    """`os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), RELATIVE))`, as the
    DAG template writes it."""
    return (isinstance(value, ast.Call) and ast.unparse(value.func) == "os.path.normpath" and len(value.args) == 1
            and isinstance(value.args[0], ast.Call) and ast.unparse(value.args[0].func) == "os.path.join"
            and len(value.args[0].args) == 2
            and ast.unparse(value.args[0].args[0]) == "os.path.dirname(os.path.abspath(__file__))")
