"""The smallest flow: three steps in a line."""
from metaflow import FlowSpec, Parameter, step


class HelloFlow(FlowSpec):
    """Say hello, then shout it."""

    person = Parameter("person", default="world", help="who to greet")

    @step
    def start(self):
        """Build the greeting."""
        self.greeting = f"hello {self.person}"
        self.next(self.shout)

    @step
    def shout(self):
        """Make it louder."""
        self.loud = self.greeting.upper() + "!"
        self.next(self.end)

    @step
    def end(self):
        print(self.loud)


if __name__ == "__main__":
    HelloFlow()
