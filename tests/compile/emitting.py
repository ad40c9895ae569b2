"""Emit a flow for every built-in target in this process (no CLI), and parse what comes out with each
format's own parser: the fuzz and hostile-string tests use it to say "every generated file parses and
has exactly the documents/statements it should"."""

from __future__ import annotations

import ast
import json
from typing import Optional

import yaml

from flowc.compiler import targets
from flowc.compiler.api import compile_source
from flowc.compiler.emit import EmitOptions, Problems
from flowc.compiler.plan import build_plan

TARGETS = sorted(targets.BUILTIN)
# What a target needs to compile at all (an image for container targets, a job queue for Batch).
NEEDED = {"stepfunctions": {"job_queue": "flows-queue"}}


def options_for(target_name: str, source_path: str = "flows/flow.py", **given) -> EmitOptions:
    target = targets.get(target_name)
    extra = {o.name: o.default for o in target.options}
    extra.update(NEEDED.get(target_name, {}))
    extra.update({k: v for k, v in given.items() if k in extra})
    common = {k: v for k, v in given.items() if k in EmitOptions.__dataclass_fields__}  # others: not this target's
    return EmitOptions(**{
        "datastore": "s3://bucket/flowc", "python": "python3", "source_path": source_path,
        "flow_from_output": f"../{source_path}", "regenerate": f"flowc compile {source_path} --target {target_name}",
        "image": "registry.example/flows:1", **common, "extra": extra})


def emit(text: str, target_name: str, options: Optional[EmitOptions] = None) -> tuple[dict[str, str], Problems]:
    """({file name: text}, problems) for the flow `text`, which must compile cleanly."""
    compiled = compile_source(text, "flows/flow.py")
    assert compiled.ok, [d.message for d in compiled.diagnostics]
    backend = targets.load(targets.get(target_name))
    problems = Problems()
    files = backend.emit(build_plan(compiled.graph), options or options_for(target_name), problems)
    return files, problems


def parsed(name: str, text: str):
    """A generated file through its format's parser: Python -> its top-level statements (as source),
    YAML -> its documents, JSON -> the value."""
    if name.endswith(".py"):
        return [ast.dump(statement) for statement in ast.parse(text).body]
    if name.endswith((".yaml", ".yml")):
        return list(yaml.safe_load_all(text))
    if name.endswith(".json"):
        return json.loads(text)
    raise AssertionError(f"no parser for {name}")


def shape(name: str, text: str):
    """What must not change when only user strings change: how many statements or documents a file has
    (and, for YAML and JSON, their top-level keys)."""
    value = parsed(name, text)
    if name.endswith(".py"):
        return len(value)
    if name.endswith(".json"):
        return sorted(value) if isinstance(value, dict) else type(value).__name__
    return [sorted(doc) if isinstance(doc, dict) else type(doc).__name__ for doc in value]
