"""The hostile-string corpus in every field of a flow and every string option, compiled for Kubeflow: each
value is refused at compile time, or arrives unchanged in the pipeline and platform specs, which kfp itself
parses and loads (one kfp process for every value class; see tests/support/hostile_fields.py)."""

from __future__ import annotations

import io
import warnings

from ruamel.yaml import YAML
from support.hostile_fields import FILE_NAME, VALUES, compile_hostile, missing

# No effect on Kubeflow: @batch, @schedule (kept on the server), a step's namespace and service account (a run's
# settings), @project, a step's docstring; an @environment value holding "{{" is set by the runtime instead.
NOT_IN_OUTPUT = {"batch queue", "cron", "timezone", "namespace", "service account", "project name",
                 "step docstring"}


def yaml12(text: str) -> list:
    reader = YAML(typ="safe", pure=True)
    reader.version = (1, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return list(reader.load_all(io.StringIO(text)))


def test_hostile_values_arrive_unchanged_or_are_refused(kfp_driver, tmp_path):
    outcomes = {name: compile_hostile(tmp_path / name, "kubeflow", name) for name in VALUES}
    paths = {name: next(outcome.folder.glob("*.yaml")) for name, outcome in outcomes.items()}
    checks = kfp_driver(check=list(paths.values()))["checks"]
    for name, outcome in outcomes.items():
        assert checks[str(paths[name])] == [], name
        documents = yaml12(paths[name].read_text(encoding="utf-8"))
        not_in_output = NOT_IN_OUTPUT | ({"environment value"} if "{{" in VALUES[name] else set())
        if "--flow-path" in outcome.expected:  # tasks find the flow there; the file's own name is not used
            not_in_output |= {FILE_NAME}
        assert missing(outcome, documents, not_in_output) == [], (name, outcome.refused)
