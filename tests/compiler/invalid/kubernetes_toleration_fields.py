# expect: FLC303@7:29, FLC303@12:29
from metaflow import FlowSpec, kubernetes, step


class TolerationFlow(FlowSpec):
    @step
    @kubernetes(tolerations=[{"key": "gpu", "operator": "Exists", "tolerance": "x"}])
    def start(self):
        self.next(self.end)

    @step
    @kubernetes(tolerations=[{"key": "gpu", "effect": "Sometimes"}])
    def end(self):
        pass
