"""A foreach inside one branch of a switch, and a static branch inside the other."""
from metaflow import FlowSpec, Parameter, step


class ForeachInSwitchFlow(FlowSpec):
    mode = Parameter("mode", default="batch", help="batch or single")

    @step
    def start(self):
        self.next({"batch": self.fan_out, "single": self.single}, condition="mode")

    @step
    def fan_out(self):
        self.parts = ["a", "b", "c"]
        self.next(self.work, foreach="parts")

    @step
    def work(self):
        self.out = self.input * 2
        self.next(self.gather)

    @step
    def gather(self, inputs):
        self.result = "".join(i.out for i in inputs)
        self.next(self.finish)

    @step
    def single(self):
        self.next(self.check_a, self.check_b)

    @step
    def check_a(self):
        self.ok = True
        self.next(self.checks)

    @step
    def check_b(self):
        self.ok = True
        self.next(self.checks)

    @step
    def checks(self, inputs):
        self.result = "single:" + str(all(i.ok for i in inputs))
        self.next(self.finish)

    @step
    def finish(self):
        self.final = self.result
        self.next(self.end)

    @step
    def end(self):
        print(self.final)


if __name__ == "__main__":
    ForeachInSwitchFlow()
