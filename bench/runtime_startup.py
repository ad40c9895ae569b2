"""How long `python -m flowc.runtime --help` takes, next to `python -c pass` (the floor).

Every task of every run starts the runtime, so its start-up is paid once per task. Run:
    python bench/runtime_startup.py [--runs N]
The three commands run interleaved (floor, runtime, task, floor, ...) and each is measured as the CPU
time (user + sys) of its child process (bench/measure.py), so a loaded machine slows all three alike and
barely moves the numbers. Prints the median and best of each, the runtime's cost over the floor, the
CPU of a whole trivial task (start of a two-step flow, local datastore: import, records, one artifact,
commit), and the modules the runtime loads on top of a bare interpreter.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import child_cpu, interleaved, line, load, median  # noqa: E402

TRIVIAL_FLOW = """\
from flowc.runtime import FlowSpec, step


class TrivialFlow(FlowSpec):
    @step
    def start(self):
        self.x = 1
        self.next(self.end)

    @step
    def end(self):
        pass
"""


# Installed packages have compiled bytecode; measure that, not compiling every module on every start.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def extra_modules() -> list[str]:
    probe = "import sys; print('\\n'.join(sorted(sys.modules)))"
    bare = set(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout.split())
    code = ("import sys, runpy; sys.argv = ['flowc.runtime', '--help']\n"
            "try:\n    runpy.run_module('flowc.runtime', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stderr.split())
    return sorted(loaded - bare - {"runpy", "pkgutil"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    floor = [sys.executable, "-c", "pass"]
    runtime = [sys.executable, "-m", "flowc.runtime", "--help"]
    with tempfile.TemporaryDirectory() as tmp:
        flow = Path(tmp) / "trivial.py"
        flow.write_text(TRIVIAL_FLOW)
        sha = hashlib.sha256(flow.read_bytes()).hexdigest()
        run_ids = itertools.count()

        def task() -> float:
            return child_cpu([sys.executable, "-m", "flowc.runtime", "task", str(flow), "start",
                              "--run-id", f"r{next(run_ids)}", "--index", "", "--attempt", "0",
                              "--datastore", str(Path(tmp) / "ds"), "--source-sha256", sha, "--inputs", ""], env=ENV)

        times = interleaved({"python -c pass": lambda: child_cpu(floor, env=ENV),
                             "python -m flowc.runtime --help": lambda: child_cpu(runtime, env=ENV),
                             "a trivial task (local datastore)": task}, args.runs, warm=2)
    print(f"CPU time (user+sys) of each child, {args.runs} interleaved rounds; {load()}")
    for name, measured in times.items():
        print(line(name, measured, 34))
    floor_t, runtime_t = times["python -c pass"], times["python -m flowc.runtime --help"]
    print(f"{'runtime start-up cost':34s} median {(median(runtime_t) - median(floor_t)) * 1000:8.1f} ms"
          f"   best {(min(runtime_t) - min(floor_t)) * 1000:8.1f} ms")
    print("modules loaded on top of a bare interpreter:", ", ".join(extra_modules()))


if __name__ == "__main__":
    main()
