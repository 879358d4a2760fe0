"""Hand-built SVG charts for the evaluation report: no plotting library, no scripts, no fetches.

Each function returns one ``<svg>`` element as a string, sized by its viewBox so
it scales with the page. Values plotted are scores in [0, 1] unless stated.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

LABEL_COLOURS = {"news_body": "#4e79a7", "quote": "#f28e2b", "case_record": "#59a14f", "statistic": "#b07aa1",
                 "boilerplate": "#9d9590"}
SERIES_COLOURS = ("#4e79a7", "#e15759", "#76b7b2", "#edc948", "#59a14f", "#b07aa1", "#ff9da7", "#9c755f")
_FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-label="{escape(title)}" {_FONT}>'
            f'<title>{escape(title)}</title>' + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {extra}>{escape(text)}</text>'


def _clip(value: float) -> float:
    return min(max(float(value), 0.0), 1.0)


def heatmap(matrix: Sequence[Sequence[float]], rows: Sequence[str], columns: Sequence[str], title: str,
            *, row_title: str = "gold", column_title: str = "predicted") -> str:
    """A confusion matrix: each cell shaded by its share of the row, labeled with its count.

    Examples
    --------
    >>> heatmap([[3, 1], [0, 4]], ["a", "b"], ["a", "b"], "t").count("<rect")
    4
    """
    cell, left, top = 64, 110, 70
    width, height = left + cell * len(columns) + 20, top + cell * len(rows) + 20
    body = [_text(width / 2, 18, title, "middle", 'font-weight="bold"'),
            _text(left + cell * len(columns) / 2, 36, f"{column_title} →", "middle")]
    for j, name in enumerate(columns):
        body.append(_text(left + cell * j + cell / 2, top - 8, name.replace("_", " "), "middle", 'font-size="10"'))
    for i, name in enumerate(rows):
        total = sum(matrix[i]) or 1
        y = top + cell * i
        body.append(_text(left - 6, y + cell / 2 + 4, name.replace("_", " "), "end"))
        for j, value in enumerate(matrix[i]):
            share = value / total
            # diagonal in blue, errors in red: the eye finds the confusions first
            hue = "33, 102, 172" if i == j else "203, 24, 29"
            fill = f"rgba({hue}, {0.08 + 0.92 * share:.3f})" if value else "#f7f7f7"
            ink = "#fff" if share > 0.55 else "#222"
            body.append(f'<rect x="{left + cell * j}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="{fill}">'
                        f'<title>{escape(f"{name} → {columns[j]}: {value:g} ({share:.1%} of row)")}</title></rect>')
            body.append(_text(left + cell * j + cell / 2 - 1, y + cell / 2 + 4, f"{value:g}", "middle", f'fill="{ink}"'))
    body.append(_text(14, top + cell * len(rows) / 2, f"{row_title} ↓", "middle",
                      f'transform="rotate(-90 14 {top + cell * len(rows) / 2:.0f})"'))
    return _svg(width, height, title, body)


def grouped_bars(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], title: str,
                 *, intervals: Sequence[Sequence[tuple[float, float] | None]] | None = None,
                 colours: Sequence[str] = SERIES_COLOURS) -> str:
    """Vertical bars in [0, 1], one group per category, one bar per series, optional 95% whiskers.

    Examples
    --------
    >>> grouped_bars(["x", "y"], [("P", [0.5, 1.0]), ("R", [0.25, 0.0])], "t").count('class="bar"')
    4
    """
    plot_h, top, left, bar = 200, 50, 44, 18
    group = max(bar * len(series) + 16, 7 * max(len(c) for c in categories) + 8)
    width = max(left + group * len(categories) + 20, 7 * len(title) + 20, left + 110 * len(series))
    height = top + plot_h + 44
    body = [_text(width / 2, 18, title, "middle", 'font-weight="bold"')]
    for k, (name, _) in enumerate(series):  # legend
        x = left + k * 110
        body.append(f'<rect x="{x}" y="28" width="10" height="10" fill="{colours[k % len(colours)]}"/>')
        body.append(_text(x + 14, 37, name))
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        y = top + plot_h * (1 - tick)
        body.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        body.append(_text(left - 4, y + 4, f"{tick:.2f}", "end", 'font-size="10"'))
    for c, category in enumerate(categories):
        x0 = left + c * group + (group - bar * len(series)) / 2
        for k, (name, values) in enumerate(series):
            value = _clip(values[c])
            x, h = x0 + k * bar, plot_h * value
            body.append(f'<rect class="bar" x="{x}" y="{top + plot_h - h:.1f}" width="{bar - 2}" height="{h:.1f}" '
                        f'fill="{colours[k % len(colours)]}"><title>{escape(f"{category} {name}: {value:.3f}")}</title></rect>')
            ci = intervals[k][c] if intervals else None
            if ci:
                y1, y2 = top + plot_h * (1 - _clip(ci[0])), top + plot_h * (1 - _clip(ci[1]))
                mid = x + (bar - 2) / 2
                body.append(f'<path d="M{mid:.1f} {y1:.1f}V{y2:.1f}M{mid - 3:.1f} {y1:.1f}h6M{mid - 3:.1f} {y2:.1f}h6" '
                            f'stroke="#222" fill="none"/>')
        body.append(_text(left + c * group + group / 2, top + plot_h + 16, category.replace("_", " "), "middle",
                          'font-size="11"'))
    return _svg(width, height, title, body)


def horizontal_bars(names: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], title: str, *,
                    intervals: Sequence[Sequence[tuple[float, float] | None]] | None = None,
                    notes: Sequence[str] | None = None, colours: Sequence[str] = SERIES_COLOURS) -> str:
    """Horizontal bars in [0, 1]: a row per name, a bar per series, values printed, optional 95% whiskers.

    Long names (sites, systems) stay readable on the left, however many rows there are.

    Examples
    --------
    >>> horizontal_bars(["site a", "site b"], [("model", [0.9, 0.5]), ("rules", [0.4, 0.2])], "t").count('class="bar"')
    4
    """
    bar, gap, top, left, plot_w = 14, 8, 50, 230, 360
    row = bar * len(series) + gap
    width, height = left + plot_w + 170, top + row * len(names) + 24
    body = [_text(width / 2, 18, title, "middle", 'font-weight="bold"')]
    for k, (name, _) in enumerate(series):  # legend
        body.append(f'<rect x="{left + k * 110}" y="28" width="10" height="10" fill="{colours[k % len(colours)]}"/>')
        body.append(_text(left + k * 110 + 14, 37, name))
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        x = left + plot_w * tick
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{height - 20}" stroke="#ddd"/>')
        body.append(_text(x, height - 6, f"{tick:.2f}", "middle", 'font-size="10"'))
    for i, name in enumerate(names):
        y0 = top + row * i
        shown = name if len(name) <= 32 else name[:31] + "…"
        body.append(_text(left - 6, y0 + row / 2 + 1, shown, "end"))
        for k, (label, values) in enumerate(series):
            y, value = y0 + k * bar, _clip(values[i])
            note = notes[i] if notes else ""
            body.append(f'<rect class="bar" x="{left}" y="{y}" width="{plot_w * value:.1f}" height="{bar - 2}" '
                        f'fill="{colours[k % len(colours)]}"><title>{escape(f"{name}, {label}: {value:.3f} {note}")}'
                        "</title></rect>")
            ci = intervals[k][i] if intervals else None
            if ci:
                x1, x2, mid = left + plot_w * _clip(ci[0]), left + plot_w * _clip(ci[1]), y + (bar - 2) / 2
                body.append(f'<path d="M{x1:.1f} {mid:.1f}H{x2:.1f}M{x1:.1f} {y + 1}v{bar - 4}M{x2:.1f} {y + 1}v{bar - 4}" '
                            'stroke="#222" fill="none"/>')
            body.append(_text(left + plot_w + 6, y + bar - 3, f"{value:.3f} {note if k == 0 else ''}".strip(), "start",
                              'font-size="10"'))
    return _svg(width, height, title, body)


def reliability_plot(bins: Sequence[dict], ece: float, title: str) -> str:
    """A reliability diagram: per confidence bin, the blocks' accuracy (bar) against the diagonal.

    ``bins`` are dicts with ``low``, ``high``, ``count``, ``confidence`` and
    ``accuracy`` (see ``calibration.reliability``); empty bins draw no bar.

    Examples
    --------
    >>> b = [{"low": 0.0, "high": 0.5, "count": 2, "confidence": 0.3, "accuracy": 0.5},
    ...      {"low": 0.5, "high": 1.0, "count": 0, "confidence": 0.0, "accuracy": 0.0}]
    >>> reliability_plot(b, 0.2, "t").count('class="bar"')
    1
    """
    size, left, top = 300, 50, 36
    width, height = left + size + 30, top + size + 50
    body = [_text(width / 2, 18, f"{title} (ECE {ece:.3f})", "middle", 'font-weight="bold"')]
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        x, y = left + size * tick, top + size * (1 - tick)
        body.append(f'<line x1="{left}" x2="{left + size}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
        body.append(_text(left - 4, y + 4, f"{tick:.2f}", "end", 'font-size="10"'))
        body.append(_text(x, top + size + 14, f"{tick:.2f}", "middle", 'font-size="10"'))
    total = sum(b["count"] for b in bins) or 1
    for b in bins:
        if not b["count"]:
            continue
        x, w = left + size * b["low"], size * (b["high"] - b["low"])
        h = size * _clip(b["accuracy"])
        tip = f'{b["low"]:.1f}–{b["high"]:.1f}: {b["count"]} blocks, accuracy {b["accuracy"]:.3f}, mean score {b["confidence"]:.3f}'
        body.append(f'<rect class="bar" x="{x + 1:.1f}" y="{top + size - h:.1f}" width="{w - 2:.1f}" height="{h:.1f}" '
                    f'fill="#4e79a7" fill-opacity="{0.35 + 0.65 * min(1.0, 5 * b["count"] / total):.2f}">'
                    f'<title>{escape(tip)}</title></rect>')
        cy = top + size * (1 - _clip(b["confidence"]))
        body.append(f'<circle cx="{left + size * _clip(b["confidence"]):.1f}" cy="{cy:.1f}" r="3" fill="#e15759"/>')
        body.append(_text(x + w / 2, top + size - h - 4, str(b["count"]), "middle", 'font-size="9"'))
    body.append(f'<line x1="{left}" y1="{top + size}" x2="{left + size}" y2="{top}" stroke="#222" stroke-dasharray="4 3"/>')
    body.append(f'<rect x="{left}" y="{top}" width="{size}" height="{size}" fill="none" stroke="#999"/>')
    body.append(_text(left + size / 2, top + size + 34, "block score of the top label (bin); red dot: mean score",
                      "middle", 'font-size="11"'))
    body.append(_text(12, top + size / 2, "accuracy", "middle", f'transform="rotate(-90 12 {top + size / 2:.0f})"'))
    return _svg(width, height, title, body)
