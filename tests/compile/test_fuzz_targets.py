"""Bounded fuzz (CI): a fixed seed range of hostile-string flows through check, ir and every target.
Zero tracebacks, every file parses with the statements/documents of the plain flow, hostile values
arrive unchanged or are refused. The long run is `bench/fuzz.py` (10,000 cases)."""

from __future__ import annotations

from fuzzing import check_case

CASES = 300


def test_hostile_flows_compile_to_parsing_files_or_are_refused():
    outcomes = [check_case(seed) for seed in range(CASES)]
    assert outcomes.count("ok") > CASES // 2  # most cases reach every backend, not only the parser
