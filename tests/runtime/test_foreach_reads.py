"""A foreach child reads only its own item and index: the bytes one child task reads through the storage layer
are the same for a 3-wide and a 3,000-wide split (its split's commit record lists no children; its item is
one line of the split's items file)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from flowc.runtime.datastore import TaskRef, open_datastore

from runtime_driver import FlowRun

FLOW = '''from metaflow import FlowSpec, Parameter, step


class WideFlow(FlowSpec):
    width = Parameter("width", type=int, default=3)

    @step
    def start(self):
        self.items = [f"item-{i:05d}" for i in range(self.width)]
        self.next(self.body, foreach="items")

    @step
    def body(self):
        self.seen = self.input
        self.next(self.join)

    @step
    def join(self, inputs):
        self.seen = [i.seen for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        pass
'''

# The task command in a process whose local storage counts the bytes it hands out.
COUNTING = '''import json, sys
from flowc.runtime import storage
from flowc.runtime.cli import main

read = {"bytes": 0}
local = storage.LocalStorage
read_bytes, read_range = local.read_bytes, local.read_range


def counted_bytes(self, key):
    data = read_bytes(self, key)
    read["bytes"] += len(data or b"")
    return data


def counted_range(self, key, start, length):
    data = read_range(self, key, start, length)
    read["bytes"] += len(data)
    return data


local.read_bytes, local.read_range = counted_bytes, counted_range
counter, argv = sys.argv[1], sys.argv[2:]
code = main(argv)
with open(counter, "w") as handle:
    json.dump(read, handle)
sys.exit(code)
'''


def child_reads(tmp_path: Path, width: int) -> int:
    flow = tmp_path / "wide.py"
    flow.write_text(FLOW)
    run = FlowRun(flow, datastore=str(tmp_path / f"store-{width}"), params={"width": width})
    assert run.run_task("start").returncode == 0
    argv = run.command("body", index="2")
    counter = tmp_path / f"read-{width}.json"
    done = subprocess.run([sys.executable, "-c", COUNTING, str(counter), *argv[3:]], capture_output=True,
                          text=True, env=run.env or None)
    assert done.returncode == 0, done.stderr
    child = open_datastore(run.datastore).read_done(TaskRef("WideFlow", run.run_id, "body", "2"))
    assert child is not None and child.foreach_stack[-1]["num_splits"] == width
    return json.loads(counter.read_text())["bytes"]


def test_a_foreach_childs_reads_do_not_grow_with_the_width(tmp_path):
    narrow, wide = child_reads(tmp_path, 3), child_reads(tmp_path, 3000)
    assert narrow > 0
    assert wide <= narrow + 16, (narrow, wide)  # a few digits more of num_splits, nothing per item
