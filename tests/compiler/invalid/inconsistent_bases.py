# expect: FLC072@21:7
from metaflow import FlowSpec, step


class StartSteps:
    @step
    def start(self):
        self.next(self.end)


class EndSteps(StartSteps):
    @step
    def end(self):
        pass


class BaseFlow(FlowSpec):
    pass


class BadFlow(BaseFlow, StartSteps, EndSteps):
    pass
