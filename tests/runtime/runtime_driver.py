"""Test helpers for the runtime: a tiny sequential driver of the real task command.

The compiler gives the wiring (plan.tasks[i].inputs) and the command template; the driver walks the
plan in order, runs each task as a subprocess (`python -m flowc.runtime task ...`), expands foreach
children from the --control-out files and follows switches. It is deliberately dumb: no parallelism,
retries only as @retry allows, so every behaviour under test comes from the runtime itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from flowc.compiler.api import compile_file
from flowc.compiler.plan import Plan, build_plan

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
FLOWS = Path(__file__).resolve().parent / "flows"


def compile_plan(path: Path) -> Plan:
    compiled = compile_file(path)
    assert compiled.ok, [d.message for d in compiled.diagnostics]
    return build_plan(compiled.graph)


@dataclass
class Outcome:
    step: str
    index: str
    attempt: int
    returncode: int
    stdout: str
    stderr: str
    control: Optional[object] = None


@dataclass
class FlowRun:
    """Runs one flow's tasks in plan order. `outcomes` keeps every attempt of every task."""

    path: Path
    datastore: str
    run_id: str = "run-1"
    params: Optional[dict] = None
    env: dict = field(default_factory=dict)
    cwd: Optional[Path] = None
    outcomes: list = field(default_factory=list)

    def __post_init__(self):
        self.plan = compile_plan(self.path)
        self.control_dir = Path(os.environ.get("TMPDIR", "/tmp"))

    def command(self, step: str, index: str = "", attempt: int = 0, control_out: Optional[str] = None,
                extra: tuple = (), **override: str) -> list[str]:
        slots = {"python": sys.executable, "flow_file": str(self.path), "run_id": self.run_id, "index": index,
                 "attempt": str(attempt), "datastore": self.datastore,
                 "params": ["--params-json", json.dumps(self.params or {})],
                 "control_out": ["--control-out", control_out or os.devnull]}
        argv = self.plan.task(step).argv(slots)
        for option, value in override.items():  # e.g. inputs="x" replaces the value after --inputs
            flag = "--" + option.replace("_", "-")
            argv[argv.index(flag) + 1] = value
        return argv + list(extra)

    def run_task(self, step: str, index: str = "", attempt: int = 0, timeout: float = 120, extra: tuple = (),
                 **override) -> Outcome:
        control_file = self.control_dir / f"control-{os.getpid()}-{id(self)}-{step}-{index.replace('/', '.')}"
        control_file.unlink(missing_ok=True)
        argv = self.command(step, index, attempt, str(control_file), extra, **override)
        env = {**os.environ, **self.env}
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=self.cwd, timeout=timeout)
        control = None
        if control_file.exists():
            text = control_file.read_text()
            control = json.loads(text) if text.startswith("[") else text
            control_file.unlink()
        outcome = Outcome(step, index, attempt, proc.returncode, proc.stdout, proc.stderr, control)
        self.outcomes.append(outcome)
        return outcome

    def run(self, check: bool = True) -> "FlowRun":
        """Run every task; stop at the first task that fails all its attempts."""
        ran: dict[str, dict[str, object]] = {}  # step -> {index: control}
        kinds = {t.step: t.fan_out for t in self.plan.tasks}
        for spec in self.plan.tasks:
            ran[spec.step] = {}
            for index in self._indexes(spec, ran, kinds):
                times = spec.retry.times if spec.retry else 0
                for attempt in range(times + 1):
                    outcome = self.run_task(spec.step, index, attempt)
                    if outcome.returncode != 1:
                        break
                if outcome.returncode != 0:
                    if check:
                        raise AssertionError(f"{spec.step}[{index}] exited {outcome.returncode}:\n{outcome.stderr}")
                    return self
                ran[spec.step][index] = outcome.control
        return self

    def _indexes(self, spec, ran, kinds) -> list[str]:
        wiring = spec.inputs
        if wiring == "":
            return [""]
        if wiring.startswith("@"):
            return [child for control in ran[wiring[1:]].values() for child in control]
        if "@" in wiring:
            return list(ran[wiring.split("@")[1]])
        parents = wiring.replace("|", ",").split(",")
        if "," in wiring:  # a static join: same indexes as its first branch (one of its cases, if a switch's)
            parents = wiring.split(",")[0].split("|")
        found = []
        for parent in parents:
            for index, control in ran[parent].items():
                if kinds[parent] != "switch" or control == spec.step:
                    found.append(index)
        return found

    def outcome(self, step: str, index: str = "") -> Outcome:
        return [o for o in self.outcomes if o.step == step and o.index == index][-1]
