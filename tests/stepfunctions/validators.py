"""The two ASL validators: asl-validator (npm, installed here on first use) and statelint (PyPI)."""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
from pathlib import Path

import pytest

CACHE = Path(__file__).resolve().parents[2] / ".cache"
ASL_VALIDATOR = "asl-validator@4.0.0"
# statelint 3.1.0 predates ItemReader.ReaderConfig.InputType (needed to read a JSON array from S3); asl-validator
# and Step Functions accept it. Only this message is filtered.
STATELINT_FALSE_POSITIVE = 'Field "InputType" not allowed in '


def asl_validator() -> Path:
    """The asl-validator executable, installed into .cache/ with npm once (skips when npm is absent)."""
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed: asl-validator (an npm package) cannot be installed")
    folder = CACHE / "asl-validator"
    executable = folder / "node_modules" / ".bin" / "asl-validator"
    CACHE.mkdir(exist_ok=True)
    with open(CACHE / "asl-validator.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = folder / f".installed-{ASL_VALIDATOR}"
        if not stamp.exists():
            done = subprocess.run(["npm", "install", "--prefix", str(folder), "--no-audit", "--no-fund",
                                   ASL_VALIDATOR], capture_output=True, text=True)
            assert done.returncode == 0, f"npm install {ASL_VALIDATOR} failed:\n{done.stderr[-3000:]}"
            stamp.touch()
    return executable


def asl_validator_problems(paths: list[Path]) -> dict[str, str]:
    """file name -> asl-validator's complaint, for every definition it rejects (JSONPath mode)."""
    executable = asl_validator()
    problems = {}
    for path in paths:
        done = subprocess.run([str(executable), "--json-path", str(path)], capture_output=True, text=True)
        if done.returncode != 0:
            problems[path.name] = done.stdout + done.stderr
    return problems


def statelint_problems(definition: str) -> list[str]:
    from statelint.linter import Linter

    return [p for p in Linter.validate(json.loads(definition)) if not p.startswith(STATELINT_FALSE_POSITIVE)]
