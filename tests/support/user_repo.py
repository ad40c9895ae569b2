"""A sample user repository, as a team that keeps flows and generated workflows together would lay it out:
flows under flows/ (one in a sub-folder), two targets with their own output folders, options in pyproject.toml,
per-flow overrides. Tests build it in tmp_path, never on flowc's own tree."""

from __future__ import annotations

import shutil
from pathlib import Path

from support.flows import REPO

PYPROJECT = '''\
[project]
name = "team-flows"
version = "0"

[tool.flowc]
flows = ["flows/**/*.py"]
targets = ["airflow", "argo"]
datastore = "s3://team-bucket/flowc"

[tool.flowc.airflow]
output-dir = "dags"

[tool.flowc.argo]
output-dir = "argo"
image = "registry.example/team:1"

[[tool.flowc.overrides]]          # the hello flow keeps its artifacts elsewhere, on every target
flows = ["flows/hello.py"]
datastore = "s3://hello-bucket/flowc"

[[tool.flowc.overrides]]          # ... and has a DAG id of its own on Airflow
flows = ["flows/hello.py"]
[tool.flowc.overrides.airflow]
dag-id = "hello_dag"
'''

FLOWS = {"hello.py": "hello.py", "foreach.py": "foreach.py", "pipelines/branching.py": "branching.py"}

# What `flowc compile` writes for that project: folder -> file names.
OUTPUTS = {
    "dags": ["BranchFlow.py", "ForeachFlow.py", "hello_dag.py"],
    "argo": ["branch-flow.yaml", "foreach-flow.yaml", "hello-flow.yaml"],
}


def make_user_repo(root: Path, pyproject: str = PYPROJECT) -> Path:
    """Write the sample repository into `root` (created if needed); `root`."""
    for relative, example in FLOWS.items():
        path = root / "flows" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "examples" / example, path)
    (root / "pyproject.toml").write_text(pyproject)
    return root


def outputs(root: Path) -> dict[str, list[str]]:
    """The output folders' file names, as OUTPUTS spells them."""
    return {folder: sorted(p.name for p in (root / folder).iterdir()) for folder in OUTPUTS if (root / folder).is_dir()}
