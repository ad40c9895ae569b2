"""The table of what flowc's `metaflow` offers (flowc.runtime.metaflow_api) holds at run time and at check
time: every offered name imports through the shim, every name it lists as not offered fails to import with
its reason, and `flowc check` refuses exactly those (FLC040) while accepting every offered one."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from flowc.compiler.api import compile_source
from flowc.runtime import Run, metaflow_api as api


IMPORT_EVERYTHING = textwrap.dedent("""\
    import importlib, json, sys
    import flowc.runtime
    from flowc.runtime import Run, metaflow_api as api
    flowc.runtime.install_metaflow_shim()
    problems = []
    for module, row in api.MODULES.items():
        for name in sorted(api.DUNDERS):  # what flowc check lets `metaflow.__version__` etc. through for
            try:
                getattr(importlib.import_module(module), name)
            except Exception as error:
                problems.append(f"{module}.{name}: {error!r}")
        for name in sorted(api.offered(module)):
            try:
                exec(f"from {module} import {name}")
            except Exception as error:
                problems.append(f"from {module} import {name}: {error!r}")
        for name, reason in row.missing.items():
            try:
                exec(f"from {module} import {name}")
                problems.append(f"from {module} import {name} worked")
            except ImportError as error:
                if reason not in str(error):
                    problems.append(f"from {module} import {name}: {error}")
    for module, reason in api.MISSING_MODULES.items():
        try:
            importlib.import_module(module)
            problems.append(f"import {module} worked")
        except ImportError as error:
            if reason not in str(error):
                problems.append(f"import {module}: {error}")
    print(json.dumps(problems))
""")

FLOW_TAIL = """

class ApiFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def test_the_table_offers_and_refuses_no_name_twice():
    for module, row in api.MODULES.items():
        assert not set(row.missing) & api.offered(module), module
        assert all(reason for reason in row.missing.values())
    assert not set(api.MISSING_MODULES) & set(api.MODULES)


