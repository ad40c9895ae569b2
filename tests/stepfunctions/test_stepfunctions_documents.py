"""Emitted state machines: valid for asl-validator and statelint, goldens, Batch job definitions, schedules,
names and limits, and hostile strings only as data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.flows import EXAMPLES, REPO, TEST_FLOWS, flowc
from validators import asl_validator_problems, statelint_problems

from flowc.compiler.cli import build_parser
from flowc.compiler.commands.compile import build

HERE = Path(__file__).resolve().parent
ALL = [*EXAMPLES, TEST_FLOWS / "hostile.py", TEST_FLOWS / "retrying.py", HERE / "flows" / "batch_settings.py"]
OPTIONS = ("--datastore", "s3://flowc-examples/flowc", "--image", "registry.example/flows:1", "--job-queue", "flows")


def compiled(flow, *options: str) -> dict[str, str]:
    args = build_parser().parse_args(["compile", str(flow), "--target", "stepfunctions", "-o", "out", *OPTIONS,
                                      *options])
    status, _, files = build(args)
    assert status == 0
    return files


def definition(flow, *options: str) -> dict:
    return json.loads(next(text for name, text in compiled(flow, *options).items() if name.endswith(".asl.json")))


@pytest.mark.parametrize("mode", ["distributed", "inline"])
def test_every_definition_passes_asl_validator_and_statelint(mode, tmp_path):
    paths = []
    for flow in ALL:
        for name, text in compiled(flow, "--map-mode", mode, "--max-concurrency", "8").items():
            if name.endswith(".asl.json"):
                assert statelint_problems(text) == [], name
                paths.append(tmp_path / name)
                paths[-1].write_text(text)
    assert len(paths) == len(ALL)
    assert asl_validator_problems(paths) == {}


def test_the_validators_reject_a_broken_definition(tmp_path):
    document = definition(REPO / "examples" / "switch.py")
    document["States"]["start-choice"]["Choices"][0]["Next"] = "nowhere"
    document["States"]["settle"]["Retry"] = [{"ErrorEquals": ["States.ALL"], "MaxAttempts": "3"}]
    text = json.dumps(document)
    assert any("nowhere" in p for p in statelint_problems(text))
    path = tmp_path / "broken.asl.json"
    path.write_text(text)
    assert "broken.asl.json" in asl_validator_problems([path])


def test_output_is_the_same_bytes_across_hash_seeds_and_directories(tmp_path):
    outputs = []
    out = tmp_path / "out"
    for seed, cwd in (("1", REPO), ("2", tmp_path)):
        done = subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "compile",
                               str(REPO / "examples" / "foreach_in_switch.py"), "-t", "stepfunctions", "-o", str(out),
                               *OPTIONS], cwd=cwd, env={**os.environ, "PYTHONHASHSEED": seed},
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        outputs.append({p.name: p.read_bytes() for p in out.iterdir()})
        for path in out.iterdir():
            path.unlink()
    assert outputs[0] == outputs[1]


def test_batch_settings_reach_job_definitions_and_submit_job():
    files = compiled(HERE / "flows" / "batch_settings.py", "--job-role-arn", "arn:aws:iam::1:role/jobs",
                     "--execution-role-arn", "arn:aws:iam::1:role/ecs", "--schedule-role-arn",
                     "arn:aws:iam::1:role/scheduler")
    machine = json.loads(files["BatchSettingsFlow.asl.json"])
    jobs = {d["jobDefinitionName"]: d for d in json.loads(files["BatchSettingsFlow.batch.json"])["jobDefinitions"]}
    train, start = machine["States"]["train"], machine["States"]["start"]
    assert train["Parameters"]["JobQueue"] == "gpu-queue" and start["Parameters"]["JobQueue"] == "flows"
    overrides = train["Parameters"]["ContainerOverrides"]
    assert overrides["Environment"] == [{"Name": "MODE", "Value": "fast"}]
    assert overrides["ResourceRequirements"] == [{"Type": "VCPU", "Value": "2"}, {"Type": "MEMORY", "Value": "8192"},
                                                 {"Type": "GPU", "Value": "1"}]
    assert train["Retry"] == [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 60, "MaxAttempts": 3,
                               "BackoffRate": 1.0}]
    assert train["TimeoutSeconds"] == 300 + 60 and train["Parameters"]["Timeout"] == {"AttemptDurationSeconds": 300 + 60}
    container = jobs[train["Parameters"]["JobDefinition"]]["containerProperties"]
    assert container["image"] == "registry.example/train:2"  # Batch cannot override an image: its own definition
    assert container["jobRoleArn"] == "arn:aws:iam::123456789012:role/train"  # @batch(iam_role=) wins
    assert container["executionRoleArn"] == "arn:aws:iam::1:role/ecs"
    assert container["secrets"] == [
        {"name": "PASSWORD", "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password::"},
        {"name": "API_TOKEN", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/team/token"}]
    assert container["linuxParameters"] == {"sharedMemorySize": 512,
                                            "tmpfs": [{"containerPath": "/metaflow_temp", "size": 1024}]}
    plain = {start["Parameters"]["JobDefinition"], machine["States"]["end"]["Parameters"]["JobDefinition"],
             machine["States"]["evaluate"]["Parameters"]["JobDefinition"]}
    assert len(plain) == 1 and len(jobs) == 2  # one job definition per distinct container shape
    assert jobs[plain.pop()]["containerProperties"]["image"] == "registry.example/flows:1"
    schedule = json.loads(files["BatchSettingsFlow.schedule.json"])
    assert schedule["ScheduleExpression"] == "cron(0 0 ? * 1 *)"  # weekly: Sunday is 1 for EventBridge
    assert schedule["ScheduleExpressionTimezone"] == "America/New_York"
    assert schedule["Target"] == {"StateMachineName": "BatchSettingsFlow", "Input": "{}",
                                  "RoleArn": "arn:aws:iam::1:role/scheduler"}


def test_kubernetes_pod_settings_are_a_warning_and_a_bad_secret_an_error(tmp_path):
    done = flowc("compile", str(HERE / "flows" / "batch_settings.py"), "-t", "stepfunctions", "-o",
                 str(tmp_path / "out"), *OPTIONS)
    assert done.returncode == 0
    assert "warning[FLC402]" in done.stderr and "node_selector" in done.stderr and "def evaluate" in done.stderr
    done = flowc("compile", str(TEST_FLOWS / "resources.py"), "-t", "stepfunctions", "-o", str(tmp_path / "out"),
                 *OPTIONS)
    assert done.returncode == 1
    assert "error[FLC401]" in done.stderr and "'db-credentials' is neither" in done.stderr
    assert "def train" in done.stderr


def test_hostile_strings_are_only_data():
    files = compiled(TEST_FLOWS / "hostile.py")
    machine = json.loads(files["HostileFlow.asl.json"])
    assert machine["States"]["flowc-defaults"]["Result"] == {
        "raw": "a'b\"c {{ ds }} $(touch $PWNED_DIR/7) %s\n✓", "number": -3}  # `text`: computed by the runtime
    start = machine["States"]["start"]["Parameters"]["ContainerOverrides"]
    assert start["Environment"] == [{"Name": "HOSTILE_ENV",
                                     "Value": "{{ var.value.x }} $(touch $PWNED_DIR/6) 'q' \"dq\" \n✓"}]
    assert "$(touch $PWNED_DIR/4)" in machine["Comment"]
    assert "PWNED" not in start["Command.$"]  # parameters travel in the data, never in the definition's code


@pytest.mark.parametrize("options, message", [
    (("--datastore", "file:///tmp/store"), "--datastore must be s3://bucket/prefix"),
    (("--job-queue", ""), "--job-queue is required"),
    (("--name", "has space"), "not valid for Step Functions"),
])
def test_option_problems(options, message, tmp_path):
    base = dict(zip(OPTIONS[::2], OPTIONS[1::2]))
    base.update(dict(zip(options[::2], options[1::2])))
    args = [a for k, v in base.items() if v for a in (k, v)]
    done = flowc("compile", str(REPO / "examples" / "hello.py"), "-t", "stepfunctions", "-o", str(tmp_path), *args)
    assert done.returncode in (1, 2) and message in done.stderr, done.stderr


def long_flow(tmp_path: Path, steps: int, name_length: int = 8) -> Path:
    names = [f"s{i}".ljust(name_length, "x") for i in range(steps)]
    body = "".join(f"    @step\n    def {n}(self):\n        self.next(self.{m})\n\n"
                   for n, m in zip(names, [*names[1:], "end"]))
    flow = tmp_path / "long.py"
    flow.write_text("from metaflow import FlowSpec, step\n\nclass LongFlow(FlowSpec):\n"
                    f"    @step\n    def start(self):\n        self.xs = [1]\n        self.next(self.{names[0]}, foreach='xs')\n\n"
                    + body.replace("self.next(self.end)", "self.next(self.join)") +
                    "    @step\n    def join(self, inputs):\n        self.next(self.end)\n\n"
                    "    @step\n    def end(self):\n        pass\n")
    return flow


def test_long_step_names_are_shortened_deterministically_and_stay_valid(tmp_path):
    flow = long_flow(tmp_path, 2, name_length=95)
    machine = definition(flow)
    body = machine["States"]["start-each"]["ItemProcessor"]["States"]
    assert sorted(len(n) for n in body) == [80, 80]
    assert all(n.startswith("s") and "." in n for n in body)
    assert definition(flow) == machine
    assert statelint_problems(json.dumps(machine)) == []


def test_a_definition_over_the_size_limit_is_a_compile_error(tmp_path):
    done = flowc("compile", str(long_flow(tmp_path, 1200, name_length=60)), "-t", "stepfunctions", "-o", str(tmp_path / "out"),
                 *OPTIONS)
    assert done.returncode == 1
    assert "error[FLC401]" in done.stderr and "Step Functions accepts at most 1,048,576" in done.stderr
