"""Emitted Argo documents: strictly valid for hera's models, every reference resolves, goldens, limits,
schedules, names, and hostile strings only as data."""

from __future__ import annotations

import pytest
import yaml
from hera.workflows.models import CronWorkflow, WorkflowTemplate
from argo_references import check_references
from support.flows import EXAMPLES, REPO, TEST_FLOWS, flowc

from flowc.compiler.cli import build_parser
from flowc.compiler.commands.compile import build

MODELS = {"WorkflowTemplate": WorkflowTemplate, "CronWorkflow": CronWorkflow}
ALL = [*EXAMPLES, TEST_FLOWS / "resources.py", TEST_FLOWS / "hostile.py", TEST_FLOWS / "retrying.py"]


def compiled(flow, *options: str) -> list[dict]:
    args = build_parser().parse_args(["compile", str(flow), "--target", "argo", "-o", "out", "--datastore",
                                      "s3://flowc-examples/flowc", "--image", "registry.example/flows:1", *options])
    status, _, files = build(args)
    assert status == 0 and len(files) == 1
    return list(yaml.safe_load_all(next(iter(files.values()))))


@pytest.mark.parametrize("flow", ALL, ids=lambda p: p.stem)
def test_documents_validate_strictly_and_references_resolve(flow):
    for document in compiled(flow):
        MODELS[document["kind"]].model_validate(document, extra="forbid", by_alias=True, by_name=False)
        if document["kind"] == "WorkflowTemplate":
            assert check_references(document) == []


def test_the_reference_check_finds_broken_references():
    document = compiled(REPO / "examples" / "switch_in_foreach.py")[0]
    body = next(t for t in document["spec"]["templates"] if t["name"] == "each-start")
    body["dag"]["tasks"][1]["when"] = body["dag"]["tasks"][1]["when"].replace("classify", "clasify")
    body["dag"]["tasks"][3]["depends"] = "halve.Succeeded || nowhere.Succeeded"
    document["spec"]["templates"][0]["dag"]["tasks"][1]["template"] = "each-missing"
    problems = check_references(document)
    assert any("clasify" in p and "unknown task" in p for p in problems)
    assert any("unknown task 'nowhere'" in p for p in problems)
    assert any("unknown template 'each-missing'" in p for p in problems)


def test_decorators_map_to_pod_settings_and_a_cron_workflow():
    template, cron = compiled(TEST_FLOWS / "resources.py", "--namespace", "ml", "--service-account", "runner",
                              "--parallelism", "4", "--image-pull-secret", "regcred")
    spec = template["spec"]
    assert (spec["serviceAccountName"], spec["parallelism"], spec["imagePullSecrets"]) == ("runner", 4,
                                                                                         [{"name": "regcred"}])
    train = next(t for t in spec["templates"] if t["name"] == "step-train")
    assert train["container"]["image"] == "registry.example/train:2"
    assert train["container"]["resources"] == {"requests": {"cpu": "2", "memory": "4096M",
                                                            "ephemeral-storage": "10240M"},  # the default disk
                                               "limits": {"nvidia.com/gpu": "1"}}
    assert train["container"]["env"] == [{"name": "MODE", "value": "fast"}]
    assert train["container"]["envFrom"] == [{"secretRef": {"name": "db-credentials"}}]  # a reference only
    assert train["retryStrategy"] == {"limit": "3", "retryPolicy": "Always", "backoff": {"duration": "60s"},
                                      "expression": "asInt(lastRetry.exitCode) != 2"}  # exit 2: a contract error
    assert train["activeDeadlineSeconds"] == 300 + 60  # @timeout(minutes=5) and a margin: flowc's clock fires first
    assert train["nodeSelector"] == {"pool": "gpu"}
    assert train["tolerations"] == [{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}]
    assert "{{retries}}" in train["container"]["args"]
    assert cron["kind"] == "CronWorkflow" and cron["metadata"]["namespace"] == "ml"
    assert cron["spec"]["schedules"] == ["30 2 * * *"] and cron["spec"]["timezone"] == "Europe/Paris"
    assert cron["spec"]["workflowSpec"] == {"workflowTemplateRef": {"name": "resources-flow"}}
    assert template["metadata"]["labels"]["flowc/project"] == "demo"


