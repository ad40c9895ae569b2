"""Compiled pipelines executed by kfp.local (SubprocessRunner, the host running each container's command: the
real runtime), all in one process of the kfp venv: final artifacts equal `flowc run`'s, typed run-time
parameters, retries as new attempts, unchosen switch cases never start, hostile strings stay data."""

from __future__ import annotations

import pytest
from support.artifacts import final_artifacts
from support.flows import EXAMPLES, TEST_FLOWS, compile_for_tests, flow_name, local_run
from support.hostile_fields import RUN_TAGS

from flowc.runtime.datastore import open_datastore

ARGUMENTS = {"branching": {"alpha": 0.25}, "foreach": {"words": ["Fig", " plum ", "kiwi", "date"], "bonus": 2},
             "switch": {"amount": 5000}}
# KFP resolves `{{$.…}}` placeholders inside parameter values (a feature: a value may be the job's name), so
# a value holding one cannot arrive unchanged on any KFP; every other text does (README, Known limitations).
HOSTILE_TEXT = ("it's {{workflow.name}} {{ inputs.parameters['text'] }} {$.x} $(touch $PWNED_DIR/9) "
                "`touch $PWNED_DIR/10` ; touch $PWNED_DIR/11 \\ \n✓ ''' \"\"\"")
TYPED = """from metaflow import FlowSpec, JSONType, Parameter, step

class TypedFlow(FlowSpec):
    count = Parameter("count", default=3)
    ratio = Parameter("ratio", default=0.5)
    flag = Parameter("flag", default=False)
    config = Parameter("config", type=JSONType, default='{"a": 1}')
    items = Parameter("items", type=JSONType, default='[1]')

    @step
    def start(self):
        self.seen = {name: [type(getattr(self, name)).__name__, getattr(self, name)]
                     for name in ("count", "ratio", "flag", "config", "items")}
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def only_run(store, flow: str) -> str:
    runs = open_datastore(store.as_uri()).runs(flow)
    assert len(runs) == 1, runs
    return runs[0]


@pytest.fixture(scope="module")
def runs(kfp_driver, tmp_path_factory):
    """Every scenario compiled into its own datastore and run by one kfp process."""
    work = tmp_path_factory.mktemp("kubeflow")
    (work / "typed.py").write_text(TYPED)
    (work / "pwned").mkdir()
    scenarios = {  # name -> (flow, arguments, env)
        **{e.stem: (e, ARGUMENTS.get(e.stem, {}), {}) for e in EXAMPLES},
        "switch-small": (EXAMPLES[[e.stem for e in EXAMPLES].index("switch")], {"amount": 10}, {}),
        "retrying": (TEST_FLOWS / "retrying.py", {}, {"RETRY_MARKER_DIR": str(work)}),
        "hostile": (TEST_FLOWS / "hostile.py", {"text": HOSTILE_TEXT, "number": 7},
                    {"PWNED_DIR": str(work / "pwned")}),
        "tagged": (EXAMPLES[[e.stem for e in EXAMPLES].index("hello")], {}, {"PWNED_DIR": str(work / "pwned")}),
        "typed": (work / "typed.py", {"count": 7, "ratio": 1.5, "flag": True, "config": {"b": [1, "x"]},
                                      "items": ["p", 2]}, {}),
    }
    specs, stores = [], {}
    for name, (flow, arguments, env) in scenarios.items():
        store = work / name / "store"
        compile_for_tests("kubeflow", [flow], work / name / "yaml", "--datastore", store.as_uri(), "--image",
                          "unused:1", *(f"--tag={tag}" for tag in RUN_TAGS if name == "tagged"))
        path = next((work / name / "yaml").glob("*.yaml"))
        specs.append({"path": str(path), "arguments": arguments, "env": env})
        stores[name] = store
    result = kfp_driver(runs=specs)
    states = {name: run for name, run in zip(scenarios, result["runs"])}
    return states, stores, work


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_kubeflow_run_equals_flowc_run(example, runs, tmp_path):
    states, stores, _ = runs
    assert states[example.stem]["state"] == "SUCCEEDED", states[example.stem]["error"]
    store, flow = stores[example.stem], flow_name(example)
    given = {k: v if isinstance(v, str) else __import__("json").dumps(v) for k, v in
             ARGUMENTS.get(example.stem, {}).items()}
    expected = local_run(example, tmp_path / "local", given, "local-1")
    assert final_artifacts(store, flow, only_run(store, flow)) == expected


@pytest.mark.slow
def test_parameters_given_at_run_time_arrive_typed(runs):
    states, stores, _ = runs
    assert states["typed"]["state"] == "SUCCEEDED", states["typed"]["error"]
    data = final_artifacts(stores["typed"], "TypedFlow", only_run(stores["typed"], "TypedFlow"))
    assert data["seen"] == {"count": ["int", 7], "ratio": ["float", 1.5], "flag": ["bool", True],
                            "config": ["dict", {"b": [1, "x"]}], "items": ["list", ["p", 2]]}


@pytest.mark.slow
def test_a_retried_step_gets_a_new_attempt(runs):
    states, stores, _ = runs
    assert states["retrying"]["state"] == "SUCCEEDED", states["retrying"]["error"]
    store = stores["retrying"]
    run = only_run(store, "RetryingFlow")
    assert final_artifacts(store, "RetryingFlow", run)["attempt"] == 1
    from flowc.runtime.datastore import TaskRef

    datastore = open_datastore(store.as_uri())
    task = TaskRef("RetryingFlow", run, "start", "")
    assert datastore.attempts(task) == [0, 1]
    assert datastore.read_meta(task, 0)["status"] == "failed" and datastore.read_done(task)["attempt"] == 1


@pytest.mark.slow
def test_an_unchosen_switch_case_does_not_start(runs):
    states, stores, _ = runs
    for name, chosen, other in (("switch", "large", "small"), ("switch-small", "small", "large")):
        assert states[name]["state"] == "SUCCEEDED", states[name]["error"]
        datastore = open_datastore(stores[name].as_uri())
        run = only_run(stores[name], "SwitchFlow")
        steps = datastore.steps("SwitchFlow", run)
        assert chosen in steps and other not in steps  # never started: not even a skipped marker


@pytest.mark.slow
def test_hostile_strings_arrive_unchanged_and_execute_nothing(runs):
    states, stores, work = runs
    assert states["hostile"]["state"] == "SUCCEEDED", states["hostile"]["error"]
    data = final_artifacts(stores["hostile"], "HostileFlow", only_run(stores["hostile"], "HostileFlow"))
    assert data["seen_text"] == HOSTILE_TEXT
    assert data["seen_raw"] == "a'b\"c {{ ds }} $(touch $PWNED_DIR/7) %s\n✓"
    assert data["seen_env"] == "{{ var.value.x }} $(touch $PWNED_DIR/6) 'q' \"dq\" \n✓"
    assert data["seen_number"] == 7
    assert list((work / "pwned").iterdir()) == []


@pytest.mark.slow
def test_a_run_of_a_tagged_pipeline_carries_the_tags_as_given(runs):
    from flowc.runtime import Run

    states, stores, work = runs
    assert states["tagged"]["state"] == "SUCCEEDED", states["tagged"]["error"]
    store = stores["tagged"]
    run = Run(f"HelloFlow/{only_run(store, 'HelloFlow')}", datastore=store.as_uri())
    assert run.user_tags == frozenset(RUN_TAGS)
    assert list((work / "pwned").iterdir()) == []
