# expect: FLC003@17:7
from metaflow import FlowSpec, step


class BaseFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)


class FirstFlow(BaseFlow):
    @step
    def end(self):
        pass


class SecondFlow(BaseFlow):
    @step
    def end(self):
        print("second")
