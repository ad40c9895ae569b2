"""The task's side of @card: `current.card` before the step, the HTML pages after it.

`open_cards` builds `current.card` from the step's @card decorators (None without any). `write_cards`
renders each card (the default card's task summary, then or instead the user's components) and stores
it with the attempt, before the commit record. Metaflow's rule holds: nothing here fails the task. A card
that raises or outlives its `timeout` is replaced by an error page (or left out with save_errors=False)
and a warning goes to the task's stderr.
"""

from __future__ import annotations

import sys
import time
from typing import Optional

from . import cardhtml
from .cards import CardCollector, CardComponents, Image, image_type, render_block, short_repr
from .deadline import deadline

# Inherited artifacts larger than this are not loaded just to show a repr in the default card.
REPR_LOAD_LIMIT = 1_000_000


def open_cards(decorators: dict) -> Optional[CardCollector]:
    settings = decorators.get("card") or []
    return CardCollector(settings) if settings else None


class TaskFacts:
    """What the default card says about the task (filled in by the task command)."""

    def __init__(self, pathspec: str, attempt: int, started_at: str, status: str, parameters: dict,
                 artifacts: dict, values):
        self.pathspec, self.attempt, self.started_at, self.status = pathspec, attempt, started_at, status
        self.parameters = parameters  # name -> value
        self.artifacts = artifacts  # name -> {"sha256", "type", "size"}
        self.values = values  # name -> the value, or raises to say it is not at hand


def write_cards(datastore, me, attempt: int, collector: CardCollector, facts: TaskFacts) -> None:
    entries = []
    for position, card in enumerate(collector.cards):
        settings = card.settings
        entry = {"position": position, "type": settings.get("type"), "id": settings.get("id"),
                 "file": f"card-{position}.html", "error": None}
        try:
            with deadline(_seconds(settings.get("timeout")), _CardTimeout):
                text = render_card(card, facts)
        except _CardTimeout:
            entry["error"] = f"rendering took longer than its timeout ({settings.get('timeout')} s)"
        except Exception as error:
            entry["error"] = f"{type(error).__name__}: {error}"
        if entry["error"] is not None:
            _warn(f"card {_describe(settings)} of {facts.pathspec} failed: {entry['error']}")
            if settings.get("save_errors") is False:
                continue
            text = cardhtml.page(f"{facts.pathspec} (card failed)", _card_line(settings),
                                 [cardhtml.section("The card could not be rendered",
                                                   [cardhtml.paragraph(entry["error"])])])
        try:
            data = text.encode("utf-8")
            datastore.write_card(me, attempt, entry["file"], data)
            entry["size"] = len(data)
            entries.append(entry)
        except Exception as error:
            _warn(f"card {_describe(settings)} of {facts.pathspec} could not be stored: {error}")
    if entries:
        try:
            datastore.write_cards(me, attempt, entries)
        except Exception as error:
            _warn(f"the cards of {facts.pathspec} could not be listed in the datastore: {error}")


def render_card(card: CardComponents, facts: TaskFacts) -> str:
    settings = card.settings
    options = settings.get("options") if isinstance(settings.get("options"), dict) else {}
    parts = [cardhtml.section(None, [cardhtml.block(render_block(c)) for c in card])] if len(card) else []
    if settings.get("type") == "blank":
        title = str(options.get("title") or facts.pathspec)
        return cardhtml.page(title, f"{facts.pathspec} · {_card_line(settings)}", parts)
    parts += _task_summary(facts)
    return cardhtml.page(facts.pathspec, _card_line(settings), parts)


def _task_summary(facts: TaskFacts) -> list[str]:
    finished = time.time()
    flow, run_id, step, task_id = facts.pathspec.split("/")
    metadata = [("Flow", flow), ("Run", run_id), ("Step", step), ("Task", task_id),
                ("Attempt", str(facts.attempt)), ("Status", facts.status), ("Started", facts.started_at),
                ("Finished", time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(finished))
                 + f".{int(finished % 1 * 1000):03d}+00:00")]
    parameters = [[name, short_repr(value)] for name, value in sorted(facts.parameters.items())]
    rows, images = [], []
    for name, info in facts.artifacts.items():
        if name in facts.parameters:
            continue
        try:
            value = facts.values(name)
            shown = short_repr(value)
        except Exception as error:
            value, shown = None, f"({error})"
        if isinstance(value, (bytes, bytearray)) and image_type(bytes(value)):  # as Metaflow's default card
            images.append(cardhtml.block(render_block(Image(bytes(value), label=name))))
        rows.append([name, str(info.get("type", "")), _size(info.get("size")), shown])
    pictures = [cardhtml.section("Images", images)] if images else []
    return [
        cardhtml.section("Task", [cardhtml.key_values(metadata)]),
        cardhtml.section("Parameters", [cardhtml.rows_table(["Name", "Value"], parameters, (1,))
                                        if parameters else cardhtml.paragraph("No parameters")]),
        cardhtml.section("Artifacts", [cardhtml.rows_table(["Name", "Type", "Size", "Value"], rows, (3,))
                                       if rows else cardhtml.paragraph("No artifacts")]),
    ] + pictures


def _size(size) -> str:
    if not isinstance(size, int):
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


def _card_line(settings: dict) -> str:
    return f"@card(type={settings.get('type')!r}" + (f", id={settings['id']!r})" if settings.get("id") else ")")


def _describe(settings: dict) -> str:
    return _card_line(settings)


def _warn(message: str) -> None:
    print(f"[@card WARNING] {message}; the task goes on", file=sys.stderr)


def _seconds(value) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return 45.0
    return seconds if seconds > 0 else 45.0


class _CardTimeout(BaseException):
    """Raised by the card's alarm; a BaseException so a repr's `except Exception` cannot swallow it."""
