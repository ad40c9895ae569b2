"""Reading a class body's assignments: `name = Call(...)` and `name: T = Call(...)` declare parameters
and configs alike."""

from __future__ import annotations

from typing import Optional

import libcst as cst


def assignment(small: cst.BaseSmallStatement) -> Optional[tuple[cst.BaseExpression, cst.BaseExpression]]:
    """(target, value) of a single-target assignment, annotated or not; None for anything else."""
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        return small.targets[0].target, small.value
    if isinstance(small, cst.AnnAssign) and small.value is not None:
        return small.target, small.value
    return None
