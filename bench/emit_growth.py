"""How every target's emit time grows with the size of a foreach body (the shape whose Airflow grouping
used to be cubic), against parse+analyse+plan of the same flow, measured in the same run.

    python bench/emit_growth.py

For bodies of 100, 400 and 1000 steps: CPU time (best of N, `time.process_time`) of parse+analyse+plan and
of each target's emit, interleaved; the ratio emit / (parse+analyse+plan), and growth from 100 to 1000
steps (linear is 10x). Objects left from earlier rows are frozen out of the garbage collector first
(`gc.freeze`): a real compile holds one flow, and their rescans would be charged to the larger rows. Limits a target enforces (Argo's 200 templates, ...) are reported as problems, not
skipped: the emit still runs to that point and is timed. Printed, never asserted.
"""

from __future__ import annotations

import gc
import os
import sys
import time

from flowc.compiler import targets
from flowc.compiler.api import compile_source
from flowc.compiler.emit import EmitOptions, Problems
from flowc.compiler.plan import build_plan

BODIES = (100, 400, 1000)
EXTRA = {"stepfunctions": {"job_queue": "flows"}}  # options a target requires


def flow_source(body: int) -> str:
    """start -> foreach over a chain of `body` steps -> join -> end."""
    steps = [f"    @step\n    def b{i}(self):\n        self.x = {i}\n        self.next(self.{f'b{i + 1}' if i + 1 < body else 'join'})\n"
             for i in range(body)]
    return ("from metaflow import FlowSpec, step\n\nclass BodyFlow(FlowSpec):\n"
            "    @step\n    def start(self):\n        self.items = [1, 2]\n        self.next(self.b0, foreach='items')\n\n"
            + "\n".join(steps) +
            "\n    @step\n    def join(self, inputs):\n        self.next(self.end)\n\n"
            "    @step\n    def end(self):\n        pass\n")


def cpu(fn, repeat: int) -> float:
    gc.collect()
    gc.freeze()  # what earlier rows left behind is not this row's cost
    times = []
    for _ in range(repeat):
        started = time.process_time()
        fn()
        times.append(time.process_time() - started)
    gc.unfreeze()
    return min(times)


def main() -> None:
    backends = {t.name: targets.load(t) for t in targets.builtin()}
    print(f"load average {os.getloadavg()[0]:.1f}; CPU seconds, best of N\n")
    print(f"{'body':>5} {'parse+plan':>11} " + " ".join(f"{name:>22}" for name in backends))
    first: dict[str, float] = {}
    for body in BODIES:
        source = flow_source(body)
        repeat = 3 if body < 800 else 2
        plan = build_plan(compile_source(source, "bench.py").graph)
        rows = {"frontend": cpu(lambda: build_plan(compile_source(source, "bench.py").graph), repeat)}
        for name, backend in backends.items():  # interleaved with the baseline above, same process
            options = EmitOptions(datastore="s3://bucket/flowc", python="python3", source_path="bench.py",
                                  flow_from_output="../bench.py", regenerate="flowc compile bench.py",
                                  image="img:1", extra=EXTRA.get(name, {}))
            rows[name] = cpu(lambda: backend.emit(plan, options, Problems()), repeat)
        first = first or rows
        cells = [f"{rows[n] * 1000:>8.1f} ms ({rows[n] / rows['frontend']:.2f}x)" for n in backends]
        print(f"{body:>5} {rows['frontend'] * 1000:>8.1f} ms " + " ".join(f"{c:>22}" for c in cells))
        if body == BODIES[-1]:
            growth = " ".join(f"{n} {rows[n] / first[n]:.1f}x" for n in ["frontend", *backends])
            print(f"\ngrowth {BODIES[0]} -> {body} steps (linear: {body / BODIES[0]:.0f}x): {growth}")


if __name__ == "__main__":
    sys.exit(main())
