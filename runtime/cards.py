"""Cards: Metaflow's `@card` reports, rendered by flowc to one self-contained HTML file per card.

What a step uses (Metaflow's names and semantics, `from metaflow.cards import ...` as well)::

    from flowc.runtime import card, current
    from flowc.runtime.cards import Markdown, Table, Image, Artifact, ProgressBar, VegaChart, Error

    @card                                   # the default card: the task's artifacts, parameters, timings
    @card(type="blank", id="summary", options={"title": "Summary"})
    @step
    def train(self):
        current.card.append(Markdown("# Loss"))          # the default editable card (see below)
        current.card["summary"].append(Table([[1, 2]], headers=["a", "b"]))
        current.card.extend([...]); current.card.clear(); current.card.refresh()   # refresh: no-op here

Which card `current.card.append` edits follows Metaflow: the only card, else the only one without an
id, else the one with `customize=True`; otherwise the call warns and does nothing. `current.card[ID]`
of an unknown id warns and returns a throwaway list.

Components hold data only; flowc.runtime.cardhtml turns them into HTML (every user string escaped).
The task renders its cards after the step body, when the task commits (also when @catch caught the
step's exception, as Metaflow does; never for a failed attempt) and stores them with the attempt
(flowc.runtime.datastore: attempt-N/cards.json and card-K.html). A card that fails to render never
fails the task: a warning goes to the task's stderr.

Read cards back with `get_cards("Flow/run/step[/task]")`, `flowc card get|view|list`.
"""

from __future__ import annotations

import base64
import binascii
import reprlib
import sys
import textwrap
from typing import Any, Iterator, Optional


def _warn(message: str) -> None:
    print(f"[@card WARNING] {message}", file=sys.stderr)


# -- components -------------------------------------------------------------------------------------
class MetaflowCardComponent:
    """Base of every component. A subclass of the user's own may return a string or a JSON-able value
    from render(): it is shown as text (escaped), as Metaflow cannot run custom JavaScript here either."""

    REALTIME_UPDATABLE = False
    component_id: Optional[str] = None

    def update(self, *args, **kwargs) -> None:
        _warn(f"{type(self).__name__} cannot be updated")

    def render(self):
        raise NotImplementedError

    def _block(self) -> dict:
        """The component as data for flowc.runtime.cardhtml (overridden by flowc's components)."""
        value = self.render()
        if isinstance(value, str):
            return {"type": "text", "text": value}
        return {"type": "json", "value": value}


class Markdown(MetaflowCardComponent):
    """Markdown text (common leading indentation removed). Rendered safely: HTML in the text is shown as
    text; headings, emphasis, code, lists, links (http, https, mailto, relative) and code blocks work."""

    REALTIME_UPDATABLE = True

    def __init__(self, text: Optional[str] = None):
        self._text = None if text is None else textwrap.dedent(str(text))

    def update(self, text: Optional[str] = None) -> None:
        self._text = None if text is None else textwrap.dedent(str(text))

    def _block(self) -> dict:
        return {"type": "markdown", "text": self._text or ""}


class Artifact(MetaflowCardComponent):
    """Any Python value, shown as its repr (shortened with reprlib unless compressed=False)."""

    REALTIME_UPDATABLE = True

    def __init__(self, artifact: Any, name: Optional[str] = None, compressed: bool = True):
        self._artifact = artifact
        self._name = name
        self._compressed = compressed

    def update(self, artifact: Any) -> None:
        self._artifact = artifact

    def _block(self) -> dict:
        return {"type": "artifact", "name": None if self._name is None else str(self._name),
                "repr": short_repr(self._artifact) if self._compressed else repr(self._artifact)}


class Table(MetaflowCardComponent):
    """Rows of cells; a cell is a value (shown as str) or another component (Markdown, Artifact, Image...)."""

    def __init__(self, data: Optional[list] = None, headers: Optional[list] = None, disable_updates: bool = False):
        rows = data or [[]]
        self._headers = [str(h) for h in headers] if isinstance(headers, (list, tuple)) else []
        self._data = [list(row) for row in rows] if all(isinstance(r, (list, tuple)) for r in rows) else [[]]

    @classmethod
    def from_dataframe(cls, dataframe=None, truncate: bool = True) -> "Table":
        """A pandas DataFrame's first 100 rows (all with truncate=False), with its column names."""
        if not hasattr(dataframe, "columns") or not type(dataframe).__module__.startswith("pandas"):
            return cls(headers=[f"Object type {type(dataframe).__name__} not supported"])
        frame = dataframe.head(100) if truncate else dataframe
        rows = [list(row) for row in frame.itertuples(index=False, name=None)]
        table = cls(data=rows, headers=[str(c) for c in dataframe.columns])
        if truncate and len(dataframe) > len(frame):
            table._truncated = len(dataframe) - len(frame)
        return table

    def update(self, *args, **kwargs) -> None:
        _warn("a Table cannot be updated; update the components inside it")

    def _block(self) -> dict:
        rows = [[_cell(value) for value in row] for row in self._data if row]
        block = {"type": "table", "headers": self._headers, "rows": rows}
        if getattr(self, "_truncated", 0):
            block["note"] = f"{self._truncated} more rows not shown"
        return block


