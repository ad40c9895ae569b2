"""Emitted WorkflowTemplates executed by the test interpreter with the real runtime command: final
artifacts equal `flowc run`'s. And the interpreter fails on the mistakes it exists to catch."""

from __future__ import annotations

import copy

import pytest
import yaml
from interpreter import ArgoError, Interpreter
from support.artifacts import final_artifacts
from support.flows import EXAMPLES, TEST_FLOWS, compile_for_tests, flow_name, local_run
from support.hostile_fields import RUN_TAGS


CONF = {"branching": {"alpha": "0.25"}, "foreach": {"words": '["Fig", " plum ", "kiwi", "date"]'},
        "switch": {"amount": "5000"}}


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    work = tmp_path_factory.mktemp("argo")
    store = work / "store"
    flows = [*EXAMPLES, TEST_FLOWS / "retrying.py", TEST_FLOWS / "hostile.py", TEST_FLOWS / "parameter_types.py",
             TEST_FLOWS / "timeout_caught.py", TEST_FLOWS / "retried_params.py"]
    compile_for_tests("argo", flows, work / "yaml", "--datastore", store.as_uri(), "--image", "unused:1")
    documents = {}
    for path in (work / "yaml").glob("*.yaml"):
        document = next(yaml.safe_load_all(path.read_text()))
        documents[document["metadata"]["annotations"]["flowc/flow"]] = document
    return documents, store


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_argo_run_equals_flowc_run(example, templates, tmp_path):
    documents, store = templates
    interpreter = Interpreter(documents[flow_name(example)], f"argo-{example.stem}", CONF.get(example.stem, {}))
    assert interpreter.run() == "Succeeded", interpreter.trace
    expected = local_run(example, tmp_path / "local", CONF.get(example.stem, {}), "local-1")
    assert final_artifacts(store, flow_name(example), f"argo-{example.stem}") == expected


@pytest.mark.parametrize("given", [{}, {"text": "x", "count": "7", "ratio": "0.25", "flag": "true",
                                          "config": '{"b": 2}', "xs": "[3, 4]"}], ids=["defaults", "given"])
def test_every_parameter_type_arrives_typed(given, templates, tmp_path):
    documents, store = templates
    run_id = f"argo-types-{len(given)}"
    interpreter = Interpreter(documents["ParameterTypesFlow"], run_id, given)
    assert interpreter.run() == "Succeeded", interpreter.trace
    expected = local_run(TEST_FLOWS / "parameter_types.py", tmp_path / "local", given, "local-1")
    assert final_artifacts(store, "ParameterTypesFlow", run_id) == expected


def test_retries_reach_the_task_as_its_attempt(templates, tmp_path):
    documents, store = templates
    interpreter = Interpreter(documents["RetryingFlow"], "argo-retry", env={"RETRY_MARKER_DIR": str(tmp_path)})
    assert interpreter.run() == "Succeeded"
    assert [phase.split(":")[0] for path, phase in interpreter.trace if path == "/start"] == ["Failed", "Succeeded"]
    assert final_artifacts(store, "RetryingFlow", "argo-retry")["attempt"] == 1


def test_catch_records_the_timeout_before_the_deadline_stops_the_pod(templates):
    documents, store = templates
    interpreter = Interpreter(documents["TimeoutCaughtFlow"], "argo-timeout")
    assert interpreter.run() == "Succeeded", interpreter.trace
    caught = final_artifacts(store, "TimeoutCaughtFlow", "argo-timeout")["caught_type"]
    assert caught == "flowc.runtime.errors.StepTimeout"


def test_a_contract_error_is_not_retried(templates):
    documents, _ = templates
    interpreter = Interpreter(documents["RetriedParamsFlow"], "argo-bad-params", {"settings": "not json"})
    assert interpreter.run() == "Failed"
    assert [phase.split(":")[:2] for path, phase in interpreter.trace] == [["Failed", " exit 2"]]  # one attempt


def switch_document(templates) -> dict:
    return copy.deepcopy(templates[0]["SwitchFlow"])


def main_tasks(document) -> dict:
    return {t["name"]: t for t in document["spec"]["templates"][0]["dag"]["tasks"]}


def test_interpreter_catches_a_switch_without_when(templates):
    document = switch_document(templates)
    for task in main_tasks(document).values():
        task.pop("when", None)  # both cases start: the runtime refuses the one its switch did not choose
    interpreter = Interpreter(document, "broken-when", {"amount": "5000"})
    assert interpreter.run() == "Failed"
    ran = dict(interpreter.trace)
    assert ran["/large"] == "Succeeded"
    assert ran["/small"].startswith("Failed: exit 3: skipped: switch start chose large")


def test_interpreter_catches_a_bare_depends_after_a_skipped_case(templates):
    document = switch_document(templates)
    main_tasks(document)["review"]["depends"] = "large"  # bare name: also true when `large` was skipped
    interpreter = Interpreter(document, "broken-depends", {"amount": "10"})  # small case: large is skipped
    assert interpreter.run() == "Failed"
    assert any(path == "/review" and "exit 2" in phase for path, phase in interpreter.trace)


