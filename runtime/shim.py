"""The `metaflow` module name for flows written `from metaflow import ...`, when Metaflow is absent.

A finder is appended at the END of sys.meta_path: the normal finders run first, so an installed
Metaflow always wins. Only when none of them finds `metaflow` does this one answer, with a module
that holds flowc.runtime's public names. (If the real Metaflow is installed and a flow imports from
it, the task command refuses the flow: see flowc.runtime.loader.)
"""

from __future__ import annotations

import importlib.machinery
import sys

SHIM_NAME = "metaflow"


class _ShimLoader:
    def create_module(self, spec):
        return None  # the default module object

    def exec_module(self, module) -> None:
        import flowc.runtime as runtime

        names = runtime.__all__

        for name in names:
            setattr(module, name, getattr(runtime, name))
        module.__flowc_shim__ = True
        module.__doc__ = "flowc's stand-in for Metaflow's user API (flowc.runtime); Metaflow is not installed."


class MetaflowShimFinder:
    """Finds `metaflow` only; placed last on sys.meta_path."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != SHIM_NAME:
            return None
        return importlib.machinery.ModuleSpec(SHIM_NAME, _ShimLoader(), origin="flowc.runtime")

    def invalidate_caches(self) -> None:
        pass


def install() -> None:
    """Append the finder to sys.meta_path (once)."""
    if not any(isinstance(finder, MetaflowShimFinder) for finder in sys.meta_path):
        sys.meta_path.append(MetaflowShimFinder())


def is_shim(module) -> bool:
    return bool(getattr(module, "__flowc_shim__", False))
