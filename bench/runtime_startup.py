"""How long `python -m flowc.runtime --help` takes, next to `python -c pass` (the floor).

Every task of every run starts the runtime, so its start-up is paid once per task. Run:
    python bench/runtime_startup.py [--runs N]
Prints the median and best wall time of each command and the difference, the time of a whole
trivial task (start of a two-step flow, local datastore: import, records, one artifact, commit), and
the modules the runtime loads on top of a bare interpreter.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def timed(argv: list[str], runs: int, warm: bool = True) -> list[float]:
    if warm:  # and write the .pyc files
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=ENV)
        times.append(time.perf_counter() - start)
    return times


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
    timed([sys.executable, "-c", "pass"], 3)  # warm the page cache
    floor = timed([sys.executable, "-c", "pass"], args.runs)
    runtime = timed([sys.executable, "-m", "flowc.runtime", "--help"], args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        flow = Path(tmp) / "trivial.py"
        flow.write_text(TRIVIAL_FLOW)
        sha = hashlib.sha256(flow.read_bytes()).hexdigest()
        task = []
        for n in range(-1, args.runs):  # run -1 warms up
            times = timed([sys.executable, "-m", "flowc.runtime", "task", str(flow), "start", "--run-id", f"r{n}",
                           "--index", "", "--attempt", "0", "--datastore", str(Path(tmp) / "ds"),
                           "--source-sha256", sha, "--inputs", ""], 1, warm=False)
            task += times if n >= 0 else []
    for name, times in (("python -c pass", floor), ("python -m flowc.runtime --help", runtime),
                        ("a trivial task (local datastore)", task)):
        print(f"{name:34s} median {statistics.median(times) * 1000:6.1f} ms   best {min(times) * 1000:6.1f} ms")
    print(f"{'runtime start-up cost':34s} median {(statistics.median(runtime) - statistics.median(floor)) * 1000:6.1f} ms"
          f"   best {(min(runtime) - min(floor)) * 1000:6.1f} ms")
    print("modules loaded on top of a bare interpreter:", ", ".join(extra_modules()))
    print(f"load average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
