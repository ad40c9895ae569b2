"""Runs INSIDE the kfp virtualenv (not collected by pytest): one process checks many compiled pipelines with
kfp's own software and runs the requested ones under `kfp.local`.

usage: python driver.py SPEC.json RESULT.json
SPEC: {"check": [yaml path, ...], "runs": [{"path": ..., "arguments": {...}, "env": {...}, "cwd": dir}],
       "workdir": dir}   (a run's "cwd": the working directory its tasks start in, as an image's would be)
RESULT: {"checks": {path: [problem, ...]}, "runs": [{"path", "state", "error", "outputs"}]}
"""

from __future__ import annotations

import json
import os
import sys

import yaml
from google.protobuf import json_format
from kfp.pipeline_spec import pipeline_spec_pb2


def main() -> None:
    with open(sys.argv[1]) as handle:
        spec = json.load(handle)
    result = {"checks": {path: check(path) for path in spec.get("check", [])}, "runs": []}
    if spec.get("runs"):
        from kfp import local

        allow_container_components_on_the_host()
        local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=spec["workdir"])
        for run in spec["runs"]:
            result["runs"].append(execute(run))
    with open(sys.argv[2], "w") as handle:
        json.dump(result, handle, indent=1, default=str)


def check(path: str) -> list[str]:
    """Parse every document with kfp's protobuf (unknown fields are errors) and load the pipeline as kfp does."""
    from kfp.kubernetes import kubernetes_executor_config_pb2

    problems = []
    with open(path) as handle:
        documents = list(yaml.safe_load_all(handle))
    try:
        json_format.ParseDict(documents[0], pipeline_spec_pb2.PipelineSpec())
        json_format.ParseDict(documents[0]["deploymentSpec"], pipeline_spec_pb2.PipelineDeploymentConfig())
        for document in documents[1:]:
            platform = pipeline_spec_pb2.PlatformSpec()
            json_format.ParseDict(document, platform)
            for executor in document["platforms"]["kubernetes"]["deploymentSpec"]["executors"].values():
                json_format.ParseDict(executor, kubernetes_executor_config_pb2.KubernetesExecutorConfig())
        from kfp import components

        component = components.load_component_from_file(path)
        if component.name != documents[0]["pipelineInfo"]["name"]:
            problems.append(f"kfp loaded the pipeline as {component.name!r}")
    except Exception as error:  # the problem is the result
        problems.append(f"{type(error).__name__}: {error}")
    return problems


def execute(run: dict) -> dict:
    from kfp import components

    saved = {name: os.environ.get(name) for name in run.get("env", {})}
    os.environ.update(run.get("env", {}))
    here = os.getcwd()
    os.chdir(run.get("cwd", here))  # kfp.local starts each task in this process's working directory
    try:
        components.load_component_from_file(run["path"])(**run.get("arguments", {}))
        return {"path": run["path"], "state": "SUCCEEDED", "error": None}
    except Exception as error:  # a failed run is a result
        return {"path": run["path"], "state": "FAILED", "error": f"{type(error).__name__}: {error}"}
    finally:
        os.chdir(here)
        for name, value in saved.items():  # as before the run (a PATH given to a run is not lost after it)
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def allow_container_components_on_the_host() -> None:
    """TEST-ONLY PATCH. kfp.local's SubprocessRunner refuses container components (it expects to run
    lightweight Python components in a venv). Our components' command is `<python> -m flowc.runtime task ...`,
    which runs on this host as well as in the image, so let the runner execute it as given: also without
    rewriting `python3` to kfp's own interpreter (a golden's `python3` is the one on PATH, as in an image)."""
    from kfp.local import subprocess_task_handler

    subprocess_task_handler.SubprocessTaskHandler.validate_not_container_component = lambda self, command: None
    subprocess_task_handler.replace_python_executable = lambda command, executable: command


if __name__ == "__main__":
    main()
