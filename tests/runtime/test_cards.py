"""Card components and their HTML, without a run: the Markdown subset is safe, the collector picks the card
`current.card.append` edits as Metaflow does, images are checked, and one broken component never breaks a card."""

from __future__ import annotations

import base64
from html.parser import HTMLParser

import pytest

from flowc.runtime import cardhtml
from flowc.runtime.cards import (Artifact, CardCollector, Image, Markdown, MetaflowCardComponent, ProgressBar, Table,
                                 VegaChart, render_block)
from flowc.runtime.decorators import CARD_DEFAULTS, card, step, step_decorators

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2b1a3b40000000049454e44ae426082")


class Tags(HTMLParser):
    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.data: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.data.append(data)


def markdown(text: str) -> Tags:
    return Tags(cardhtml.block(render_block(Markdown(text))))


def test_markdown_subset():
    page = markdown("""
        # Title *one*
        Some **bold**, *em*, `a < b` and [docs](https://example.org/x_y?a=1&b=2).

        - first
        - second
        1. one

        ```
        <raw> **not bold**
        ```
    """)
    tags = [t for t, _ in page.tags]
    assert tags == ["div", "h1", "em", "p", "strong", "em", "code", "a", "ul", "li", "li", "ol", "li", "pre", "code"]
    assert dict(page.tags)["a"]["href"] == "https://example.org/x_y?a=1&b=2"
    assert "a < b" in page.data and "<raw> **not bold**" in page.data


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>x</script>",
                                 "vbscript:x", "file:///etc/passwd"])
def test_markdown_links_to_other_schemes_stay_text(url):
    page = markdown(f"[click]({url})")
    assert [t for t, _ in page.tags] == ["div", "p"]
    assert "".join(page.data) == f"[click]({url})"


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "**<b>x</b>**", "`</code><script>`",
    "[<i>x</i>](https://e.org/\"onmouseover=\"x)", "# <h1>\n- <li onclick=x>", "&lt;script&gt; &amp;",
])
def test_markdown_never_lets_html_through(text):
    page = markdown(text)
    for tag, attrs in page.tags:
        assert tag in {"div", "p", "strong", "em", "code", "a", "h1", "ul", "li", "br"}, tag
        assert set(attrs) <= {"href", "rel", "class"}, attrs
    assert "".join(page.data).replace("\n", "") .count("<") == text.replace("\n", "").count("<")


def test_an_image_must_be_a_picture():
    good = render_block(Image(PNG, label="x"))
    assert good["mime"] == "image/png" and base64.b64decode(good["data"]) == PNG
    as_text = render_block(Image(base64.b64encode(PNG).decode()))
    assert as_text["data"] == good["data"]
    assert render_block(Image("data:image/png;base64," + good["data"]))["data"] == good["data"]
    assert render_block(Image(b"<html><script>x</script>"))["type"] == "error"
    assert render_block(Image("not base64!"))["type"] == "error"
    svg = render_block(Image(b"<svg xmlns='http://www.w3.org/2000/svg'/>"))
    assert svg["mime"] == "image/svg+xml"  # shown through <img>, where an SVG's scripts never run


def test_a_broken_component_is_an_error_block_not_an_exception():
    class Broken(MetaflowCardComponent):
        def render(self):
            raise KeyError("nope")

    block = render_block(Broken())
    assert block["type"] == "error" and "KeyError" in block["text"]
    table = render_block(Table([[Broken(), "ok"]]))
    assert table["rows"][0][0]["type"] == "error" and table["rows"][0][1] == {"type": "text", "text": "ok"}


def test_components_keep_their_last_state():
    bar = ProgressBar(max=4, label="steps")
    bar.update(3, metadata="fast")
    assert render_block(bar) == {"type": "progress", "max": 4.0, "value": 3.0, "label": "steps", "unit": None,
                                 "details": "fast"}
    chart = VegaChart({"mark": "point"})
    chart.update({"mark": "line"})
    assert render_block(chart)["spec"] == {"mark": "line"}
    short = render_block(Artifact("x" * 1000))["repr"]
    assert len(short) <= 200 and "..." in short and short.startswith("'x")
    assert render_block(Artifact("x" * 1000, compressed=False))["repr"] == repr("x" * 1000)


def _settings(**kwargs) -> dict:
    return {**CARD_DEFAULTS, **kwargs}


def test_append_goes_to_the_only_card_or_the_one_without_an_id(capsys):
    one = CardCollector([_settings(id="a")])
    one.append(Markdown("x"))
    assert len(one["a"]) == 1
    two = CardCollector([_settings(), _settings(id="b", type="blank")])
    two.append(Markdown("x"))
    two["b"].extend([Markdown("y"), Markdown("z")])
    assert (len(two.cards[0]), len(two.cards[1])) == (1, 2)
    two.clear()
    assert (len(two.cards[0]), len(two.cards[1])) == (0, 2)
    assert "WARNING" not in capsys.readouterr().err


def test_append_without_a_default_card_warns_and_does_nothing(capsys):
    cards = CardCollector([_settings(id="a"), _settings(id="b")])
    cards.append(Markdown("x"))
    cards.append(Markdown("x"))
    assert all(len(c) == 0 for c in cards.cards)
    assert capsys.readouterr().err.count("cannot tell which") == 1
    assert cards["zz"] == [] and "no @card(id='zz')" in capsys.readouterr().err
    customized = CardCollector([_settings(id="a"), _settings(id="b", customize=True)])
    customized.append(Markdown("x"))
    assert len(customized["b"]) == 1


