# expect: FLC303@5:2
from metaflow import FlowSpec, project, step


@project(branch="main")
class NoProjectNameFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
