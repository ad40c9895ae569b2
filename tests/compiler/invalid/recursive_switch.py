# expect: FLC110@12:9
from metaflow import FlowSpec, step


class RetryLoopFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.poll)

    @step
    def poll(self):
        self.next({"again": self.poll, "done": self.end}, condition="status")

    @step
    def end(self):
        pass