def test_a_card_id_can_be_given_a_new_list_and_components_by_id():
    cards = CardCollector([_settings(id="a")])
    cards["a"] = [Markdown("one"), Markdown("two")]
    assert len(cards["a"]) == 2
    text = Markdown("old")
    cards["a"].append(text, id="note")
    cards["a"].components["note"].update("new")
    assert render_block(cards["a"]["note"])["text"] == "new"
    with pytest.raises(ValueError):
        cards["a"]["note"] = Markdown("again")


def test_card_decorators_stack_in_source_order():
    @card(type="blank", id="top")
    @card
    @step
    def start(self):
        pass

    recorded = step_decorators(start)["card"]
    assert [(c["type"], c["id"]) for c in recorded] == [("blank", "top"), ("default", None)]
    with pytest.raises(TypeError):
        card(colour="red")


def test_table_from_a_dataframe():
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame({"a": range(150), "b": ["<x>"] * 150})
    block = render_block(Table.from_dataframe(frame))
    assert block["headers"] == ["a", "b"] and len(block["rows"]) == 100
    assert block["rows"][0] == [{"type": "text", "text": "0"}, {"type": "text", "text": "<x>"}]
    assert block["note"] == "50 more rows not shown"
    assert len(render_block(Table.from_dataframe(frame, truncate=False))["rows"]) == 150


def test_image_from_matplotlib():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots()
    axes.plot([1, 2, 3])
    for source in (figure, axes):
        block = render_block(Image.from_matplotlib(source, label="plot"))
        assert block["mime"] == "image/png" and base64.b64decode(block["data"]).startswith(b"\x89PNG")


def _chart(mark, values, x_type="quantitative", y_type="quantitative", **extra) -> dict:
    return {"mark": mark, "data": {"values": values}, **extra,
            "encoding": {"x": {"field": "a", "type": x_type}, "y": {"field": "b", "type": y_type}}}


def test_a_simple_vega_lite_chart_is_drawn_as_svg():
    from flowc.runtime.cardchart import svg

    # plot area: 560 x 300 minus margins (64 left, 16 right, 28 top, 56 bottom) = 480 x 216; y grows downwards
    line = Tags(svg(_chart("line", [{"a": 1, "b": 10}, {"a": 0, "b": 0}])))
    assert [attrs["points"] for tag, attrs in line.tags if tag == "polyline"] == ["0.0,216.0 480.0,0.0"]
    bars = Tags(svg(_chart("bar", [{"a": "<script>", "b": 4}, {"a": "k", "b": 2}], x_type="nominal")))
    rects = [attrs for tag, attrs in bars.tags if tag == "rect"]
    assert [(r["x"], r["y"], r["width"], r["height"]) for r in rects] == [
        ("24.0", "0.0", "192.0", "216.0"), ("264.0", "108.0", "192.0", "108.0")]  # 2 bands of 240, bars 80% wide
    assert "<script>" in bars.data and "script" not in [tag for tag, _ in bars.tags]
    titled = Tags(svg(_chart("point", [{"a": 1, "b": 1}], title="T <i>")))
    assert "T <i>" in titled.data and len([t for t, _ in titled.tags if t == "circle"]) == 1


@pytest.mark.parametrize("spec", [
    {"mark": "bar"}, _chart("arc", [{"a": 1, "b": 1}]), _chart("bar", [{"a": 1, "b": 1}]),
    _chart("line", [{"a": 1, "b": 1}], transform=[{"filter": "x"}]), {"layer": [], "mark": "line"},
    _chart("line", []), _chart("line", [{"a": "x", "b": 1}]), "not a spec",
    {"mark": "line", "data": {"url": "https://e.org/d.json"}, "encoding": {"x": {"field": "a"}, "y": {"field": "b"}}},
])
def test_other_vega_specs_are_shown_as_json(spec):
    from flowc.runtime.cardchart import svg

    assert svg(spec) is None
    page = Tags(cardhtml.block(render_block(VegaChart(spec))))
    assert "svg" not in [tag for tag, _ in page.tags] and "pre" in [tag for tag, _ in page.tags]


def test_a_stored_card_reads_back(tmp_path):
    from flowc.runtime.cards import Card
    from flowc.runtime.datastore import TaskRef, open_datastore

    store = open_datastore(str(tmp_path))
    ref = TaskRef("F", "r1", "start", "")
    page = cardhtml.page("t <x>", "s", [cardhtml.section("A", [cardhtml.paragraph("p")])])
    store.write_card(ref, 0, "card-0.html", page.encode())
    card = Card(store, ref, 0, {"file": "card-0.html", "type": "blank", "id": "a", "position": 0})
    assert card.get() == page and card.path == str(tmp_path / "F/runs/r1/start/_/attempt-0/card-0.html")
    import hashlib

    assert card.hash == hashlib.sha256(page.encode()).hexdigest()
    frame = Tags(card._repr_html_())
    assert [t for t, _ in frame.tags] == ["iframe"] and frame.tags[0][1]["srcdoc"] == page
    with pytest.raises(Exception, match="bad card file name"):
        store.read_card(ref, 0, "../../../etc/passwd")
