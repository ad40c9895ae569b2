"""An ETL flow organised with @project, as Metaflow's docs on coordinating larger projects show: the
project's name, branch and namespace read from `current`, typed parameters (float, bool, a computed
default), three extract branches joined by name, a flow-level name and a regex helper at module level."""
# compat: param ratio=0.5
# compat: param dry-run=true
import re
from decimal import Decimal

from metaflow import FlowSpec, Parameter, current, project, step

ROW = re.compile(r"^(?P<key>[a-z]+)=(?P<value>\d+)$")


def parse(lines):
    return {m["key"]: int(m["value"]) for m in map(ROW.match, lines) if m}


def default_source(context):
    return f"{context.flow_name}-source"


@project(name="compat_etl")
class ProjectEtlFlow(FlowSpec):
    ratio = Parameter("ratio", type=float, default=1.0, help="fraction of rows to keep")
    dry_run = Parameter("dry-run", type=bool, default=False)
    source = Parameter("source", default=default_source)
    TABLES = ("users", "orders", "items")

    @step
    def start(self):
        self.where = {"project": current.project_name, "branch": current.branch_name,
                      "flow": current.project_flow_name, "production": current.is_production,
                      "user_branch": current.is_user_branch, "namespace": current.namespace}
        self.flow_label = self.name
        self.settings = (self.ratio, self.dry_run, self.source)
        self.next(self.users, self.orders, self.items)

    @step
    def users(self):
        self.rows = parse(["alice=3", "bob=4", "not a row"])
        self.next(self.load)

    @step
    def orders(self):
        self.rows = parse(["o=10", "p=20"])
        self.next(self.load)

    @step
    def items(self):
        self.rows = parse([])
        self.next(self.load)

    @step
    def load(self, inputs):
        kept = {}
        for table, inp in zip(self.TABLES, (inputs.users, inputs.orders, inputs.items)):
            rows = sorted(inp.rows.items())
            kept[table] = rows[: int(len(rows) * self.ratio + 0.5)]
        self.kept = kept
        self.loaded = 0 if self.dry_run else sum(len(v) for v in kept.values())
        self.cost = Decimal("0.01") * sum(len(v) for v in kept.values())
        self.merge_artifacts(inputs, include=["where", "flow_label", "settings"])
        self.next(self.end)

    @step
    def end(self):
        self.report = {"tables": sorted(self.kept), "loaded": self.loaded, "cost": str(self.cost),
                       "branch_ok": self.where["branch"] == "user.compat"}


if __name__ == "__main__":
    ProjectEtlFlow()