def test_parameters_are_separate_arguments_and_hostile_strings_stay_data():
    template = compiled(TEST_FLOWS / "hostile.py")[0]
    parameters = {p["name"]: p for p in template["spec"]["arguments"]["parameters"]}
    assert parameters["raw"]["value"] == "a'b\"c {{ ds }} $(touch $PWNED_DIR/7) %s\n✓"
    assert parameters["text"]["value"] == ""  # its default is an expression: the runtime evaluates it
    assert parameters["number"]["value"] == "-3"
    start = next(t for t in template["spec"]["templates"] if t["name"] == "step-start")
    args = start["container"]["args"]
    assert "--param" in args and "raw={{workflow.parameters.raw}}" in args
    assert start["container"]["command"][0].endswith("python3") and "sh" not in start["container"]["command"]
    assert "env" not in start["container"]  # a value holding "{{" stays out; the runtime sets it
    assert "{{ dag }}" in template["metadata"]["annotations"]["workflows.argoproj.io/description"]


def test_argo_limits_are_compile_errors(tmp_path):
    steps = "".join(f"    @step\n    def s{i}(self):\n        self.next(self.s{i + 1})\n\n" for i in range(210))
    flow = tmp_path / "long.py"
    flow.write_text("from metaflow import FlowSpec, step\n\nclass LongFlow(FlowSpec):\n"
                    "    @step\n    def start(self):\n        self.next(self.s0)\n\n" + steps +
                    "    @step\n    def s210(self):\n        self.next(self.end)\n\n"
                    "    @step\n    def end(self):\n        pass\n")
    done = flowc("compile", str(flow), "-t", "argo", "-o", str(tmp_path / "out"), "--datastore", "s3://b/p",
                 "--image", "i:1")
    assert done.returncode == 1
    assert "error[FLC401]" in done.stderr and "Argo allows 200" in done.stderr


def test_a_step_named_like_a_body_task_is_a_compile_error(tmp_path):
    flow = tmp_path / "clash.py"
    flow.write_text("from metaflow import FlowSpec, step\n\nclass ClashFlow(FlowSpec):\n"
                    "    @step\n    def start(self):\n        self.xs = [1]\n        self.next(self.each_fan)\n\n"
                    "    @step\n    def each_fan(self):\n        self.next(self.fan)\n\n"
                    "    @step\n    def fan(self):\n        self.next(self.work, foreach='xs')\n\n"
                    "    @step\n    def work(self):\n        self.next(self.join)\n\n"
                    "    @step\n    def join(self, inputs):\n        self.next(self.end)\n\n"
                    "    @step\n    def end(self):\n        pass\n")
    done = flowc("compile", str(flow), "-t", "argo", "-o", str(tmp_path / "out"), "--datastore", "s3://b/p",
                 "--image", "i:1")
    assert done.returncode == 1
    assert "step `each_fan` is named like the Argo task that runs the foreach body of `fan`" in done.stderr
    assert "clash.py:10:9" in done.stderr  # pointing at `def each_fan`


def test_missing_image_is_a_usage_error(tmp_path):
    done = flowc("compile", str(REPO / "examples" / "hello.py"), "-t", "argo", "-o", str(tmp_path),
                 "--datastore", "s3://b/p")
    assert done.returncode == 2 and "--image is required for argo" in done.stderr


def test_same_bytes_across_hash_seeds_and_working_directories(tmp_path):
    import os

    outputs = []
    out = tmp_path / "out"
    for seed, cwd in (("1", REPO), ("4242", REPO / "examples")):
        done = flowc("compile", str(REPO / "examples" / "nested_foreach.py"), "-t", "argo", "-o", str(out),
                     "--datastore", "s3://b/p", "--image", "i:1", cwd=cwd, env=dict(os.environ, PYTHONHASHSEED=seed))
        assert done.returncode == 0, done.stderr
        outputs.append((out / "nested-foreach-flow.yaml").read_bytes())
        (out / "nested-foreach-flow.yaml").unlink()
    assert outputs[0] == outputs[1]


def test_a_template_over_the_object_size_limit_is_a_compile_error(tmp_path):
    flow = tmp_path / "big.py"
    parameters = "".join(f"    p{i} = Parameter('p{i}', default=1, help='{'x' * 10_000}')\n" for i in range(110))
    flow.write_text("from metaflow import FlowSpec, Parameter, step\n\nclass BigFlow(FlowSpec):\n" + parameters +
                    "\n    @step\n    def start(self):\n        self.next(self.end)\n\n"
                    "    @step\n    def end(self):\n        pass\n")
    done = flowc("compile", str(flow), "-t", "argo", "-o", str(tmp_path / "out"), "--datastore", "s3://b/p",
                 "--image", "i:1")
    assert done.returncode == 1
    assert "argo accepts at most 1,000,000" in done.stderr
