"""A foreach with a two-step body: each item is cleaned, then scored; the join collects them."""
from metaflow import FlowSpec, JSONType, Parameter, step


class ForeachFlow(FlowSpec):
    """Score every word of a list in parallel."""

    words = Parameter("words", type=JSONType, default='["apple", "kiwi", "banana"]',
                      help="the words to score, as a JSON list")
    bonus = Parameter("bonus", default=1, help="points added to every score")

    @step
    def start(self):
        self.items = list(self.words)
        self.next(self.clean, foreach="items")

    @step
    def clean(self):
        self.word = self.input.strip().lower()
        self.next(self.score)

    @step
    def score(self):
        self.points = len(self.word) + self.bonus
        self.next(self.join)

    @step
    def join(self, inputs):
        self.scores = {i.word: i.points for i in inputs}
        self.order = [i.word for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        print(self.scores)


if __name__ == "__main__":
    ForeachFlow()
