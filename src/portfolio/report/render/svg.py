"""Small SVG charts drawn in Python, so the HTML report needs no script and no network.

These functions place given values on axes; they never derive a figure. Labels
arrive already formatted by the caller (the HTML renderer, from the text
catalogue), and a value of ``None`` is drawn as a gap, never as zero.

Every chart is ``<svg role="img">`` with a ``<title>`` and ``<desc>`` for screen
readers, and each mark carries its own ``<title>`` (a tooltip on hover).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

PALETTE = {
    # Each colour keeps at least 3:1 contrast against white (WCAG 1.4.11, graphics).
    "blue": "#1f5fa8",
    "orange": "#a94f00",
    "red": "#b3261e",
    "green": "#2e7d32",
    "grey": "#6b6b6b",
    "purple": "#6a3d9a",
    "light": "#9fbfe3",
}


@dataclass(frozen=True, slots=True)
class Series:
    """One line of a line chart: its name, colour, dash pattern and one value per x."""

    name: str
    values: Sequence[float | None]
    colour: str
    dash: str = ""


@dataclass(frozen=True, slots=True)
class Span:
    """One mark on a timeline: a lane, a position (0–1 of the axis) and a width (0–1)."""

    lane: str
    start: float
    width: float | None
    label: str
    colour: str


def nice_ticks(top: float, wanted: int = 5) -> list[float]:
    """Round axis ticks (1, 2, 5 × 10^k) from 0 to at least ``top``."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / wanted
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    last = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(last + 1)]


def nice_span(low: float, high: float, wanted: int = 5) -> list[float]:
    """Round ticks (1, 2, 2.5, 5 × 10^k apart) from at or below ``low`` to at or above
    ``high``: an axis zoomed on where the values are (99.5 against 100 % shows)."""
    if high - low <= 0:
        low, high = low - abs(low) * 0.001 - 0.1, high
    raw = (high - low) / wanted
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    return [round(i * step, 10) for i in range(first, last + 1)]


def _text_width(text: str) -> int:
    """About how wide ``text`` is in the legend's font, in px: a wide (CJK) character
    takes two columns of ~7 px, another character one, so a Japanese name does not run
    into the next entry."""
    return sum(14 if unicodedata.east_asian_width(ch) in "WF" else 8 for ch in text)


def _tick_label(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:g}"


class _Canvas:
    """An SVG of a fixed view box with a plot area inside margins."""

    def __init__(
        self, uid: str, title: str, desc: str, *, width: int = 720, height: int = 260,
        left: int = 56, right: int = 16, top: int = 30, bottom: int = 40,
    ) -> None:  # fmt: skip
        self.uid = uid
        self.width, self.height = width, height
        self.x0, self.x1 = left, width - right
        self.y0, self.y1 = height - bottom, top
        self.parts: list[str] = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"'
            f' role="img" aria-labelledby="{self.uid}-t {self.uid}-d" class="chart"'
            f' preserveAspectRatio="xMidYMid meet">',
            f'<title id="{self.uid}-t">{escape(title)}</title>',
            f'<desc id="{self.uid}-d">{escape(desc)}</desc>',
        ]

    def add(self, part: str) -> None:
        self.parts.append(part)

    def y_axis(
        self, top: float, unit: str = "", *, bottom: float | None = None
    ) -> Callable[[float], float]:
        """Grid lines and labels from 0 (or from a round number at or below ``bottom``)
        to a round number at or above ``top``."""
        ticks = nice_ticks(top) if bottom is None else nice_span(bottom, top)
        low = ticks[0]
        high = ticks[-1] if ticks[-1] != low else low + 1.0

        def y(value: float) -> float:
            return self.y0 - (self.y0 - self.y1) * (value - low) / (high - low)

        for tick in ticks:
            pos = y(tick)
            self.add(
                f'<line class="grid" x1="{self.x0}" x2="{self.x1}" y1="{pos:.1f}" y2="{pos:.1f}"/>'
            )
            self.add(
                f'<text class="tick" x="{self.x0 - 6}" y="{pos + 4:.1f}" text-anchor="end">'
                f"{_tick_label(tick)}</text>"
            )
        if unit:
            self.add(
                f'<text class="unit" x="{self.x0 - 6}" y="{self.y1 - 14}" text-anchor="end">'
                f"{escape(unit)}</text>"
            )
        return y

    def x_labels(self, labels: Sequence[str], centres: Sequence[float], every: int = 1) -> None:
        for i, (label, x) in enumerate(zip(labels, centres, strict=True)):
            if i % every == 0:
                self.add(
                    f'<text class="tick" x="{x:.1f}" y="{self.y0 + 16}" text-anchor="middle">'
                    f"{escape(label)}</text>"
                )
        self.add(
            f'<line class="axis" x1="{self.x0}" x2="{self.x1}" y1="{self.y0}" y2="{self.y0}"/>'
        )

    def legend(self, entries: Sequence[tuple[str, str, str]]) -> None:
        """Entries of (name, colour, dash) in a row under the x labels."""
        x = self.x0
        y = self.height - 8
        for name, colour, dash in entries:
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            self.add(
                f'<line x1="{x}" x2="{x + 18}" y1="{y - 4}" y2="{y - 4}" stroke="{colour}"'
                f' stroke-width="3"{dash_attr}/>'
            )
            self.add(f'<text class="legend" x="{x + 24}" y="{y}">{escape(name)}</text>')
            x += 36 + _text_width(name)

    def svg(self) -> str:
        return "".join(self.parts) + "</svg>"


