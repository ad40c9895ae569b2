# expect: FLC017@8:19
from metaflow import FlowSpec, step


class OneCaseFlow(FlowSpec):
    @step
    def start(self):
        self.next({"only": self.end}, condition="choice")

    @step
    def end(self):
        pass
