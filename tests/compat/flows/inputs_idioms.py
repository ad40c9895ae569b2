"""The ways joins read their inputs in real flows (by name, by position, comprehensions, sums, sorted by a
key), plus the flow-class habits around them: class-level constants and methods/properties used by steps,
module-level helpers, `del self.x` to drop an artifact, unicode artifact names and empty values."""
import math
import statistics
from collections import Counter, OrderedDict

from metaflow import FlowSpec, step


def normalise(values):
    total = sum(values)
    return [round(v / total, 4) for v in values]


class InputsIdiomsFlow(FlowSpec):
    """Scores a few shards and combines them every way a join can."""

    SHARDS = (3, 1, 4, 1, 5)
    LABEL = "idioms"

    @property
    def shard_count(self):
        return len(self.SHARDS)

    def weight(self, value):
        return value * 2 + 1

    @step
    def start(self):
        self.scratch = list(range(100))
        self.empty_text = ""
        self.empty_list = []
        self.größe = "groß"
        self.名前 = "名前の値"
        self.count = self.shard_count
        self.next(self.alpha, self.beta)

    @step
    def alpha(self):
        self.score = self.weight(1)
        self.tags = Counter("abca")
        self.temporary = "set, then deleted in the same step"
        del self.temporary
        try:
            del self.scratch  # inherited, not yet read in this step
            self.del_unread = "deleted"
        except AttributeError as error:
            self.del_unread = type(error).__name__
        self.next(self.pair)

    @step
    def beta(self):
        self.score = self.weight(2)
        self.tags = Counter("bcd")
        self.scratch_len = len(self.scratch)
        del self.scratch  # read first, then deleted
        self.next(self.pair)

    @step
    def pair(self, inputs):
        self.alpha_score = inputs.alpha.score
        self.beta_score = inputs.beta.score
        # a static join's input order follows Metaflow's hash seed: only name, sum or sort them
        self.total = sum(i.score for i in inputs)
        self.n_inputs = len(list(inputs))
        self.tag_union = sorted((inputs.alpha.tags + inputs.beta.tags).items())
        self.scratch_seen = [hasattr(i, "scratch") for i in inputs]
        self.temporary_seen = [hasattr(i, "temporary") for i in inputs]
        self.merge_artifacts(inputs, exclude=["score", "tags", "scratch", "del_unread", "scratch_len"])
        self.next(self.fan)

    @step
    def fan(self):
        self.shards = list(self.SHARDS)
        self.next(self.shard, foreach="shards")

    @step
    def shard(self):
        self.value = self.input
        self.root = math.sqrt(self.input)
        self.next(self.combine)

    @step
    def combine(self, inputs):
        self.values = [inp.value for inp in inputs]
        self.first_value = inputs[0].value  # a foreach join's inputs are in foreach order
        self.biggest = max(inputs, key=lambda i: i.value).value
        self.ordered = OrderedDict((str(i.index), i.value) for i in inputs)
        self.median = statistics.median(self.values)
        self.shares = normalise(self.values)
        self.roots = [round(inp.root, 6) for inp in sorted(inputs, key=lambda i: i.value)]
        self.merge_artifacts(inputs, include=["total", "größe", "名前", "empty_text", "empty_list", "count"])
        self.next(self.end)

    @step
    def end(self):
        self.label = self.LABEL
        self.has_scratch = hasattr(self, "scratch")
        self.root_count = len(self.roots)
        del self.roots  # read, then dropped: not an artifact of end
        self.result = (self.total, self.biggest, self.median, self.größe, self.名前, self.empty_text)


if __name__ == "__main__":
    InputsIdiomsFlow()
