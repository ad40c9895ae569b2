# expect: FLC303@8:16, FLC303@9:14, FLC303@10:19, FLC303@11:27, FLC060@14:6
from metaflow import FlowSpec, card, step


class CardArgumentsFlow(FlowSpec):
    @step
    @card
    @card(type="html", id="a")
    @card(id="no spaces")
    @card(timeout=0, id="b")
    @card(id="c", options=["x"], timeout=5)
    @card(type="blank", id="d")
    @card(type="blank", id="e")
    @card(type="default", id="d")
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
