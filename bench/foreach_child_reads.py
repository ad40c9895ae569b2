"""What one foreach child reads of its split, and the CPU it costs, as the foreach gets wider.

    python bench/foreach_child_reads.py [--widths 100,30000] [--children 300]

For each width, a real split task (the runtime's task command, in a subprocess) commits a foreach of that
many items in a temporary local datastore; then, in this process, `--children` children (spread over the
width) resolve their inputs exactly as the task command does (flowc.runtime.wiring.resolve: the split's
commit record, the child's own item). Prints, per width, the bytes one child reads through the storage layer
and the CPU time (user+sys of this process, time.process_time) per child, and the whole-foreach CPU that implies (width x per
child). A child's reads should not grow with the width. Not part of CI's pass/fail.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from flowc.runtime import storage as storage_module
from flowc.runtime.datastore import TaskRef, open_datastore
from flowc.runtime.wiring import parse_wiring, resolve

FLOW = '''from metaflow import FlowSpec, Parameter, step


class WideFlow(FlowSpec):
    width = Parameter("width", type=int, default=10)

    @step
    def start(self):
        self.items = list(range(self.width))
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
'''


class Counted:
    """Count the bytes the local storage hands out (read_bytes and read_range)."""

    bytes = 0

    def __enter__(self):
        local = storage_module.LocalStorage
        self.saved = local.read_bytes, local.read_range

        def read_bytes(storage, key):
            data = self.saved[0](storage, key)
            Counted.bytes += len(data or b"")
            return data

        def read_range(storage, key, start, length):
            data = self.saved[1](storage, key, start, length)
            Counted.bytes += len(data)
            return data

        local.read_bytes, local.read_range = read_bytes, read_range
        return self

    def __exit__(self, *exc):
        storage_module.LocalStorage.read_bytes, storage_module.LocalStorage.read_range = self.saved


def commit_split(folder: Path, width: int) -> str:
    flow = folder / "wide.py"
    flow.write_text(FLOW)
    store = folder / "store"
    sha = hashlib.sha256(flow.read_bytes()).hexdigest()
    argv = [sys.executable, "-m", "flowc.runtime", "task", str(flow), "start", "--run-id", "r", "--index", "",
            "--attempt", "0", "--datastore", str(store), "--source-sha256", sha, "--inputs", "",
            "--params-json", f'{{"width": {width}}}', "--control-out", os.devnull]
    subprocess.run(argv, check=True, capture_output=True, text=True)
    return str(store)


def measure(width: int, children: int) -> tuple[int, float]:
    """(bytes read per child, CPU seconds per child)."""
    with tempfile.TemporaryDirectory() as tmp:
        datastore = open_datastore(commit_split(Path(tmp), width))
        wiring = parse_wiring("@start")
        positions = [i * width // children for i in range(children)]
        Counted.bytes = 0
        before = time.process_time()
        with Counted():
            for position in positions:
                resolve(datastore, TaskRef("WideFlow", "r", "body", str(position)), wiring)
        return Counted.bytes // children, (time.process_time() - before) / children


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", default="100,30000")
    parser.add_argument("--children", type=int, default=300)
    args = parser.parse_args()
    print(f"{'width':>8} {'bytes/child':>12} {'CPU ms/child':>13} {'CPU s, all children':>20}")
    for width in (int(w) for w in args.widths.split(",")):
        per_child, cpu = measure(width, min(args.children, width))
        print(f"{width:>8,} {per_child:>12,} {cpu * 1000:>13.3f} {cpu * width:>20.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
