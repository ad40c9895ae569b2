"""The long fuzz run (on demand): `python bench/fuzz.py [CASES] [FIRST_SEED]` (default 10,000 from 0).

The same cases as tests/compile/test_fuzz_targets.py (hostile strings into every user field, through
`flowc ir` -- the command line's own function, in this process -- and every target), many more of them;
prints the outcome counts and the seeds that failed."""

from __future__ import annotations

import sys
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "compile"))

from fuzzing import check_case  # noqa: E402


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    first = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    outcomes, failed, started = Counter(), [], time.perf_counter()
    for seed in range(first, first + count):
        try:
            outcomes[check_case(seed)] += 1
        except Exception:  # noqa: BLE001 - a failure of any kind is what this run looks for
            outcomes["failed"] += 1
            failed.append(seed)
            if len(failed) <= 5:
                traceback.print_exc()
    print(f"{count:,} cases in {time.perf_counter() - started:.0f} s: {dict(outcomes)}")
    if failed:
        print(f"failed seeds: {failed[:50]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
