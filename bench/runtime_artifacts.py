"""Save and load a large bytes artifact through the datastore vs raw file I/O of the same bytes.

    python bench/runtime_artifacts.py [--size-mib 1024] [--repeat 2] [--dir DIR]

Baseline, measured in the same run on the same disk: `open(path, "wb").write(data)` and
`open(path, "rb").read()`. The datastore pickles (protocol 5) straight to a temporary file while it
hashes (sha256) the stream, renames the file to its content address, and loads with pickle.load
(readinto into the new object), hashing what it reads to check the blob against its name. The goal is a ratio of at least 0.8 of raw in both directions.
Extra memory is measured with tracemalloc: beyond the value itself, a save should allocate next to
nothing and a load only the result (no second or third copy).

Saving hashes every byte with sha256 (the content address), which here runs slower than copying into
the page cache: the bench also times sha256 alone over the same bytes, and prints the save against
the larger of the two (the hash runs in a thread while the bytes are written, so ideally the save
costs no more than that).

The value is random bytes (os.urandom); timings take the best of --repeat runs. A 1 GiB run writes
about 2 GiB per repeat to --dir (default: the system temporary directory), so run it sparingly.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path

from flowc.runtime.datastore import open_datastore

MIB = 1 << 20


def raw_write(path: Path, data: bytes) -> float:
    start = time.perf_counter()
    with open(path, "wb") as f:
        f.write(data)
    return time.perf_counter() - start


def raw_read(path: Path) -> tuple[float, bytes]:
    start = time.perf_counter()
    with open(path, "rb") as f:
        data = f.read()
    return time.perf_counter() - start, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--dir", default=None, help="where to write (default: the temporary directory)")
    args = parser.parse_args()

    size = args.size_mib * MIB
    data = os.urandom(size)
    work = Path(tempfile.mkdtemp(prefix="flowc-bench-", dir=args.dir))
    best = {"raw write": float("inf"), "raw read": float("inf"), "sha256": float("inf"), "save": float("inf"),
            "load": float("inf")}
    save_extra = load_peak = 0
    try:
        for _ in range(args.repeat):
            raw = work / "raw.bin"
            best["raw write"] = min(best["raw write"], raw_write(raw, data))
            elapsed, back = raw_read(raw)
            best["raw read"] = min(best["raw read"], elapsed)
            assert back == data
            del back
            raw.unlink()
            start = time.perf_counter()
            hashlib.sha256(data).digest()
            best["sha256"] = min(best["sha256"], time.perf_counter() - start)

            store = work / "ds"
            ds = open_datastore(str(store))
            tracemalloc.start()
            start = time.perf_counter()
            sha, _ = ds.save_value("Bench", data, "data")
            best["save"] = min(best["save"], time.perf_counter() - start)
            save_extra = max(save_extra, tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()

            tracemalloc.start()
            start = time.perf_counter()
            back = ds.load_value("Bench", sha)
            best["load"] = min(best["load"], time.perf_counter() - start)
            load_peak = max(load_peak, tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
            assert back == data
            del back
            shutil.rmtree(store)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    mib = size / MIB
    print(f"value: {mib:.0f} MiB of random bytes; best of {args.repeat}")
    for name in best:
        print(f"  {name:10s} {best[name]:7.3f} s  {mib / best[name]:8.0f} MiB/s")
    print(f"save / raw write throughput ratio: {best['raw write'] / best['save']:.2f}  (goal >= 0.8)")
    floor = max(best["raw write"], best["sha256"])
    print(f"save / max(raw write, sha256 alone): {floor / best['save']:.2f}  (a content-addressed save cannot beat "
          f"hashing its bytes once; 1.0 = nothing else costs)")
    print(f"load / raw read  throughput ratio: {best['raw read'] / best['load']:.2f}  (goal >= 0.8)")
    floor = max(best["raw read"], best["sha256"])
    print(f"load / max(raw read, sha256 alone): {floor / best['load']:.2f}  (a load verifies the blob's sha256 "
          f"while it reads, so it cannot beat hashing its bytes once)")
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"extra memory during save: {save_extra / MIB:.1f} MiB; peak during load: {load_peak / MIB:.1f} MiB "
          f"(the value is {mib:.0f} MiB)")


if __name__ == "__main__":
    main()
