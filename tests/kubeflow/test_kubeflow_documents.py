"""Emitted Kubeflow pipelines: every document parses with kfp's own protobuf and loads with kfp, every reference
resolves, goldens, typed parameters, pod settings in the platform spec, names, schedules, hostile strings."""

from __future__ import annotations

import copy

import yaml
from kfp_references import check_references
from support.flows import EXAMPLES, REPO, TEST_FLOWS, flowc

from flowc.compiler.cli import build_parser
from flowc.compiler.commands.compile import build

ALL = [*EXAMPLES, TEST_FLOWS / "resources.py", TEST_FLOWS / "hostile.py", TEST_FLOWS / "retrying.py"]
OPTIONS = ["--datastore", "s3://flowc-examples/flowc", "--image", "registry.example/flows:1"]


def compiled_text(flow, *options: str) -> str:
    args = build_parser().parse_args(["compile", str(flow), "--target", "kubeflow", "-o", "out", *OPTIONS, *options])
    status, _, files = build(args)
    assert status == 0 and len(files) == 1
    return next(iter(files.values()))


def compiled(flow, *options: str) -> list[dict]:
    return list(yaml.safe_load_all(compiled_text(flow, *options)))


def test_kfp_parses_and_loads_every_pipeline_and_references_resolve(kfp_driver, tmp_path):
    paths = []
    for flow in ALL:
        path = tmp_path / f"{flow.stem}.yaml"
        path.write_text(compiled_text(flow))
        paths.append(path)
        documents = list(yaml.safe_load_all(path.read_text()))
        assert check_references(*documents) == [], flow.stem
    broken = tmp_path / "broken.yaml"
    document = yaml.safe_load(paths[0].read_text())
    document["root"]["dag"]["tasks"]["start"]["cachingOptions"] = {"enableCaching": True}  # a misspelt field
    broken.write_text(yaml.safe_dump(document))
    checks = kfp_driver(check=[*paths, broken])["checks"]
    assert {k: v for k, v in checks.items() if k != str(broken)} == {str(p): [] for p in paths}
    assert "enableCaching" in checks[str(broken)][0]  # the protobuf check is strict: it would see a typo


def test_the_reference_check_finds_broken_references():
    spec = compiled(REPO / "examples" / "switch_in_foreach.py")[0]
    assert check_references(spec) == []
    cases = [
        (lambda s: s["root"]["dag"]["tasks"]["end"].__setitem__("componentRef", {"name": "comp-nowhere"}),
         "unknown component 'comp-nowhere'"),
        (lambda s: s["components"]["comp-halve"].__setitem__("executorLabel", "exec-nowhere"),
         "unknown executor 'exec-nowhere'"),
        (lambda s: s["components"]["comp-for-loop-1"]["dag"]["tasks"]["collect"].__setitem__(
            "dependentTasks", ["condition-branches-9"]), "depends on unknown task 'condition-branches-9'"),
        (lambda s: s["root"]["dag"]["tasks"]["for-loop-1"]["inputs"]["parameters"]["pipelinechannel--start-Output"][
            "taskOutputParameter"].__setitem__("outputParameterKey", "control"), "has no output 'control'"),
        (lambda s: s["root"]["dag"]["tasks"]["for-loop-1"]["inputs"]["parameters"]["pipelinechannel--start-Output"][
            "taskOutputParameter"].__setitem__("producerTask", "begin"), "reads unknown task 'begin'"),
        (lambda s: s["root"]["dag"]["tasks"]["for-loop-1"]["parameterIterator"].__setitem__("itemInput", "item"),
         "loop item 'item'"),
        (lambda s: s["components"]["comp-for-loop-1"]["dag"]["tasks"]["classify"]["inputs"]["parameters"][
            "index"].__setitem__("componentInputParameter", "pipelinechannel--begin-Output-loop-item"),
         "not an input of comp-for-loop-1"),
        (lambda s: s["deploymentSpec"]["executors"]["exec-start"]["container"]["args"].append(
            "{{$.outputs.parameters['control'].output_file}}"), "unknown output 'control'"),
    ]
    for breaks, message in cases:
        broken = copy.deepcopy(spec)
        breaks(broken)
        problems = check_references(broken)
        assert any(message in p for p in problems), (message, problems)


