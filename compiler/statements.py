"""Reading a class body's assignments: `name = Call(...)` and `name: T = Call(...)` declare parameters
and configs alike."""

from __future__ import annotations

import ast
from typing import Optional


def assignment(statement: ast.stmt) -> Optional[tuple[ast.expr, ast.expr]]:
    """(target, value) of a single-target assignment, annotated or not; None for anything else."""
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        return statement.targets[0], statement.value
    if isinstance(statement, ast.AnnAssign) and statement.value is not None:
        return statement.target, statement.value
    return None
