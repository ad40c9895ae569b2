# expect: FLC010@11:9
from metaflow import FlowSpec, step


class MissingNextFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train)

    @step
    def train(self):
        self.model = 1

    @step
    def end(self):
        pass