def test_shapes_become_loops_and_condition_groups():
    spec = compiled(REPO / "examples" / "nested_foreach.py")[0]
    loops = [name for name in spec["components"] if name.startswith("comp-for-loop-")]
    assert len(loops) == 3  # one sub-DAG per foreach scope, nested three deep
    spec = compiled(REPO / "examples" / "foreach_in_switch.py")[0]
    groups = {n: c for n, c in spec["components"].items() if n.startswith("comp-condition")}
    conditions = sorted(t["triggerPolicy"]["condition"] for c in groups.values() for t in c["dag"]["tasks"].values()
                        if "triggerPolicy" in t)
    assert len(conditions) == 2 and all("inputs.parameter_values['pipelinechannel--start-Output'] ==" in c
                                        for c in conditions)
    meet = next(t for t in spec["root"]["dag"]["tasks"].values() if t.get("dependentTasks", [""])[0].startswith(
        "condition-branches-"))
    assert meet["taskInfo"]["name"]  # the meet waits for the group, not for a case that may be skipped


def test_pod_settings_go_to_the_platform_spec():
    spec, platform = compiled(TEST_FLOWS / "resources.py", "--image-pull-secret", "regcred")
    train = spec["deploymentSpec"]["executors"]["exec-train"]["container"]
    assert train["image"] == "registry.example/train:2"
    assert train["resources"] == {"accelerator": {"count": "1", "resourceCount": "1", "resourceType": "nvidia.com/gpu",
                                                  "type": "nvidia.com/gpu"},
                                  "cpuRequest": 2.0, "memoryRequest": 4.096, "resourceCpuRequest": "2",
                                  "resourceMemoryRequest": "4096M"}
    assert {"name": "MODE", "value": "fast"} in train["env"]
    assert "--attempt" in train["args"] and train["args"][train["args"].index("--attempt") + 1] == "auto"
    task = spec["components"]["comp-for-loop-1"]["dag"]["tasks"]["train"]
    assert task["retryPolicy"] == {"backoffDuration": "60s", "backoffFactor": 1.0, "maxRetryCount": 3}
    assert task["cachingOptions"] == {}  # caching off: steps have side effects
    pod = platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]["exec-train"]
    assert pod["activeDeadlineSeconds"] == 300 + 60  # @timeout(minutes=5) and a margin
    assert pod["nodeSelector"] == {"labels": {"pool": "gpu"}}
    assert pod["tolerations"] == [{"effect": "NoSchedule", "key": "gpu", "operator": "Exists"}]
    assert pod["secretAsVolume"] == [{"mountPath": "/etc/flowc/secrets/db-credentials", "optional": False,
                                      "secretName": "db-credentials"}]
    assert {"name": "FLOWC_SECRET_DIRS", "value": "/etc/flowc/secrets/db-credentials"} in train["env"]
    assert pod["imagePullSecret"] == [{"secretName": "regcred"}]
    spec = compiled(TEST_FLOWS / "resources.py", "--caching", "on")[0]
    assert spec["root"]["dag"]["tasks"]["start"]["cachingOptions"] == {"enableCache": True}


def test_schedule_is_a_warning_saying_how_to_create_the_recurring_run(tmp_path):
    done = flowc("compile", str(TEST_FLOWS / "resources.py"), "--target", "kubeflow", "-o", str(tmp_path), *OPTIONS)
    assert done.returncode == 0, done.stderr
    assert "warning[FLC402]" in done.stderr and "`0 30 2 * * *`" in done.stderr and "Europe/Paris" in done.stderr


