"""Per-task overhead of `flowc run` against Metaflow's local `run`, measured side by side.

Two flows whose steps do nothing, generated in a temporary directory: a 10-step linear chain and a
50-way foreach (start + 50 bodies + join + end = 53 tasks). Each is run with real Metaflow (2.19.39, from
the tests' cached venv, built on first use) and with `flowc run`, both with the
same number of workers. Overhead per task = wall time of the whole run / number of tasks.

    python bench/run_overhead.py [--repeat 3] [--workers N] [--installed]

By default flowc runs from this interpreter (the dev venv: an editable install, whose import hook costs
every task process ~10 ms). --installed measures flowc as users get it: a wheel built from this checkout,
installed into a cached venv, `flowc-bench-venv` (rebuilt on every call; its dependencies are cached).

Prints both numbers and the ratio (Metaflow / flowc) per flow; the median of the repeats is used.
Not part of CI's pass/fail.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

LINEAR_STEPS = 10
FOREACH_WIDTH = 50


def linear_flow() -> str:
    names = ["start"] + [f"s{i}" for i in range(1, LINEAR_STEPS - 1)] + ["end"]
    lines = ["from metaflow import FlowSpec, step", "", "", "class LinearBench(FlowSpec):"]
    for name, following in zip(names, names[1:] + [None]):
        lines += ["    @step", f"    def {name}(self):"]
        lines.append(f"        self.next(self.{following})" if following else "        pass")
        lines.append("")
    lines += ["", 'if __name__ == "__main__":', "    LinearBench()", ""]
    return "\n".join(lines)


def foreach_flow() -> str:
    return f'''from metaflow import FlowSpec, step


class ForeachBench(FlowSpec):
    @step
    def start(self):
        self.items = list(range({FOREACH_WIDTH}))
        self.next(self.body, foreach="items")

    @step
    def body(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ForeachBench()
'''


FLOWS = {"linear10": (linear_flow, LINEAR_STEPS), "foreach50": (foreach_flow, FOREACH_WIDTH + 3)}


def installed_flowc() -> str:
    """A venv with flowc installed from a wheel of this checkout (not editable)."""
    from support.venvs import cached_venv

    python = str(cached_venv("flowc-bench-venv", ["pydantic>=2.6", "wheel"]))
    with tempfile.TemporaryDirectory() as wheels:
        _pip(python, "wheel", "--quiet", "--no-deps", "-w", wheels, str(REPO))
        _pip(python, "install", "--quiet", "--no-deps", "--force-reinstall", *map(str, Path(wheels).glob("*.whl")))
    return python


def _pip(python: str, *args: str) -> None:
    done = subprocess.run([python, "-m", "pip", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"pip {' '.join(args)} failed:\n{done.stderr[-3000:]}")


def timed(argv: list[str], cwd: Path, env: dict) -> float:
    started = time.perf_counter()
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--installed", action="store_true", help="measure a wheel install, not the dev venv")
    args = parser.parse_args()

    from support.venvs import metaflow_venv

    metaflow_python = str(metaflow_venv())
    flowc_python = installed_flowc() if args.installed else sys.executable
    flowc = [flowc_python, "-m", "flowc.compiler.cli"]
    work = Path(tempfile.mkdtemp(prefix="flowc-bench-"))
    try:
        env = dict(os.environ, HOME=str(work), USERNAME="bench", METAFLOW_DEFAULT_DATASTORE="local",
                   METAFLOW_DEFAULT_METADATA="local")
        kind = "installed wheel" if args.installed else "dev venv"
        print(f"per-task overhead, {args.workers} workers, median of {args.repeat} "
              f"(wall / tasks; steps do nothing; flowc from the {kind})")
        print(f"{'flow':<10} {'tasks':>5} {'metaflow':>12} {'flowc':>12} {'ratio':>7}")
        for name, (make, tasks) in FLOWS.items():
            path = work / f"{name}.py"
            path.write_text(make())
            mf, fc = [], []
            for i in range(args.repeat):
                mf.append(timed([metaflow_python, path.name, "--no-pylint", "run", "--max-workers",
                                 str(args.workers)], work, env))
                fc.append(timed(flowc + ["run", path.name, "--max-workers", str(args.workers),
                                         "--datastore", str(work / ".flowc"), "--run-id", f"{name}-{i}"],
                                work, env))
            mf_task, fc_task = statistics.median(mf) / tasks, statistics.median(fc) / tasks
            print(f"{name:<10} {tasks:>5} {mf_task * 1000:>9.1f} ms {fc_task * 1000:>9.1f} ms "
                  f"{mf_task / fc_task:>6.1f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