def test_every_offered_name_imports_and_every_refused_one_says_why():
    # A fresh interpreter: the shim answers `metaflow` only where no real Metaflow is installed.
    done = subprocess.run([sys.executable, "-c", IMPORT_EVERYTHING], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_flowc_check_refuses_every_name_the_shim_does_not_offer():
    lines = ["from metaflow import FlowSpec, step"]
    for module, row in api.MODULES.items():
        lines += [f"from {module} import {name}" for name in row.missing]
    lines += [f"import {module}" for module in api.MISSING_MODULES]
    compiled = compile_source("\n".join(lines) + FLOW_TAIL, "api_flow.py")
    found = [(d.code, d.span.line, d.span.col) for d in compiled.diagnostics]
    expected = [("FLC040", number, lines[number - 1].rindex(" ") + 2 if line.startswith("from") else 8)
                for number, line in enumerate(lines, start=1) if number > 1]
    assert found == expected
    helps = {d.span.line: d.help for d in compiled.diagnostics}
    assert helps[2] == api.MODULES["metaflow"].missing["S3"]


def test_flowc_check_accepts_every_offered_name():
    lines = ["import metaflow"]
    for module in api.MODULES:
        lines += [f"import {module}", f"from {module} import {', '.join(sorted(api.offered(module)))}"]
        lines += [f"x = {module}.{name}" for name in sorted(api.offered(module))]
    compiled = compile_source("\n".join(lines) + "\nfrom metaflow import FlowSpec, step" + FLOW_TAIL, "api_flow.py")
    assert compiled.ok, compiled.diagnostics


def test_uses_of_metaflow_attributes_and_guarded_imports():
    text = textwrap.dedent("""\
        import metaflow as mf
        from metaflow import FlowSpec, exception as mfe, step

        try:
            from metaflow import S3
        except ImportError:
            S3 = None

        try:
            import metaflow.plugins
        except (ValueError, ModuleNotFoundError):
            pass


        class ApiFlow(FlowSpec):
            @step
            def start(self):
                self.a = mf.current.run_id, mf.exception.MetaflowNotFound, mfe.MetaflowException
                self.b = mf.Runner, mfe.Nope, mf.exception.Nope, mf.curent
                self.c = mf.__version__, mf.__file__
                self.next(self.end)

            @step
            def end(self):
                from metaflow.metaflow_config import DATASTORE_SYSROOT_S3
    """)
    compiled = compile_source(text, "api_flow.py")
    found = [(d.code, d.span.line, d.span.col, d.message) for d in compiled.diagnostics]
    assert found == [
        ("FLC040", 19, 21, "`Runner` is not provided by flowc's metaflow"),
        ("FLC040", 19, 33, "`Nope` is not provided by flowc's metaflow.exception"),
        ("FLC040", 19, 52, "`Nope` is not provided by flowc's metaflow.exception"),
        ("FLC040", 19, 61, "`curent` is not provided by flowc's metaflow"),
        ("FLC040", 20, 37, "`__file__` is not provided by flowc's metaflow"),
        ("FLC040", 25, 14, "module `metaflow.metaflow_config` is not provided by flowc's metaflow"),
    ]
    assert compiled.diagnostics[3].help == "did you mean `current`?"


def test_imports_inside_every_kind_of_block_are_checked():
    # No `metaflow` module is bound here, so only import statements are read (compiler/shim_names.py walks
    # statements, not expressions): each block kind must still be entered, and try/except ImportError respected.
    text = textwrap.dedent("""\
        from metaflow import FlowSpec, step


        class BlocksFlow(FlowSpec):
            @step
            def start(self):
                if self:
                    from metaflow import Nope1
                elif self:
                    from metaflow import Nope2
                else:
                    with open(__file__): from metaflow import Nope3
                for _ in ():
                    pass
                else:
                    import metaflow.nope4
                try:
                    from metaflow import Guarded
                except ImportError:
                    from metaflow import Nope5
                finally:
                    from metaflow import Nope6
                self.next(self.end)

            @step
            def end(self):
                pass
    """)
    found = [(d.code, d.span.line) for d in compile_source(text, "blocks.py").diagnostics]
    assert found == [("FLC040", 8), ("FLC040", 10), ("FLC040", 12), ("FLC040", 16), ("FLC040", 20),
                     ("FLC040", 22)]


def test_a_refused_import_fails_the_run_with_the_same_reason(flow_run, tmp_path):
    """The task command's shim gives the reason flowc check gives (the import is guarded, so check passes)."""
    flow = tmp_path / "s3_flow.py"
    flow.write_text(textwrap.dedent("""\
        from metaflow import FlowSpec, step


        class S3Flow(FlowSpec):
            @step
            def start(self):
                try:
                    from metaflow import S3
                except ImportError as error:
                    self.error = str(error)
                self.next(self.end)

            @step
            def end(self):
                pass
    """))
    run = flow_run(flow).run()
    assert Run(f"S3Flow/{run.run_id}", run.datastore)["start"].task.data.error == (
        "flowc's metaflow does not provide metaflow.S3: " + api.MODULES["metaflow"].missing["S3"])


def test_metadata_functions_name_the_datastore_the_client_reads(flow_run, tmp_path, monkeypatch):
    """Metaflow's get_metadata/metadata/default_metadata (its tutorial 03 prints get_metadata() in a step)."""
    flow = tmp_path / "metadata_flow.py"
    flow.write_text(textwrap.dedent("""\
        from metaflow import FlowSpec, current, get_metadata, step


        class MetadataFlow(FlowSpec):
            @step
            def start(self):
                self.provider = (get_metadata(), current.datastore)
                self.next(self.end)

            @step
            def end(self):
                pass
    """))
    run = flow_run(flow).run()
    provider, datastore = Run(f"MetadataFlow/{run.run_id}", run.datastore)["start"].task.data.provider
    assert provider == f"datastore@{datastore}" and datastore.endswith(run.datastore.rpartition("/")[2])

    from flowc.runtime import default_metadata, get_metadata, metadata

    monkeypatch.setenv("FLOWC_DATASTORE", str(tmp_path / "first"))
    assert metadata(f"local@{tmp_path / 'other'}") == f"datastore@{tmp_path / 'other'}"
    assert get_metadata() == f"datastore@{tmp_path / 'other'}"
    assert default_metadata() == f"datastore@{tmp_path / 'first'}"


def test_parallel_map_and_profile_in_a_step(flow_run, tmp_path):
    """Metaflow's multicore helpers: closures run in forked children; order kept; a failing call fails the map."""
    flow = tmp_path / "parallel_flow.py"
    flow.write_text(textwrap.dedent("""\
        from metaflow import FlowSpec, parallel_map, profile, step
        from metaflow.multicore_utils import MulticoreException, parallel_imap_unordered


        class ParallelFlow(FlowSpec):
            @step
            def start(self):
                offset = 100
                self.squares = parallel_map(lambda x: x * x + offset, range(7), max_parallel=3)
                self.unordered = sorted(parallel_imap_unordered(lambda x: -x, [1, 2, 3]))
                stats = {}
                with profile("work", stats_dict=stats):
                    sum(range(1000))
                self.profiled = sorted(stats)
                try:
                    parallel_map(lambda x: 1 / x, [1, 0, 2])
                    self.failure = None
                except MulticoreException as error:
                    self.failure = type(error).__name__
                self.next(self.end)

            @step
            def end(self):
                pass
    """))
    run = flow_run(flow).run()
    data = Run(f"ParallelFlow/{run.run_id}", run.datastore)["start"].task.data
    assert data.squares == [100, 101, 104, 109, 116, 125, 136]
    assert (data.unordered, data.profiled, data.failure) == ([-3, -2, -1], ["work"], "MulticoreException")
    assert "ZeroDivisionError" in run.outcomes[0].stderr  # the failed call's traceback, from its child
