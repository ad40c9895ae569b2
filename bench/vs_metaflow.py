"""Compiling one flow, flowc against Metaflow, side by side: CPU time (user + sys) of each process, the two
interleaved (bench/measure.py: median and best of each), and output size for Airflow (`airflow create`; and whether each DAG loads on Airflow 3.3) and Argo Workflows
(`argo-workflows create --only-json`).

Metaflow needs its flow importable, the `kubernetes` package, and a reachable S3 datastore even to
write the file: this starts moto's S3 server on 127.0.0.1 for it.

    python bench/vs_metaflow.py
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from support.venvs import airflow_venv, cached_venv  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from measure import child_cpu, interleaved, line, load, ratio  # noqa: E402

FLOW = REPO / "examples" / "branching.py"
LOAD = """
import sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
print(f"{len(bag.dags)} DAG(s), {len(bag.import_errors)} import error(s)",
      *(e.strip().splitlines()[-1] for e in bag.import_errors.values()))
"""


ROUNDS = 5


def versus(metaflow: list[str], flowc: list[str], env: dict, cwd: Path, flowc_env: dict = None) -> dict:
    """CPU seconds of each run of the two commands, interleaved."""
    return interleaved({"metaflow": lambda: child_cpu(metaflow, cwd, env),
                        "flowc": lambda: child_cpu(flowc, cwd, flowc_env or env)}, ROUNDS)


def main() -> None:
    metaflow = cached_venv("metaflow-airflow-venv", ["metaflow==2.19.39", "kubernetes==31.0.0"])
    airflow = airflow_venv("3.3.2")
    work = Path(tempfile.mkdtemp())
    shutil.copy(FLOW, work / FLOW.name)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    endpoint = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-p", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        env = dict(os.environ, HOME=str(work), USERNAME="bench", AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="y",
                   AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL=endpoint, METAFLOW_S3_ENDPOINT_URL=endpoint,
                   METAFLOW_DEFAULT_METADATA="local", METAFLOW_DEFAULT_DATASTORE="s3",
                   METAFLOW_DATASTORE_SYSROOT_S3="s3://bench/metaflow")
        import boto3

        for _ in range(300):  # the server takes a few seconds to start
            try:
                boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                             aws_access_key_id="x", aws_secret_access_key="y").create_bucket(Bucket="bench")
                break
            except Exception:
                time.sleep(0.1)
        else:
            sys.exit("the local S3 server did not start")
        (work / "mf").mkdir()
        airflow_times = versus([str(metaflow), FLOW.name, "--no-pylint", "airflow", "create", "metaflow_dag.py"],
                               [sys.executable, "-m", "flowc.compiler.cli", "compile", FLOW.name, "--target",
                                "airflow", "-o", "fc", "--datastore", "s3://bench/flowc", "--no-cache"], env, work)
        shutil.move(work / "metaflow_dag.py", work / "mf" / "dag.py")  # its own folder, for the DagBag below
        argo_env = dict(env, METAFLOW_KUBERNETES_NAMESPACE="default", METAFLOW_KUBERNETES_CONTAINER_IMAGE="img:1")
        argo_times = versus([str(metaflow), FLOW.name, "--no-pylint", "argo-workflows", "create", "--only-json"],
                            [sys.executable, "-m", "flowc.compiler.cli", "compile", FLOW.name, "--target", "argo",
                             "-o", "fc-argo", "--datastore", "s3://bench/flowc", "--image", "img:1", "--no-cache"],
                            argo_env, work, flowc_env=env)
        done = subprocess.run([str(metaflow), FLOW.name, "--no-pylint", "argo-workflows", "create", "--only-json"],
                              env=argo_env, cwd=work, capture_output=True, text=True, check=True)
        (work / "mf-argo.json").write_text(done.stdout)
    finally:
        server.terminate()
    mf_size = (work / "mf" / "dag.py").stat().st_size
    fc_size = sum(p.stat().st_size for p in (work / "fc").glob("*.py"))
    print(f"flow: examples/{FLOW.name}; CPU time (user+sys) of each process, {ROUNDS} interleaved rounds; {load()}")
    print("Airflow")
    for name, key, size, folder in (("metaflow airflow create", "metaflow", mf_size, work / "mf"),
                                    ("flowc compile (no cache)", "flowc", fc_size, work / "fc")):
        loaded = subprocess.run([str(airflow), "-c", LOAD, str(folder)], capture_output=True, text=True,
                                env=dict(os.environ, AIRFLOW_HOME=str(work / "airflow")))
        print(f"  {line(name, airflow_times[key], 26)}  {size:>8,} B  {loaded.stdout.strip().splitlines()[-1]}")
    print(f"  flowc / metaflow: {ratio(airflow_times['flowc'], airflow_times['metaflow'])} CPU; "
          f"metaflow / flowc size {mf_size / fc_size:.1f}x")
    mf_argo_size = (work / "mf-argo.json").stat().st_size
    fc_argo_size = sum(p.stat().st_size for p in (work / "fc-argo").glob("*.yaml"))
    print("Argo Workflows")
    print(f"  {line('metaflow --only-json', argo_times['metaflow'], 26)}  {mf_argo_size:>8,} B")
    print(f"  {line('flowc compile (no cache)', argo_times['flowc'], 26)}  {fc_argo_size:>8,} B")
    print(f"  flowc / metaflow: {ratio(argo_times['flowc'], argo_times['metaflow'])} CPU; "
          f"metaflow / flowc size {mf_argo_size / fc_argo_size:.1f}x")


if __name__ == "__main__":
    main()
