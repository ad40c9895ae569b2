"""Argo's own schema for WorkflowTemplate and CronWorkflow, run by node: the npm package
@kubernetes-models/argo-workflows ships validators generated from Argo v4's API types
(github.com/argoproj/argo-workflows/v4/pkg/apis/workflow/v1alpha1), with their patterns (parameter
names, ...), types (parameter values are strings) and required fields. hera's models carry none of the
patterns. Installed once per machine into the test cache; documents are handed over as JSON, i.e. as
the reader that produced them typed them.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from pathlib import Path

PACKAGE = "@kubernetes-models/argo-workflows@2.0.0"
# Kubernetes' Container type requires `name`; Argo's CRDs drop that requirement (Argo names the container
# `main` itself), so this one message is not a problem of the document.
NOT_A_PROBLEM = "/container must have required property name"

VALIDATE = """\
import { WorkflowTemplate, CronWorkflow } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1";
import { readFileSync } from "node:fs";
const kinds = { WorkflowTemplate, CronWorkflow };
const out = [];
for (const doc of JSON.parse(readFileSync(0, "utf8"))) {
  const kind = kinds[doc.kind];
  if (!kind) { out.push([`unknown kind ${doc.kind}`]); continue; }
  try { new kind(doc).validate(); out.push([]); }
  catch (e) { out.push((e.errors || [{ instancePath: "", message: e.message }])
                        .map((x) => `${x.instancePath} ${x.message}`)); }
}
console.log(JSON.stringify(out));
"""


def _cache() -> Path:
    root = os.environ.get("FLOWC_TEST_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") \
        / "flowc-tests"
    return Path(root) / ("npm-" + PACKAGE.replace("@", "").replace("/", "-"))


def install() -> Path:
    """The folder holding the package and the validation script (npm install on first use)."""
    folder = _cache()
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / (folder.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "validate.mjs").exists():
            building = folder.with_name(folder.name + ".building")
            shutil.rmtree(building, ignore_errors=True)
            building.mkdir()
            (building / "package.json").write_text('{"private": true}\n')
            subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", PACKAGE],
                           cwd=building, check=True, capture_output=True, text=True)
            (building / "validate.mjs").write_text(VALIDATE)
            shutil.rmtree(folder, ignore_errors=True)
            building.rename(folder)
    return folder


def schema_problems(documents: list[dict]) -> list[list[str]]:
    """For each document, what Argo's schema refuses in it (empty: valid)."""
    folder = install()
    done = subprocess.run(["node", "validate.mjs"], cwd=folder, input=json.dumps(documents), capture_output=True,
                          text=True, check=True)
    return [[p for p in problems if not p.endswith(NOT_A_PROBLEM)] for problems in json.loads(done.stdout)]
