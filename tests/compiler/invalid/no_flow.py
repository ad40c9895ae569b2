# expect: FLC002@1:1
from metaflow import step


class JustAClass:
    @step
    def start(self):
        self.next(self.end)
