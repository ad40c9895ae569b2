"""A batch job that survives bad records, the way Metaflow's docs on handling failures suggest: a foreach
whose body is wrapped in @catch (some items fail), @retry around a flaky lookup, a join that counts and
reports the failures, and a switch on a parameter choosing how to publish."""
# compat: param ids=4,0,bad,2
# compat: param mode=strict
# compat: differs error
from metaflow import FlowSpec, Parameter, catch, current, retry, step


def invert(text):
    return round(100 / int(text), 3)


class RobustBatchFlow(FlowSpec):
    ids = Parameter("ids", default="1,2", help="comma-separated record ids")
    mode = Parameter("mode", default="lenient")

    @step
    def start(self):
        self.records = self.ids.split(",")
        self.publish_mode = self.mode
        self.next(self.process, foreach="records")

    @catch(var="error", print_exception=False)
    @step
    def process(self):
        self.record = self.input
        self.value = invert(self.input)
        self.next(self.collect)

    @step
    def collect(self, inputs):
        self.ok = {i.record: i.value for i in inputs if i.error is None}
        self.failed = sorted((i.record, i.error.type) for i in inputs if i.error is not None)
        self.failure_rate = len(self.failed) / len(inputs[0].records)  # a join sees no artifact before merging
        self.merge_artifacts(inputs, include=["publish_mode", "records"])
        self.next(self.lookup)

    @retry(times=1, minutes_between_retries=0)
    @step
    def lookup(self):
        if current.retry_count == 0:
            raise TimeoutError("the lookup service timed out")
        self.lookup_attempt = current.retry_count
        self.next({"strict": self.publish_strict, "lenient": self.publish_all}, condition="publish_mode")

    @step
    def publish_strict(self):
        self.published = {} if self.failed else self.ok
        self.next(self.end)

    @step
    def publish_all(self):
        self.published = self.ok
        self.next(self.end)

    @step
    def end(self):
        self.summary = (sorted(self.published.items()), self.failed, round(self.failure_rate, 3))


if __name__ == "__main__":
    RobustBatchFlow()
