"""Mermaid's own parser (the npm package GitHub's renderer is built on), run by node with jsdom standing in for
the browser: `mermaid.parse` refuses what GitHub would show as "Unable to render rich display". Installed once
per machine into the tests' cache folder."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from support.venvs import cache_root, file_lock

PACKAGES = ["mermaid@11.17.2", "jsdom@29.1.1"]

PARSE = """\
import { JSDOM } from "jsdom";
import { readFileSync } from "node:fs";
const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
const out = [];
for (const text of JSON.parse(readFileSync(0, "utf8"))) {
  try { out.push({ type: (await mermaid.parse(text)).diagramType }); }
  catch (e) { out.push({ error: String(e.message || e) }); }
}
console.log(JSON.stringify(out));
"""


def install() -> Path:
    folder = cache_root() / ("npm-" + "-".join(p.replace("@", "") for p in PACKAGES))
    with file_lock(folder.with_name(folder.name + ".lock")):
        if not (folder / "parse.mjs").exists():
            building = folder.with_name(folder.name + ".building")
            shutil.rmtree(building, ignore_errors=True)
            building.mkdir(parents=True)
            (building / "package.json").write_text('{"private": true}\n')
            subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", *PACKAGES],
                           cwd=building, check=True, capture_output=True, text=True)
            (building / "parse.mjs").write_text(PARSE)
            shutil.rmtree(folder, ignore_errors=True)
            building.rename(folder)
    return folder


def parse(texts: list[str]) -> list[dict]:
    """For each diagram, {"type": diagram type} or {"error": Mermaid's parse error}."""
    done = subprocess.run(["node", "parse.mjs"], cwd=install(), input=json.dumps(texts), capture_output=True,
                          text=True, check=True, timeout=300)
    return json.loads(done.stdout)
