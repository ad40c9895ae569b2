"""Print-heavy steps, as flows log progress: stdout and stderr lines (unicode, blank lines, a progress loop,
the logging module), which the client returns as `task.stdout` / `task.stderr` (the artifact
`compare_logs` asks the client script, read_run.py, to compare them)."""
import logging
import sys

from metaflow import FlowSpec, step

log = logging.getLogger("compat.logging_steps")


class LoggingStepsFlow(FlowSpec):
    @step
    def start(self):
        self.compare_logs = True
        print("starting: ünïcödé ✓")
        print()
        for i in range(3):
            print(f"progress {i + 1}/3", flush=True)
        print("a warning on stderr", file=sys.stderr)
        self.items = ["x", "y"]
        self.next(self.work, foreach="items")

    @step
    def work(self):
        print(f"working on {self.input}")
        sys.stderr.write(f"stderr for {self.input}\n")
        self.next(self.join)

    @step
    def join(self, inputs):
        print("joined", [i.input for i in inputs])
        self.next(self.end)

    @step
    def end(self):
        logging.basicConfig(stream=sys.stderr, format="%(levelname)s %(message)s", level=logging.INFO)
        log.info("done via logging")
        print("tab\tseparated\nmulti\nline")


if __name__ == "__main__":
    LoggingStepsFlow()
