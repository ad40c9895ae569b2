"""Helpers the compat flows import from beside them, as real projects keep code next to their flows (the
package is importable by the flow and by the client script that unpickles its objects)."""
from collections import namedtuple
from dataclasses import dataclass


@dataclass(frozen=True)
class Score:
    """A result object stored as an artifact: the client must unpickle it on both sides."""

    config: str
    fold: int
    value: float


def mean(values):
    values = list(values)
    return sum(values) / len(values) if values else None


Point = namedtuple("Point", "x y")
