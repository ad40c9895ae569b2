"""The `metaflow` package for flows written `from metaflow import ...`, when Metaflow is absent.

A finder is appended at the END of sys.meta_path: the normal finders run first, so an installed
Metaflow always wins. Only when none of them finds `metaflow` does this one answer, with a package
whose modules (`metaflow`, `metaflow.exception`, `metaflow.client`, ...) hold flowc.runtime's names as
flowc.runtime.metaflow_api's table says. A name or module the table lists as not offered is an
ImportError saying what to do instead. (If the real Metaflow is installed and a flow imports from it,
the task command refuses the flow: see flowc.runtime.loader.)
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys

from . import metaflow_api

SHIM_NAME = metaflow_api.SHIM_ROOT


class NotProvided(ImportError):
    """A `metaflow` name or module flowc does not offer (flowc check reports it as FLC040)."""


def resolve(module: str, name: str):
    """The object `module.name` stands for: a flowc.runtime name, a row's own name, or a submodule."""
    row = metaflow_api.MODULES[module]
    source = metaflow_api.exports().get(name)
    if source is not None and (row.source in ("", source) or name in row.names):
        return getattr(importlib.import_module("flowc.runtime"), name)
    if name in row.names:
        return getattr(importlib.import_module(f"flowc.runtime.{row.source}"), name)
    if f"{module}.{name}" in metaflow_api.MODULES:
        return importlib.import_module(f"{module}.{name}")
    raise AttributeError(f"module {module!r} has no attribute {name!r}")


class _ShimLoader:
    def create_module(self, spec):
        return None  # the default module object

    def exec_module(self, module) -> None:
        name = module.__name__
        offered = metaflow_api.offered(name)
        module.__all__ = sorted(n for n in offered if f"{name}.{n}" not in metaflow_api.MODULES)

        def __getattr__(attribute: str):  # on first use: a task imports only what its flow uses
            if attribute == "__version__":  # flowc's, in place of Metaflow's
                from .task import flowc_version

                return flowc_version()
            if attribute not in offered:
                raise AttributeError(f"module {name!r} has no attribute {attribute!r}")
            value = resolve(name, attribute)
            setattr(module, attribute, value)
            return value

        module.__getattr__ = __getattr__
        module.__dir__ = lambda: sorted(offered)
        module.__flowc_shim__ = True
        module.__doc__ = f"flowc's stand-in for Metaflow's {name} (Metaflow is not installed)."


class MetaflowShimFinder:
    """Finds `metaflow` and its modules in metaflow_api's table; placed last on sys.meta_path."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != SHIM_NAME and not (fullname.startswith(SHIM_NAME + ".") and is_shim(sys.modules.get(SHIM_NAME))):
            return None
        if fullname in metaflow_api.MODULES:
            spec = importlib.machinery.ModuleSpec(fullname, _ShimLoader(), origin="flowc.runtime", is_package=True)
            spec.submodule_search_locations = []
            return spec
        parent, _, name = fullname.rpartition(".")
        reason = metaflow_api.missing_module(fullname)
        if reason is None and parent in metaflow_api.MODULES and name in metaflow_api.MODULES[parent].missing:
            reason = metaflow_api.why_not(parent, name)
        if reason is not None:
            raise NotProvided(f"flowc's metaflow does not provide {fullname}: {reason}", name=fullname)
        return None

    def invalidate_caches(self) -> None:
        pass


def install() -> None:
    """Append the finder to sys.meta_path (once)."""
    if not any(isinstance(finder, MetaflowShimFinder) for finder in sys.meta_path):
        sys.meta_path.append(MetaflowShimFinder())


def is_shim(module) -> bool:
    return bool(getattr(module, "__flowc_shim__", False))