def test_interpreter_catches_unresolved_references(templates):
    document = copy.deepcopy(templates[0]["ForeachFlow"])
    main_tasks(document)["each-start"]["withParam"] = "{{tasks.start.outputs.parameters.items}}"
    with pytest.raises(ArgoError, match="unresolved reference"):
        Interpreter(document, "broken-ref").run()


def test_a_ten_thousand_wide_foreach_stays_small_on_the_wire(tmp_path):
    flow = tmp_path / "wide.py"
    flow.write_text("from metaflow import FlowSpec, step\n\nclass WideFlow(FlowSpec):\n"
                    "    @step\n    def start(self):\n        self.items = list(range(10000))\n"
                    "        self.next(self.work, foreach='items')\n\n"
                    "    @step\n    def work(self):\n        self.next(self.join)\n\n"
                    "    @step\n    def join(self, inputs):\n        self.next(self.end)\n\n"
                    "    @step\n    def end(self):\n        pass\n")
    compile_for_tests("argo", [flow], tmp_path / "yaml", "--datastore", (tmp_path / "store").as_uri(),
                      "--image", "unused:1")
    text = (tmp_path / "yaml" / "wide-flow.yaml").read_text()
    assert len(text) < 12_000  # the template does not grow with the width: the list arrives at run time
    document = yaml.safe_load(text)
    interpreter = Interpreter(document, "wide")
    start = interpreter.templates["step-start"]
    node = interpreter._container(start, dict(interpreter.globals, **{"inputs.parameters.index": ""}), "/start")
    assert node.phase == "Succeeded"
    control = node.outputs["control"]
    assert len(control) < 256 * 1024  # Argo's limit for an output parameter
    assert yaml.safe_load(control)[:3] == ["0", "1", "2"] and len(yaml.safe_load(control)) == 10000


def test_hostile_strings_reach_the_task_unchanged_through_argo(templates, tmp_path):
    documents, store = templates
    pwned = tmp_path / "pwned"
    pwned.mkdir()
    given = "it's {{ run_id }} {{workflow}} $(touch $PWNED_DIR/9) `touch $PWNED_DIR/10`\n✓"
    interpreter = Interpreter(documents["HostileFlow"], "argo-hostile", {"text": given, "number": "7"},
                              env={"PWNED_DIR": str(pwned)})
    assert interpreter.run() == "Succeeded", interpreter.trace
    data = final_artifacts(store, "HostileFlow", "argo-hostile")
    assert data["seen_text"] == given  # tags Argo does not know stay text through its second pass
    assert data["seen_raw"] == "a'b\"c {{ ds }} $(touch $PWNED_DIR/7) %s\n✓"
    assert data["seen_env"] == "{{ var.value.x }} $(touch $PWNED_DIR/6) 'q' \"dq\" \n✓"  # set by the runtime
    assert data["seen_number"] == 7
    assert list(pwned.iterdir()) == []


def test_a_run_of_a_tagged_template_carries_the_tags_as_given(templates, tmp_path):
    from flowc.runtime import Run

    _, store = templates
    hello = next(e for e in EXAMPLES if e.stem == "hello")
    compile_for_tests("argo", [hello], tmp_path / "yaml", "--datastore", store.as_uri(), "--image", "unused:1",
                      *(f"--tag={tag}" for tag in RUN_TAGS))
    pwned = tmp_path / "pwned"
    pwned.mkdir()
    document = next(yaml.safe_load_all(next((tmp_path / "yaml").glob("*.yaml")).read_text()))
    interpreter = Interpreter(document, "argo-tagged", env={"PWNED_DIR": str(pwned)})
    assert interpreter.run() == "Succeeded", interpreter.trace
    assert Run("HelloFlow/argo-tagged", datastore=store.as_uri()).user_tags == frozenset(RUN_TAGS)
    assert list(pwned.iterdir()) == []


def test_argo_substitutes_a_submitted_value_again_as_the_readme_says(templates):
    """Argo re-reads a parameter's value after putting it into the command: `{{workflow.name}}` given at
    submit time arrives as the run's name (README: values given at submit time)."""
    documents, store = templates
    given = "run {{workflow.name}}"
    interpreter = Interpreter(documents["HostileFlow"], "argo-resubstituted", {"text": given, "number": "7"})
    assert interpreter.run() == "Succeeded", interpreter.trace
    assert final_artifacts(store, "HostileFlow", "argo-resubstituted")["seen_text"] == "run argo-resubstituted"


def test_the_interpreter_catches_a_default_argo_would_substitute(templates):
    """The compiler refuses such defaults (test_argo_names); were one emitted, the run would show it."""
    document = copy.deepcopy(templates[0]["HostileFlow"])
    raw = next(p for p in document["spec"]["arguments"]["parameters"] if p["name"] == "raw")
    raw["value"] = "{{workflow.name}} or {{tasks.nowhere.outputs.result}}"
    with pytest.raises(ArgoError, match="failed to resolve {{tasks.nowhere"):
        Interpreter(document, "argo-default").run()
