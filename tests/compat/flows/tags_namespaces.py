"""Run tags, namespaces and parameters from the environment, as Metaflow documents them: `run --tag`,
METAFLOW_RUN_<NAME> (upper-cased, '-' as '_'; an IncludeFile names its file so), the command line over
the environment; runs in the user's namespace (`user:<name>`, plus @project's tags); the client filters
by namespace and lets a flow change its run's user tags but never its system tags."""
# compat: tag nightly
# compat: tag two words
# compat: env METAFLOW_RUN_ALPHA=7
# compat: env METAFLOW_RUN_MY_NAME=from-env
# compat: env METAFLOW_RUN_NOTES=notes.txt
# compat: env METAFLOW_RUN_COUNT=9
# compat: param count=5
from metaflow import FlowSpec, IncludeFile, Parameter, Run, current, get_namespace, namespace, project, step


def error_name(action):
    try:
        action()
        return None
    except Exception as error:
        return type(error).__name__


@project(name="compat_tags")
class TagsNamespacesFlow(FlowSpec):
    alpha = Parameter("alpha", default=1)
    my_name = Parameter("my-name", default="nobody")
    count = Parameter("count", default=1)
    notes = IncludeFile("notes", default="absent.txt")

    @step
    def start(self):
        self.values = [self.alpha, self.my_name, self.count, self.notes.splitlines()[0]]
        pathspec = f"{current.flow_name}/{current.run_id}"
        run = Run(pathspec)
        self.namespace = get_namespace()
        self.user_tags = sorted(run.user_tags)
        self.identity_tags = sorted(t for t in run.system_tags if t.split(":")[0] in ("user", "project",
                                                                                       "project_branch"))
        self.in_namespace = run.is_in_namespace()
        namespace("user:somebody-else")
        self.elsewhere = error_name(lambda: Run(pathspec))
        namespace("nightly")  # a user tag is a namespace too
        self.by_user_tag = Run(pathspec).pathspec == pathspec
        namespace("project:compat_tags")
        self.by_project = Run(pathspec).pathspec == pathspec
        namespace(None)
        self.everywhere = Run(pathspec).pathspec == pathspec
        self.next(self.end)

    @step
    def end(self):
        run = Run(f"{current.flow_name}/{current.run_id}")
        run.add_tag("added")
        run.replace_tag("nightly", "weekly")
        run.remove_tag("never-there")
        run.add_tag("user:compat")  # a system tag already: no-op
        self.after = sorted(Run(run.pathspec).user_tags)
        self.remove_system = error_name(lambda: run.remove_tag("user:compat"))
        self.empty_tag = error_name(lambda: run.add_tag(""))
        self.long_tag = error_name(lambda: run.add_tag("x" * 501))
        self.final = sorted(Run(run.pathspec).user_tags)


if __name__ == "__main__":
    TagsNamespacesFlow()
