"""A flow whose strings try to escape into the generated DAG: quotes, Jinja, shell, newlines, unicode."""
from metaflow import FlowSpec, Parameter, environment, step

HOSTILE = "it's \"quoted\" {{ run_id }} {% raw %} $(touch $PWNED_DIR/1) `touch $PWNED_DIR/2` ; touch $PWNED_DIR/3 \\ \n✓ ''' \"\"\""


class HostileFlow(FlowSpec):
    """Docs with {{ dag }} and $(touch $PWNED_DIR/4) and ''' and \""" — ending like a path.md"""

    text = Parameter("text", default=HOSTILE, help="{{ params }} '; import os; os.system(\"touch $PWNED_DIR/5\") #")
    raw = Parameter("raw", default="a'b\"c {{ ds }} $(touch $PWNED_DIR/7) %s\n✓", help="a literal default")
    number = Parameter("number", default=-3, help="a negative number")

    @environment(vars={"HOSTILE_ENV": "{{ var.value.x }} $(touch $PWNED_DIR/6) 'q' \"dq\" \n✓"})
    @step
    def start(self):
        import os

        self.seen_env = os.environ["HOSTILE_ENV"]
        self.seen_text = self.text
        self.seen_raw = self.raw
        self.seen_number = self.number
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    HostileFlow()
