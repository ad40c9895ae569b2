"""What flowc's stand-in `metaflow` package offers: one table, read by the shim (flowc.runtime.shim) when a
flow imports it and by the compiler (`flowc check`, FLC040) before anything runs, so a flow that checks
clean never fails on a `metaflow` name at run time.

Each row maps a Metaflow module to the flowc.runtime module that implements it. A row offers:
- the names flowc.runtime exports (its `_EXPORTS` table) from that module; the `metaflow` row offers all
  of them, so a name added to flowc.runtime's exports is offered as `metaflow.NAME` too;
- the row's own `names`, attributes of its module (or flowc.runtime exports from another one);
- its submodules (`metaflow.exception` is also `metaflow` attribute `exception`).
`missing` lists Metaflow names a flow may import that flowc does not offer, with what to do instead (the
shim's ImportError and the compiler's help: line say it). A name in neither is simply unknown.

Adding a module is one row, e.g. `"metaflow.cards": Row("cards", ("Markdown", "Table", ...), {...})`.
Standard library only, and of the runtime only `exception` (whose `__all__` is the row of `metaflow.exception`)
and the `errors` it builds on: the compiler imports this module.
"""

from __future__ import annotations

from collections import namedtuple

from . import exception

SHIM_ROOT = "metaflow"
# Module attributes every shim module has (Python's own, and __version__: flowc's version).
DUNDERS = frozenset({"__name__", "__doc__", "__spec__", "__loader__", "__package__", "__path__", "__all__",
                     "__dict__", "__class__", "__version__"})


class Row(namedtuple("Row", "source names missing", defaults=((), {}))):
    """source: the flowc.runtime submodule implementing it ("" for flowc.runtime itself); names: names offered
    besides flowc.runtime's exports from `source`; missing: Metaflow names not offered -> what to do instead.
    (A namedtuple, not typing's: tasks import this module, and typing costs ~15 ms.)"""

    __slots__ = ()


_SENSORS = "Airflow sensors are not supported: trigger the DAG from your own sensor"

MODULES: dict[str, Row] = {
    "metaflow": Row("", (), {
        "S3": "flowc has no S3 client: use boto3 in the step",
        "Runner": "run flows with `flowc run FLOW_FILE` (from Python: subprocess)",
        "NBRunner": "run flows with `flowc run FLOW_FILE` (from Python: subprocess)",
        "Deployer": "deploy with `flowc compile` and your scheduler's own tools",
        "NBDeployer": "deploy with `flowc compile` and your scheduler's own tools",
        "DeployedFlow": "deploy with `flowc compile` and your scheduler's own tools",
        "FlowMutator": "flowc reads a flow's decorators without running it: mutators are not supported",
        "StepMutator": "flowc reads a flow's decorators without running it: mutators are not supported",
        "UserStepDecorator": "use a plain Python decorator on the step instead",
        "user_step_decorator": "use a plain Python decorator on the step instead",
        "USER_SKIP_STEP": "steps cannot be skipped by a decorator under flowc",
        "parallel": "flowc does not run @parallel (gang-scheduled) steps: use a foreach",
        "trigger": "event triggers are not supported: trigger the deployed workflow from your scheduler",
        "trigger_on_finish": "flow-to-flow triggers are not supported: trigger the deployed workflow yourself",
        "exit_hook": "exit hooks are not supported",
        "airflow_external_task_sensor": _SENSORS,
        "airflow_s3_key_sensor": _SENSORS,
    }),
    "metaflow.client": Row("client", ("metadata", "get_metadata", "default_metadata")),
    "metaflow.exception": Row("exception", tuple(exception.__all__), {
        "METAFLOW_EXIT_DISALLOW_RETRY": "flowc retries every failed attempt that @retry allows; raise an exception "
                                        "to fail the step",
        "METAFLOW_EXIT_ALLOW_RETRY": "flowc retries every failed attempt that @retry allows; raise an exception "
                                     "to fail the step",
    }),
    "metaflow.metaflow_current": Row("context", ("Current",), {
        "Parallel": "flowc does not run @parallel (gang-scheduled) steps: use a foreach",
    }),
    "metaflow.flowspec": Row("flowspec"),
    "metaflow.parameters": Row("parameters"),
    "metaflow.includefile": Row("parameters"),
    "metaflow.cards": Row("cards", ("Markdown", "Table", "Image", "Artifact", "ProgressBar", "VegaChart", "Error",
                                    "MetaflowCardComponent", "get_cards"), {
        **dict.fromkeys(("EventsTimeline", "JSONViewer", "PythonCode", "ValueBox", "YAMLViewer"),
                        "flowc's cards have the components Markdown, Table, Image, Artifact, ProgressBar, "
                        "VegaChart and Error"),
        **dict.fromkeys(("MetaflowCard", "DefaultCard", "BlankCard", "ErrorCard", "PageComponent"),
                        "flowc renders the default and blank card types only: custom card types are not supported"),
    }),
    "metaflow.multicore_utils": Row("multicore", ("MulticoreException",)),
    "metaflow.metaflow_profile": Row("profiling"),
    "metaflow.decorators": Row("decorators", (), {
        "StepDecorator": "flowc has no decorator plugins: use a plain Python decorator on the step",
        "FlowDecorator": "flowc has no decorator plugins",
    }),
}

# Metaflow modules flows import that flowc does not offer at all (their submodules neither).
MISSING_MODULES: dict[str, str] = {
    "metaflow.plugins": "flowc has no Metaflow plugins: use the decorators `from metaflow import ...` offers",
    "metaflow.metaflow_config": "flowc has no Metaflow configuration: set flowc's options ([tool.flowc], "
                                "FLOWC_DATASTORE) instead",
    "metaflow.runner": "run flows with `flowc run FLOW_FILE`; deploy with `flowc compile`",
    "metaflow.datatools": "flowc has no S3 client: use boto3 in the step",
    "metaflow.metadata_provider": "flowc has no metadata service: runs are read from the datastore",
    "metaflow.user_decorators": "flowc reads a flow's decorators without running it: mutators and Metaflow's "
                                "user step decorators are not supported",
}


def exports() -> dict:
    """flowc.runtime's exports, name -> its submodule (importing flowc.runtime loads nothing else)."""
    from flowc import runtime

    return runtime._EXPORTS


def offered(module: str) -> frozenset:
    """The names `module` (a key of MODULES) offers, submodules of it included."""
    row = MODULES[module]
    names = set(row.names)
    names.update(name for name, source in exports().items() if row.source in ("", source))
    prefix = module + "."
    names.update(other[len(prefix):] for other in MODULES if other.startswith(prefix) and "." not in other[len(prefix):])
    return frozenset(names)


def missing_module(module: str) -> str | None:
    """Why `module` (dotted) is not offered, if MISSING_MODULES lists it or one of its parents."""
    parts = module.split(".")
    for end in range(len(parts), 1, -1):
        reason = MISSING_MODULES.get(".".join(parts[:end]))
        if reason is not None:
            return reason
    return None


def why_not(module: str, name: str) -> str:
    """What to do about `from module import name` (or module.name) that `module` does not offer."""
    row = MODULES.get(module)
    reason = row.missing.get(name) if row else None
    return reason or f"flowc's {module} has no `{name}`: import it only where Metaflow itself is installed"
