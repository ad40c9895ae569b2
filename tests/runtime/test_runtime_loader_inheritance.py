"""The runtime picks the same flow class as the compiler when a file's flows extend one another: the one
no other flow of the file extends. Each file is imported in a fresh interpreter (the loader runs it as
__main__)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from flowc.compiler.api import compile_file

from runtime_driver import EXAMPLES

PICK = """
import sys
from pathlib import Path
from flowc.runtime.errors import ContractError
from flowc.runtime.loader import find_flow_class, import_flow_module
path = Path(sys.argv[1])
try:
    print(find_flow_class(import_flow_module(path), path, None).__name__)
except ContractError as error:
    print("ContractError:", error)
"""

TWO_CHILDREN = textwrap.dedent('''
    from metaflow import FlowSpec, step


    class BaseFlow(FlowSpec):
        @step
        def start(self):
            self.next(self.end)

        @step
        def end(self):
            pass


    class FirstFlow(BaseFlow):
        pass


    class SecondFlow(BaseFlow):
        pass
''')


def runtime_choice(path) -> str:
    done = subprocess.run([sys.executable, "-c", PICK, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_runtime_runs_the_class_the_compiler_compiled():
    example = EXAMPLES / "inheritance.py"
    compiled = compile_file(example)
    assert compiled.ok
    assert runtime_choice(example) == compiled.flow.name == "ReportFlow"


def test_two_flows_extending_one_base_need_a_choice_in_both(tmp_path):
    path = tmp_path / "two.py"
    path.write_text(TWO_CHILDREN)
    assert [d.code for d in compile_file(path).diagnostics] == ["FLC003"]
    choice = runtime_choice(path)
    assert choice.startswith("ContractError:") and "FirstFlow, SecondFlow" in choice


@pytest.mark.parametrize("flow", ["BaseFlow", "SecondFlow"])
def test_flow_names_any_of_them(tmp_path, flow):
    path = tmp_path / "two.py"
    path.write_text(TWO_CHILDREN)
    store = tmp_path / "store"
    done = subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "run", str(path), "--flow", flow,
                           "--datastore", store.as_uri(), "--run-id", "r"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert (store / flow / "runs" / "r").is_dir()
