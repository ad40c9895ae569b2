"""Valid Python that libcst's native parser cannot read (it overflowed its stack and killed the process):
flowc check reports FLC001 instead, in a process of its own so a crash would show as a signal."""

from __future__ import annotations

import subprocess
import sys

import pytest

DEEP = {
    "and_chain": "x = " + " and ".join(["1"] * 10_000) + "\n",
    "or_chain": "x = " + " or ".join(["1"] * 10_000) + "\n",
    "dotted_import": "import " + ".".join(["a"] * 10_000) + "\n",
    "dotted_from_import": "from " + ".".join(["a"] * 10_000) + " import b\n",
}


@pytest.mark.parametrize("name", DEEP)
def test_too_deep_for_libcst_is_a_diagnostic_not_a_crash(tmp_path, name):
    (tmp_path / "flow.py").write_text(DEEP[name])
    done = subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "check", "flow.py"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, (done.returncode, done.stderr[-500:])
    assert "FLC001" in done.stdout and "nested too deeply" in done.stdout
