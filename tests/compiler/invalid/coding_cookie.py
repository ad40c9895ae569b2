# expect: FLC001@2:3
# coding: utf-7
from metaflow import FlowSpec, step


class Utf7Flow(FlowSpec):
    @step
    def start(self):
        # +AAo-import os
        self.next(self.end)

    @step
    def end(self):
        pass
