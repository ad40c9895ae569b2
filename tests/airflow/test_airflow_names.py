"""Airflow ids flowc adds (task groups, flatten tasks) share a namespace with steps: a clash is an error."""

from __future__ import annotations

from support.flows import flowc

CLASH = """from metaflow import FlowSpec, step

class ClashFlow(FlowSpec):
    @step
    def start(self):
        self.xs = [1, 2]
        self.next(self.work, foreach="xs")

    @step
    def work(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.foreach_start)

    @step
    def foreach_start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def test_a_step_named_like_a_task_group_is_a_compile_error(tmp_path):
    flow = tmp_path / "clash.py"
    flow.write_text(CLASH)
    done = flowc("compile", str(flow), "-t", "airflow", "-o", str(tmp_path / "dags"), "--datastore", "s3://b/p")
    assert done.returncode == 1
    assert "step `foreach_start` is named like the task group for the foreach body of `start`" in done.stderr
    assert "clash.py:18:9" in done.stderr and "help: rename step `foreach_start`" in done.stderr
    assert not (tmp_path / "dags").exists()
