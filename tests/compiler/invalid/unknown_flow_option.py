# expect: FLC004@1:1
# flow: SecondFlw
from metaflow import FlowSpec, step


class FirstFlow(FlowSpec):
    pass


class SecondFlow(FlowSpec):
    pass
