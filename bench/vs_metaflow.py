"""Compiling one flow, flowc against Metaflow, side by side: process wall time (best of 3) and output size
for Airflow (`airflow create`; and whether each DAG loads on Airflow 3.3) and Argo Workflows
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

FLOW = REPO / "examples" / "branching.py"
LOAD = """
import sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
print(f"{len(bag.dags)} DAG(s), {len(bag.import_errors)} import error(s)",
      *(e.strip().splitlines()[-1] for e in bag.import_errors.values()))
"""


def best_wall(argv: list[str], env: dict, cwd: Path, keep: str = "") -> float:
    """Best wall time of 3 runs; `keep` saves the last run's stdout under that name."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"{' '.join(argv)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        if keep:
            (cwd / keep).write_text(done.stdout)
        times.append(time.perf_counter() - started)
    return min(times)


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
        mf = best_wall([str(metaflow), FLOW.name, "--no-pylint", "airflow", "create", "metaflow_dag.py"], env, work)
        shutil.move(work / "metaflow_dag.py", work / "mf" / "dag.py")  # its own folder, for the DagBag below
        fc = best_wall([sys.executable, "-m", "flowc.compiler.cli", "compile", FLOW.name, "--target", "airflow",
                        "-o", "fc", "--datastore", "s3://bench/flowc"], env, work)
        argo_env = dict(env, METAFLOW_KUBERNETES_NAMESPACE="default", METAFLOW_KUBERNETES_CONTAINER_IMAGE="img:1")
        mf_argo = best_wall([str(metaflow), FLOW.name, "--no-pylint", "argo-workflows", "create", "--only-json"],
                            argo_env, work, keep="mf-argo.json")
        fc_argo = best_wall([sys.executable, "-m", "flowc.compiler.cli", "compile", FLOW.name, "--target", "argo",
                             "-o", "fc-argo", "--datastore", "s3://bench/flowc", "--image", "img:1"], env, work)
    finally:
        server.terminate()
    mf_size = (work / "mf" / "dag.py").stat().st_size
    fc_size = sum(p.stat().st_size for p in (work / "fc").glob("*.py"))
    print(f"flow: examples/{FLOW.name}")
    print(f"{'':24}{'wall':>9}{'DAG size':>11}  loads on Airflow 3.3?")
    for name, wall, size, folder in (("metaflow airflow create", mf, mf_size, work / "mf"),
                                     ("flowc compile", fc, fc_size, work / "fc")):
        loaded = subprocess.run([str(airflow), "-c", LOAD, str(folder)], capture_output=True, text=True,
                                env=dict(os.environ, AIRFLOW_HOME=str(work / "airflow")))
        print(f"{name:24}{wall:>8.2f}s{size:>10,}B  {loaded.stdout.strip().splitlines()[-1]}")
    print(f"ratio (metaflow / flowc): {mf / fc:.1f}x time, {mf_size / fc_size:.1f}x size")
    mf_argo_size = (work / "mf-argo.json").stat().st_size
    fc_argo_size = sum(p.stat().st_size for p in (work / "fc-argo").glob("*.yaml"))
    print(f"\nArgo Workflows{'':10}{'wall':>9}{'size':>11}")
    print(f"{'metaflow --only-json':24}{mf_argo:>8.2f}s{mf_argo_size:>10,}B")
    print(f"{'flowc compile':24}{fc_argo:>8.2f}s{fc_argo_size:>10,}B")
    print(f"ratio (metaflow / flowc): {mf_argo / fc_argo:.1f}x time, {mf_argo_size / fc_argo_size:.1f}x size")


if __name__ == "__main__":
    main()
