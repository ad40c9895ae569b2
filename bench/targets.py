"""Compile time and emitted size per step, every target side by side, for 10/100/1000-step flows that repeat
every shape (linear, branch, foreach, nested foreach, switch: `flow_source`).

Baseline, measured in the same run: parsing and analysing the same flow (what every target pays anyway),
so the ratio is what a backend adds on top. Times are CPU time (the best of a few), steadier than wall
time on a shared machine.

Kubeflow, in the same run: the same linear pipeline built through `kfp.dsl` and compiled with
`kfp.compiler.Compiler().compile` (bench/kfp_pipeline.py, in the tests' cached kfp venv, started once),
against flowc from source to YAML; measurements alternate between the two so both see the same machine.

    python bench/targets.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from flowc.compiler.api import compile_source
from flowc.compiler.emit import EmitOptions, Problems
from flowc.compiler.plan import build_plan

SIZES = (10, 100, 1000)
REPO = Path(__file__).resolve().parents[1]
KFP = ["kfp==2.17.0", "kfp-kubernetes==2.15.0"]  # as tests/kubeflow/conftest.py: the same cached venv


SHAPES = ("linear", "branch", "foreach", "nested foreach", "switch")


def flow_source(steps: int) -> str:
    """A flow of about `steps` steps between start and end that repeats every shape in SHAPES in turn: a
    linear step, a static branch and its join, a foreach and its join, a foreach inside a foreach, and a
    switch on a parameter whose two cases meet at one step."""
    methods: list[str] = []
    counter = iter(range(10**9))

    def add(name: str, transition: str, body: str = "self.x = 1", join: bool = False) -> None:
        methods.append(f"    @step\n    def {name}(self{', inputs' if join else ''}):\n        {body}\n"
                       f"        {transition}\n")

    def names(k: int) -> list[str]:
        return [f"s{next(counter)}" for _ in range(k)]

    pending, join, made, shape = "start", False, 0, 0
    while made < steps:
        kind = SHAPES[shape % len(SHAPES)]
        shape += 1
        if kind == "linear":
            (step,) = names(1)
            add(pending, f"self.next(self.{step})", join=join)
            pending, join, made = step, False, made + 1
        elif kind == "branch":
            split, a, b, meet = names(4)
            add(pending, f"self.next(self.{split})", join=join)
            add(split, f"self.next(self.{a}, self.{b})")
            add(a, f"self.next(self.{meet})")
            add(b, f"self.next(self.{meet})")
            pending, join, made = meet, True, made + 4
        elif kind == "foreach":
            split, body, meet = names(3)
            add(pending, f"self.next(self.{split})", join=join)
            add(split, f'self.next(self.{body}, foreach="items")', body="self.items = [1, 2, 3]")
            add(body, f"self.next(self.{meet})")
            pending, join, made = meet, True, made + 3
        elif kind == "nested foreach":
            outer, inner, body, inner_join, outer_join = names(5)
            add(pending, f"self.next(self.{outer})", join=join)
            add(outer, f'self.next(self.{inner}, foreach="items")', body="self.items = [1, 2]")
            add(inner, f'self.next(self.{body}, foreach="parts")', body="self.parts = [3, 4]")
            add(body, f"self.next(self.{inner_join})")
            add(inner_join, f"self.next(self.{outer_join})", join=True)
            pending, join, made = outer_join, True, made + 5
        else:  # switch
            switch, a, b, meet = names(4)
            add(pending, f"self.next(self.{switch})", join=join)
            add(switch, f'self.next({{"a": self.{a}, "b": self.{b}}}, condition="mode")')
            add(a, f"self.next(self.{meet})")
            add(b, f"self.next(self.{meet})")
            pending, join, made = meet, False, made + 4
    add(pending, "self.next(self.end)", join=join)
    methods.append("    @step\n    def end(self):\n        pass\n")
    return ("from metaflow import FlowSpec, Parameter, step\n\nclass BenchFlow(FlowSpec):\n"
            '    mode = Parameter("mode", default="a")\n\n' + "\n".join(methods))


def chain_source(steps: int) -> str:
    """A linear chain: start, s0 ... s{steps-1}, end (for comparisons with hand-written chains)."""
    body = []
    for i in range(steps):
        nxt = f"s{i + 1}" if i + 1 < steps else "end"
        body.append(f"    @step\n    def s{i}(self):\n        self.x = {i}\n        self.next(self.{nxt})\n")
    return ("from metaflow import FlowSpec, step\n\nclass BenchFlow(FlowSpec):\n"
            "    @step\n    def start(self):\n        self.next(self.s0)\n\n" + "\n".join(body) +
            "\n    @step\n    def end(self):\n        pass\n")


def cpu(fn) -> float:
    started = time.process_time()
    fn()
    return time.process_time() - started


def best(fn, repeat: int) -> float:
    return min(cpu(fn) for _ in range(repeat))


def repeats(steps: int) -> int:
    return 5 if steps < 1000 else 2


def bench_options(target: str = "") -> EmitOptions:
    extra = {"job_queue": "flows"} if target == "stepfunctions" else {}  # options a target requires
    return EmitOptions(datastore="s3://bucket/flowc", python="python3", source_path="bench.py",
                       flow_from_output="../bench.py", regenerate="flowc compile bench.py", image="img:1",
                       extra=extra)


def main() -> None:
    from flowc.backends import airflow, argo, kubeflow, stepfunctions

    backends = {"airflow": airflow.BACKEND, "argo": argo.BACKEND, "kubeflow": kubeflow.BACKEND,
                "stepfunctions": stepfunctions.BACKEND}
    print(f"{'steps':>6} {'parse+analyse':>14} " + " ".join(f"{n + ' emit':>13} {n + ' B/step':>13}"
                                                             for n in backends))
    for steps in SIZES:
        source = flow_source(steps)
        repeat = repeats(steps)
        baseline = best(lambda: compile_source(source, "bench.py"), repeat)
        plan = build_plan(compile_source(source, "bench.py").graph)
        cells = []
        for name, backend in backends.items():
            options = bench_options(name)
            files = {}

            def emit():
                files.update(backend.emit(plan, options, Problems()))

            elapsed = best(emit, repeat)
            size = sum(len(text.encode()) for text in files.values())
            per_step = f"{size / (steps + 2):>10.0f} B" if files else "  over limit"
            cells.append(f"{elapsed * 1000:>10.1f} ms {per_step}")
        print(f"{steps:>6} {baseline * 1000:>11.1f} ms " + " ".join(cells))
    print("\nArgo's own limit of 200 templates per workflow makes the 1000-step Argo row a measurement only:"
          "\n`flowc compile --target argo` reports such a flow as an error.")
    print("Metaflow's `argo-workflows create --only-json` needs a Kubernetes/Argo configuration and S3 to run;"
          "\nfield notes measured ~8 KB of YAML per step for it; its `step-functions create --only-json` ~5.6 KB per"
          "\nstep (it needs AWS Batch, DynamoDB and S3 to run at all, so it is not run here).")
    kubeflow_vs_kfp_sdk(kubeflow.BACKEND)


def kubeflow_vs_kfp_sdk(backend) -> None:
    """flowc (source -> plan -> PipelineSpec YAML) against kfp.dsl + kfp.compiler for the same linear pipeline,
    alternating A and B; kfp's CPU time is its own process's, measured inside it."""
    sys.path.insert(0, str(REPO / "tests"))
    from support.venvs import cached_venv

    python = cached_venv("kfp-2.17.0", KFP, REPO / "tests" / "support" / "locks" / "kfp-2.17.0.txt")  # the tests' venv
    child = subprocess.Popen([str(python), str(REPO / "bench" / "kfp_pipeline.py")], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)

    def kfp_build(steps: int) -> dict:
        child.stdin.write(f"{steps}\n")
        child.stdin.flush()
        return json.loads(child.stdout.readline())

    def flowc_build(source: str) -> dict:
        return backend.emit(build_plan(compile_source(source, "bench.py").graph), bench_options(), Problems())

    def flowc_emit(plan) -> dict:
        return backend.emit(plan, bench_options(), Problems())

    print("\nKubeflow: flowc (source to YAML, CPU) vs the same linear pipeline through kfp.dsl + kfp.compiler"
          " (CPU of the kfp process), alternated")
    print(f"{'steps':>6} {'flowc':>11} {'kfp sdk':>11} {'kfp/flowc':>10} {'flowc emit':>11} {'kfp/emit':>9}"
          f" {'flowc B/step':>13} {'kfp B/step':>11}")
    try:
        kfp_build(2)  # the first build warms up kfp's lazy imports
        for steps in SIZES:
            source = chain_source(steps)
            plan = build_plan(compile_source(source, "bench.py").graph)
            ours, emits, theirs, size = [], [], [], 0
            for _ in range(repeats(steps)):
                ours.append(cpu(lambda: flowc_build(source)))
                emits.append(cpu(lambda: flowc_emit(plan)))
                result = kfp_build(steps)
                theirs.append(result["cpu"])
                size = result["bytes"]
            files = flowc_build(source)
            own = sum(len(text.encode()) for text in files.values())
            a, e, b = min(ours), min(emits), min(theirs)
            print(f"{steps:>6} {a * 1000:>8.1f} ms {b * 1000:>8.1f} ms {b / a:>9.1f}x {e * 1000:>8.1f} ms"
                  f" {b / e:>8.1f}x {own / (steps + 2):>11.0f} B {size / (steps + 2):>9.0f} B")
    finally:
        child.stdin.close()
        child.wait()


if __name__ == "__main__":
    sys.exit(main())
