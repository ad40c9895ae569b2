"""@card under `flowc run`: every component lands in a self-contained page, escaped; a card that fails never
fails its task; `flowc card list|get|view` and `flowc show` find the cards."""

from __future__ import annotations

import base64
import json
import os
import stat
from html.parser import HTMLParser

import pytest

from local_support import FLOWS

CARD_FLOW = FLOWS / "cards.py"
PIXEL = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                      "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2b1a3b40000000049454e44ae426082")  # as in the flow
HOSTILE = "<script>alert('x')</script> {{ x }} $(rm -rf /) \"q\" é\n<img src=x onerror=alert(1)>"  # as in the flow


class Page(HTMLParser):
    """Every start tag with its attributes, and the text inside each tag (unescaped by the parser)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: dict[str, list[str]] = {}
        self._open: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in ("img", "br", "hr", "meta"):
            self._open.append(tag)

    def handle_endtag(self, tag):
        if tag in self._open:
            while self._open.pop() != tag:
                pass

    def handle_data(self, data):
        for tag in set(self._open):
            self.text.setdefault(tag, []).append(data)

    def data(self, tag: str = "body") -> str:
        return "".join(self.text.get(tag, []))

    def all(self, tag: str) -> list[dict]:
        return [attrs for name, attrs in self.tags if name == tag]


@pytest.fixture(scope="module")
def card_run(tmp_path_factory):
    from local_support import Flowc

    flowc = Flowc(tmp_path_factory.mktemp("cards"))
    flowc.ok("run", str(CARD_FLOW), "--run-id", "r1")
    return flowc


def _cards(flowc, step):
    from flowc.runtime.cards import get_cards

    return get_cards(f"CardsFlow/r1/{step}", datastore=flowc.datastore)


def test_every_component_is_in_the_page(card_run):
    summary, main = _cards(card_run, "train")
    assert (summary.type, summary.id, main.type, main.id) == ("blank", "summary", "default", "main")
    page = Page(summary.get())
    assert page.data("h1") == "Training summary"
    assert page.all("progress") == [{"max": "10", "value": "10"}]  # the last update() wins
    assert "epoch 10" in page.data()
    assert [h for h in page.text["th"]] == ["n", "value"]
    assert "<i>x</i>" in page.data("td")  # a cell's string, as text
    assert "{'k': 1}" in page.data("td")  # an Artifact inside a cell
    assert page.data("em") == "y"  # Markdown inside a cell
    images = page.all("img")
    assert len(images) == 1 and images[0]["alt"] == "pixel <b>"
    prefix = "data:image/png;base64,"
    assert images[0]["src"].startswith(prefix)
    assert base64.b64decode(images[0]["src"][len(prefix):]).startswith(b"\x89PNG")
    spec = next(json.loads(text) for text in page.text["pre"] if text.lstrip().startswith("{\n"))
    assert spec == {"mark": "bar", "data": {"values": [{"a": "</pre><script>x</script>", "b": 3}]}}
    assert "hostile <name>" in page.data()
    assert len(page.all("svg")) == 1 and len(page.all("rect")) == 2  # the chart with an encoding, drawn
    assert HOSTILE in page.data("title")  # a bar's tooltip; its axis label is cut short

    default = Page(main.get())
    assert "main card" in default.data("p")
    assert "CardsFlow/r1/train/_" in default.data("h1")
    assert "Images" in default.data("h2")
    assert [(img["alt"], img["src"]) for img in default.all("img")] == [
        ("picture", "data:image/png;base64," + base64.b64encode(PIXEL).decode())]
    cells = default.data("td")
    for expected in ("loss", "0.25", "rows", "[[1, 'a'], [2, 'b']]", "title", "'Loss <b>report</b>'"):
        assert expected in cells

    start = Page(_cards(card_run, "start")[0].get())
    assert start.data("h1").startswith("CardsFlow/r1/start/_")
    assert "Loss <b>report</b>" in start.data("h1")  # the Markdown heading, with the parameter's text as text
    assert start.data("strong") == "bold" and start.text["code"][0] == "code"
    assert [a["href"] for a in start.all("a")] == ["https://example.org"]


ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "header", "h1", "h2", "h3", "h4", "h5",
                "h6", "p", "section", "div", "table", "thead", "tbody", "tr", "th", "td", "pre", "code", "strong",
                "em", "a", "ul", "ol", "li", "br", "hr", "figure", "img", "figcaption", "progress", "details",
                "summary", "svg", "g", "line", "rect", "text", "title"}


def test_no_card_has_live_markup(card_run):
    pages = [Page(card.get()) for step in ("start", "train", "broken", "caught") for card in _cards(card_run, step)]
    assert len(pages) == 6
    for page in pages:
        for tag, attrs in page.tags:
            assert tag in ALLOWED_TAGS, tag
            assert not any(name.startswith("on") for name in attrs), attrs
            if tag == "a":
                assert attrs["href"].startswith("https://"), attrs
            if tag == "img":
                assert attrs["src"].startswith("data:image/png;base64,"), attrs
        assert [a for t, a in page.tags if t == "meta" and a.get("http-equiv")] == [
            {"http-equiv": "Content-Security-Policy",
             "content": "default-src 'none'; img-src data:; style-src 'unsafe-inline'"}]
    summary = Page(_cards(card_run, "train")[0].get())
    hostile_first_line, hostile_second_line = HOSTILE.split("\n")
    assert hostile_first_line in summary.data("p") and hostile_second_line in summary.data("p")  # Markdown
    assert "[bad](javascript:alert(1))" in summary.data("p")  # a javascript: link stays text
    assert repr(HOSTILE) in summary.data("pre")  # Artifact


def test_a_failing_card_never_fails_its_task(card_run):
    run = card_run.run("CardsFlow/r1")
    assert run.successful
    exploding, slow = _cards(card_run, "broken")
    assert exploding.error is None
    page = Page(exploding.get())
    assert "Exploding could not be rendered" in page.data("strong")
    assert "RuntimeError: component <boom>" in page.data("pre")
    assert slow.error == "rendering took longer than its timeout (1 s)"
    assert "could not be rendered" in Page(slow.get()).data("h2")
    stderr = run["broken"].task.stderr
    assert "[@card WARNING] 'not a component' is not a card component" in stderr
    assert "@card(type='blank', id='slow') of CardsFlow/r1/broken/_ failed" in stderr


def test_a_step_caught_by_catch_still_has_its_card(card_run):
    (card,) = _cards(card_run, "caught")
    page = Page(card.get())
    assert "before the error" in page.data("p")
    assert "succeeded; @catch caught ValueError: caught <here>" in page.data("td")


def test_card_list_get_and_show(card_run, tmp_path):
    listing = card_run.ok("card", "list", "CardsFlow/r1/train").stdout.splitlines()
    assert listing[0].split() == ["TASK", "CARD", "TYPE", "ID", "STATUS", "FILE"]
    assert [line.split()[:5] for line in listing[1:]] == [["CardsFlow/r1/train/_", "0", "blank", "summary", "ok"],
                                                        ["CardsFlow/r1/train/_", "1", "default", "main", "ok"]]
    rows = json.loads(card_run.ok("card", "list", "CardsFlow/r1/broken", "--json").stdout)
    assert [r["error"] for r in rows] == [None, "rendering took longer than its timeout (1 s)"]
    assert os.path.isfile(rows[0]["path"])

    summary, main = _cards(card_run, "train")
    printed = card_run.ok("card", "get", "CardsFlow/r1/train", "--id", "summary").stdout
    assert printed == summary.get()
    out = tmp_path / "main.html"
    card_run.ok("card", "get", "CardsFlow/r1/train", "--type", "default", "-o", str(out))
    assert out.read_text() == main.get()
    ambiguous = card_run("card", "get", "CardsFlow/r1/train")
    assert ambiguous.returncode == 2 and "pick one with --id, --type or --card" in ambiguous.stderr
    assert card_run("card", "get", "CardsFlow/r1/end").returncode == 2
    assert "no @card on its step" in card_run("card", "get", "CardsFlow/r1/end").stderr
    assert card_run("card", "list", "CardsFlow/r1").returncode == 2

    assert "flowc card list CardsFlow/r1/train" in card_run.ok("show", "CardsFlow/r1/train").stdout
    task_view = card_run.ok("show", "CardsFlow/r1/train/_").stdout
    assert "cards: 0 (blank, id summary), 1 (default, id main)" in task_view
    assert f"  1: {main.path}" in task_view.splitlines()
    assert "cards:" not in card_run.ok("show", "CardsFlow/r1/end").stdout


def test_card_get_by_number_writes_the_file(card_run, tmp_path):
    out = tmp_path / "card.html"
    done = card_run.ok("card", "get", "CardsFlow/r1/train/_", "--card", "1", "-o", str(out))
    assert out.read_text() == _cards(card_run, "train")[1].get()
    assert str(out) in done.stderr


def test_card_view_opens_the_file_in_the_browser(card_run, tmp_path):
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f"#!/bin/sh\necho \"$1\" > {opened}\n")
    browser.chmod(browser.stat().st_mode | stat.S_IEXEC)
    card_run.env["BROWSER"] = str(browser)
    try:
        done = card_run.ok("card", "view", "CardsFlow/r1/train", "--id", "main", process=True)
    finally:
        del card_run.env["BROWSER"]
    path = _cards(card_run, "train")[1].path
    assert opened.read_text().strip() == f"file://{path}"
    assert done.stdout.strip() == f"opened {path}"


def test_a_failed_task_has_no_card(flowc, tmp_path):
    flow = tmp_path / "fails.py"
    flow.write_text(
        "from metaflow import FlowSpec, card, current, step\n"
        "from metaflow.cards import Markdown\n\n\n"
        "class CardFailsFlow(FlowSpec):\n"
        "    @card\n    @step\n    def start(self):\n"
        "        current.card.append(Markdown('never shown'))\n"
        "        raise RuntimeError('step failed')\n"
        "        self.next(self.end)\n\n"
        "    @step\n    def end(self):\n        pass\n")
    assert flowc("run", str(flow), "--run-id", "f1").returncode == 1
    listing = flowc.ok("card", "list", "CardFailsFlow/f1/start").stdout
    assert listing.startswith("no cards")
    refused = flowc("card", "get", "CardFailsFlow/f1/start")
    assert refused.returncode == 2 and "has not committed (status: failed)" in refused.stderr


def test_a_resumed_run_keeps_the_reused_tasks_cards(flowc, tmp_path):
    flow = tmp_path / "resumable.py"
    flow.write_text(
        "import os\n"
        "from metaflow import FlowSpec, card, current, step\n"
        "from metaflow.cards import Markdown\n\n\n"
        "class ResumeCardFlow(FlowSpec):\n"
        "    @card\n    @step\n    def start(self):\n"
        "        current.card.append(Markdown('drawn in the first run'))\n"
        "        self.next(self.end)\n\n"
        "    @step\n    def end(self):\n"
        "        if os.environ.get('FAIL_END'):\n            raise RuntimeError('end fails')\n")
    flowc.env["FAIL_END"] = "1"
    assert flowc("run", str(flow), "--run-id", "a1").returncode == 1
    del flowc.env["FAIL_END"]
    flowc.ok("resume", "a1", str(flow), "--run-id", "a2")
    from flowc.runtime.cards import get_cards

    (card,) = get_cards("ResumeCardFlow/a2/start", datastore=flowc.datastore)
    assert "drawn in the first run" in card.get()
    assert card.path.startswith(str(tmp_path / ".flowc" / "ResumeCardFlow" / "runs" / "a2"))


def test_each_foreach_task_has_its_own_card(flowc, tmp_path):
    flow = tmp_path / "foreach_cards.py"
    flow.write_text(
        "from metaflow import FlowSpec, card, current, step\n"
        "from metaflow.cards import Markdown\n\n\n"
        "class ForeachCardFlow(FlowSpec):\n"
        "    @step\n    def start(self):\n        self.items = ['a', 'b']\n"
        "        self.next(self.work, foreach='items')\n\n"
        "    @card(type='blank')\n    @step\n    def work(self):\n"
        "        current.card.append(Markdown(f'item **{self.input}**'))\n        self.next(self.join)\n\n"
        "    @step\n    def join(self, inputs):\n        self.next(self.end)\n\n"
        "    @step\n    def end(self):\n        pass\n")
    flowc.ok("run", str(flow), "--run-id", "x")
    rows = json.loads(flowc.ok("card", "list", "ForeachCardFlow/x/work", "--json").stdout)
    assert [r["task"] for r in rows] == ["ForeachCardFlow/x/work/0", "ForeachCardFlow/x/work/1"]
    for index, item in (("0", "a"), ("1", "b")):
        assert Page(flowc.ok("card", "get", f"ForeachCardFlow/x/work/{index}").stdout).data("strong") == item
    several = flowc("card", "get", "ForeachCardFlow/x/work")
    assert several.returncode == 2 and "name one: ForeachCardFlow/x/work/INDEX" in several.stderr
