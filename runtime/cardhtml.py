"""Cards as HTML: one self-contained page per card, no script, nothing loaded from anywhere.

Every string that comes from the user (component text, table cells, reprs, labels, artifact names, ids)
is escaped here, in one place: a card shows hostile text as text. The page's Content-Security-Policy
forbids scripts and every request but inline styles and data: images, as a second line of defence.
Markdown is a small safe subset (flowc.runtime.cards.Markdown says which); a simple Vega-Lite chart is
drawn as inline SVG (flowc.runtime.cardchart), any other spec is shown as JSON.
"""

from __future__ import annotations

import html
import json
import re
from typing import Optional

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f6f7f9;color:#1d2430}
main{max-width:1100px;margin:0 auto;padding:24px}
header h1{font-size:1.25rem;margin:0 0 4px}header p{margin:0;color:#5a6473;font-size:.9rem}
section{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:16px;margin:16px 0}
section>h2{font-size:1rem;margin:0 0 12px;color:#3b4452}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid #e6e9ee;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f0f2f5}
pre,code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem}
pre{background:#f3f4f6;padding:10px;border-radius:6px;overflow:auto;white-space:pre-wrap;word-break:break-word}
.block{margin:12px 0}.note{color:#5a6473;font-size:.85rem}
.error{border-left:4px solid #c62828;background:#fdecea;padding:8px 12px}
figure{margin:0}figure img{max-width:100%}figcaption{color:#5a6473;font-size:.85rem}
progress{width:100%;height:16px}
""".strip()

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def page(title: str, subtitle: str, parts: list[str]) -> str:
    """A whole HTML document around `parts` (already-rendered HTML from the functions below)."""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{_CSP}\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
            f"<header><h1>{escape(title)}</h1><p>{escape(subtitle)}</p></header>\n"
            + "\n".join(parts) + "\n</main>\n</body>\n</html>\n")


def section(title: Optional[str], blocks_html: list[str]) -> str:
    heading = f"<h2>{escape(title)}</h2>" if title else ""
    return f"<section>{heading}{''.join(blocks_html)}</section>"


def block(data: dict) -> str:
    """One component's block (flowc.runtime.cards) as HTML."""
    kind = data.get("type")
    render = _BLOCKS.get(kind)
    if render is None:
        return _error("unknown component", f"no renderer for {kind!r}")
    return f"<div class=\"block\">{render(data)}</div>"


def _text(data: dict) -> str:
    return f"<pre>{escape(data['text'])}</pre>" if "\n" in data["text"] else escape(data["text"])


def _json(data: dict) -> str:
    return f"<pre>{escape(_dumps(data['value']))}</pre>"


def _dumps(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=repr, sort_keys=False)


def _artifact(data: dict) -> str:
    name = f"<div class=\"note\">{escape(data['name'])}</div>" if data.get("name") else ""
    return f"{name}<pre>{escape(data['repr'])}</pre>"


def _table(data: dict) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in data.get("headers", []))
    rows = "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>" for row in data.get("rows", []))
    note = f"<p class=\"note\">{escape(data['note'])}</p>" if data.get("note") else ""
    return f"<table>{'<thead><tr>' + head + '</tr></thead>' if head else ''}<tbody>{rows}</tbody></table>{note}"


def _cell(data: dict) -> str:
    if data.get("type") == "text":
        return escape(data["text"])
    return block(data)


_MIMES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"}


def _image(data: dict) -> str:
    if data.get("mime") not in _MIMES or not re.fullmatch(r"[A-Za-z0-9+/=]*", data.get("data", "")):
        return _error("Image", "not an image")
    label = data.get("label")
    caption = f"<figcaption>{escape(label)}</figcaption>" if label else ""
    alt = escape(label or "image")
    return f"<figure><img alt=\"{alt}\" src=\"data:{data['mime']};base64,{data['data']}\">{caption}</figure>"


def _progress(data: dict) -> str:
    maximum, value = data["max"], data["value"]
    shown = f"{value:g}/{maximum:g}" + (f" {data['unit']}" if data.get("unit") else "")
    label = f"<div>{escape(data['label'])}</div>" if data.get("label") else ""
    details = f" · {escape(data['details'])}" if data.get("details") else ""
    bounded = min(max(value, 0), maximum) if maximum > 0 else 0
    return (f"{label}<progress max=\"{maximum:g}\" value=\"{bounded:g}\"></progress>"
            f"<div class=\"note\">{escape(shown)}{details}</div>")


def _vega(data: dict) -> str:
    from .cardchart import svg

    spec = f"<pre>{escape(_dumps(data['spec']))}</pre>"
    drawn = svg(data["spec"])
    if drawn is not None:
        return f"<figure>{drawn}</figure><details><summary>Vega-Lite spec</summary>{spec}</details>"
    return ("<div class=\"note\">Vega chart: flowc draws simple Vega-Lite charts itself (cards load no "
            "scripts); this one is shown as its spec: paste it into a Vega editor to draw it.</div>" + spec)


def _error_block(data: dict) -> str:
    return _error(data.get("title") or "Error", data.get("text") or "")


def _error(title: str, text: str) -> str:
    return f"<div class=\"error\"><strong>{escape(title)}</strong><pre>{escape(text)}</pre></div>"


def _markdown(data: dict) -> str:
    return markdown(data["text"])


def key_values(rows: list[tuple[str, str]]) -> str:
    """A two-column table of names and values (both escaped)."""
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f"<table><tbody>{body}</tbody></table>"


def rows_table(headers: list[str], rows: list[list[str]], code_columns: tuple = ()) -> str:
    """A table of plain strings (escaped); columns in code_columns are shown as code."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(
        f"<td><code>{escape(c)}</code></td>" if i in code_columns else f"<td>{escape(c)}</td>"
        for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def paragraph(text: str) -> str:
    return f"<p class=\"note\">{escape(text)}</p>"


_BLOCKS = {"text": _text, "json": _json, "artifact": _artifact, "table": _table, "image": _image,
           "progress": _progress, "vega": _vega, "error": _error_block, "markdown": _markdown}


# -- Markdown, a safe subset ------------------------------------------------------------------------
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,9}[.)]\s+(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")


def markdown(text: str) -> str:
    """Headings, paragraphs, bullet and numbered lists, fenced code, rules and inline code, **strong**,
    *emphasis*, [links](url). The text is escaped first, so only these tags can come out."""
    out: list[str] = []
    lines = text.splitlines()
    paragraph_lines: list[str] = []
    list_kind: Optional[str] = None
    i = 0

    def flush_paragraph() -> None:
        if paragraph_lines:
            out.append("<p>" + "<br>".join(inline(line) for line in paragraph_lines) + "</p>")
            paragraph_lines.clear()

    def close_list() -> None:
        nonlocal list_kind
        if list_kind:
            out.append(f"</{list_kind}>")
            list_kind = None

    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            flush_paragraph(), close_list()
            code: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence.group(1)):
                code.append(lines[i])
                i += 1
            out.append(f"<pre><code>{escape(chr(10).join(code))}</code></pre>")
            i += 1
            continue
        heading, bullet, numbered = _HEADING.match(line), _BULLET.match(line), _NUMBERED.match(line)
        if not line.strip():
            flush_paragraph(), close_list()
        elif heading:
            flush_paragraph(), close_list()
            level = len(heading.group(1))
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif _RULE.match(line):
            flush_paragraph(), close_list()
            out.append("<hr>")
        elif bullet or numbered:
            flush_paragraph()
            kind = "ul" if bullet else "ol"
            if list_kind != kind:
                close_list()
                out.append(f"<{kind}>")
                list_kind = kind
            out.append(f"<li>{inline((bullet or numbered).group(1))}</li>")
        else:
            close_list()
            paragraph_lines.append(line.strip())
        i += 1
    flush_paragraph(), close_list()
    return "".join(out)


_CODE_SPAN = re.compile(r"`([^`]+)`")
_LINK = re.compile(r"\[([^\]]+)\]\(([^()\s]+)\)")
_STRONG = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_EMPHASIS = re.compile(r"\*([^*\s][^*]*?)\*|(?<![A-Za-z0-9])_([^_\s][^_]*?)_(?![A-Za-z0-9])")
_SAFE_URL = re.compile(r"^(https?://|mailto:|#|/|\./|\.\./)|^[^:]*$", re.IGNORECASE)


def inline(text: str) -> str:
    """Inline Markdown on one line: code spans first (nothing inside them is markup), then links, then
    emphasis. Every piece of the user's text is escaped before any tag is added."""
    pieces: list[str] = []
    position = 0
    for match in _CODE_SPAN.finditer(text):
        pieces.append(_links(text[position:match.start()]))
        pieces.append(f"<code>{escape(match.group(1))}</code>")
        position = match.end()
    pieces.append(_links(text[position:]))
    return "".join(pieces)


def _links(text: str) -> str:
    pieces: list[str] = []
    position = 0
    for match in _LINK.finditer(text):
        pieces.append(_emphasis(escape(text[position:match.start()])))
        url = match.group(2)
        label = _emphasis(escape(match.group(1)))
        if _SAFE_URL.match(url):
            pieces.append(f"<a href=\"{escape(url)}\" rel=\"noopener noreferrer\">{label}</a>")
        else:  # javascript:, data: and other schemes stay text
            pieces.append(escape(match.group(0)))
        position = match.end()
    pieces.append(_emphasis(escape(text[position:])))
    return "".join(pieces)


def _emphasis(escaped: str) -> str:
    escaped = _STRONG.sub(lambda m: f"<strong>{m.group(1) or m.group(2)}</strong>", escaped)
    return _EMPHASIS.sub(lambda m: f"<em>{m.group(1) or m.group(2)}</em>", escaped)
