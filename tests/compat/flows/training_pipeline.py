"""A training pipeline as users write one: a JSON hyperparameter grid, a foreach over the grid with a
nested foreach over folds, a join that picks the best by max(), merge_artifacts(include=...), and
artifacts of many types (a dataclass from a module beside the flow, one defined in the flow file used
only inside a step, dict, set, tuple, bytes, datetime, Decimal, None, a large list)."""
# compat: param grid={"lr": [0.1, 0.01], "depth": [2]}
# compat: param folds=2
import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal

from compat_lib import Score, mean
from metaflow import FlowSpec, JSONType, Parameter, step


@dataclass
class Candidate:
    lr: float
    depth: int

    @property
    def label(self):
        return f"lr={self.lr}/depth={self.depth}"


def fake_score(lr, depth, fold):
    """Deterministic stand-in for training: a value that depends on every input."""
    return round(1.0 - abs(lr - 0.05) * depth + fold * 0.01, 6)


class TrainingPipelineFlow(FlowSpec):
    grid = Parameter("grid", type=JSONType, default='{"lr": [0.1], "depth": [1]}', help="hyperparameter grid")
    folds = Parameter("folds", default=2, help="cross-validation folds")
    seed = Parameter("seed", default=42)

    @step
    def start(self):
        keys = sorted(self.grid)
        self.configs = [dict(zip(keys, values)) for values in itertools.product(*(self.grid[k] for k in keys))]
        self.created = datetime.datetime(2024, 5, 17, 12, 30, tzinfo=datetime.timezone.utc)
        self.budget = Decimal("12.50")
        self.raw = bytes(range(8))
        self.nothing = None
        self.feature_ids = frozenset({3, 1, 2})
        self.big = list(range(5000))
        self.dataset_version = ("v", 2, 1)
        self.next(self.train_config, foreach="configs")

    @step
    def train_config(self):
        self.config = self.input
        self.candidate_label = Candidate(**self.config).label
        self.fold_ids = list(range(self.folds))
        self.next(self.train_fold, foreach="fold_ids")

    @step
    def train_fold(self):
        lr, depth = self.config["lr"], self.config["depth"]
        self.score = Score(self.candidate_label, self.input, fake_score(lr, depth, self.input))
        self.next(self.join_folds)

    @step
    def join_folds(self, inputs):
        self.fold_scores = [inp.score for inp in inputs]
        self.mean_score = mean(s.value for s in self.fold_scores)
        # a join passes down only what it merges: the next join needs these too
        self.merge_artifacts(inputs, include=["config", "candidate_label", "created", "budget", "raw", "big",
                                              "dataset_version"])
        self.next(self.pick_best)

    @step
    def pick_best(self, inputs):
        best = max(inputs, key=lambda inp: inp.mean_score)
        self.best_label = best.candidate_label
        self.best_score = best.mean_score
        self.ranking = sorted(((inp.candidate_label, inp.mean_score) for inp in inputs), key=lambda r: -r[1])
        self.all_scores = sorted((s for inp in inputs for s in inp.fold_scores), key=lambda s: (s.config, s.fold))
        self.distinct_values = {s.value for s in self.all_scores}  # floats: a set whose order needs no hash seed
        self.merge_artifacts(inputs, include=["created", "budget", "raw", "big", "dataset_version"])
        self.next(self.end)

    @step
    def end(self):
        self.summary = {
            "best": self.best_label,
            "score": self.best_score,
            "trained": len(self.all_scores),
            "budget_left": str(self.budget - Decimal("0.25") * len(self.all_scores)),
            "when": self.created.isoformat(),
            "big_sum": sum(self.big),
            "seed": self.seed,
        }


if __name__ == "__main__":
    TrainingPipelineFlow()
