"""How fast the frontend reads flows, against baselines measured in the same run.

    python bench/compile.py [--quick]

Generates flows of 10, 100 and 1000 steps (a repeating mix of linear steps, static branches and foreach
bodies), then, in this warm process, times what `flowc compile` does per flow (parse, analyse, plan, emit
Airflow, write the files) against the floor of any compiler (`ast.parse` of the same text and writing a
file), interleaved, as CPU time (bench/measure.py). Prints median and best of both and their ratio, the
parse and analyse parts, the growth from 100 to 1000 steps (linear is 10x), and the CPU of one
`flowc check` process against `python -c pass`. Printed, never asserted.
"""

from __future__ import annotations

import ast
import itertools
import sys
import tempfile
import time
from pathlib import Path

from flowc.compiler.analyse import analyse
from flowc.compiler.api import compile_source
from flowc.compiler.diagnostics import Diagnostics
from flowc.compiler.parse import parse_source
from flowc.compiler.source import SourceFile

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import child_cpu, cpu, interleaved, load, median  # noqa: E402

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


def main() -> None:
    from flowc.compiler.emit import EmitOptions, Problems
    from flowc.compiler.plan import build_plan
    from flowc.compiler.targets import builtin, load as load_target

    quick = "--quick" in sys.argv
    airflow = load_target(next(t for t in builtin() if t.name == "airflow"))
    options = EmitOptions(datastore="s3://bucket/flowc", python="python3", source_path="bench.py",
                          flow_from_output="../bench.py", regenerate="flowc compile bench.py")
    out = Path(tempfile.mkdtemp())

    def floor(text: str) -> None:  # the least any compiler does: read the text into a tree, write a file
        ast.parse(text)
        (out / "floor.py").write_text(text)

    def flowc(text: str) -> None:  # what `flowc compile` does per flow, in a warm process
        compiled = compile_source(text, "bench.py")
        for name, body in airflow.emit(build_plan(compiled.graph), options, Problems()).items():
            (out / name).write_text(body)

    print(f"CPU time in this warm process, interleaved (bench/measure.py); {load()}")
    print(f"{'steps':>6} {'ast.parse+write':>16} {'flowc compile':>14} {'ratio (median, best)':>22}"
          f" {'parse':>9} {'analyse':>9} {'us/step':>8}")
    results = {}
    for n, rounds in ((10, 30), (100, 10), (1000, 3 if quick else 5)):
        text = generate(n)
        steps = text.count("@step")
        compiled = compile_source(text, "bench.py")
        assert compiled.ok, [d.message for d in compiled.diagnostics][:3]
        times = interleaved({"floor": lambda: cpu(lambda: floor(text)), "flowc": lambda: cpu(lambda: flowc(text))},
                            rounds)
        parse, analysis = split_timing(text, rounds)
        results[n] = times["flowc"]
        a, b = times["flowc"], times["floor"]
        print(f"{steps:>6} {median(b) * 1e3:>13.2f} ms {median(a) * 1e3:>11.2f} ms {median(a) / median(b):>10.1f}x, "
              f"{min(a) / min(b):.1f}x {parse * 1e3:>7.2f}ms {analysis * 1e3:>7.2f}ms {median(a) / steps * 1e6:>8.0f}")
    print(f"growth 1000/100 steps: {median(results[1000]) / median(results[100]):.1f}x (linear: 10x)")
    flowc_bin = str(Path(sys.executable).with_name("flowc"))
    procs = interleaved({"check": lambda: child_cpu([flowc_bin, "check", "examples/foreach.py"], REPO, expect=None),
                         "bare": lambda: child_cpu([sys.executable, "-c", "pass"], REPO)}, 5)
    print(f"one process (child CPU): flowc check examples/foreach.py {median(procs['check']) * 1e3:.0f} ms, "
          f"python -c pass {median(procs['bare']) * 1e3:.0f} ms ({median(procs['check']) / median(procs['bare']):.0f}x)")


if __name__ == "__main__":
    main()
