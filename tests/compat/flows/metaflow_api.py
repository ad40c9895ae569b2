"""Metaflow's public modules as flows import them (metaflow.exception, metaflow.metaflow_current), `current`
under @project (branch, namespace, user, tags, the running task), read-only class-level values, and an
inline @secrets source; each observation is an artifact."""
# compat: tag nightly
# compat: differs task_pathspec
import os

import metaflow
import metaflow.exception
from metaflow import FlowSpec, parallel_map, profile, project, secrets, step
from metaflow.cards import Markdown
from metaflow.exception import MetaflowException, UnhandledInMergeArtifactsException
from metaflow.metaflow_current import current


class Settings:
    pass


@project(name="compat_demo")
class MetaflowApiFlow(FlowSpec):
    LIMIT = 3

    @secrets(sources=[{"type": "inline", "id": "db", "options": {"env_vars": {"DB_TOKEN": "t0k3n"}}}])
    @step
    def start(self):
        self.token = os.environ["DB_TOKEN"]
        self.project = (current.project_name, current.branch_name, current.project_flow_name,
                        current.is_production, current.is_user_branch)
        self.identity = (current.namespace, current.username, sorted(current.tags), current.is_running_flow)
        self.task_pathspec = current.task.pathspec
        self.component = type(Markdown("# a card component")).__name__
        offset = 10
        stats = {}
        with profile("squares", stats_dict=stats):
            self.squares = parallel_map(lambda x: x * x + offset, range(5), max_parallel=2)
        self.profiled = sorted(stats)
        self.same_task = current.task.pathspec == current.pathspec and current.run.pathspec in current.pathspec
        try:
            self.LIMIT = 4
            self.constant = "assigned"
        except AttributeError as error:
            self.constant = str(error).split(":")[0]
        try:
            raise MetaflowException("raised by the flow")
        except metaflow.exception.MetaflowException as error:
            self.caught = (type(error).__name__, str(error), error.headline)
        self.next(self.a, self.b)

    @step
    def a(self):
        self.shared = "from a"
        self.next(self.join)

    @step
    def b(self):
        self.shared = "from b"
        self.next(self.join)

    @step
    def join(self, inputs):
        try:
            self.merge_artifacts(inputs)
            self.conflict = None
        except UnhandledInMergeArtifactsException as error:
            self.conflict = (isinstance(error, MetaflowException), sorted(error.artifact_names))
        self.next(self.end)

    @step
    def end(self):
        self.limit = self.LIMIT


if __name__ == "__main__":
    MetaflowApiFlow()
