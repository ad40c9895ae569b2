"""What a step sees of its flow object, as Metaflow documents FlowSpec: `self.input`/`self.index` outside a
foreach, `str(self)`, getattr/hasattr with defaults, helper methods (plain, static, class methods) on the flow
class, merge_artifacts raising on a conflict, and values of unusual built-in types."""
import fractions
import types
from collections import deque

from compat_lib import Point  # a class pickled in an artifact must be importable by the client too
from metaflow import FlowSpec, step
from metaflow.exception import MetaflowException


class FlowObjectFlow(FlowSpec):
    @staticmethod
    def double(value):
        return value * 2

    @classmethod
    def kind(cls):
        return cls.__name__.lower()

    def describe(self):
        return f"{self.kind()}:{self.double(21)}"

    @step
    def start(self):
        self.outside = (self.input, self.index)
        self.text = str(self)
        self.default = getattr(self, "never_set", "fallback")
        self.has = (hasattr(self, "never_set"), hasattr(self, "outside"))
        self.described = self.describe()
        self.values = {"big": 2 ** 100, "complex": 1 + 2j, "fraction": fractions.Fraction(3, 4),
                       "point": Point(1, 2), "deque": deque([1, 2]), "range": range(2, 8, 3),
                       "ns": types.SimpleNamespace(a=1), "bytes": bytearray(b"ab"), "frozen": frozenset({5})}
        self.next(self.left, self.right)

    @step
    def left(self):
        self.shared = "same"
        self.conflict = "left"
        self.text = str(self)
        self.next(self.meet)

    @step
    def right(self):
        self.shared = "same"
        self.conflict = "right"
        self.next(self.meet)

    @step
    def meet(self, inputs):
        try:
            self.merge_artifacts(inputs)
            self.conflict_error = None
        except MetaflowException as error:
            self.conflict_error = type(error).__name__
        self.conflict = sorted(i.conflict for i in inputs)
        self.merge_artifacts(inputs, exclude=["conflict", "text"])
        self.texts = sorted(str(i) for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        self.text = str(self)


if __name__ == "__main__":
    FlowObjectFlow()
