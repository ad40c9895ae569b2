# expect: FLC031@11:9, FLC031@15:9
from metaflow import FlowSpec, step


class NamesFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.Train)

    @step
    def Train(self):
        self.next(self._score)

    @step
    def _score(self):
        self.next(self.end)

    @step
    def end(self):
        pass
