"""Reads earlier runs of another flow through the client, as Metaflow's docs show for chaining flows:
Flow(...).latest_successful_run, runs filtered by tag, a run's data and steps, and Metaflow().flows."""
from metaflow import Flow, Metaflow, current, get_namespace, step
from metaflow import FlowSpec


class ConsumerFlow(FlowSpec):
    @step
    def start(self):
        producer = Flow("ProducerFlow")
        latest = producer.latest_successful_run
        self.model = latest.data.model
        self.latest_steps = sorted(step.id for step in latest)
        self.latest_tags = sorted(latest.user_tags)
        self.run_count = len(list(producer.runs()))
        self.nightly_versions = [run.data.model["version"] for run in producer.runs("nightly")]
        self.first_model = latest["start"].task.data.model == self.model
        self.flows = sorted(flow.id for flow in Metaflow())
        self.namespace = get_namespace()
        self.next(self.end)

    @step
    def end(self):
        self.summary = (self.model["version"], self.run_count, self.nightly_versions, current.step_name)


if __name__ == "__main__":
    ConsumerFlow()
