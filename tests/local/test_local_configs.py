"""Configs end to end with `flowc run`: values from files, inline defaults, --config and --config-value reach
every step as read-only mappings and the client as artifacts; decorators and Parameter defaults take
config values; a changed config file is never served from a cache. Expected values come from the config
files themselves (read here with json/tomllib/yaml), not from flowc."""

from __future__ import annotations

import json
import shutil
import tomllib

import yaml

from local_support import EXAMPLES

SEMANTICS = '''
from metaflow import Config, FlowSpec, Parameter, config_expr, current, environment, retry, step, yaml_parser


class ConfigSemantics(FlowSpec):
    config = Config("config", default="config.json")
    table = Config("table", default="settings.toml", parser="tomllib.loads")
    listing = Config("listing", default="settings.yaml", parser=yaml_parser)
    raw = Config("raw", default_value="just text", plain=True)
    unset = Config("unset")
    size = Parameter("size", default=config_expr("config.sizes")[1])

    @retry(times=config.retries)
    @step
    def start(self):
        self.type_name = type(self.config).__name__
        self.by_attribute = self.config.model.name
        self.by_item = self.config["model"]["layers"][-1]
        self.is_dict = isinstance(self.config, dict)
        try:
            self.config.model = 1
        except TypeError as error:
            self.refused = type(error).__name__
        try:
            self.config = {}
        except AttributeError as error:
            self.reassign = type(error).__name__
        self.mode = self.config.mode
        self.next({"fast": self.fast, "slow": self.slow}, condition="mode")

    @step
    def fast(self):
        self.path = "fast"
        self.next(self.split)

    @step
    def slow(self):
        self.path = "slow"
        self.next(self.split)

    @step
    def split(self):
        self.next(self.a, self.b)

    @step
    def a(self):
        self.next(self.join)

    @step
    def b(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.seen_in_join = self.config.model.name  # a join sees configs, as it sees parameters
        self.merge_artifacts(inputs)
        self.next(self.end)

    @environment(**config.end_settings)
    @step
    def end(self):
        import os

        self.from_unpacked = os.environ["FROM_CONFIG"]
        self.toml_owner = self.table.owner.name
        self.yaml_items = list(self.listing["items"])
        self.raw_text = self.raw
        self.unset_value = self.unset
        self.retries = current.retry_count
'''
CONFIG = {"model": {"name": "tiny", "layers": [3, 5]}, "retries": 2, "mode": "slow", "sizes": [10, 20, 30],
          "end_settings": {"vars": {"FROM_CONFIG": "unpacked"}}}
TOML = '[owner]\nname = "Ada"\n'
YAML = "items:\n  - one\n  - two\n"


def _semantics(folder):
    (folder / "flow.py").write_text(SEMANTICS)
    (folder / "config.json").write_text(json.dumps(CONFIG))
    (folder / "settings.toml").write_text(TOML)
    (folder / "settings.yaml").write_text(YAML)
    return folder / "flow.py"


def _end(flowc, pathspec: str) -> dict:
    task = flowc.run(pathspec)["end"].task
    return {name: artifact.data for name, artifact in task.artifacts.items()}


def test_steps_see_read_only_configs_from_files_of_every_format(flowc):
    flow = _semantics(flowc.cwd)
    flowc.ok("run", str(flow), "--run-id", "r1")
    end = _end(flowc, "ConfigSemantics/r1")
    assert end["config"] == CONFIG and type(end["config"]) is dict  # stored as a plain dict, as Metaflow does
    assert end["table"] == tomllib.loads(TOML) and end["listing"] == yaml.safe_load(YAML)
    assert (end["type_name"], end["is_dict"], end["refused"], end["reassign"]) == (
        "ConfigValue", True, "TypeError", "AttributeError")
    assert (end["by_attribute"], end["by_item"], end["seen_in_join"]) == ("tiny", 5, "tiny")
    assert end["size"] == CONFIG["sizes"][1]  # Parameter default from config_expr(...)[1]
    assert end["path"] == "slow"  # the switch chose by the config's mode
    assert end["from_unpacked"] == "unpacked"  # @environment(**config.end_settings)
    assert (end["toml_owner"], end["yaml_items"], end["raw_text"], end["unset_value"]) == (
        "Ada", ["one", "two"], "just text", None)


