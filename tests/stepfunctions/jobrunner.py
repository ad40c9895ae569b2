"""A warm process that runs Batch jobs' commands for the tests, each in a forked child (as `flowc run` does).

A job is the task command `python -m flowc.runtime task ...`. A fresh interpreter spends ~0.4 s importing
boto3 and loading its S3 model before the task does anything, which makes a 2,000-wide foreach take half an
hour on two cores. This process imports the runtime and creates an S3 client once (boto3's default session
caches the model), then forks a child per job that runs the same argv through the runtime's own entry point,
with the job's environment, in its own session, output to files. Any other command is exec'd as it is.

Protocol: one JSON request per line on stdin {"id", "argv", "env", "cwd", "stdout", "stderr"}; one JSON line per
finished job on stdout {"id", "exit_code"}.
"""

from __future__ import annotations

import json
import os
import select
import sys

RUNTIME = ["-m", "flowc.runtime", "task"]


def main() -> None:
    import boto3

    import flowc.runtime.cli  # noqa: F401  (imported once, here: children start warm)
    import flowc.runtime.task  # noqa: F401

    boto3.client("s3", region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))  # loads the S3 model once
    running: dict[int, str] = {}
    buffer = b""
    open_input = True
    while open_input or running:
        ready, _, _ = select.select([sys.stdin.buffer] if open_input else [], [], [], 0.005)
        if ready:
            chunk = os.read(sys.stdin.fileno(), 65536)
            open_input = bool(chunk)
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                request = json.loads(line)
                running[_start(request)] = request["id"]
        while running:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            print(json.dumps({"id": running.pop(pid), "exit_code": os.waitstatus_to_exitcode(status)}), flush=True)


def _start(request: dict) -> int:
    sys.stdout.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        os.setsid()
        os.chdir(request["cwd"])
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            opened = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(opened, fd)
            os.close(opened)
        os.environ.clear()
        os.environ.update(request["env"])
        argv = request["argv"]
        if argv[1:4] != RUNTIME:
            os.execvpe(argv[0], argv, request["env"])
        sys.argv = argv
        from flowc.runtime.cli import main as runtime_main

        code = runtime_main(argv[3:])  # "task", FLOW_FILE, STEP, options...
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    main()
