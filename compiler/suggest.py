"""'did you mean ...?' for misspelled names."""

from __future__ import annotations

import difflib
from typing import Iterable, Optional


def closest(word: str, candidates: Iterable[str]) -> Optional[str]:
    matches = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return matches[0] if matches else None
