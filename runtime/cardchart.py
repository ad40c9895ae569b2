"""A VegaChart drawn without Vega: simple Vega-Lite specs become inline SVG, in Python.

Cards load no scripts, so Vega itself cannot run in them. The common single-view charts are drawn here:
mark bar, line, point, circle, square, tick or area, over inline `data.values`, with `encoding.x` and
`encoding.y` naming fields (quantitative, or nominal/ordinal/temporal as categories); an optional string
`title`. Anything else (layers, transforms, aggregates, URLs for data, ...) returns None and the card shows
the spec as JSON. Every label is escaped; only numbers this module computes reach the SVG's attributes.
"""

from __future__ import annotations

import math
from typing import Optional

from .cardhtml import escape

WIDTH, HEIGHT = 560, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 28, 56
MAX_POINTS = 5000
MAX_LABELS = 30
COLOR = "#4c78a8"
_MARKS = {"bar", "line", "point", "circle", "square", "tick", "area"}
_DISCRETE = {"nominal", "ordinal", "temporal"}


def svg(spec: object) -> Optional[str]:
    """The chart as an <svg> element, or None when the spec is not one this module draws."""
    chart = _read(spec)
    if chart is None:
        return None
    mark, x, y, rows, title = chart
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    xs, ys = [r[0] for r in rows], [r[1] for r in rows]
    x_scale = _scale(xs, x["type"], 0, plot_w, bar=mark == "bar")
    discrete_y = y["type"] in _DISCRETE  # categories run top to bottom, numbers bottom to top
    y_scale = _scale(ys, y["type"], 0 if discrete_y else plot_h, plot_h if discrete_y else 0, bar=mark == "bar")
    if x_scale is None or y_scale is None:
        return None
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11">']
    if title:
        parts.append(f'<text x="{WIDTH / 2:.1f}" y="16" text-anchor="middle" font-size="13">{escape(title)}</text>')
    parts.append(f'<g transform="translate({LEFT},{TOP})">')
    parts += _axis_x(x_scale, x["field"], plot_w, plot_h) + _axis_y(y_scale, y["field"], plot_h)
    parts += _marks(mark, rows, x_scale, y_scale, plot_h)
    parts.append("</g></svg>")
    return "".join(parts)


def _read(spec):
    if not isinstance(spec, dict) or set(spec) & {"layer", "hconcat", "vconcat", "concat", "facet", "repeat",
                                                  "transform"}:
        return None
    mark = spec.get("mark")
    mark = mark.get("type") if isinstance(mark, dict) else mark
    data, encoding = spec.get("data"), spec.get("encoding")
    if mark not in _MARKS or not isinstance(data, dict) or not isinstance(encoding, dict):
        return None
    values = data.get("values")
    x, y = _channel(encoding.get("x")), _channel(encoding.get("y"))
    if not isinstance(values, list) or not values or len(values) > MAX_POINTS or x is None or y is None:
        return None
    if mark == "bar" and (x["type"] in _DISCRETE) == (y["type"] in _DISCRETE):
        return None  # bars need one category axis and one number axis
    if mark in ("line", "area") and y["type"] in _DISCRETE:
        return None
    rows = []
    for record in values:
        if not isinstance(record, dict) or x["field"] not in record or y["field"] not in record:
            continue
        xv, yv = _value(record[x["field"]], x["type"]), _value(record[y["field"]], y["type"])
        if xv is not None and yv is not None:
            rows.append((xv, yv))
    if not rows:
        return None
    if mark in ("line", "area") and x["type"] in ("quantitative", "temporal"):
        rows.sort(key=lambda r: r[0])
    title = spec.get("title")
    return mark, x, y, rows, title if isinstance(title, str) else None


def _channel(channel) -> Optional[dict]:
    if not isinstance(channel, dict) or not isinstance(channel.get("field"), str) or "aggregate" in channel:
        return None
    kind = channel.get("type", "quantitative")
    if kind not in _DISCRETE | {"quantitative"}:
        return None
    return {"field": channel["field"], "type": kind}


def _value(value, kind):
    if kind == "quantitative":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return None
        return float(value)
    return str(value)


class _Scale:
    def __init__(self, kind, domain, start, end, band):
        self.kind, self.domain, self.start, self.end, self.band = kind, domain, start, end, band

    def __call__(self, value) -> float:
        if self.kind == "linear":
            low, high = self.domain
            return self.start + (value - low) / (high - low) * (self.end - self.start)
        position = self.domain.index(value)
        step = (self.end - self.start) / len(self.domain)
        return self.start + step * (position + 0.5)

    @property
    def step(self) -> float:
        return abs(self.end - self.start) / max(1, len(self.domain))