def test_a_decorator_argument_from_a_config_reaches_the_task(flowc):
    """@retry(times=config.retries): the plan retries as often as the config says."""
    from flowc.compiler.api import compile_file

    flow = _semantics(flowc.cwd)
    compiled = compile_file(flow)
    assert compiled.ok, compiled.diagnostics
    assert compiled.flow.step("start").decorator("retry").args["times"].value == CONFIG["retries"]
    size = next(p for p in compiled.flow.parameters if p.name == "size")
    assert (size.type, size.default.value) == ("int", CONFIG["sizes"][1])


def test_the_example_runs_with_its_file_and_with_values_given_on_the_command_line(flowc):
    shutil.copy(EXAMPLES / "configs.py", flowc.cwd)
    shutil.copy(EXAMPLES / "configs.json", flowc.cwd)
    config = json.loads((EXAMPLES / "configs.json").read_text())
    flowc.ok("run", "configs.py", "--run-id", "file")
    end = _end(flowc, "ConfigFlow/file")
    assert end["config"] == config and end["defaults"] == {"alpha": 0.5, "greeting": "hello"}
    assert end["note"] == config["note"]  # quotes, {{ }}, $(...), backslashes: data, byte for byte
    assert end["summary"] == f"{config['model']['name']}: {0.5 * sum(config['model']['layers'])} (hello)"

    other = {"model": {"name": "wide", "layers": [100]}, "resources": {"cpu": 1, "memory": 512}, "retries": 0,
             "note": "n"}
    (flowc.cwd / "other.json").write_text(json.dumps(other))
    flowc.ok("run", "configs.py", "--run-id", "given", "--config", "config", "other.json",
             "--config-value", "defaults", '{"alpha": 2.5, "greeting": "hey"}', "--param", "alpha=3")
    end = _end(flowc, "ConfigFlow/given")
    assert end["config"] == other and end["defaults"] == {"alpha": 2.5, "greeting": "hey"}
    assert end["alpha"] == 3.0 and isinstance(end["alpha"], float)  # typed by the config's value, as Metaflow
    assert end["summary"] == "wide: 300.0 (hey)"


def test_a_changed_config_file_is_never_served_from_the_plan_cache(flowc):
    flow = _semantics(flowc.cwd)
    flowc.ok("run", str(flow), "--run-id", "before")
    (flowc.cwd / "config.json").write_text(json.dumps({**CONFIG, "mode": "fast"}))
    flowc.ok("run", str(flow), "--run-id", "after")
    assert _end(flowc, "ConfigSemantics/before")["path"] == "slow"
    assert _end(flowc, "ConfigSemantics/after")["path"] == "fast"


def test_a_changed_config_file_recompiles_and_check_says_the_files_are_stale(flowc):
    flow = _semantics(flowc.cwd)
    compile_args = ("compile", str(flow), "--target", "argo", "-o", "out", "--datastore", "s3://b/p",
                    "--image", "img:1")
    flowc.ok(*compile_args)
    first = (flowc.cwd / "out" / "config-semantics.yaml").read_text()
    flowc.ok(*compile_args, "--check")
    (flowc.cwd / "config.json").write_text(json.dumps({**CONFIG, "retries": 0}))
    assert flowc(*compile_args, "--check").returncode == 1  # the cached entry is not believed
    flowc.ok(*compile_args)
    second = (flowc.cwd / "out" / "config-semantics.yaml").read_text()
    assert second != first and "retryStrategy" in first and "retryStrategy" not in second


