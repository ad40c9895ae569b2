"""Generated DAGs run for real on Airflow 3 (`dag.test()`, all DAGs in one Airflow process per mode), and
each run's final artifacts equal those of `flowc run` on the same flow with the same parameters."""

from __future__ import annotations

import ast
import shutil
import sys

import pytest
from flowc.runtime import Run
from support.artifacts import final_artifacts
from support.flows import EXAMPLES, REPO, TEST_FLOWS, compile_for_tests, flow_name, flowc, local_run
from support.hostile_fields import RUN_TAGS

HOSTILE = TEST_FLOWS / "hostile.py"
EXAMPLES_DIR = REPO / "examples"
NOT_DEPLOYED = "NotDeployedHello"  # the DAG of a flow compiled, then not deployed where the DAG reads it
TAGGED = "TaggedHello"  # hello.py compiled with --tag: every run carries RUN_TAGS
RETRYING = TEST_FLOWS / "retrying.py"
PARAMETER_TYPES = TEST_FLOWS / "parameter_types.py"
TIMEOUT_CAUGHT = TEST_FLOWS / "timeout_caught.py"
RETRIED_PARAMS = TEST_FLOWS / "retried_params.py"
CARDS = REPO / "tests" / "compat" / "flows" / "cards.py"
DEPLOYED_FLOW = "flows/timeout_caught.py"  # where bash_runs deploys TIMEOUT_CAUGHT, inside the DAGs folder
BAD_SETTINGS = {"settings": "not json"}  # an untyped JSON Param Airflow passes as text: the task command exits 2
TEAMS_IGNORE = "# the team's own lines\nscratch/\n"
# As Airflow's trigger form sends them: typed as the Param is typed (`object` and `array` for JSON parameters).
TYPED_CONF = {"text": "x", "count": 7, "ratio": 0.25, "flag": True, "config": {"b": 2}, "xs": [3, 4]}
HOSTILE_CONF = {"text": "conf's \"value\" {{ run_id }} $(touch $PWNED_DIR/8)\n✓", "number": 7}
CONF = {"branching": {"alpha": 0.25}, "foreach": {"words": ["Fig", " plum ", "kiwi", "date"]},
        "switch": {"amount": 5000}}


def hostile_constant() -> str:
    """The HOSTILE string the hostile flow uses as a default, read without running the flow."""
    tree = ast.parse(HOSTILE.read_text())
    return next(ast.literal_eval(n.value) for n in tree.body
                if isinstance(n, ast.Assign) and n.targets[0].id == "HOSTILE")


@pytest.fixture(scope="module")
def bash_runs(airflow_driver, tmp_path_factory):
    """Compile every example plus the hostile flow (bash operators), then load and run them all at once."""
    work = tmp_path_factory.mktemp("airflow-bash")
    store = work / "store"
    deployed = work / "dags" / DEPLOYED_FLOW  # a flow file inside the DAGs folder: Airflow must not import it
    deployed.parent.mkdir(parents=True)
    shutil.copyfile(TIMEOUT_CAUGHT, deployed)
    (work / "dags" / ".airflowignore").write_text(TEAMS_IGNORE)
    flows = [*EXAMPLES, HOSTILE, RETRYING, PARAMETER_TYPES, deployed, RETRIED_PARAMS, CARDS]
    compile_for_tests("airflow", flows, work / "dags", "--datastore", store.as_uri())
    not_deployed = work / "flows" / "hello.py"  # its DAG reads it beside the DAGs folder, where it never arrives
    not_deployed.parent.mkdir()
    shutil.copyfile(EXAMPLES_DIR / "hello.py", not_deployed)
    done = flowc("compile", str(not_deployed), "-t", "airflow", "-o", str(work / "dags"), "--dag-id", NOT_DEPLOYED,
                 "--datastore", store.as_uri(), "--python", sys.executable)
    assert done.returncode == 0, done.stderr
    not_deployed.unlink()
    done = flowc("compile", str(EXAMPLES_DIR / "hello.py"), "-t", "airflow", "-o", str(work / "dags"), "--dag-id",
                 TAGGED, "--datastore", store.as_uri(), "--python", sys.executable, "--flow-path",
                 str(EXAMPLES_DIR / "hello.py"), *(f"--tag={tag}" for tag in RUN_TAGS))
    assert done.returncode == 0, done.stderr
    runs = [{"dag_id": flow_name(p), "conf": CONF.get(p.stem, {})} for p in EXAMPLES]
    runs += [{"dag_id": "HostileFlow", "conf": {}}, {"dag_id": "HostileFlow", "conf": HOSTILE_CONF},
             {"dag_id": "RetryingFlow", "conf": {}},
             {"dag_id": "ParameterTypesFlow", "conf": {}}, {"dag_id": "ParameterTypesFlow", "conf": TYPED_CONF},
             {"dag_id": "TimeoutCaughtFlow", "conf": {}},
             {"dag_id": "RetriedParamsFlow", "conf": BAD_SETTINGS},
             {"dag_id": "RetriedParamsFlow", "conf": {"settings": '{"size": 5}'}},
             {"dag_id": NOT_DEPLOYED, "conf": {}}, {"dag_id": "CardsCompatFlow", "conf": {}},
             {"dag_id": TAGGED, "conf": {}}]
    pwned = work / "pwned"  # hostile strings try `touch $PWNED_DIR/N`: this folder must stay empty
    pwned.mkdir()
    env = {"PWNED_DIR": str(pwned), "RETRY_MARKER_DIR": str(work)}
    return airflow_driver(work / "dags", runs, env=env), store, work