def test_parameters_keep_their_types(tmp_path):
    flow = tmp_path / "typed.py"
    flow.write_text(
        "from metaflow import FlowSpec, JSONType, Parameter, step\n\nclass TypedFlow(FlowSpec):\n"
        "    count = Parameter('count', default=3, help='how many')\n"
        "    ratio = Parameter('ratio', default=0.5)\n"
        "    flag = Parameter('flag', default=False)\n"
        "    who = Parameter('who', required=True)\n"
        "    config = Parameter('config', type=JSONType, default='{\"a\": [1, 2]}')\n"
        "    items = Parameter('items', type=JSONType, default='[1, \"b\"]')\n"
        "    stamp = Parameter('stamp', default=lambda ctx: 'now')\n"
        "    @step\n    def start(self):\n        self.next(self.end)\n\n    @step\n    def end(self):\n        pass\n")
    spec = compiled(flow)[0]
    inputs = spec["root"]["inputDefinitions"]["parameters"]
    assert inputs["count"] == {"defaultValue": 3, "description": "how many", "isOptional": True,
                               "parameterType": "NUMBER_INTEGER"}
    assert inputs["ratio"] == {"defaultValue": 0.5, "isOptional": True, "parameterType": "NUMBER_DOUBLE"}
    assert inputs["flag"] == {"defaultValue": False, "isOptional": True, "parameterType": "BOOLEAN"}
    assert inputs["who"] == {"isOptional": False, "parameterType": "STRING"}
    assert inputs["config"] == {"defaultValue": {"a": [1, 2]}, "isOptional": True, "parameterType": "STRUCT"}
    assert inputs["items"] == {"defaultValue": [1, "b"], "isOptional": True, "parameterType": "LIST"}
    assert inputs["stamp"]["parameterType"] == "STRING" and inputs["stamp"]["defaultValue"] == ""
    args = spec["deploymentSpec"]["executors"]["exec-start"]["container"]["args"]
    assert "count={{$.inputs.parameters['count']}}" in args


def test_names_that_collide_after_sanitising_are_errors_naming_the_step(tmp_path):
    flow = tmp_path / "clash.py"
    flow.write_text(
        "from metaflow import FlowSpec, step\n\nclass ClashFlow(FlowSpec):\n"
        "    @step\n    def start(self):\n        self.items = [1]\n        self.next(self.for_loop_1, foreach='items')\n\n"
        "    @step\n    def for_loop_1(self):\n        self.next(self.join)\n\n"
        "    @step\n    def join(self, inputs):\n        self.next(self.end)\n\n"
        "    @step\n    def end(self):\n        pass\n")
    done = flowc("compile", str(flow), "--target", "kubeflow", "-o", str(tmp_path / "out"), *OPTIONS)
    assert done.returncode == 1
    assert "step `for_loop_1` is named like a Kubeflow foreach group (`for-loop-1`)" in done.stderr


def test_a_kfp_placeholder_in_a_default_is_an_error(tmp_path):
    """KFP resolves `{{$...}}` inside parameter values and has no escape: such a default could not arrive as data."""
    flow = tmp_path / "placeholder.py"
    flow.write_text(
        "from metaflow import FlowSpec, Parameter, step\n\nclass PlaceholderFlow(FlowSpec):\n"
        "    x = Parameter('x', default='a {{$.pipeline_job_uuid}} b')\n\n"
        "    @step\n    def start(self):\n        self.next(self.end)\n\n"
        "    @step\n    def end(self):\n        pass\n")
    done = flowc("compile", str(flow), "--target", "kubeflow", "-o", str(tmp_path / "out"), *OPTIONS)
    assert done.returncode == 1 and not (tmp_path / "out").exists()
    assert "the default of parameter 'x' contains `{{$`" in done.stderr


def test_hostile_strings_are_only_data(tmp_path):
    from flowc.compiler.api import compile_file

    text = compiled_text(TEST_FLOWS / "hostile.py")
    flow = compile_file(TEST_FLOWS / "hostile.py").flow
    spec = yaml.safe_load(text.split("\n---\n")[0])
    assert spec["pipelineInfo"]["description"] == flow.docstring
    inputs = spec["root"]["inputDefinitions"]["parameters"]
    raw = next(p for p in flow.parameters if p.name == "raw")
    assert inputs["raw"]["defaultValue"] == raw.default.value
    assert inputs["text"]["description"].startswith(next(p for p in flow.parameters if p.name == "text").help)
    for line in text.splitlines():
        assert not line.startswith("#") or line.startswith("# ") or line == "#"
    env = spec["deploymentSpec"]["executors"]["exec-start"]["container"].get("env", [])
    assert all("{{" not in e["value"] for e in env)  # left to the runtime: KFP may substitute placeholders
