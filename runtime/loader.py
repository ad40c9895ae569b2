"""Import a flow file the way Metaflow runs it, and find its flow class.

The file runs as `__main__` with its directory first on sys.path (as `python flow.py` would), so
classes and functions defined in it pickle as `__main__.X`, exactly as under Metaflow, and the
customary `if __name__ == "__main__": MyFlow()` at the end is harmless (the runtime makes
FlowSpec() a no-op while importing).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from . import flowspec, shim
from .errors import ContractError

_METAFLOW_MESSAGE = (
    "{path}: the flow class {name} subclasses the real Metaflow's FlowSpec (module {module}), which flowc "
    "cannot run. Uninstall metaflow from the task image (flowc then provides the `metaflow` module name), "
    "or import from flowc.runtime: `from flowc.runtime import FlowSpec, step, ...`.")


def import_flow_module(path: Path) -> ModuleType:
    """Execute the flow file as __main__. Exceptions from the user's module propagate."""
    shim.install()
    spec = importlib.util.spec_from_file_location("__main__", str(path))
    if spec is None or spec.loader is None:
        raise ContractError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    sys.argv = [str(path)]
    sys.modules["__main__"] = module
    flowspec._IMPORTING = True
    try:
        spec.loader.exec_module(module)
    except BaseException:
        # A flow built on the real Metaflow often fails here (its `MyFlow()` at the end runs Metaflow's
        # CLI): say that, rather than show Metaflow's exit.
        for value in list(vars(module).values()):
            if isinstance(value, type) and value.__module__ == module.__name__ and _real_metaflow_base(value):
                _refuse_metaflow(path, value)
        raise
    finally:
        flowspec._IMPORTING = False
    return module


def find_flow_class(module: ModuleType, path: Path, class_name: str | None) -> type:
    """The FlowSpec subclass defined in `module` (or named `class_name`)."""
    ours, theirs = [], []
    for value in list(vars(module).values()):
        if not isinstance(value, type) or value.__module__ != module.__name__:
            continue
        if issubclass(value, flowspec.FlowSpec) and value is not flowspec.FlowSpec:
            ours.append(value)
        elif _real_metaflow_base(value) is not None:
            theirs.append(value)
    if class_name is not None:
        found = [c for c in ours if c.__name__ == class_name]
        foreign = [c for c in theirs if c.__name__ == class_name]
        if foreign and not found:
            _refuse_metaflow(path, foreign[0])
        if not found:
            names = ", ".join(c.__name__ for c in ours) or "none"
            raise ContractError(f"{path}: no flow class {class_name!r} (flow classes found: {names})")
        return found[0]
    if not ours and theirs:
        _refuse_metaflow(path, theirs[0])
    ours = [c for c in ours if not any(other is not c and issubclass(other, c) for other in ours)]  # as the
    # compiler does: a flow that another flow of the file extends is its base, not the flow to run
    if len(ours) != 1:
        names = ", ".join(sorted(c.__name__ for c in ours))
        if not ours:
            raise ContractError(f"{path}: no FlowSpec subclass found")
        raise ContractError(f"{path} defines several flows ({names}): choose one with --flow CLASS")
    return ours[0]


def _real_metaflow_base(cls: type) -> type | None:
    for base in cls.__mro__[1:]:
        if base.__name__ == "FlowSpec" and base.__module__.split(".")[0] == "metaflow":
            return base
    return None


def _refuse_metaflow(path: Path, cls: type) -> None:
    base = _real_metaflow_base(cls)
    raise ContractError(_METAFLOW_MESSAGE.format(path=path, name=cls.__name__, module=base.__module__))
