"""A retried step and a parameter given badly: a contract error (the task command exits 2), which a
scheduler must not retry, since every attempt would fail the same way."""
from metaflow import FlowSpec, JSONType, Parameter, retry, step


class RetriedParamsFlow(FlowSpec):
    # Required, so no default shows its shape: Airflow's Param stays untyped and passes bad JSON text on.
    settings = Parameter("settings", type=JSONType, required=True, help="JSON settings")

    @retry(times=2, minutes_between_retries=0)
    @step
    def start(self):
        self.size = self.settings["size"]
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    RetriedParamsFlow()