def airflow_run(result: dict, dag_id: str, index: int = 0) -> dict:
    run = [r for r in result["runs"] if r["dag_id"] == dag_id][index]
    assert run["state"] == "success", run["tasks"]
    return run


def test_every_dag_loads_without_import_errors(bash_runs):
    result, _, work = bash_runs
    assert (work / "dags" / DEPLOYED_FLOW).is_file()  # Airflow's discovery skips it: .airflowignore lists it
    assert result["import_errors"] == {}
    flows = [*EXAMPLES, HOSTILE, RETRYING, PARAMETER_TYPES, TIMEOUT_CAUGHT, RETRIED_PARAMS, CARDS]
    assert set(result["dags"]) == {flow_name(p) for p in flows} | {NOT_DEPLOYED, TAGGED}


def test_a_dag_whose_flow_file_was_not_deployed_loads_says_where_and_fails_at_once(bash_runs):
    """The DAG still loads (no I/O at parse time); its page says where its tasks read the flow, and its first
    task fails: nothing of the flow runs."""
    result, _, work = bash_runs
    assert "Tasks read the flow file at `../flows/hello.py`, relative to this DAG file's folder" in \
        result["dags"][NOT_DEPLOYED]["doc_md"]
    assert not (work / "flows" / "hello.py").exists()
    run = next(r for r in result["runs"] if r["dag_id"] == NOT_DEPLOYED)
    assert run["state"] == "failed" and states(run)["start"] == {"failed"}
    assert not any(state == "success" for _, _, state in run["tasks"])


def test_compile_adds_the_deployed_flow_to_the_teams_airflowignore(bash_runs):
    lines = (bash_runs[2] / "dags" / ".airflowignore").read_text().splitlines()
    assert lines[:2] == TEAMS_IGNORE.splitlines()
    assert lines[-1] == f"/{DEPLOYED_FLOW}"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_airflow_run_equals_flowc_run(example, bash_runs, tmp_path):
    result, store, _ = bash_runs
    run = airflow_run(result, flow_name(example))
    expected = local_run(example, tmp_path / "local", CONF.get(example.stem, {}), "local-1")
    assert final_artifacts(store, flow_name(example), run["run_id"]) == expected


def states(run: dict) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for task_id, _, state in run["tasks"]:
        found.setdefault(task_id, set()).add(state)
    return found


def test_switch_runs_only_the_chosen_branch(bash_runs):
    run = airflow_run(bash_runs[0], "SwitchFlow")  # amount=5000 -> large -> review
    seen = states(run)
    assert seen["small"] == {"skipped"}
    assert seen["large"] == seen["review"] == seen["settle"] == {"success"}


def test_switch_inside_foreach_skips_per_index(bash_runs):
    seen = states(airflow_run(bash_runs[0], "SwitchInForeachFlow"))
    assert seen["foreach_start.halve"] == {"success", "skipped"}
    assert seen["foreach_start.triple"] == {"success", "skipped"}
    assert seen["foreach_start.collect"] == {"success"}


def test_parameters_reach_the_task_typed(bash_runs):
    result, store, _ = bash_runs
    data = final_artifacts(store, "BranchFlow", airflow_run(result, "BranchFlow")["run_id"])
    assert data["alpha"] == 0.25


def test_every_parameter_type_arrives_typed(bash_runs, tmp_path):
    result, store, _ = bash_runs
    for index, conf in enumerate([{}, TYPED_CONF]):
        run = airflow_run(result, "ParameterTypesFlow", index)
        expected = local_run(PARAMETER_TYPES, tmp_path / str(index), conf, "local")
        assert final_artifacts(store, "ParameterTypesFlow", run["run_id"]) == expected


