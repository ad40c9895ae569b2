"""Runs INSIDE the Airflow virtualenv (not collected by pytest): one process loads a DAG folder with
Airflow's own DagBag, describes every operator, and test-runs the requested DAGs with `dag.test()`.

usage: python driver.py SPEC.json RESULT.json
SPEC: {"dags": folder, "runs": [{"dag_id": ..., "conf": {...}}], "pods_run_locally": bool,
       "pods_cwd": the folder pods run in (their image's working directory; default: this process's)}
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile


def main() -> None:
    with open(sys.argv[1]) as handle:
        spec = json.load(handle)
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow 2
        from airflow.models.dagbag import DagBag
    if spec.get("pods_run_locally"):
        _run_pods_locally(spec.get("pods_cwd"))
    bag = DagBag(dag_folder=spec["dags"])
    result = {
        "import_errors": {os.path.basename(k): v for k, v in bag.import_errors.items()},
        "dags": {dag_id: _describe(dag) for dag_id, dag in sorted(bag.dags.items())},
        "runs": [],
    }
    for run in spec.get("runs", []):
        dag = bag.get_dag(run["dag_id"])
        dag_run = dag.test(run_conf=run.get("conf") or None)
        result["runs"].append({
            "dag_id": run["dag_id"],
            "run_id": dag_run.run_id,
            "state": str(getattr(dag_run.state, "value", dag_run.state)),
            "tasks": sorted(
                [ti.task_id, ti.map_index, str(getattr(ti.state, "value", ti.state))]
                for ti in dag_run.get_task_instances()
            ),
        })
    with open(sys.argv[2], "w") as handle:
        json.dump(result, handle, indent=1, default=str)


def _describe(dag) -> dict:
    tasks = {}
    for task in dag.tasks:
        operator = getattr(task, "operator_class", type(task))
        info = {
            "operator": getattr(operator, "__name__", str(operator)),
            "mapped": type(task).__name__ == "MappedOperator" or task.get_closest_mapped_task_group() is not None,
            "upstream": sorted(task.upstream_task_ids),
            "trigger_rule": str(getattr(task.trigger_rule, "value", task.trigger_rule)),
            "retries": task.retries,
            "retry_delay": _seconds(getattr(task, "retry_delay", None)),
            "execution_timeout": _seconds(getattr(task, "execution_timeout", None)),
        }
        partial = getattr(task, "partial_kwargs", {}) or {}
        for field in ("image", "cmds", "arguments", "env_vars", "do_xcom_push", "skip_on_exit_code",
                      "bash_command", "env", "container_resources", "name", "namespace", "env_from",
                      "node_selector", "tolerations", "labels", "annotations", "service_account_name"):
            value = partial.get(field, getattr(task, field, None))
            if value is not None:
                info[field] = _plain(value)
        tasks[task.task_id] = info
    return {
        "doc_md": dag.doc_md,
        "tags": sorted(dag.tags),
        "params": {k: _plain(v) for k, v in dag.params.dump().items()} if hasattr(dag.params, "dump") else {},
        "param_descriptions": {k: getattr(dag.params.get_param(k), "description", None) for k in dag.params},
        "schedule": getattr(dag.timetable, "_expression", None),
        "timezone": str(getattr(dag.timetable, "_timezone", "")),
        "catchup": dag.catchup,
        "tasks": tasks,
    }


def _seconds(value):
    return value.total_seconds() if hasattr(value, "total_seconds") else value


def _plain(value):
    """JSON-able view of operator arguments: literals unwrapped, mapped arguments named."""
    if hasattr(value, "to_dict"):
        return _plain(value.to_dict())
    if type(value).__name__ == "LiteralValue":
        return {"literal": _plain(value.value)}
    if type(value).__name__ == "MappedArgument":
        return {"mapped": "index"}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def _run_pods_locally(cwd) -> None:
    """No cluster here: KubernetesPodOperator.execute runs the pod's command (already rendered by Airflow)
    as a local process, and plays the XCom sidecar by returning /airflow/xcom/return.json's content."""
    from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator

    try:
        from airflow.sdk.exceptions import AirflowSkipException
    except ImportError:
        from airflow.exceptions import AirflowSkipException

    def execute(self, context):
        xcom = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
        argv = [xcom if a == "/airflow/xcom/return.json" else a for a in [*self.cmds, *self.arguments]]
        env = dict(os.environ, **{e.name: e.value for e in self.env_vars or []})
        done = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=cwd)
        sys.stderr.write(done.stdout + done.stderr)
        if self.skip_on_exit_code and done.returncode in self.skip_on_exit_code:
            raise AirflowSkipException(f"exit code {done.returncode}")
        if done.returncode:
            raise RuntimeError(f"pod command exited {done.returncode}: {done.stderr[-2000:]}")
        if self.do_xcom_push:
            with open(xcom) as handle:
                return json.load(handle)
        return None

    KubernetesPodOperator.execute = execute


if __name__ == "__main__":
    main()
