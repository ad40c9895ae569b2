"""@retry, @catch, @environment, @timeout at run time."""
import os
import time

from metaflow import FlowSpec, catch, current, environment, retry, step, timeout


class DecoratedFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.flaky)

    @retry(times=2)
    @step
    def flaky(self):
        print(f"flaky attempt {current.retry_count}")
        if current.retry_count == 0:
            raise RuntimeError("first attempt fails")
        self.recovered_on = current.retry_count
        self.next(self.boom)

    @catch(var="error")
    @step
    def boom(self):
        self.before = "set before the failure"
        raise ValueError("boom went the step")
        self.next(self.env)  # noqa: the transition is still the last statement

    @environment(vars={"DECORATED_TEST_VAR": "from the decorator"})
    @step
    def env(self):
        self.var = os.environ.get("DECORATED_TEST_VAR")
        self.next(self.slow_caught)

    @catch(var="timed_out")
    @timeout(seconds=1)
    @step
    def slow_caught(self):
        time.sleep(30)
        self.next(self.end)

    @step
    def end(self):
        self.summary = (self.recovered_on, str(self.error), self.before, self.var, type(self.timed_out).__name__)
