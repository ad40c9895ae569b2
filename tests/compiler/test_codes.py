"""The code table, the docs page and the compiler agree: every code emitted is listed and documented."""

from __future__ import annotations

import ast
import re

from flowkit import REPO

from flowc.compiler.codes import CODES, RETIRED

DOCS = (REPO / "docs" / "diagnostics.md").read_text(encoding="utf-8")
INVALID = REPO / "tests" / "compiler" / "invalid"


def _emitted() -> dict[str, list[str]]:
    """Code -> the compiler files whose source names it as a string literal."""
    found: dict[str, list[str]] = {}
    for path in sorted((REPO / "compiler").rglob("*.py")):
        if path.name == "codes.py":
            continue
        for code in set(re.findall(r"""["'](FLC\d{3})["']""", path.read_text(encoding="utf-8"))):
            found.setdefault(code, []).append(path.relative_to(REPO).as_posix())
    return found


def test_every_emitted_code_is_in_the_table():
    emitted = _emitted()
    assert len(emitted) >= 40
    assert sorted(set(emitted) - set(CODES)) == []


def test_the_table_lists_no_code_that_is_never_emitted():
    assert sorted(set(CODES) - set(_emitted())) == []


def test_retired_codes_are_not_emitted_listed_or_reused_and_the_docs_say_so():
    assert sorted(set(RETIRED) & (set(CODES) | set(_emitted()))) == []
    for code in RETIRED:
        assert f"{code} (" in DOCS and f"## {code}" not in DOCS


def test_the_docs_have_one_section_per_code_with_its_title_in_order():
    headings = re.findall(r"^## (FLC\d{3}): (.+)$", DOCS, re.M)
    assert headings == list(CODES.items())


def test_every_emitted_code_is_documented():
    documented = set(re.findall(r"^## (FLC\d{3})", DOCS, re.M))
    assert sorted(set(_emitted()) - documented) == []


def test_every_section_has_a_fix():
    sections = re.split(r"^## ", DOCS, flags=re.M)[1:]
    assert len(sections) == len(CODES)
    for section in sections:
        assert "\nFix: " in section, section.splitlines()[0]


def test_python_snippets_in_the_docs_are_valid_python():
    blocks = re.findall(r"```python\n(.*?)```", DOCS, re.S)
    assert len(blocks) >= 35
    for block in blocks:
        ast.parse(block)


def test_every_code_but_the_targets_has_an_invalid_flow_case():
    expected = set()
    for path in INVALID.glob("*.py"):
        expected |= set(re.findall(r"FLC\d{3}", path.read_text(encoding="utf-8").splitlines()[0]))
    # FLC401 and FLC402 come from a target backend (`flowc compile`), tested with the backends.
    assert sorted(set(CODES) - expected) == ["FLC401", "FLC402"]