def empty_chart(uid: str, title: str, message: str) -> str:
    """A framed box saying there is no data: a missing chart is shown, never invented."""
    c = _Canvas(uid, title, message, height=80, bottom=8)
    c.add(
        f'<rect class="nodata" x="{c.x0}" y="{c.y1}" width="{c.x1 - c.x0}"'
        f' height="{c.y0 - c.y1}" rx="4"/>'
    )
    c.add(
        f'<text class="nodata-text" x="{(c.x0 + c.x1) / 2}" y="{(c.y0 + c.y1) / 2 + 5}"'
        f' text-anchor="middle">{escape(message)}</text>'
    )
    return c.svg()


def bar_chart(
    uid: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    tooltips: Sequence[str],
    unit: str = "",
    colour: str = PALETTE["blue"],
    highlight: Sequence[bool] | None = None,
    label_every: int = 1,
) -> str:
    """Vertical bars, one per label; ``highlight`` colours some bars (e.g. days with 5xx)."""
    c = _Canvas(uid, title, desc)
    present = [v for v in values if v is not None]
    y = c.y_axis(max(present, default=0.0), unit)
    slot = (c.x1 - c.x0) / max(len(values), 1)
    centres = [c.x0 + slot * (i + 0.5) for i in range(len(values))]
    for i, value in enumerate(values):
        if value is None:
            continue
        fill = PALETTE["orange"] if highlight and highlight[i] else colour
        top = y(value)
        c.add(
            f'<rect class="bar" x="{centres[i] - slot * 0.4:.1f}" y="{top:.1f}"'
            f' width="{slot * 0.8:.1f}" height="{max(c.y0 - top, 0):.1f}" fill="{fill}">'
            f"<title>{escape(tooltips[i])}</title></rect>"
        )
    c.x_labels(labels, centres, label_every)
    return c.svg()


