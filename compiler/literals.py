"""Turning source expressions into IR values without executing anything.

`ast.literal_eval` accepts only literals (numbers, strings, None, booleans, lists, tuples, dicts,
negative numbers), so it evaluates nothing the user wrote. Anything else is a run-time value.
"""

from __future__ import annotations

import ast
import math

from .ir import Value


def to_value(source: str) -> Value:
    """The IR value of the expression text `source`: literal when exactly known, else run time."""
    try:
        value = ast.literal_eval(source.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return Value(kind="runtime", source=source)
    json_value, ok = _as_json(value)
    if not ok:
        return Value(kind="runtime", source=source)
    return Value(kind="literal", value=json_value, source=source)


def _as_json(value):
    """(JSON form, True) when `value` survives a JSON round trip exactly; tuples become lists."""
    if value is None or isinstance(value, (bool, int, str)):
        return value, True
    if isinstance(value, float):
        return value, math.isfinite(value)
    if isinstance(value, (list, tuple)):
        items = [_as_json(v) for v in value]
        return [v for v, _ in items], all(ok for _, ok in items)
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            return None, False
        items = {k: _as_json(v) for k, v in value.items()}
        return {k: v for k, (v, _) in items.items()}, all(ok for _, ok in items.values())
    return None, False  # sets, bytes, complex, Ellipsis: no exact JSON form
