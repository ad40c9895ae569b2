"""Runs INSIDE the kfp virtualenv (bench/targets.py starts it): builds a linear pipeline of container components
through `kfp.dsl` and compiles it with `kfp.compiler.Compiler().compile`, the way a user writing the pipeline
by hand would, with the same task command per step that flowc emits.

Protocol: one step count per line on stdin; one JSON line back per count: {"cpu": seconds of this process's
CPU time spent building + compiling, "bytes": size of the YAML}. kfp is imported once, before the first count.
No `from __future__ import annotations` here: kfp reads the component functions' annotations as types.
"""

import json
import os
import sys
import tempfile
import time

from kfp import compiler, dsl

SHA = "0" * 64  # a source digest, as flowc passes one


def step_component(step: str, inputs: str):
    """A container component named after the step, running the flowc task command."""

    def component(index: str):
        return dsl.ContainerSpec(
            image="img:1", command=["python3"],
            args=["-m", "flowc.runtime", "task", "bench.py", step, "--run-id", dsl.PIPELINE_JOB_ID_PLACEHOLDER,
                  "--index", index, "--attempt", "auto", "--datastore", "s3://bucket/flowc", "--source-sha256",
                  SHA, "--inputs", inputs])

    component.__name__ = step
    return dsl.container_component(component)


def build_and_compile(steps: int, path: str) -> None:
    names = ["start"] + [f"s{i}" for i in range(steps)] + ["end"]
    components = [step_component(name, names[i - 1] if i else "") for i, name in enumerate(names)]

    @dsl.pipeline(name="bench-flow")
    def pipeline():
        previous = None
        for component in components:
            task = component(index="").set_caching_options(False).set_display_name(component.name)
            if previous is not None:
                task.after(previous)
            previous = task

    compiler.Compiler().compile(pipeline, package_path=path)


def main() -> None:
    out = os.path.join(tempfile.mkdtemp(), "bench.yaml")
    for line in sys.stdin:
        started = time.process_time()
        build_and_compile(int(line), out)
        cpu = time.process_time() - started
        print(json.dumps({"cpu": cpu, "bytes": os.path.getsize(out)}), flush=True)


if __name__ == "__main__":
    main()
