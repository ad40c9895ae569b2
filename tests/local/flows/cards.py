"""Every card component, several cards on one step, a card that raises, a hostile string, @catch."""

import time

from metaflow import FlowSpec, Parameter, card, catch, current, step
from metaflow.cards import Artifact, Image, Markdown, MetaflowCardComponent, ProgressBar, Table, VegaChart

HOSTILE = "<script>alert('x')</script> {{ x }} $(rm -rf /) \"q\" é\n<img src=x onerror=alert(1)>"
# A 1x1 PNG, written out so the test needs no imaging library.
PIXEL = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                      "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2b1a3b40000000049454e44ae426082")


class Exploding(MetaflowCardComponent):
    def render(self):
        raise RuntimeError("component <boom>")


class Slow(MetaflowCardComponent):
    def render(self):
        time.sleep(60)
        return "too late"


class CardsFlow(FlowSpec):
    title = Parameter("title", default="Loss <b>report</b>")

    @card
    @step
    def start(self):
        self.rows = [[1, "a"], [2, "b"]]
        self.hostile = HOSTILE
        current.card.append(Markdown("# %s\n\n- **bold** and *em* and `code`\n- [link](https://example.org)" % self.title))
        self.next(self.train)

    @card(type="blank", id="summary", options={"title": "Training summary"})
    @card(id="main")
    @step
    def train(self):
        bar = ProgressBar(max=10, label="epochs", value=0)
        current.card["summary"].append(bar)
        for epoch in range(10):
            bar.update(epoch + 1, metadata=f"epoch {epoch + 1}")
        current.card["summary"].extend([
            Table([[1, Artifact({"k": 1})], ["<i>x</i>", Markdown("*y*")]], headers=["n", "value"]),
            Image(PIXEL, label="pixel <b>"),
            VegaChart({"mark": "bar", "data": {"values": [{"a": "</pre><script>x</script>", "b": 3}]}}),
            VegaChart({"mark": "bar", "data": {"values": [{"a": HOSTILE, "b": 3}, {"a": "ok", "b": 1}]},
                       "encoding": {"x": {"field": "a", "type": "nominal"}, "y": {"field": "b", "type": "quantitative"}}}),
            Markdown(HOSTILE),
            Markdown("[bad](javascript:alert(1))"),
            Artifact(HOSTILE, name="hostile <name>"),
        ])
        current.card["main"].append(Markdown("main card"))
        self.picture = PIXEL  # the default card shows an artifact that is an image
        current.card["nope"].append(Markdown("dropped"))
        self.loss = 0.25
        self.next(self.broken)

    @card(type="blank", id="broken")
    @card(type="blank", id="slow", timeout=1)
    @step
    def broken(self):
        current.card["broken"].append(Exploding())  # shown as an error block; the card is still written
        current.card["broken"].append("not a component")  # warned about and left out
        current.card["slow"].append(Slow())  # outlives the card's timeout: an error page, the task goes on
        self.next(self.caught)

    @catch(var="problem")
    @card
    @step
    def caught(self):
        current.card.append(Markdown("before the error"))
        raise ValueError("caught <here>")
        self.next(self.end)

    @step
    def end(self):
        pass
