"""Debugging a failed run by resuming it, as Metaflow's docs describe: the join fails while a setting is
broken, the fix is made, and `resume` re-runs from the failure, reusing the foreach that succeeded."""
import os

from metaflow import FlowSpec, Parameter, Run, current, step


class DebugResumeFlow(FlowSpec):
    scale = Parameter("scale", default=10)

    @step
    def start(self):
        self.items = ["a", "b", "c"]
        self.next(self.process, foreach="items")

    @step
    def process(self):
        self.result = f"{self.input}x{self.scale}"
        self.next(self.join)

    @step
    def join(self, inputs):
        self.seen = sorted(i.result for i in inputs)  # kept by the failed attempt too, for the client
        if os.environ.get("COMPAT_BROKEN"):
            raise ValueError("cannot join while COMPAT_BROKEN is set")
        self.results = [i.result for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        self.resumed = current.origin_run_id is not None
        failed = Run(f"{current.flow_name}/{current.origin_run_id}")["join"].task  # the attempt that failed
        self.failure = (failed.successful, failed.finished, failed.exception.type, failed.exception.exception)
        self.summary = ",".join(self.results)


if __name__ == "__main__":
    DebugResumeFlow()
