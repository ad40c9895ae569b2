"""Tags, namespaces and parameters from the environment (tests/local/test_local_tags.py). The end step
reads its own run with the client, as a flow may."""
from metaflow import FlowSpec, IncludeFile, Parameter, Run, current, project, step


@project(name="demo")
class TaggedFlow(FlowSpec):
    alpha = Parameter("alpha", default=1)
    my_name = Parameter("my-name", default="nobody")
    notes = IncludeFile("notes", default="default-notes.txt")

    @step
    def start(self):
        self.items = [10, 20, 30]
        self.next(self.each, foreach="items")

    @step
    def each(self):
        self.doubled = self.input * 2
        print("doubled", self.doubled)
        self.next(self.join)

    @step
    def join(self, inputs):
        self.total = sum(i.doubled for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        run = Run(f"{current.flow_name}/{current.run_id}")
        self.seen_tags = sorted(run.user_tags)
        self.result = (self.alpha, self.my_name, self.notes.strip(), self.total)


if __name__ == "__main__":
    TaggedFlow()
