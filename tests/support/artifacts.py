"""Read a run's final artifacts through flowc's own client (what users would do)."""

from __future__ import annotations

from pathlib import Path


def final_artifacts(store: Path | str, flow: str, run_id: str) -> dict:
    """name -> value of every artifact of the run's `end` task."""
    from flowc.runtime import Run

    uri = store.as_uri() if isinstance(store, Path) else store
    task = Run(f"{flow}/{run_id}", datastore=uri)["end"].task
    assert task is not None and task.successful, f"{flow}/{run_id}: the end step did not commit"
    return {name: artifact.data for name, artifact in task.artifacts.items()}