def _cell(value: Any) -> dict:
    if isinstance(value, MetaflowCardComponent):
        return render_block(value)
    return {"type": "text", "text": str(value)}


_IMAGE_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF87a", "image/gif"),
                (b"GIF89a", "image/gif"), (b"RIFF", "image/webp"))


def image_type(data: bytes) -> Optional[str]:
    """The MIME type of PNG, JPEG, GIF, WebP or SVG bytes, else None."""
    for magic, mime in _IMAGE_MAGIC:
        if data.startswith(magic) and (mime != "image/webp" or data[8:12] == b"WEBP"):
            return mime
    head = data[:512].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return "image/svg+xml"
    return None


class Image(MetaflowCardComponent):
    """An image: PNG/JPEG/GIF/WebP/SVG bytes, a base64 string of them (or a data: URI), a PIL image
    (from_pil_image) or a matplotlib figure or axes (from_matplotlib). Embedded in the page as data."""

    def __init__(self, src=None, label: Optional[str] = None, disable_updates: bool = True):
        self.REALTIME_UPDATABLE = not disable_updates
        self._set(src, label)

    def _set(self, src, label) -> None:
        self._label = None if label is None else str(label)
        self._data: Optional[bytes] = None
        self._problem: Optional[str] = None
        if src is None:
            self._problem = "the Image has no src"
        elif isinstance(src, (bytes, bytearray)):
            self._data = bytes(src)
        elif isinstance(src, str):
            text = src.split(",", 1)[1] if src.startswith("data:") and "," in src else src
            try:
                self._data = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                self._problem = "the Image's src string is not valid base64"
        else:
            self._problem = f"an Image's src must be bytes or a base64 string, not {type(src).__name__}"
        if self._data is not None and image_type(self._data) is None:
            self._problem, self._data = "the Image's bytes are not a PNG, JPEG, GIF, WebP or SVG image", None

    def update(self, image, label: Optional[str] = None) -> None:
        if not self.REALTIME_UPDATABLE:
            _warn("this Image was made with disable_updates=True; it keeps its first picture")
            return
        if not isinstance(image, (bytes, bytearray, str)):
            image = _png_of(image)
        self._set(image, label if label is not None else self._label)

    @classmethod
    def from_pil_image(cls, pilimage, label: Optional[str] = None, disable_updates: bool = False) -> "Image":
        return cls._from(lambda: _pil_png(pilimage), label, disable_updates)

    @classmethod
    def from_matplotlib(cls, plot, label: Optional[str] = None, disable_updates: bool = False) -> "Image":
        return cls._from(lambda: _matplotlib_png(plot), label, disable_updates)

    @classmethod
    def _from(cls, make, label, disable_updates) -> "Image":
        try:
            return cls(make(), label=label, disable_updates=disable_updates)
        except Exception as error:  # Metaflow shows the failure in the card instead of failing the step
            image = cls(None, label=label, disable_updates=disable_updates)
            image._problem = f"the picture could not be converted: {type(error).__name__}: {error}"
            return image

    def _block(self) -> dict:
        if self._data is None:
            return {"type": "error", "title": "Image", "text": self._problem or "no picture"}
        return {"type": "image", "mime": image_type(self._data), "label": self._label,
                "data": base64.b64encode(self._data).decode("ascii")}


def _pil_png(image) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _matplotlib_png(plot) -> bytes:
    import io

    figure = plot if hasattr(plot, "savefig") else getattr(plot, "figure", None) or plot.get_figure()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def _png_of(image) -> bytes:
    return _matplotlib_png(image) if hasattr(image, "savefig") or hasattr(image, "get_figure") else _pil_png(image)


class ProgressBar(MetaflowCardComponent):
    """A progress bar: update(new_value, metadata=None) moves it (the card shows the last value)."""

    REALTIME_UPDATABLE = True

    def __init__(self, max: int = 100, label: Optional[str] = None, value: int = 0, unit: Optional[str] = None,
                 metadata: Optional[str] = None):
        self._max, self._label, self._value, self._unit, self._metadata = max, label, value, unit, metadata

    def update(self, new_value: int, metadata: Optional[str] = None) -> None:
        self._value = new_value
        if metadata is not None:
            self._metadata = metadata

    def _block(self) -> dict:
        return {"type": "progress", "max": _number(self._max, 100), "value": _number(self._value, 0),
                "label": _text_or_none(self._label), "unit": _text_or_none(self._unit),
                "details": _text_or_none(self._metadata)}


