"""How fast the frontend reads flows, against baselines measured in the same run.

    python bench/compile.py [--quick]

Generates flows of 10, 100 and 1000 steps (a repeating mix of linear steps, static branches and foreach
bodies), then, in this warm process, times parse+analyse (`compile_source`) against `ast.parse` of the
same text (best of N, CPU time). Prints the ratio, the growth from 100 to 1000 steps (linear is 10x),
and the wall time of one `flowc check` process against `python -c pass`, plus the machine's load
average (on a busy machine every number is worse). Printed, never asserted.
"""

from __future__ import annotations

import ast
import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

from flowc.compiler.analyse import analyse
from flowc.compiler.api import compile_source
from flowc.compiler.diagnostics import Diagnostics
from flowc.compiler.parse import parse_source
from flowc.compiler.source import SourceFile

REPO = Path(__file__).resolve().parent.parent
PATTERN = ("linear", "branch", "linear", "foreach")


def generate(n_steps: int, pattern: tuple[str, ...] = PATTERN) -> str:
    """A valid flow of about `n_steps` steps: start, a repeating `pattern` of segments (linear, branch,
    foreach with a two-step body, foreach1 with a one-step body, the one Metaflow's Airflow output takes), end."""
    counter = itertools.count(1)
    methods: list[str] = []

    def emit(name: str, transition: str, join: bool = False) -> None:
        args = "self, inputs" if join else "self"
        methods.append(f"    @step\n    def {name}({args}):\n        self.x_{name} = {len(methods)}\n"
                       f"        {transition}\n")

    pending, pending_join, total = "start", False, 2  # start and end
    for kind in itertools.cycle(pattern):
        if total >= n_steps:
            break
        names = [f"s{next(counter)}" for _ in range({"linear": 1, "foreach1": 3}.get(kind, 4))]
        emit(pending, f"self.next(self.{names[0]})", pending_join)
        if kind == "linear":
            pending, pending_join = names[0], False
        elif kind == "branch":
            split, a, b, join = names
            emit(split, f"self.next(self.{a}, self.{b})")
            emit(a, f"self.next(self.{join})")
            emit(b, f"self.next(self.{join})")
            pending, pending_join = join, True
        elif kind == "foreach1":
            split, body, join = names
            emit(split, f'self.next(self.{body}, foreach="items")')
            emit(body, f"self.next(self.{join})")
            pending, pending_join = join, True
        else:
            split, first, second, join = names
            emit(split, f'self.next(self.{first}, foreach="items")')
            emit(first, f"self.next(self.{second})")
            emit(second, f"self.next(self.{join})")
            pending, pending_join = join, True
        total += len(names)
    emit(pending, "self.next(self.end)", pending_join)
    methods.append("    @step\n    def end(self):\n        pass\n")
    return "from metaflow import FlowSpec, step\n\n\nclass BenchFlow(FlowSpec):\n" + "\n".join(methods)


def best_of(repeat: int, function, clock=time.process_time) -> float:
    """Best of `repeat` runs after a warm-up. In-process timings use this process's CPU time, so other
    jobs on a shared machine disturb them less than they disturb the wall clock."""
    function()
    best = float("inf")
    for _ in range(repeat):
        start = clock()
        function()
        best = min(best, clock() - start)
    return best


def split_timing(text: str, repeat: int) -> tuple[float, float]:
    """(parse, analyse) seconds, best of `repeat` each."""
    source = SourceFile("bench.py", text)
    parse = best_of(repeat, lambda: parse_source(source, Diagnostics(source)))
    flow = parse_source(source, Diagnostics(source))
    analysis = best_of(repeat, lambda: analyse(flow, Diagnostics(source)))
    return parse, analysis


def process_wall(argv: list[str], repeat: int = 5) -> float:
    return best_of(repeat, lambda: subprocess.run(argv, cwd=REPO, capture_output=True, check=False),
                   clock=time.perf_counter)


def main() -> None:
    quick = "--quick" in sys.argv
    print(f"{'steps':>6} {'lines':>6} {'ast.parse':>10} {'flowc':>10} {'ratio':>6} {'parse':>9} {'analyse':>9}"
          f" {'us/step':>8}")
    results = {}
    for n, repeat in ((10, 30), (100, 10), (1000, 3 if quick else 7)):
        text = generate(n)
        steps = text.count("@step")
        compiled = compile_source(text, "bench.py")
        assert compiled.ok, [d.message for d in compiled.diagnostics][:3]
        baseline = best_of(repeat, lambda: ast.parse(text))
        total = best_of(repeat, lambda: compile_source(text, "bench.py"))
        parse, analysis = split_timing(text, repeat)
        results[n] = total
        print(f"{steps:>6} {text.count(chr(10)):>6} {baseline * 1e3:>8.2f}ms {total * 1e3:>8.2f}ms "
              f"{total / baseline:>5.1f}x {parse * 1e3:>7.2f}ms {analysis * 1e3:>7.2f}ms {total / steps * 1e6:>8.0f}")
    print(f"growth 1000/100 steps: {results[1000] / results[100]:.1f}x (linear: 10x)")
    flowc = str(Path(sys.executable).with_name("flowc"))
    check = process_wall([flowc, "check", "examples/foreach.py"])
    bare = process_wall([sys.executable, "-c", "pass"])
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"one process: flowc check examples/foreach.py {check * 1e3:.0f}ms, python -c pass {bare * 1e3:.0f}ms "
          f"({check / bare:.0f}x)")


if __name__ == "__main__":
    main()
