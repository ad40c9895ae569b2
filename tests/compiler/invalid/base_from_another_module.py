# expect: FLC070@7:28
import os
from metaflow import FlowSpec, step
from company.flows import CommonSteps


class ReportFlow(FlowSpec, CommonSteps, os.PathLike):
    @step
    def start(self):
        self.next(self.prepare)

    @step
    def end(self):
        pass
