"""The client used inside a running flow, as Metaflow's docs show it for inspecting runs: Flow(current.flow_name),
current.run / current.task, a Run and Step named by pathspec, earlier steps' artifacts read back through the
client, get_namespace(). Ids differ between systems, so the flow records facts derived from them."""
from datetime import datetime

from metaflow import Flow, Run, Step, Task, current, get_namespace, step
from metaflow import FlowSpec


class ClientInStepsFlow(FlowSpec):
    @step
    def start(self):
        self.seed_value = {"alpha": 1, "beta": [2, 3]}
        flow = Flow(current.flow_name)
        self.flow_id_matches = flow.id == current.flow_name
        self.latest_is_this_run = flow.latest_run is not None and flow.latest_run.id == current.run_id
        self.latest_successful = flow.latest_successful_run  # none yet: this is the first run
        self.runs_so_far = len(list(flow))
        self.namespace = get_namespace()
        self.next(self.inspect)

    @step
    def inspect(self):
        run = current.run
        self.run_pathspec_ok = run.pathspec == f"{current.flow_name}/{current.run_id}"
        self.run_finished = run.finished
        self.start_seen = Step(f"{run.pathspec}/start").task.data.seed_value
        self.start_by_index = run["start"].task["seed_value"].data
        self.steps_done = sorted(s.id for s in run)
        task = current.task
        self.task_pathspec_ok = task.pathspec == current.pathspec
        self.task_is_task = isinstance(Task(current.pathspec), Task)
        self.parent = Run(run.pathspec)["start"].task.pathspec.split("/")[2]
        self.next(self.end)

    @step
    def end(self):
        run = Run(f"{current.flow_name}/{current.run_id}")
        own = [a.id for a in run["inspect"].task if not a.id.startswith("_")]
        self.inspect_artifacts = sorted(set(own) - {"name"})  # Metaflow also lists "name", the flow's name
        self.inspect_seen = run["inspect"].task.data.start_seen == self.seed_value
        self.successful_before_end = run.successful
        start = run["start"].task
        self.times = (type(run.created_at).__name__, type(start.finished_at).__name__,
                      start.created_at <= start.finished_at <= datetime.now(), run["inspect"].finished_at is not None)
        self.foreach_index = start.index  # None: not in a foreach


if __name__ == "__main__":
    ClientInStepsFlow()
