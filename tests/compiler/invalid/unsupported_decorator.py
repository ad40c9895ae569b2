# expect: FLC301@6:2, FLC301@9:6, FLC301@10:6
import metaflow
from metaflow import FlowSpec, conda_base, pypi, step


@conda_base(python="3.11")
class CondaFlow(FlowSpec):
    @step
    @pypi
    @metaflow.frobnicate(level=2)
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
