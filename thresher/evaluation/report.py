"""The evaluation report: one self-contained HTML file plus metrics.json.

The page loads nothing: styles are inline, charts are inline SVG (``svg.py``), and
a Content-Security-Policy of ``default-src 'none'`` makes any fetch an error a
browser reports rather than a silent network call.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from pathlib import Path

from ..labels import LABELS
from . import svg
from .scores import Scored
from .summary import worst_pages

_STYLE = """
body{font-family:system-ui,sans-serif;margin:24px auto;max-width:1180px;color:#222;background:#fff}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}h3{font-size:15px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 7px;text-align:right;vertical-align:top}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
.chip{display:inline-block;padding:1px 6px;border-radius:3px;color:#fff;font-size:11px;white-space:nowrap}
table.blocks td.text,table.blocks th:last-child{text-align:left;max-width:760px}
table.blocks tr.miss{outline:2px solid #e15759;background:#fff2f2}
.mark{color:#e15759;font-weight:bold}.note{color:#555;font-size:13px}
"""
_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, float) for v in value):
        return f"[{value[0]:.3f}, {value[1]:.3f}]"
    return str(value)


def table(header: Sequence[str], rows: Sequence[Sequence], *, css: str = "") -> str:
    """An HTML table; floats are shown with three decimals, pairs of floats as intervals.

    Examples
    --------
    >>> table(["a", "b"], [["x", 0.5]])
    '<table><tr><th>a</th><th>b</th></tr><tr><td>x</td><td>0.500</td></tr></table>'
    """
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(_fmt(c))}</td>" for c in row) + "</tr>" for row in rows)
    klass = f' class="{css}"' if css else ""
    return f"<table{klass}><tr>{head}</tr>{body}</table>"


def _page(title: str, sections: list[str]) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>"
            + "\n".join(sections) + "</body></html>\n")


def _chip(label: str | None) -> str:
    if label is None:
        return '<span class="chip" style="background:#ccc;color:#222">none</span>'
    colour = svg.LABEL_COLOURS.get(label, "#666")
    return f'<span class="chip" style="background:{colour}">{escape(label.replace("_", " "))}</span>'


def _ci(scores: dict) -> str:
    low, high = scores["f1_ci"]
    return f"[{low:.3f}, {high:.3f}]"


# -- annotations ------------------------------------------------------------------------------
def _systems_table(systems: dict) -> str:
    rows = []
    for name, m in systems.items():
        if not m.get("pages"):
            rows.append([name, 0] + ["-"] * (7 + len(LABELS)))
            continue
        b, w = m["block"], m["word"]
        rows.append([name, m["pages"], m["blocks"], b["macro"]["f1"], _ci(b["macro"]), b["micro"]["f1"],
                     w["macro"]["f1"], w["content_f1"], "[{:.3f}, {:.3f}]".format(*w["content_f1_ci"])]
                    + [b[label]["f1"] if b[label]["support"] else "-" for label in LABELS])
    return table(["system", "pages", "blocks", "block macro F1", "95% CI", "block accuracy", "word macro F1",
                  "word content F1", "95% CI", *(f"{x} F1" for x in LABELS)], rows)


def _label_section(name: str, m: dict) -> str:
    b, w = m["block"], m["word"]
    rows = [[label, b[label]["precision"], b[label]["recall"], b[label]["f1"], _ci(b[label]), int(b[label]["support"]),
             w[label]["precision"], w[label]["recall"], w[label]["f1"], int(w[label]["support"])] for label in LABELS]
    for avg in ("macro", "micro"):
        rows.append([avg, b[avg]["precision"], b[avg]["recall"], b[avg]["f1"], _ci(b[avg]), "",
                     w[avg]["precision"], w[avg]["recall"], w[avg]["f1"], ""])
    header = ["label", "block P", "block R", "block F1", "95% CI", "blocks", "word P", "word R", "word F1", "words"]
    bars = svg.grouped_bars(list(LABELS), [("precision", [b[x]["precision"] for x in LABELS]),
                                           ("recall", [b[x]["recall"] for x in LABELS]),
                                           ("F1", [b[x]["f1"] for x in LABELS])],
                            f"{name}: block precision, recall and F1 per label",
                            intervals=[[None] * len(LABELS), [None] * len(LABELS), [tuple(b[x]["f1_ci"]) for x in LABELS]])
    word_bars = svg.grouped_bars(list(LABELS), [("precision", [w[x]["precision"] for x in LABELS]),
                                                ("recall", [w[x]["recall"] for x in LABELS])],
                                 f"{name}: word precision and recall per label")
    return (f"<h3>{escape(name)}</h3>" + table(header, rows)
            + f'<div class="charts">{bars}{word_bars}</div>')


def _group_section(title: str, systems: dict, key: str) -> str:
    names = [n for n in ("model", "keyword") if systems.get(n, {}).get("pages")]
    groups = list(systems["model"][key])
    rows = [[g, systems["model"][key][g]["pages"]] + [systems[n][key][g][s] for n in names
                                                      for s in ("macro_f1", "accuracy", "word_content_f1")]
            for g in groups]
    header = [title, "pages"] + [f"{n} {s}" for n in names for s in ("macro F1", "accuracy", "word content F1")]
    chart = svg.horizontal_bars(groups, [(n, [systems[n][key][g]["macro_f1"] for g in groups]) for n in names],
                                f"block macro F1 per {title}",
                                notes=[f'({systems["model"][key][g]["pages"]} p.)' for g in groups])
    return table(header, rows) + f'<div class="charts">{chart}</div>'


def _worst_page(page: Scored) -> str:
    wrong = sum(g != p for g, p in zip(page.gold, page.predicted))
    rows = []
    for i, (text, gold, predicted) in enumerate(zip(page.texts, page.gold, page.predicted)):
        miss = gold != predicted
        score = f"{page.confidence[i]:.2f}" if page.confidence else ""
        shown = text if len(text) <= 400 else text[:399] + "…"
        rows.append(f'<tr class="{"miss" if miss else "hit"}"><td>{i}</td><td>{_chip(gold)}</td><td>{_chip(predicted)}</td>'
                    f'<td>{score}</td><td class="mark">{"✗" if miss else ""}</td><td class="text">{escape(shown)}</td></tr>')
    return (f"<h3>{escape(page.page_id)} <span class=note>({escape(page.site)}, {escape(page.page_type)}: "
            f"{wrong} of {len(page.gold)} blocks wrong)</span></h3>"
            '<table class="blocks"><tr><th>#</th><th>gold</th><th>model</th><th>top score</th><th></th><th>text</th></tr>'
            + "".join(rows) + "</table>")


def annotation_report(metrics: dict, runs: dict[str, list[Scored]]) -> str:
    """The annotation report's HTML from ``summary.annotation_metrics`` and the scored pages."""
    systems = metrics["systems"]
    model = systems["model"]
    head = metrics["headline"]
    vs = metrics["model_vs_keyword"]
    sections = [
        f'<p class="note">split <b>{escape(metrics["split"])}</b>, model <code>{escape(metrics["model"])}</code>; '
        "intervals: 95% page bootstrap (1,000 rounds). Word scores align the gold blocks' words with each system's "
        "words; a word one side lacks counts as boilerplate on that side.</p>",
        "<h2>Systems</h2>", _systems_table(systems),
        '<p class="note">The second annotator (human ceiling) labeled only the doubly-labeled pages; '
        "<i>model (doubly-labeled pages)</i> is the model on those same pages.</p>",
        table(["model − keyword (paired page bootstrap)", "difference", "95% CI", "P(model not better)"],
              [[k.replace("_", " "), v["diff"], [v["low"], v["high"]], v["p_not_better"]] for k, v in vs.items()]),
        table(["headline figure (for --fail-under)", "value"], [[k, v] for k, v in head.items()]),
        "<h2>Per label</h2>",
        _label_section("model", model),
        _label_section("keyword baseline", systems["keyword"]),
        '<h2>Confusion matrices</h2><div class="charts">'
        + svg.heatmap(model["block"]["confusion"], LABELS, LABELS, "model, blocks (rows gold)")
        + svg.heatmap([[round(v) for v in r] for r in model["word"]["confusion"]], LABELS, LABELS,
                      "model, words (rows gold)")
        + svg.heatmap(systems["keyword"]["block"]["confusion"], LABELS, LABELS, "keyword baseline, blocks")
        + "</div>",
        "<h2>Per site</h2>", _group_section("site", systems, "per_site"),
        "<h2>Per page type</h2>", _group_section("page type", systems, "per_page_type"),
    ]
    if "calibration" in model:
        cal = model["calibration"]
        sections += ["<h2>Calibration of block scores</h2>",
                     '<p class="note">Each block\'s highest final score against whether that label is the gold one; '
                     f'{cal["blocks"]} blocks, expected calibration error {cal["ece"]:.3f}.</p>',
                     '<div class="charts">' + svg.reliability_plot(cal["bins"], cal["ece"], "reliability") + "</div>",
                     table(["bin", "blocks", "mean score", "accuracy"],
                           [[f'{b["low"]:.1f}–{b["high"]:.1f}', b["count"], b["confidence"], b["accuracy"]]
                            for b in cal["bins"]])]
    sections.append("<h2>Worst pages</h2><p class=\"note\">The model's pages with the lowest block accuracy, "
                    "block by block: gold label, model label, the model's top score; disagreements outlined in red "
                    "and marked ✗.</p>")
    sections += [_worst_page(p) for p in worst_pages(runs["model"])]
    return _page(f"Thresher evaluation: annotations, {metrics['split']} split", sections)


# -- benchmarks ---------------------------------------------------------------------------------
def benchmark_report(metrics: dict) -> str:
    """The benchmark report's HTML from the dict ``evaluate.py benchmark`` writes to metrics.json."""
    runs = metrics["systems"]
    rows = []
    for name, m in runs.items():
        d = m.get("paired_difference")
        rows.append([name, m["version"], m["precision"], m["recall"], m["f1"], m["f1_ci"],
                     f'{d["diff"]:+.3f} [{d["low"]:+.3f}, {d["high"]:+.3f}]' if d else ""])
    sections = [f'<p class="note">{metrics["pages"]} pages; the benchmark\'s own metric; 95% page-bootstrap '
                "intervals; paired bootstrap of Thresher's F1 minus each system's on the same resampled pages.</p>",
                table(["system", "version", "precision", "recall", "F1", "95% CI", "thresher − system (paired)"], rows)]
    if metrics.get("skipped"):
        sections.append('<p class="note">skipped: ' + escape("; ".join(f"{k}: {v}" for k, v in metrics["skipped"].items()))
                        + "</p>")
    names = list(runs)
    sections.append('<div class="charts">' + svg.horizontal_bars(
        names, [("F1", [runs[n]["f1"] for n in names])], "F1 with 95% interval",
        intervals=[[tuple(runs[n]["f1_ci"]) for n in names]])
        + svg.horizontal_bars(names, [("precision", [runs[n]["precision"] for n in names]),
                                      ("recall", [runs[n]["recall"] for n in names])], "precision and recall")
        + "</div>")
    types = metrics.get("per_page_type")
    if types:
        groups = sorted({t for per in types.values() for t in per})
        sections += ["<h2>Per page type</h2>",
                     table(["page type", "pages"] + names,
                           [[t, types[names[0]].get(t, [0, 0])[1]] + [types[n].get(t, [0.0])[0] for n in names]
                            for t in groups]),
                     '<div class="charts">' + svg.horizontal_bars(groups, [(n, [types[n].get(t, [0.0])[0] for t in groups])
                                                                           for n in names], "F1 per page type") + "</div>"]
    worst = metrics.get("worst_pages") or []
    if worst:
        sections += ["<h2>Thresher's worst pages</h2>",
                     table(["page", "site", "thresher page F1", "best other system", "its page F1"],
                           [[w["page_id"], w["site"], w["f1"], w["best_other"], w["best_other_f1"]] for w in worst])]
    return _page(f"Thresher evaluation: benchmark {metrics['benchmark']}", sections)


def write(directory: str | Path, html_text: str, metrics: dict) -> Path:
    """Write ``index.html`` and ``metrics.json`` into ``directory``; return the HTML's path."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    page = out / "index.html"
    page.write_text(html_text, encoding="utf-8")
    return page
