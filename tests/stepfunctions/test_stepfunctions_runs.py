"""Emitted state machines executed by moto's Step Functions, every Batch job running the real task command
against S3 in moto (moto_sfn.py): final artifacts equal `flowc run`'s, in both map modes; retries reach the
task as its attempt; an unchosen switch case never runs; a 2,000-wide foreach completes; hostile strings stay
data; a missing required parameter fails at start, clearly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from moto_sfn import JOBS, moto_step_functions
from support.artifacts import final_artifacts
from support.flows import EXAMPLES, TEST_FLOWS, compile_for_tests, flow_name, local_run
from support.hostile_fields import RUN_TAGS

BUCKET = "flowc-sfn"
STORE = f"s3://{BUCKET}/store"
# Execution input is typed JSON; `flowc run` gets the same values as strings.
INPUT = {"branching": {"alpha": 0.25}, "foreach": {"words": ["Fig", " plum ", "kiwi", "date"]},
         "switch": {"amount": 5000}}
AS_STRINGS = {"branching": {"alpha": "0.25"}, "foreach": {"words": '["Fig", " plum ", "kiwi", "date"]'},
              "switch": {"amount": "5000"}}
INLINE = ["foreach", "nested_foreach", "switch_in_foreach", "foreach_in_switch", "switch_meets_at_foreach_join"]


@pytest.fixture(scope="module")
def aws(tmp_path_factory):
    work = tmp_path_factory.mktemp("sfn")
    markers = work / "markers"
    markers.mkdir()
    with moto_step_functions(work, {"RETRY_MARKER_DIR": str(markers)}) as runner:
        runner.bucket(BUCKET)
        yield runner, work


def definitions(work: Path, flows: list[Path], mode: str, *options: str) -> dict[str, str]:
    out = work / f"asl-{mode}"
    if not out.exists():
        compile_for_tests("stepfunctions", flows, out, "--datastore", STORE, "--image", "unused:1", "--job-queue",
                          "jobs", "--max-concurrency", "4", "--map-mode", mode, *options)
    return {p.name.removesuffix(".asl.json"): p.read_text() for p in out.glob("*.asl.json")}


def run(aws, flow: Path, mode: str, run_id: str, params: dict | None = None) -> dict:
    runner, work = aws
    machines = definitions(work, [*EXAMPLES, TEST_FLOWS / "retrying.py", TEST_FLOWS / "hostile.py"], mode)
    return runner.execute(machines[flow_name(flow)], run_id, params)


def succeeded(result: dict) -> bool:
    failures = [j for j in JOBS if j["exit_code"]]
    assert result["status"] == "SUCCEEDED", (result["error"], result["cause"], failures[-1:])
    return True


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_step_functions_run_equals_flowc_run(example, aws, tmp_path):
    run_id = f"sfn-{example.stem}"
    assert succeeded(run(aws, example, "distributed", run_id, INPUT.get(example.stem)))
    expected = local_run(example, tmp_path / "local", AS_STRINGS.get(example.stem, {}), "local-1")
    assert final_artifacts(STORE, flow_name(example), run_id) == expected


@pytest.mark.parametrize("stem", INLINE)
def test_inline_map_run_equals_flowc_run(stem, aws, tmp_path):
    example = next(e for e in EXAMPLES if e.stem == stem)
    run_id = f"sfn-inline-{stem}"
    assert succeeded(run(aws, example, "inline", run_id, INPUT.get(stem)))
    expected = local_run(example, tmp_path / "local", AS_STRINGS.get(stem, {}), "local-1")
    assert final_artifacts(STORE, flow_name(example), run_id) == expected


def test_a_retried_step_gets_its_attempt_number(aws):
    JOBS.clear()
    assert succeeded(run(aws, TEST_FLOWS / "retrying.py", "distributed", "sfn-retry"))
    starts = [j for j in JOBS if j["name"] == "RetryingFlow-start"]
    assert [j["exit_code"] for j in starts] == [1, 0]
    assert [j["command"][j["command"].index("--attempt") + 1] for j in starts] == ["0", "1"]
    assert final_artifacts(STORE, "RetryingFlow", "sfn-retry")["attempt"] == 1


def test_an_unchosen_switch_case_does_not_run(aws):
    JOBS.clear()
    assert succeeded(run(aws, next(e for e in EXAMPLES if e.stem == "switch"), "distributed", "sfn-small",
                         {"amount": 10}))
    ran = [j["name"].removeprefix("SwitchFlow-") for j in JOBS]
    assert ran == ["start", "small", "settle", "end"]  # never started: large, review
    assert final_artifacts(STORE, "SwitchFlow", "sfn-small")["size"] == "small"


def test_hostile_strings_reach_the_task_unchanged(aws, tmp_path):
    pwned = Path(aws[1]) / "pwned"
    pwned.mkdir()
    given = "it's {{x}} $(touch $PWNED_DIR/9) `touch $PWNED_DIR/10` States.Format('{}', $.run_id) \\ \n✓"
    assert succeeded(run(aws, TEST_FLOWS / "hostile.py", "distributed", "sfn-hostile",
                         {"text": given, "number": 7}))
    data = final_artifacts(STORE, "HostileFlow", "sfn-hostile")
    assert data["seen_text"] == given
    assert data["seen_raw"] == "a'b\"c {{ ds }} $(touch $PWNED_DIR/7) %s\n✓"
    assert data["seen_env"] == "{{ var.value.x }} $(touch $PWNED_DIR/6) 'q' \"dq\" \n✓"
    assert data["seen_number"] == 7
    assert list(pwned.iterdir()) == []


def test_a_run_of_a_tagged_state_machine_carries_the_tags_as_given(aws, tmp_path):
    """moto keeps a string literal's escapes (\\' \\{ \\} \\\\) that AWS removes (the ASL spec), and cuts the array at
    an escaped quote: the tags holding those characters are checked in the document (the hostile-field
    corpus), not run here."""
    from flowc.runtime import Run

    runner, _ = aws
    tags = [t for t in RUN_TAGS if not set(t) & set("'{}\\")] + ['dq "x" $(touch y) `id`; é漢字 ✓']
    hello = next(e for e in EXAMPLES if e.stem == "hello")
    compile_for_tests("stepfunctions", [hello], tmp_path / "asl", "--datastore", STORE, "--image", "unused:1",
                      "--job-queue", "jobs", *(f"--tag={tag}" for tag in tags))
    assert succeeded(runner.execute((tmp_path / "asl" / "HelloFlow.asl.json").read_text(), "sfn-tagged"))
    assert Run("HelloFlow/sfn-tagged", datastore=STORE).user_tags == frozenset(tags)


def test_a_missing_required_parameter_fails_at_start_with_a_clear_message(aws, tmp_path):
    flow = tmp_path / "required.py"
    flow.write_text("from metaflow import FlowSpec, Parameter, step\n\nclass RequiredFlow(FlowSpec):\n"
                    "    size = Parameter('size', type=int, required=True)\n\n"
                    "    @step\n    def start(self):\n        self.next(self.end)\n\n"
                    "    @step\n    def end(self):\n        self.doubled = self.size * 2\n")
    runner, work = aws
    compile_for_tests("stepfunctions", [flow], tmp_path / "asl", "--datastore", STORE, "--image", "unused:1",
                      "--job-queue", "jobs")
    definition = (tmp_path / "asl" / "RequiredFlow.asl.json").read_text()
    JOBS.clear()
    result = runner.execute(definition, "sfn-required-missing", {})
    assert result["status"] == "FAILED"
    assert [j["name"] for j in JOBS] == ["RequiredFlow-start"]
    assert "parameter 'size' is required" in JOBS[0]["stderr"]
    assert succeeded(runner.execute(definition, "sfn-required-given", {"size": 21}))
    assert final_artifacts(STORE, "RequiredFlow", "sfn-required-given")["doubled"] == 42


def test_a_two_thousand_wide_foreach_completes(aws, tmp_path):
    flow = tmp_path / "wide.py"
    flow.write_text("from metaflow import FlowSpec, step\n\nclass WideFlow(FlowSpec):\n"
                    "    @step\n    def start(self):\n        self.items = list(range(2000))\n"
                    "        self.next(self.work, foreach='items')\n\n"
                    "    @step\n    def work(self):\n        self.double = self.input * 2\n        self.next(self.join)\n\n"
                    "    @step\n    def join(self, inputs):\n        self.total = sum(i.double for i in inputs)\n"
                    "        self.next(self.end)\n\n"
                    "    @step\n    def end(self):\n        pass\n")
    runner, _ = aws
    compile_for_tests("stepfunctions", [flow], tmp_path / "asl", "--datastore", STORE, "--image", "unused:1",
                      "--job-queue", "jobs", "--max-concurrency", "8")
    text = (tmp_path / "asl" / "WideFlow.asl.json").read_text()
    assert len(text) < 12_000  # the definition does not grow with the width: the list is read from S3
    result = runner.execute(text, "sfn-wide", timeout=1800)
    assert succeeded(result)
    assert final_artifacts(STORE, "WideFlow", "sfn-wide")["total"] == 2 * sum(range(2000))
    body = json.loads(text)["States"]["start-each"]
    assert "ItemReader" in body and "ItemsPath" not in body  # no list in the payload or the history
