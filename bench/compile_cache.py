"""`flowc compile --check` on an unchanged repository of 50 flows, with a warm compile cache, against a
Python process that only reads and hashes the same 50 files: the floor every pre-commit run could reach.

    python bench/compile_cache.py [--rounds N]

Both commands run as child processes, interleaved (A, B, A, B, ...) so a busy machine slows both alike;
each is measured as CPU time (user + sys) of the child (resource.getrusage(RUSAGE_CHILDREN)). Prints the
median and best of each, their ratio, and one uncached `--check` for scale. Printed, never asserted.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compile import generate  # noqa: E402  (bench/compile.py: flows of a given size, every shape it makes)
from measure import child_cpu, interleaved  # noqa: E402

FLOWS = 50
COMPILE = [sys.executable, "-m", "flowc.compiler.cli", "compile", "-t", "argo", "--image", "flows:1", "-o", "out",
           "--datastore", "s3://bucket/flowc", "--check"]
HASH_FILES = ("import hashlib, sys\n"
              "for name in sys.argv[1:]:\n"
              "    with open(name, 'rb') as handle:\n"
              "        hashlib.sha256(handle.read()).hexdigest()\n")


def make_repository(root: Path) -> list[str]:
    """50 flow files of 10 to 59 steps, each its own class; their paths relative to `root`."""
    (root / "flows").mkdir()
    names = []
    for i in range(FLOWS):
        text = generate(10 + i).replace("class BenchFlow(", f"class Bench{i:02d}Flow(")
        (root / "flows" / f"flow_{i:02d}.py").write_text(text, encoding="utf-8")
        names.append(f"flows/flow_{i:02d}.py")
    return names


def main() -> None:
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 15
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        flows = make_repository(root)
        env = {**os.environ, "FLOWC_CACHE_DIR": str(root / "cache")}
        write = [arg for arg in COMPILE if arg != "--check"]
        uncached_write = child_cpu([*write, "--no-cache", *flows], root, env)
        uncached_check = child_cpu([*COMPILE, "--no-cache", *flows], root, env)
        child_cpu([*write, *flows], root, env)  # fills the cache
        times = interleaved({"cached": lambda: child_cpu([*COMPILE, *flows], root, env),
                             "hashed": lambda: child_cpu([sys.executable, "-c", HASH_FILES, *flows], root, env)},
                            rounds, warm=0)
        cached, hashed = times["cached"], times["hashed"]
    print(f"{FLOWS} flows, {rounds} interleaved rounds, CPU time (user+sys) of each child process; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  flowc compile --check, cached : median {statistics.median(cached) * 1e3:7.1f} ms, "
          f"best {min(cached) * 1e3:7.1f} ms")
    print(f"  python: read + sha256 50 files: median {statistics.median(hashed) * 1e3:7.1f} ms, "
          f"best {min(hashed) * 1e3:7.1f} ms")
    print(f"  ratio cached/hash: median {statistics.median(cached) / statistics.median(hashed):.2f}x, "
          f"best {min(cached) / min(hashed):.2f}x (goal: within 5x)")
    print(f"  for scale, once: uncached compile {uncached_write * 1e3:.0f} ms, uncached --check "
          f"{uncached_check * 1e3:.0f} ms ({uncached_check / statistics.median(cached):.0f}x the cached --check)")


if __name__ == "__main__":
    main()