def line_chart(
    uid: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str = "",
    label_every: int = 1,
    bands: Sequence[int] = (),
    band_label: str = "",
    reference: tuple[float, float, str] | None = None,
    value_text: Callable[[float], str] | None = None,
    zoom: bool = False,
) -> str:
    """Lines over shared x labels; gaps where a value is None.

    ``zoom`` starts the y axis near the lowest value instead of at 0, for a figure that
    lives in a narrow band (availability between 99 and 100 %): from 0, its changes are
    a flat line. The axis labels say where it starts; bar charts always start at 0.

    ``bands`` shades x positions (the peak hours); ``reference`` draws a dashed
    straight line from (first x, a) to (last x, b), named by its label. ``value_text``
    writes a point's value in its tooltip as the report's text writes it (report.numbers).
    """
    c = _Canvas(uid, title, desc)
    present = [v for s in series for v in s.values if v is not None]
    if reference is not None:
        present += [reference[0], reference[1]]
    bottom = min(present, default=0.0) if zoom else None
    y = c.y_axis(max(present, default=0.0), unit, bottom=bottom)
    n = max(len(labels), 1)
    step = (c.x1 - c.x0) / n
    xs = [c.x0 + step * (i + 0.5) for i in range(n)]
    for i in bands:
        c.add(
            f'<rect class="band" x="{xs[i] - step / 2:.1f}" y="{c.y1}" width="{step:.1f}"'
            f' height="{c.y0 - c.y1}"><title>{escape(band_label)}</title></rect>'
        )
    if reference is not None:
        c.add(
            f'<line x1="{xs[0]:.1f}" y1="{y(reference[0]):.1f}" x2="{xs[-1]:.1f}"'
            f' y2="{y(reference[1]):.1f}" stroke="{PALETTE["grey"]}" stroke-width="1.5"'
            f' stroke-dasharray="2 4"><title>{escape(reference[2])}</title></line>'
        )
    for s in series:
        runs: list[list[tuple[float, float]]] = [[]]
        for x, value in zip(xs, s.values, strict=True):
            if value is None:
                runs.append([])
            else:
                runs[-1].append((x, y(value)))
        dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
                c.add(
                    f'<polyline points="{points}" fill="none" stroke="{s.colour}"'
                    f' stroke-width="2.5"{dash}/>'
                )
        for i, (x, value) in enumerate(zip(xs, s.values, strict=True)):
            if value is not None:
                shown = value_text(value) if value_text else f"{value:,.1f} {unit}".strip()
                c.add(
                    f'<circle cx="{x:.1f}" cy="{y(value):.1f}" r="3" fill="{s.colour}">'
                    f"<title>{escape(f'{s.name} {labels[i]}: {shown}')}"
                    "</title></circle>"
                )
    c.x_labels(labels, xs, label_every)
    entries = [(s.name, s.colour, s.dash) for s in series]
    if reference is not None:
        entries.append((reference[2], PALETTE["grey"], "2 4"))
    c.legend(entries)
    return c.svg()


def hbar_chart(
    uid: str,
    title: str,
    desc: str,
    rows: Sequence[tuple[str, Sequence[float | None]]],
    series: Sequence[tuple[str, str]],
    *,
    value_labels: Sequence[Sequence[str]],
    unit: str = "",
) -> str:
    """Horizontal bars, grouped per row: one bar per (name, colour) in ``series``.

    ``value_labels`` are the formatted values printed at the end of each bar.
    """
    per_bar = 14
    row_height = per_bar * len(series) + 12
    height = 24 + row_height * len(rows) + 28
    c = _Canvas(uid, title, desc, height=height, left=250, right=90, top=8, bottom=36)
    present = [v for _, values in rows for v in values if v is not None]
    top = max(present, default=0.0) or 1.0
    ticks = nice_ticks(top, 4)
    high = ticks[-1]

    def x(value: float) -> float:
        return c.x0 + (c.x1 - c.x0) * value / high

    for tick in ticks:
        c.add(f'<line class="grid" x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{c.y1}" y2="{c.y0}"/>')
        c.add(
            f'<text class="tick" x="{x(tick):.1f}" y="{c.y0 + 14}" text-anchor="middle">'
            f"{_tick_label(tick)}</text>"
        )
    for r, (label, values) in enumerate(rows):
        row_top = c.y1 + 6 + r * row_height
        c.add(
            f'<text class="rowlabel" x="{c.x0 - 8}" y="{row_top + row_height / 2:.1f}"'
            f' text-anchor="end">{escape(label)}</text>'
        )
        for b, ((name, colour), value) in enumerate(zip(series, values, strict=True)):
            bar_y = row_top + b * per_bar
            text = value_labels[r][b]
            if value is None:
                c.add(f'<text class="tick" x="{c.x0 + 4}" y="{bar_y + 11}">{escape(text)}</text>')
                continue
            c.add(
                f'<rect class="bar" x="{c.x0}" y="{bar_y}" width="{max(x(value) - c.x0, 1):.1f}"'
                f' height="{per_bar - 3}" fill="{colour}">'
                f"<title>{escape(f'{label} — {name}: {text}')}</title></rect>"
            )
            c.add(
                f'<text class="tick" x="{x(value) + 4:.1f}" y="{bar_y + 10}">{escape(text)}</text>'
            )
    if unit:
        c.add(
            f'<text class="unit" x="{c.x1}" y="{c.y0 + 28}" text-anchor="end">{escape(unit)}</text>'
        )
    c.legend([(name, colour, "") for name, colour in series])
    return c.svg()