def _scale(values, kind, start, end, bar):
    if kind == "quantitative":
        low, high = min(values), max(values)
        if bar or low > 0:
            low = min(low, 0.0)
        if bar and high < 0:
            high = 0.0
        if high == low:
            high = low + 1.0
        low, high = _nice(low, high)
        return _Scale("linear", (low, high), start, end, bar)
    domain = sorted(set(values))  # Vega-Lite's default order for categories: ascending
    return _Scale("band", domain, start, end, bar)


def _nice(low: float, high: float) -> tuple[float, float]:
    step = _tick_step(low, high)
    return math.floor(low / step) * step, math.ceil(high / step) * step


def _tick_step(low: float, high: float) -> float:
    raw = (high - low) / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _ticks(scale: _Scale) -> list:
    if scale.kind == "band":
        every = max(1, math.ceil(len(scale.domain) / MAX_LABELS))
        return scale.domain[::every]
    low, high = scale.domain
    step = _tick_step(low, high)
    count = int(round((high - low) / step))
    return [low + i * step for i in range(count + 1)]


def _text(value) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _label(value) -> str:
    """An axis label: cut short (a bar's tooltip has the whole value)."""
    text = _text(value)
    return text if len(text) <= 14 else text[:13] + "…"


def _axis_x(scale, field, width, height) -> list[str]:
    parts = [f'<line x1="0" y1="{height}" x2="{width}" y2="{height}" stroke="#888"/>']
    for tick in _ticks(scale):
        x = scale(tick)
        parts.append(f'<line x1="{x:.1f}" y1="{height}" x2="{x:.1f}" y2="{height + 4}" stroke="#888"/>'
                     f'<text x="{x:.1f}" y="{height + 16}" text-anchor="middle">{escape(_label(tick))}</text>')
    parts.append(f'<text x="{width / 2:.1f}" y="{height + 40}" text-anchor="middle" font-weight="bold">'
                 f'{escape(field)}</text>')
    return parts


def _axis_y(scale, field, height) -> list[str]:
    parts = [f'<line x1="0" y1="0" x2="0" y2="{height}" stroke="#888"/>']
    for tick in _ticks(scale):
        y = scale(tick)
        parts.append(f'<line x1="-4" y1="{y:.1f}" x2="0" y2="{y:.1f}" stroke="#888"/>'
                     f'<text x="-7" y="{y + 4:.1f}" text-anchor="end">{escape(_label(tick))}</text>')
    parts.append(f'<text transform="translate({-LEFT + 14},{height / 2:.1f}) rotate(-90)" text-anchor="middle" '
                 f'font-weight="bold">{escape(field)}</text>')
    return parts


def _marks(mark, rows, x, y, height) -> list[str]:
    if mark == "bar":
        if x.kind == "band":  # vertical bars
            zero, width = y(0.0), x.step * 0.8
            return [f'<rect x="{x(a) - width / 2:.1f}" y="{min(y(b), zero):.1f}" width="{width:.1f}" '
                    f'height="{abs(zero - y(b)):.1f}" fill="{COLOR}"><title>{escape(_text(a))}: {escape(_text(b))}'
                    f'</title></rect>' for a, b in rows]
        zero, thickness = x(0.0), y.step * 0.8
        return [f'<rect x="{min(x(a), zero):.1f}" y="{y(b) - thickness / 2:.1f}" width="{abs(x(a) - zero):.1f}" '
                f'height="{thickness:.1f}" fill="{COLOR}"><title>{escape(_text(b))}: {escape(_text(a))}</title></rect>'
                for a, b in rows]
    points = [(x(a), y(b)) for a, b in rows]
    if mark in ("line", "area"):
        line = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        if mark == "line":
            return [f'<polyline points="{line}" fill="none" stroke="{COLOR}" stroke-width="2"/>']
        first, last = points[0][0], points[-1][0]
        return [f'<polygon points="{first:.1f},{height} {line} {last:.1f},{height}" fill="{COLOR}" '
                f'fill-opacity="0.6"/>']
    if mark == "tick":
        return [f'<line x1="{px - 6:.1f}" y1="{py:.1f}" x2="{px + 6:.1f}" y2="{py:.1f}" stroke="{COLOR}" '
                f'stroke-width="2"/>' for px, py in points]
    if mark == "square":
        return [f'<rect x="{px - 3:.1f}" y="{py - 3:.1f}" width="6" height="6" fill="{COLOR}"/>' for px, py in points]
    filled = COLOR if mark == "circle" else "none"
    return [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{filled}" stroke="{COLOR}"/>' for px, py in points]
