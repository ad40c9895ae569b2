"""Prints to stdout and stderr, and `flaky` fails its first attempt: the client's loglines, metadata_dict and
environment_info read the attempt that committed."""
import sys

from flowc.runtime import FlowSpec, current, retry, step


class ChattyFlow(FlowSpec):
    @step
    def start(self):
        print("hello from start")
        print("second line, ünïcode")
        print("to stderr", file=sys.stderr)
        self.next(self.flaky)

    @retry(times=1)
    @step
    def flaky(self):
        print(f"attempt {current.retry_count}")
        if current.retry_count == 0:
            raise RuntimeError("the first attempt fails")
        self.next(self.end)

    @step
    def end(self):
        pass
