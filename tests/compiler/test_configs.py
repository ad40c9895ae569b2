"""Configs in the compiler: where config references are resolved, what the IR and plan record, and the
one expression rule shared with the runtime."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from flowc.compiler.api import compile_file
from flowc.compiler.configs import ConfigOptions
from flowc.compiler.plan import build_plan
from flowc.runtime import configs as runtime_configs

FLOW = '''
from metaflow import Config, FlowSpec, Parameter, config_expr, environment, project, schedule, step


@project(name=config.project)
@schedule(cron=config_expr("config.schedule.cron"))
class Configured(FlowSpec):
    config = Config("config", default="settings.toml", parser="tomllib.loads")
    label = Parameter("label", default=config.labels[0])

    @environment(vars={"MODE": config.mode, "FIXED": "x", "LAYERS": config_expr("config")["labels"][1]})
    @step
    def start(self):
        self.choice = "b"
        self.next({self.config.cases.first: self.a, "b": self.b}, condition="choice")

    @step
    def a(self):
        self.next(self.end)

    @step
    def b(self):
        self.next(self.end)

    @step
    def end(self):
        pass
'''
TOML = '''project = "proj"
mode = "fast"
labels = ["x", "y"]
[schedule]
cron = "0 3 * * *"
[cases]
first = "a"
'''


@pytest.fixture
def flow_file(tmp_path):
    (tmp_path / "flow.py").write_text(FLOW)
    (tmp_path / "settings.toml").write_text(TOML)
    return tmp_path / "flow.py"


def test_references_are_resolved_in_flow_and_step_decorators_parameters_and_switch_cases(flow_file):
    compiled = compile_file(flow_file)
    assert compiled.ok, compiled.diagnostics
    flow = compiled.flow
    assert flow.decorator("project").args["name"].value == "proj"
    assert flow.decorator("schedule").args["cron"].value == "0 3 * * *"
    assert flow.parameters[0].default.value == "x"
    assert flow.step("start").decorator("environment").args["vars"].value == {"MODE": "fast", "FIXED": "x",
                                                                               "LAYERS": "y"}
    assert flow.step("start").transition.cases == (("a", "a"), ("b", "b"))


def test_the_ir_pins_the_file_and_the_plan_carries_the_values_to_every_task(flow_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path.parent)  # the recorded path is relative to the flow, not to here
    compiled = compile_file(flow_file)
    (config,) = compiled.flow.configs
    assert (config.path, config.origin, config.parser) == ("settings.toml", "file", "toml")
    assert config.sha256 == hashlib.sha256(TOML.encode()).hexdigest()
    plan = build_plan(compiled.graph)
    for task in plan.tasks:
        payload = task.command[task.command.index("--configs") + 1]
        assert set(payload) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        assert decoded == {"config": {"project": "proj", "mode": "fast", "labels": ["x", "y"],
                                      "schedule": {"cron": "0 3 * * *"}, "cases": {"first": "a"}}}


def test_a_flow_without_configs_keeps_its_command(tmp_path):
    (tmp_path / "flow.py").write_text("from metaflow import FlowSpec, step\n\nclass F(FlowSpec):\n    @step\n"
                                      "    def start(self):\n        self.next(self.end)\n\n    @step\n"
                                      "    def end(self):\n        pass\n")
    plan = build_plan(compile_file(tmp_path / "flow.py").graph)
    assert all("--configs" not in task.command for task in plan.tasks)


def test_command_line_values_win_over_files(flow_file, tmp_path):
    (tmp_path / "other.toml").write_text(TOML.replace("fast", "slow"))
    by_file = compile_file(flow_file, configs=ConfigOptions(files=(("config", str(tmp_path / "other.toml")),)))
    assert by_file.flow.configs[0].value["mode"] == "slow" and by_file.flow.configs[0].path == "other.toml"
    text = TOML.replace("fast", "given")
    by_value = compile_file(flow_file, configs=ConfigOptions(files=(("config", str(tmp_path / "other.toml")),),
                                                             values=(("config", text),)))
    assert by_value.flow.configs[0].value["mode"] == "given" and by_value.flow.configs[0].origin == "value"


@pytest.mark.parametrize("expr,expected", [
    ("config.a.b", 1), ("config['a']['b']", 1), ("config.items[-1]", "z"), ("(config.a).b", 1)])
def test_the_runtime_and_the_compiler_share_one_expression_rule(expr, expected):
    assert runtime_configs.evaluate(expr, {"config": {"a": {"b": 1}, "items": ["y", "z"]}}) == expected


@pytest.mark.parametrize("expr", ["config.a.upper()", "config.a + 1", "__import__('os')", "config[x]"])
def test_anything_but_a_path_is_refused_without_being_run(expr):
    with pytest.raises(runtime_configs.NotAConfigPath):
        runtime_configs.evaluate(expr, {"config": {"a": "s"}})


def test_config_value_is_a_read_only_dict_with_attribute_access():
    value = runtime_configs.ConfigValue({"a": {"b": [1, {"c": 2}]}})
    assert value.a.b[1].c == 2 and value["a"]["b"][0] == 1 and isinstance(value, dict)
    assert json.loads(json.dumps(value)) == {"a": {"b": [1, {"c": 2}]}}
    for change in (lambda: value.__setitem__("a", 1), lambda: setattr(value, "a", 1), lambda: value.update({}),
                   lambda: value.a.pop("b")):
        with pytest.raises(TypeError):
            change()
    with pytest.raises(AttributeError):
        value.missing
