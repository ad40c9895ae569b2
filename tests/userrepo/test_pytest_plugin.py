"""flowc's pytest plugin (entry point pytest11) as a user runs it: pytester runs pytest in a sample user
repository (three flows, Airflow and Argo, config in pyproject.toml) whose tests use the plugin's fixtures."""

from __future__ import annotations

import pytest
from support.flows import flowc
from support.user_repo import OUTPUTS, make_user_repo

pytest_plugins = ["pytester"]

GOLDEN_TEST = """
def test_generated_workflows(flowc_goldens):
    flowc_goldens.check()
"""


@pytest.fixture
def repo(pytester, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    make_user_repo(pytester.path)
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "test_workflows.py").write_text(GOLDEN_TEST)
    return pytester


def run(pytester, *args):
    """pytest in a process of its own, as the user runs it (an in-process run would share our imports)."""
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist", *args)


def goldens(pytester) -> dict[str, bytes]:
    root = pytester.path / "tests" / "goldens"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_goldens_are_created_only_on_request_and_hold_what_flowc_compile_writes(repo):
    missing = run(repo)
    missing.assert_outcomes(failed=1)
    missing.stdout.fnmatch_lines(["*goldens/airflow/hello_dag.py is missing; create it with "
                                  "`pytest --flowc-update-goldens`*"])
    assert not (repo.path / "tests" / "goldens").exists()
    run(repo, "--flowc-update-goldens").assert_outcomes(passed=1)
    assert flowc("compile", cwd=repo.path).returncode == 0
    written = {f"{'airflow' if folder == 'dags' else 'argo'}/{name}": (repo.path / folder / name).read_bytes()
               for folder, names in OUTPUTS.items() for name in names}
    assert goldens(repo) == written  # the same bytes as the committed output folders
    run(repo).assert_outcomes(passed=1)


def test_a_changed_flow_fails_with_a_diff_and_ci_cannot_update(repo):
    run(repo, "--flowc-update-goldens").assert_outcomes(passed=1)
    before = goldens(repo)
    flow = repo.path / "flows" / "foreach.py"
    flow.write_text(flow.read_text().replace('"""Score every word', '"""Score each word'))
    changed = run(repo)
    changed.assert_outcomes(failed=1)
    changed.stdout.fnmatch_lines([
        "*goldens/airflow/ForeachFlow.py differs from what the flow compiles to (update with "
        "`pytest --flowc-update-goldens`):*",
        "*--- goldens/airflow/ForeachFlow.py (golden)*",
        "*+++ goldens/airflow/ForeachFlow.py (compiled now)*",
        "*-*Score every word*",
        "*+*Score each word*",
    ])
    assert "argo/foreach-flow.yaml differs" in changed.stdout.str()
    assert "hello_dag.py" not in changed.stdout.str()
    repo._monkeypatch.setenv("CI", "true")
    refused = run(repo, "--flowc-update-goldens")
    refused.assert_outcomes(errors=1)
    refused.stdout.fnmatch_lines(["*refusing to update flowc goldens while CI is set*"])
    assert goldens(repo) == before
    repo._monkeypatch.delenv("CI")
    run(repo, "--flowc-update-goldens").assert_outcomes(passed=1)
    assert goldens(repo) != before
    run(repo).assert_outcomes(passed=1)


def test_goldens_of_a_deleted_flow_are_reported_and_removed_on_update(repo):
    run(repo, "--flowc-update-goldens").assert_outcomes(passed=1)
    (repo.path / "flows" / "pipelines" / "branching.py").unlink()
    gone = run(repo)
    gone.assert_outcomes(failed=1)
    gone.stdout.fnmatch_lines(["*goldens/airflow/BranchFlow.py: no flow produces it any more (its flow was deleted "
                               "or renamed); `pytest --flowc-update-goldens` removes it*",
                               "*goldens/argo/branch-flow.yaml: no flow produces it any more*"])
    run(repo, "--flowc-update-goldens").assert_outcomes(passed=1)
    assert sorted(goldens(repo)) == ["airflow/ForeachFlow.py", "airflow/hello_dag.py", "argo/foreach-flow.yaml",
                                     "argo/hello-flow.yaml"]


def test_one_target_and_another_folder(repo):
    (repo.path / "tests" / "test_workflows.py").write_text(
        "def test_argo(flowc_goldens):\n    flowc_goldens.check(targets=['argo'], folder='expected')\n")
    run(repo, "--flowc-update-goldens").assert_outcomes(passed=1)
    assert sorted(p.name for p in (repo.path / "tests" / "expected").iterdir()) == ["argo"]


def test_a_flow_with_problems_fails_with_its_diagnostics(repo):
    (repo.path / "flows" / "broken.py").write_text(
        "from metaflow import FlowSpec, step\n\nclass B(FlowSpec):\n    @step\n    def start(self):\n"
        "        self.next(self.nowhere)\n\n    @step\n    def end(self):\n        pass\n")
    result = run(repo, "--flowc-update-goldens")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*flowc goldens: the project's flows have problems on airflow:*",
                                 "*error?FLC014?: Step *start* specifies a self.next() transition to an unknown step*", "*flows/broken.py:6:*"])
    assert not (repo.path / "tests" / "goldens").exists()


def test_the_plugin_does_nothing_unless_a_test_uses_it(repo):
    (repo.path / "flows" / "broken.py").write_text("this is not a flow (\n")
    (repo.path / "tests" / "test_workflows.py").write_text("def test_other():\n    assert True\n")
    run(repo).assert_outcomes(passed=1)
    assert not (repo.path / "tests" / "goldens").exists()
    run(repo, "--help").stdout.fnmatch_lines(["*--flowc-update-goldens*"])


def test_smoke_run_of_a_flow(repo):
    (repo.path / "tests" / "test_workflows.py").write_text(
        "def test_hello(flowc_run):\n"
        "    done = flowc_run('../flows/hello.py', person='ci')\n"
        "    assert 'HELLO CI!' in done.stdout + done.stderr\n\n"
        "def test_failing(flowc_run):\n"
        "    flowc_run('../flows/hello.py', '--param', 'nobody=1')\n")
    result = run(repo)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*flowc run ../flows/hello.py failed (exit *"])
