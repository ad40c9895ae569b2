"""A step that fails on its first attempt and succeeds on the retry (a marker file in the cwd remembers)."""
import os

from metaflow import FlowSpec, current, retry, step


class RetryingFlow(FlowSpec):
    @retry(times=2, minutes_between_retries=0)
    @step
    def start(self):
        marker = os.path.join(os.environ["RETRY_MARKER_DIR"], "failed-once")
        if not os.path.exists(marker):
            open(marker, "w").close()
            raise RuntimeError("first attempt fails")
        self.attempt = current.retry_count
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    RetryingFlow()