def test_config_problems_are_diagnostics(flowc):
    flow = _semantics(flowc.cwd)
    (flowc.cwd / "config.json").write_text("{not json")
    done = flowc("run", str(flow))
    assert done.returncode == 1 and "error[FLC052]" in done.stderr and "Traceback" not in done.stderr
    done = flowc("check", str(flow), "--config", "nope", "config.json")
    assert done.returncode == 1 and "error[FLC058]" in done.stdout


def test_pyproject_names_config_files_and_the_command_line_wins(flowc):
    flow = _semantics(flowc.cwd)
    (flowc.cwd / "conf").mkdir()
    (flowc.cwd / "conf" / "fast.json").write_text(json.dumps({**CONFIG, "retries": 0}))
    (flowc.cwd / "pyproject.toml").write_text(
        '[tool.flowc]\ntarget = "argo"\ndatastore = "s3://b/p"\nimage = "img:1"\noutput-dir = "out"\n'
        'config = ["config=conf/fast.json"]\n')
    flowc.ok("compile", str(flow))
    from_pyproject = (flowc.cwd / "out" / "config-semantics.yaml").read_text()
    assert "retryStrategy" not in from_pyproject and "--config config conf/fast.json" in from_pyproject
    flowc.ok("compile", str(flow), "--config", "config", "config.json")
    from_command_line = (flowc.cwd / "out" / "config-semantics.yaml").read_text()
    assert "retryStrategy" in from_command_line and "--config config config.json" in from_command_line


def test_every_command_reads_the_configs_pyproject_names(flowc):
    """check, ir, graph and run compile with [tool.flowc] config too: the local run sees what deploys."""
    flow = _semantics(flowc.cwd)
    (flowc.cwd / "conf").mkdir()
    fast = {**CONFIG, "mode": "fast", "retries": 0}
    (flowc.cwd / "conf" / "fast.json").write_text(json.dumps(fast))
    (flowc.cwd / "pyproject.toml").write_text('[tool.flowc]\nconfig = ["config=conf/fast.json"]\n')
    ir = json.loads(flowc.ok("ir", str(flow)).stdout)
    assert next(c for c in ir["configs"] if c["name"] == "config")["value"] == fast
    retry = next(d for d in next(s for s in ir["steps"] if s["name"] == "start")["decorators"] if d["name"] == "retry")
    assert retry["args"]["times"]["value"] == 0
    flowc.ok("check", str(flow))
    flowc.ok("run", str(flow), "--run-id", "p1")
    end = _end(flowc, "ConfigSemantics/p1")
    assert (end["config"], end["path"]) == (fast, "fast")
    flowc.ok("run", str(flow), "--run-id", "p2", "--config", "config", "config.json")  # the command line wins
    assert _end(flowc, "ConfigSemantics/p2")["path"] == "slow"
    (flowc.cwd / "pyproject.toml").write_text('[tool.flowc]\nconfig = "config=conf/fast.json"\n')
    for command in ("check", "ir", "graph", "run"):
        done = flowc(command, str(flow))
        assert done.returncode == 2 and "config must be a list" in done.stderr and "Traceback" not in done.stderr


def test_a_task_refuses_a_damaged_configs_payload_with_a_contract_error(flowc, tmp_path):
    """`--configs` that is not base64url JSON: exit 2 with a message, before any user code runs."""
    import subprocess
    import sys

    from flowc.compiler.api import compile_file
    from flowc.compiler.plan import build_plan

    flow = _semantics(flowc.cwd)
    plan = build_plan(compile_file(flow).graph)
    slots = {"python": sys.executable, "flow_file": str(flow), "run_id": "r", "index": "", "attempt": "0",
             "datastore": str(tmp_path / "store"), "params": [], "control_out": []}
    argv = plan.task("start").argv(slots)
    argv[argv.index("--configs") + 1] = "not base64 {{ }}"
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "--configs is not base64url of a JSON object" in done.stderr
