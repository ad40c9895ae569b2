"""flowc against Metaflow compiling the same flows to Airflow, as CPU time (user + sys) of each child
process, interleaved (bench/measure.py):

1. one flow, fresh process each: `python flow.py airflow create dag.py` under Metaflow 2.19.39 (with the
   kubernetes package it needs for that, the venv bench/vs_metaflow.py uses) against `flowc compile --no-cache --target airflow flow.py`;
2. a repository of 50 flows, unchanged: Metaflow has no way to skip an unchanged flow, so it compiles each
   (its per-flow CPU, summed); `flowc compile --check` with a warm compile cache checks all 50 in one process.

Metaflow's `airflow create` needs an S3 datastore even to write the file (it uploads the code package):
moto's S3 server runs on 127.0.0.1 for it. The flows mix linear steps, branches and foreaches with a
one-step body (Metaflow's Airflow output refuses longer foreach bodies and switches).

    python bench/repository_vs_metaflow.py [--rounds N] [--flows N]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))
from compile import generate  # noqa: E402
from measure import child_cpu, interleaved, line, load, median, ratio  # noqa: E402
from support.venvs import cached_venv  # noqa: E402

FLOWS = 50
PATTERN = ("linear", "branch", "linear", "foreach1")
FLOWC = [sys.executable, "-m", "flowc.compiler.cli", "compile", "--target", "airflow", "-o", "dags",
         "--datastore", "s3://bench/flowc"]


def make_repository(root: Path) -> list[str]:
    """FLOWS flow files of 10 to 59 steps, runnable by Metaflow (`if __name__ == "__main__"`)."""
    (root / "flows").mkdir()
    names = []
    for i in range(FLOWS):
        text = generate(10 + i, PATTERN).replace("class BenchFlow(", f"class Bench{i:02d}Flow(")
        text += f'\n\nif __name__ == "__main__":\n    Bench{i:02d}Flow()\n'
        (root / "flows" / f"flow_{i:02d}.py").write_text(text, encoding="utf-8")
        names.append(f"flows/flow_{i:02d}.py")
    return names


def s3_server(env: dict) -> subprocess.Popen:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    endpoint = f"http://127.0.0.1:{port}"
    env.update(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="y", AWS_DEFAULT_REGION="us-east-1",
               AWS_ENDPOINT_URL=endpoint, METAFLOW_S3_ENDPOINT_URL=endpoint, METAFLOW_DEFAULT_METADATA="local",
               METAFLOW_DEFAULT_DATASTORE="s3", METAFLOW_DATASTORE_SYSROOT_S3="s3://bench/metaflow",
               USERNAME="bench")
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-p", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    import boto3

    for _ in range(300):
        try:
            boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x",
                         aws_secret_access_key="y").create_bucket(Bucket="bench")
            return server
        except Exception:
            time.sleep(0.1)
    server.terminate()
    sys.exit("the local S3 server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7, help="rounds of the one-flow comparison")
    parser.add_argument("--flows", type=int, default=FLOWS, help="how many of the 50 flows Metaflow compiles "
                                                                 "(its mean per flow stands for the rest)")
    args = parser.parse_args()
    # as bench/vs_metaflow.py: Metaflow 2.19.39 and the kubernetes package its `airflow create` imports
    metaflow = cached_venv("metaflow-airflow-venv", ["metaflow==2.19.39", "kubernetes==31.0.0"])
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        flows = make_repository(root)
        env = {**os.environ, "HOME": str(root), "FLOWC_CACHE_DIR": str(root / "cache")}
        server = s3_server(env)
        try:
            one = flows[len(flows) // 2]
            single = interleaved({
                "metaflow airflow create": lambda: child_cpu([str(metaflow), one, "--no-pylint", "airflow",
                                                              "create", "dag.py"], root, env),
                "flowc compile (no cache)": lambda: child_cpu([*FLOWC, "--no-cache", one], root, env),
            }, args.rounds)
            child_cpu([*FLOWC, *flows], root, env)  # fills the compile cache
            sample = flows[:: max(1, len(flows) // args.flows)][: args.flows]
            metaflow_each, cached = [], []
            for flow in sample:  # interleaved: one Metaflow compile, one cached check of the whole repository
                metaflow_each.append(child_cpu([str(metaflow), flow, "--no-pylint", "airflow", "create",
                                                "dag.py"], root, env))
                cached.append(child_cpu([*FLOWC, "--check", *flows], root, env))
        finally:
            server.terminate()
    print(f"CPU time (user+sys) of each child process, interleaved; {load()}\n")
    print(f"One flow ({one}), a fresh process each, {args.rounds} rounds:")
    for name, times in single.items():
        print("  " + line(name, times, 28))
    mf, fc = single["metaflow airflow create"], single["flowc compile (no cache)"]
    print(f"  flowc / metaflow: {ratio(fc, mf)}   (goal: at most 0.35x)\n")
    total = sum(metaflow_each) / len(metaflow_each) * FLOWS
    print(f"A repository of {FLOWS} unchanged flows ({len(sample)} compiled by Metaflow, its mean per flow x {FLOWS}):")
    print(f"  metaflow airflow create, every flow    {total * 1e3:10.0f} ms   (per flow "
          f"{median(metaflow_each) * 1e3:.0f} ms median)")
    print("  " + line(f"flowc compile --check, cached, {FLOWS} flows", cached, 38))
    print(f"  metaflow / flowc: {total / median(cached):.0f}x (median), {total / min(cached):.0f}x (best)"
          "   (goal: at least 200x)")


if __name__ == "__main__":
    main()
