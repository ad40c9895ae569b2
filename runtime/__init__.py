"""flowc.runtime: what flows import, what runs inside every task, and the client that reads results.

User API (Metaflow's names and semantics)::

    from flowc.runtime import (FlowSpec, step, Parameter, IncludeFile, JSONType, current,
                               retry, catch, timeout, resources, environment, kubernetes, batch,
                               secrets, schedule, project, card)
    from flowc.runtime.cards import Markdown, Table, Image, Artifact, ProgressBar, VegaChart   # @card's components
    from flowc.runtime import Flow, Run            # the client: Run("MyFlow/run-1")["end"].task.data.x

Flows written for Metaflow (`from metaflow import FlowSpec, step, ...`) run unchanged without Metaflow:
when the task command imports a flow, it appends a finder to the END of sys.meta_path that answers
`import metaflow` with a module holding the names above. Because it comes last, an installed Metaflow
always wins; if the flow then turns out to subclass the real Metaflow's FlowSpec, the task exits 2
and says to uninstall metaflow from the task image or to import from flowc.runtime instead. To get
the same `metaflow` name elsewhere (a notebook, a test), call `flowc.runtime.install_metaflow_shim()`.

The task command, `python -m flowc.runtime task FLOW_FILE STEP --run-id ... --index ... --attempt ...
--datastore ... --source-sha256 ... --inputs ...`, is described in flowc.runtime.task; the datastore
layout and records in flowc.runtime.datastore; the client in flowc.runtime.client.

The runtime uses the standard library only (boto3 for s3:// datastores). Names are imported lazily,
so `python -m flowc.runtime --help` loads almost nothing.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "FlowSpec": "flowspec",
    "step": "decorators",
    "Parameter": "parameters",
    "IncludeFile": "parameters",
    "JSONType": "parameters",
    "current": "context",
    "retry": "decorators",
    "catch": "decorators",
    "timeout": "decorators",
    "resources": "decorators",
    "environment": "decorators",
    "kubernetes": "decorators",
    "batch": "decorators",
    "secrets": "decorators",
    "schedule": "decorators",
    "project": "decorators",
    "Config": "configs",
    "ConfigValue": "configs",
    "config_expr": "configs",
    "yaml_parser": "configs",
    "card": "decorators",
    "pypi": "decorators",
    "conda": "decorators",
    "pypi_base": "decorators",
    "conda_base": "decorators",
    "Flow": "client",
    "Run": "client",
    "Step": "client",
    "Task": "client",
    "DataArtifact": "client",
    "Metaflow": "client",
    "namespace": "client",
    "get_namespace": "client",
    "default_namespace": "client",
    "metadata": "metadata_provider",
    "get_metadata": "metadata_provider",
    "default_metadata": "metadata_provider",
    "parallel_map": "multicore",
    "parallel_imap_unordered": "multicore",
    "profile": "profiling",
    "CaughtException": "errors",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'flowc.runtime' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list:
    return sorted(list(globals()) + __all__)


def install_metaflow_shim() -> None:
    """Make `import metaflow` give flowc's API when the real Metaflow is not installed."""
    from .shim import install

    install()
