"""`current` read in every kind of step (linear, branch, foreach, join), the way flows log where they run.
Ids differ between systems: the flow records what it can compare (names, types, shapes of pathspecs)."""
# compat: differs where
import os

from metaflow import FlowSpec, current, step


def describe():
    """Facts about the running task that are the same on any system."""
    parts = current.pathspec.split("/")
    return {
        "flow": current.flow_name,
        "step": current.step_name,
        "pathspec_parts": len(parts),
        "pathspec_ok": parts == [current.flow_name, current.run_id, current.step_name, current.task_id],
        "ids_are_str": isinstance(current.run_id, str) and isinstance(current.task_id, str),
        "retry": current.retry_count,
        "origin": current.origin_run_id,
        "running": current.is_running_flow,
        "user": current.username,
    }


class CurrentEverywhereFlow(FlowSpec):
    """Records `current` in each step."""

    @step
    def start(self):
        self.facts = describe()
        self.where = current.pathspec
        self.next(self.left, self.right)

    @step
    def left(self):
        self.facts = describe()
        self.is_left = current.step_name == "left"
        self.next(self.meet)

    @step
    def right(self):
        self.facts = describe()
        self.items = ["x", "y"]
        self.next(self.each, foreach="items")

    @step
    def each(self):
        self.facts = dict(describe(), item=self.input, index=self.index)
        self.next(self.gather)

    @step
    def gather(self, inputs):
        self.gathered = sorted(i.facts["item"] for i in inputs)
        self.facts = describe()
        self.next(self.meet)

    @step
    def meet(self, inputs):
        self.facts = describe()
        self.branch_steps = sorted(i.facts["step"] for i in inputs)
        self.tempdir_exists = current.tempdir is None or os.path.isdir(current.tempdir)
        self.next(self.end)

    @step
    def end(self):
        self.facts = describe()


if __name__ == "__main__":
    CurrentEverywhereFlow()
