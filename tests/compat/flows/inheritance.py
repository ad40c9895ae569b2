"""Flow inheritance as Metaflow documents it (FlowSpec subclasses share steps through Python inheritance):
three levels of flow classes and a mixin listed first. A redefined Parameter takes the new default, a
plain attribute hides a base's parameter, the mixin's helper method and step are found through the MRO,
and the flow that runs is the most derived class."""
from metaflow import FlowSpec, Parameter, retry, step

# compat: param greeting=hi


class Greeter:
    def greet(self, who):
        return f"{self.greeting} {who}"

    @step
    def middle(self):
        self.message = self.greet(self.who)
        self.next(self.end)


class BaseFlow(FlowSpec):
    who = Parameter("who", default="base")
    times = Parameter("times", default=1)
    greeting = Parameter("greeting", default="hello")

    @step
    def start(self):
        self.origin = type(self).__name__
        self.next(self.middle)

    @retry(times=2)
    @step
    def end(self):
        self.final = " / ".join([self.message] * self.times)


class MiddleFlow(BaseFlow):
    who = Parameter("who", default="middle")


class InheritanceFlow(Greeter, MiddleFlow):
    times = 2


if __name__ == "__main__":
    InheritanceFlow()