def timeline(
    uid: str,
    title: str,
    desc: str,
    lanes: Sequence[tuple[str, str]],
    spans: Sequence[Span],
    ticks: Sequence[tuple[float, str]],
) -> str:
    """Marks on a horizontal time axis, one lane per kind; positions are fractions of the axis.

    A span without a width (an incident with no end yet) is drawn as a marker with
    an arrow, not given an invented length.
    """
    lane_height = 28
    height = 16 + lane_height * len(lanes) + 36
    c = _Canvas(uid, title, desc, height=height, left=120, top=12, bottom=36)
    index = {key: i for i, (key, _) in enumerate(lanes)}
    width = c.x1 - c.x0
    for pos, label in ticks:
        px = c.x0 + width * pos
        c.add(f'<line class="grid" x1="{px:.1f}" x2="{px:.1f}" y1="{c.y1}" y2="{c.y0}"/>')
        c.add(
            f'<text class="tick" x="{px:.1f}" y="{c.y0 + 16}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    for i, (_, name) in enumerate(lanes):
        mid = c.y1 + lane_height * (i + 0.5)
        c.add(
            f'<text class="rowlabel" x="{c.x0 - 8}" y="{mid + 4:.1f}" text-anchor="end">'
            f"{escape(name)}</text>"
        )
        c.add(f'<line class="lane" x1="{c.x0}" x2="{c.x1}" y1="{mid:.1f}" y2="{mid:.1f}"/>')
    for span in spans:
        mid = c.y1 + lane_height * (index[span.lane] + 0.5)
        px = c.x0 + width * span.start
        tip = f"<title>{escape(span.label)}</title>"
        if span.width is None:
            c.add(
                f'<path d="M{px:.1f},{mid - 9:.1f} l14,9 l-14,9 z" fill="{span.colour}">'
                f"{tip}</path>"
            )
            continue
        w = max(width * span.width, 6.0)  # a 10-minute event in a month is still visible
        left = px - (w - width * span.width) / 2
        c.add(
            f'<rect x="{left:.1f}" y="{mid - 9:.1f}" width="{w:.1f}"'
            f' height="18" rx="3" fill="{span.colour}">{tip}</rect>'
        )
        # Printed pages have no tooltips, so the mark is labelled beside it too.
        if left - c.x0 > width * 0.7:
            c.add(
                f'<text class="tick" x="{left - 4:.1f}" y="{mid + 4:.1f}" text-anchor="end">'
                f"{escape(span.label)}</text>"
            )
        else:
            c.add(
                f'<text class="tick" x="{left + w + 4:.1f}" y="{mid + 4:.1f}">'
                f"{escape(span.label)}</text>"
            )
    c.add(f'<line class="axis" x1="{c.x0}" x2="{c.x1}" y1="{c.y0}" y2="{c.y0}"/>')
    return c.svg()