def _number(value: Any, fallback: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return fallback
    return number if number == number and abs(number) != float("inf") else fallback


def _text_or_none(value: Any) -> Optional[str]:
    return None if value is None else str(value)


class VegaChart(MetaflowCardComponent):
    """A Vega-Lite chart spec (a dict, or an Altair chart via from_altair_chart). Cards load no scripts:
    simple charts are drawn as inline SVG by flowc.runtime.cardchart, others are shown as their JSON spec."""

    REALTIME_UPDATABLE = True

    def __init__(self, spec: dict, show_controls: bool = False):
        self._spec = spec

    def update(self, spec=None) -> None:
        if spec is not None:
            self._spec = spec.to_dict() if hasattr(spec, "to_dict") else spec

    @classmethod
    def from_altair_chart(cls, altair_chart) -> "VegaChart":
        return cls(altair_chart.to_dict())

    def _block(self) -> dict:
        return {"type": "vega", "spec": self._spec}


class Error(MetaflowCardComponent):
    """An exception shown in the card (its repr, under an optional title)."""

    def __init__(self, exception, title: Optional[str] = None):
        self._exception, self._title = exception, title

    def _block(self) -> dict:
        return {"type": "error", "title": _text_or_none(self._title) or "Error", "text": repr(self._exception)}


def short_repr(value: Any) -> str:
    """A repr of at most a few hundred characters (reprlib), or why there is none."""
    shortener = reprlib.Repr()
    shortener.maxstring, shortener.maxother, shortener.maxlevel = 200, 200, 3
    try:
        return shortener.repr(value)
    except Exception as error:
        return f"<repr failed: {type(error).__name__}>"


def render_block(component: MetaflowCardComponent) -> dict:
    """The component's block, or an error block naming why it could not be rendered (Metaflow's rule:
    one broken component never breaks the card)."""
    try:
        return component._block()
    except Exception as error:
        return {"type": "error", "title": f"{type(component).__name__} could not be rendered",
                "text": f"{type(error).__name__}: {error}"}


# -- current.card -------------------------------------------------------------------------------------
class CardComponents:
    """The components of one card, in order, by id: append / extend / clear / refresh, and
    components[ID] (one component, to update it), del components[ID], len, iteration."""

    def __init__(self, settings: dict, components: Optional[list] = None):
        self.settings = settings
        self._by_id: dict[str, MetaflowCardComponent] = {}
        for component in components or []:
            self.append(component)

    def append(self, component, id: Optional[str] = None) -> None:
        if not isinstance(component, MetaflowCardComponent):
            _warn(f"{short_repr(component)} is not a card component (Markdown, Table, Image, ...); not added")
            return
        if id is None:
            id = component.component_id or f"{type(component).__name__.lower()}_{len(self._by_id)}"
            while id in self._by_id:
                id += "_"
        component.component_id = str(id)
        self._by_id[component.component_id] = component

    def extend(self, components) -> None:
        for component in components:
            self.append(component)

    def clear(self) -> None:
        self._by_id.clear()

    def refresh(self, data=None, force: bool = False) -> None:
        """Metaflow redraws a card while the task runs; flowc renders cards when the task ends."""

    @property
    def components(self) -> "CardComponents":
        return self

    def keys(self) -> list:
        return list(self._by_id)

    def values(self) -> list:
        return list(self._by_id.values())

    def __getitem__(self, key: str) -> MetaflowCardComponent:
        return self._by_id[key]

    def __setitem__(self, key: str, component) -> None:
        if key in self._by_id:
            raise ValueError(f"the card already has a component {key!r}; replacing one is not supported: "
                             f"update it, or assign a new list to current.card[CARD_ID]")
        self.append(component, id=key)

    def __delitem__(self, key: str) -> None:
        del self._by_id[key]

    def __contains__(self, key: str) -> bool:
        return key in self._by_id

    def __iter__(self) -> Iterator[MetaflowCardComponent]:
        return iter(list(self._by_id.values()))

    def __len__(self) -> int:
        return len(self._by_id)


class CardCollector:
    """`current.card` in a step with @card: the step's cards, and the default editable one's methods."""

    def __init__(self, settings: list[dict]):
        self.cards = [CardComponents(s) for s in settings]
        self._by_id = {}
        ids = [s["id"] for s in settings if s.get("id") is not None]
        for card in self.cards:
            card_id = card.settings.get("id")
            if card_id is not None and ids.count(card_id) == 1:
                self._by_id[card_id] = card
        self._default = self._pick_default()
        self._warned: set = set()

    def _pick_default(self) -> Optional[CardComponents]:
        if len(self.cards) == 1:
            return self.cards[0]
        without_id = [c for c in self.cards if c.settings.get("id") is None]
        customized = [c for c in self.cards if c.settings.get("customize")]
        if len(customized) == 1:
            return customized[0]
        return without_id[0] if len(without_id) == 1 else None

    def _no_default(self, method: str) -> None:
        if method not in self._warned:
            self._warned.add(method)
            _warn(f"current.card.{method} cannot tell which of this step's {len(self.cards)} cards to edit; "
                  f"give every @card an id= and use current.card[ID].{method}")

    def append(self, component, id: Optional[str] = None) -> None:
        if self._default is None:
            return self._no_default("append")
        self._default.append(component, id=id)

    def extend(self, components) -> None:
        if self._default is None:
            return self._no_default("extend")
        self._default.extend(components)

    def clear(self) -> None:
        if self._default is not None:
            self._default.clear()

    def refresh(self, data=None, force: bool = False) -> None:
        """A no-op: flowc renders cards when the task ends (Metaflow also redraws them while it runs)."""

    @property
    def components(self) -> Optional[CardComponents]:
        if self._default is None:
            return self._no_default("components")
        return self._default

    def get(self, type: Optional[str] = None) -> list:
        return [c for c in self.cards if c.settings.get("type") == type]

    def __getitem__(self, key: str):
        if key in self._by_id:
            return self._by_id[key]
        if ("id", key) not in self._warned:
            self._warned.add(("id", key))
            _warn(f"current.card[{key!r}]: no @card(id={key!r}) on this step (ids: "
                  f"{', '.join(map(repr, self._by_id)) or 'none'}); what you add to it is dropped")
        return []

    def __setitem__(self, key: str, components) -> None:
        if key not in self._by_id or not isinstance(components, list):
            _warn(f"current.card[{key!r}] = ...: needs an @card(id={key!r}) on this step and a list of components")
            return
        card = self._by_id[key]
        fresh = CardComponents(card.settings, components)
        self.cards[self.cards.index(card)] = fresh
        self._by_id[key] = fresh
        if self._default is card:
            self._default = fresh

    def __iter__(self):
        return iter(self._default or [])

    def __len__(self) -> int:
        return len(self._default) if self._default is not None else 0


# -- reading cards back ------------------------------------------------------------------------------
class Card:
    """One stored card: `.html` (the page), `.id`, `.type`, `.position` (its place among the step's @card
    decorators, top first), `.path` (a local file, when the datastore is a folder)."""

    def __init__(self, datastore, ref, attempt: int, entry: dict):
        self._datastore, self._ref, self.attempt = datastore, ref, attempt
        self.id, self.type, self.position = entry.get("id"), entry.get("type"), entry.get("position")
        self.file, self.error = entry.get("file"), entry.get("error")
        self.pathspec = ref.pathspec

    def get(self) -> str:
        data = self._datastore.read_card(self._ref, self.attempt, self.file)
        if data is None:
            raise FileNotFoundError(f"card {self.file} of {self.pathspec} is listed but missing")
        return data.decode("utf-8")

    @property
    def html(self) -> str:
        return self.get()

    @property
    def path(self) -> Optional[str]:
        return self._datastore.card_path(self._ref, self.attempt, self.file)

    @property
    def hash(self) -> str:
        """The sha256 of the page (Metaflow's cards have a content hash too)."""
        import hashlib

        return hashlib.sha256(self.get().encode("utf-8")).hexdigest()

    def _repr_html_(self) -> str:
        """In a notebook: the page in a sandboxed frame, so its styles stay inside it."""
        import html

        return (f'<iframe sandbox srcdoc="{html.escape(self.get(), quote=True)}" '
                f'style="width:100%;height:600px;border:none"></iframe>')

    def __repr__(self) -> str:
        return f"Card({self.pathspec!r}, type={self.type!r}, id={self.id!r})"


def get_cards(task, id: Optional[str] = None, type: Optional[str] = None, datastore=None) -> list[Card]:
    """The cards of a committed task: a client Task or a pathspec "Flow/run/step/task_id" (or
    "Flow/run/step" for a step with one task). Filtered by id and type when given. A task without cards
    gives [] (Metaflow raises CardNotPresentException)."""
    if isinstance(task, str):
        from .client import Run

        parts = task.split("/")
        if len(parts) not in (3, 4):
            raise ValueError(f"bad task pathspec {task!r}: expected Flow/run/step[/task_id]")
        step = Run("/".join(parts[:2]), datastore)[parts[2]]
        task = step[parts[3]] if len(parts) == 4 else step.task
        if task is None:
            return []
    done = task.done
    if done is None:
        return []
    entries = task.datastore.read_cards(task.ref, done.attempt) or []
    cards = [Card(task.datastore, task.ref, done.attempt, entry) for entry in entries]
    return [c for c in cards if (id is None or c.id == id) and (type is None or c.type == type)]
