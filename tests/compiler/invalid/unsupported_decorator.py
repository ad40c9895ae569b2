# expect: FLC301@6:2, FLC301@9:6, FLC301@10:6
import metaflow
from metaflow import FlowSpec, parallel, step, trigger


@trigger(event="data_ready")
class TriggeredFlow(FlowSpec):
    @step
    @parallel
    @metaflow.frobnicate(level=2)
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
