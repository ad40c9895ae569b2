"""@card: several cards told apart by id, current.card's methods, every common component, and a component
that cannot render (a card never fails its task). The artifacts record what current.card showed."""
from metaflow import FlowSpec, card, current, step
from metaflow.cards import Artifact, Image, Markdown, ProgressBar, Table, VegaChart

PIXEL = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                      "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2b1a3b40000000049454e44ae426082")


class CardsCompatFlow(FlowSpec):
    @card
    @step
    def start(self):
        current.card.append(Markdown("# Hello <b>cards</b>"))
        current.card.extend([Artifact({"a": 1}), Table([[1, "x"]], headers=["n", "s"])])
        self.default_count = len(current.card.components)
        current.card.clear()
        self.after_clear = len(current.card.components)
        current.card.append(Markdown("kept"))
        self.next(self.train)

    @card(type="blank", id="summary")
    @card(id="details")
    @step
    def train(self):
        bar = ProgressBar(max=3, label="epochs")
        current.card["summary"].append(bar, id="bar")
        for epoch in range(3):
            bar.update(epoch + 1)
        self.found_by_id = current.card["summary"].components["bar"] is bar
        current.card["summary"].extend([Image(PIXEL, label="pixel"), VegaChart({"mark": "bar", "data": {"values": []}})])
        current.card["details"].append(Artifact(object()))
        self.summary_count = len(current.card["summary"].components)
        self.details_count = len(current.card["details"].components)
        missing = current.card["nope"]
        self.missing_is_empty_list = isinstance(missing, list) and not missing
        current.card["details"] = [Markdown("replaced")]
        self.details_after_set = len(current.card["details"].components)
        self.next(self.end)

    @step
    def end(self):
        self.seen = [self.default_count, self.after_clear, self.summary_count, self.details_count,
                     self.details_after_set, self.found_by_id, self.missing_is_empty_list]


if __name__ == "__main__":
    CardsCompatFlow()
