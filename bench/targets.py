"""Compile time and emitted size per step, Airflow, Argo and Kubeflow side by side, for 10/100/1000-step flows.

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


def flow_source(steps: int) -> str:
    """A linear chain: start, s0 ... s{steps-1}, end."""
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
            source = flow_source(steps)
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