def test_hostile_strings_arrive_unchanged_and_run_nothing(bash_runs):
    result, store, work = bash_runs
    DEFAULT = hostile_constant()
    defaults = final_artifacts(store, "HostileFlow", airflow_run(result, "HostileFlow", 0)["run_id"])
    assert defaults["seen_text"] == DEFAULT
    assert defaults["seen_raw"] == "a'b\"c {{ ds }} $(touch $PWNED_DIR/7) %s\n✓"
    assert defaults["seen_env"] == "{{ var.value.x }} $(touch $PWNED_DIR/6) 'q' \"dq\" \n✓"
    assert defaults["seen_number"] == -3
    given = final_artifacts(store, "HostileFlow", airflow_run(result, "HostileFlow", 1)["run_id"])
    assert given["seen_text"] == HOSTILE_CONF["text"]
    assert given["seen_number"] == 7
    assert "Docs with {{ dag }} and $(touch $PWNED_DIR/4)" in result["dags"]["HostileFlow"]["doc_md"]
    assert list((work / "pwned").iterdir()) == []


def test_a_run_of_a_tagged_dag_carries_the_tags_as_given(bash_runs):
    """`flowc compile --tag`: the start task records them; Jinja, the shell and Airflow's .sh template files
    never see them (test_hostile_strings... checks that nothing ran)."""
    result, store, _ = bash_runs
    run = Run(f"HelloFlow/{airflow_run(result, TAGGED)['run_id']}", datastore=store.as_uri())
    assert run.user_tags == frozenset(RUN_TAGS)
    untagged = Run(f"HelloFlow/{airflow_run(result, 'HelloFlow')['run_id']}", datastore=store.as_uri())
    assert untagged.user_tags == frozenset()


def test_cards_are_stored_with_the_airflow_tasks(bash_runs):
    from flowc.runtime.cards import get_cards

    result, store, _ = bash_runs
    run_id = airflow_run(result, "CardsCompatFlow")["run_id"]
    cards = get_cards(f"CardsCompatFlow/{run_id}/train", datastore=store.as_uri())
    assert [(c.type, c.id, c.error) for c in cards] == [("blank", "summary", None), ("default", "details", None)]
    assert "epochs" in cards[0].get() and "data:image/png;base64," in cards[0].get()
    assert "replaced" in cards[1].get() and f"CardsCompatFlow/{run_id}/train/_" in cards[1].get()


def test_a_retried_task_gets_airflows_try_number_as_its_attempt(bash_runs):
    result, store, work = bash_runs
    run = airflow_run(result, "RetryingFlow")
    assert (work / "failed-once").exists()  # the first try really failed
    assert final_artifacts(store, "RetryingFlow", run["run_id"])["attempt"] == 1


def test_catch_records_the_timeout_before_execution_timeout_stops_the_task(bash_runs):
    """Airflow's execution_timeout gets a margin over @timeout: the task's own clock fires first."""
    result, store, _ = bash_runs
    run = airflow_run(result, "TimeoutCaughtFlow")
    assert result["dags"]["TimeoutCaughtFlow"]["tasks"]["start"]["execution_timeout"] == 2 + 60
    caught = final_artifacts(store, "TimeoutCaughtFlow", run["run_id"])["caught_type"]
    assert caught == "flowc.runtime.errors.StepTimeout"


def test_a_contract_error_fails_at_once_without_retries(bash_runs):
    """Bad parameters make the task command exit 2: no retry can succeed, so the task fails on its first try."""
    result, store, _ = bash_runs
    run = next(r for r in result["runs"] if r["dag_id"] == "RetriedParamsFlow")
    assert result["dags"]["RetriedParamsFlow"]["tasks"]["start"]["retries"] == 2
    assert run["state"] == "failed" and states(run)["start"] == {"failed"}
    start = Run(f"RetriedParamsFlow/{run['run_id']}", datastore=store.as_uri())["start"].task
    assert [a.status for a in start.attempts()] == ["failed"]


def test_a_json_parameter_given_as_json_text_arrives_decoded(bash_runs):
    """An untyped JSON Param (no default shows its shape) passes the form's text on: the runtime decodes it."""
    result, store, _ = bash_runs
    data = final_artifacts(store, "RetriedParamsFlow", airflow_run(result, "RetriedParamsFlow", 1)["run_id"])
    assert data["size"] == 5
