# expect: FLC110@8:47
from metaflow import FlowSpec, step


class ShortcutFlow(FlowSpec):
    @step
    def start(self):
        self.next({"slow": self.work, "fast": self.finish}, condition="mode")

    @step
    def work(self):
        self.next(self.finish)

    @step
    def finish(self):
        self.next(self.end)

    @step
    def end(self):
        pass
