"""Evaluate Thresher: on the hand annotations, on the benchmarks, and for speed.

    python evaluate.py annotations --stats                 # the gold set: counts, hand share, kappa
    python evaluate.py annotations --split test            # model vs keyword baseline vs second annotator
    python evaluate.py annotations --report out/ --fail-under macro_f1=0.80,content_f1=0.95
    python evaluate.py benchmark scrapinghub --compare trafilatura,readability,justext
    python evaluate.py benchmark wcxb-dev                  # 5-fold CV grouped by domain (trains 5 models)
    python evaluate.py speed                               # pages/s against trafilatura, time per step, process time, memory
    python evaluate.py scale                               # folder, WARC, JSON Lines stream, Dask cluster
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from thresher.annotations import in_batches, parse_batches, read_dir
from thresher.corpus import corpus_dir, scrapinghub_pages, wcxb_pages
from thresher.evaluation import annotated, benchmarks, summary
from thresher.evaluation.gate import failures as gate_failures
from thresher.evaluation.gate import parse_fail_under
from thresher.evaluation.peers import PEER_NAMES, load_peer
from thresher.labels import LABELS
from thresher.training import GOLD_WEIGHT, benchmark_examples, default_jobs, gold_examples, parse_params


def _table(rows: list[list], header: list[str]) -> str:
    cells = [header] + [[f"{c:.3f}" if isinstance(c, float) else str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# -- annotations ---------------------------------------------------------------------------
def cmd_annotations(args: argparse.Namespace) -> int:
    pages = read_dir(args.annotations)
    if args.stats:
        return _print_stats(pages)
    floors = _floors(args)
    chosen = [p for p in pages if p.split == args.split]
    corpus = _corpus_or_none(args.corpus_dir)
    runs = annotated.score_pages(args.model, chosen, corpus, jobs=args.jobs, progress=_bar("pages"))
    runs["second annotator"] = annotated.second_annotator(chosen, corpus)
    metrics = summary.annotation_metrics(runs, split=args.split, model=args.model or "default")
    systems = metrics["systems"]
    print(f"split {args.split}: {len(chosen)} pages, {systems['model']['blocks']} blocks, "
          f"{systems['model']['words']} aligned words")
    header = ["system", "macro F1", "95% CI", "accuracy", "word macro", "word content F1", "95% CI",
              *(f"{x} F1" for x in LABELS[:4]), "on"]
    rows = []
    for name, m in systems.items():
        if not m.get("pages"):
            rows.append([name, *["-"] * (len(header) - 2), "0 pages"])  # e.g. no doubly-labeled page
            continue
        b, w = m["block"], m["word"]
        per_label = [b[label]["f1"] if b[label]["support"] else "-" for label in LABELS[:4]]  # "-": not in these pages
        rows.append([name, b["macro"]["f1"], _ci(b["macro"]["f1_ci"]), b["micro"]["f1"], w["macro"]["f1"],
                     w["content_f1"], _ci(w["content_f1_ci"])] + per_label + [f"{m['pages']} pages"])
    print(_table(rows, header))
    for name, d in metrics["model_vs_keyword"].items():
        print(f"model − keyword, {name.replace('_', ' ')}: {d['diff']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}] "
              f"(paired page bootstrap)")
    for name in ("model", "keyword"):
        print()
        _print_labels(name, systems[name])
    print()
    print("confusion, blocks (rows gold, columns model):")
    confusion = systems["model"]["block"]["confusion"]
    print(_table([[LABELS[i]] + [int(v) for v in confusion[i]] for i in range(len(LABELS))], ["gold \\ model", *LABELS]))
    print()
    for key, title in (("per_site", "site"), ("per_page_type", "page type")):
        groups = systems["model"][key]
        keyword = systems["keyword"][key]
        print(_table([[g, v["pages"], v["macro_f1"], v["accuracy"], v["word_content_f1"], keyword[g]["macro_f1"]]
                      for g, v in groups.items()],
                     [title, "pages", "macro F1", "accuracy", "word content F1", "keyword macro F1"]))
        print()
    if "calibration" in systems["model"]:
        cal = systems["model"]["calibration"]
        print(f"calibration: expected calibration error {cal['ece']:.3f} over {cal['blocks']} blocks (10 bins)")
    if args.json:
        Path(args.json).write_text(json.dumps(metrics, indent=1))
    if args.report:
        from thresher.evaluation import report

        page = report.write(args.report, report.annotation_report(metrics, runs), metrics)
        print(f"report: {page}")
    return _gate(metrics, floors)


def _print_labels(name: str, m: dict) -> None:
    b, w = m["block"], m["word"]
    rows = [[label, b[label]["precision"], b[label]["recall"], b[label]["f1"], _ci(b[label]["f1_ci"]),
             int(b[label]["support"]), w[label]["precision"], w[label]["recall"], w[label]["f1"], int(w[label]["support"])]
            for label in LABELS]
    rows += [[avg, b[avg]["precision"], b[avg]["recall"], b[avg]["f1"], _ci(b[avg]["f1_ci"]), "",
              w[avg]["precision"], w[avg]["recall"], w[avg]["f1"], ""] for avg in ("macro", "micro")]
    print(_table(rows, [f"label ({name})", "precision", "recall", "F1", "95% CI", "blocks",
                        "word P", "word R", "word F1", "words"]))


def _ci(pair) -> str:
    return f"[{pair[0]:.3f}, {pair[1]:.3f}]"


def _bar(desc: str):
    """A progress bar (tqdm, on stderr) around a long loop."""
    return lambda iterable, total: tqdm(iterable, total=total, desc=desc, unit="page")


def _floors(args: argparse.Namespace) -> dict[str, float]:
    """Parse --fail-under before the long run, so a typo fails at once."""
    if not getattr(args, "fail_under", None):
        return {}
    try:
        return parse_fail_under(args.fail_under)
    except ValueError as exc:
        raise SystemExit(f"evaluate.py: {exc}") from None


def _gate(metrics: dict, floors: dict[str, float]) -> int:
    """Exit status 1 and one line per figure below its --fail-under floor; 2 for an unknown figure."""
    if not floors:
        return 0
    try:
        failed = gate_failures(metrics, floors)
    except KeyError as exc:
        print(f"evaluate.py: {exc.args[0]}", file=sys.stderr)
        return 2
    for message in failed:
        print(f"FAIL --fail-under: {message}", file=sys.stderr)
    if not failed:
        print("--fail-under: " + ", ".join(f"{k} >= {v}" for k, v in floors.items()) + ": all met")
    return 1 if failed else 0


def _print_stats(pages) -> int:
    stats = annotated.stats(pages)
    rows = [[split, stats[split]["pages"], stats[split]["sites"], stats[split]["blocks"]]
            + [stats[split]["labels"][k] for k in LABELS] for split in ("train", "dev", "test")]
    print(_table(rows, ["split", "pages", "sites", "blocks", *LABELS]))
    total = stats["all"]
    print(f"\nall: {total['pages']} pages, {total['blocks']} blocks, labels {total['labels']}")
    print(f"origin: {total['origin']}  hand share {total['hand_share']:.3f}")
    agreement = annotated.agreement(pages)
    if agreement.get("pages"):
        print(f"\nagreement on {agreement['pages']} pages labeled twice ({agreement['blocks']} blocks): "
              f"raw {agreement['raw_agreement']:.3f}, Cohen's kappa {agreement['kappa']:.3f}, "
              f"{agreement['adjudicated']} disagreements adjudicated")
        print("kappa per label: " + ", ".join(f"{k} {v:.3f}" for k, v in agreement["kappa_per_label"].items()))
        print("confusion (rows first annotator, columns second):")
        print(_table([[LABELS[i]] + agreement["confusion"][i] for i in range(len(LABELS))], ["first \\ second", *LABELS]))
    return 0


def _corpus_or_none(given):
    try:
        return corpus_dir(given)
    except FileNotFoundError:
        return None


# -- benchmarks -----------------------------------------------------------------------------
def cmd_benchmark(args: argparse.Namespace) -> int:
    corpus = corpus_dir(args.corpus_dir)
    pages = list(scrapinghub_pages(corpus) if args.name == "scrapinghub" else wcxb_pages(corpus))
    floors = _floors(args)
    runs = []
    if args.name == "wcxb-dev" and not args.model:
        runs.append(_wcxb_cross_validated(args, corpus, pages))
    else:
        predictions = benchmarks.extract_all("thresher", pages, model_path=args.model, jobs=args.jobs,
                                             progress=_bar("thresher"))
        runs.append(benchmarks.SystemRun("thresher", "model " + (args.model or "default"), predictions))
        if args.name == "wcxb-dev":
            print("note: scoring a trained model on WCXB dev measures pages it may have learned from; "
                  "run without --model for the cross-validated score")
    skipped = {}
    for name in [n.strip() for n in args.compare.split(",") if n.strip()]:
        extract, version = load_peer(name)
        if extract is None:
            print(f"skipped {name}: {version}")
            skipped[name] = version
            continue
        predictions = benchmarks.extract_all(name, pages, jobs=args.jobs, progress=_bar(name))
        runs.append(benchmarks.SystemRun(name, version, predictions))
    metrics = benchmarks.benchmark_metrics(args.name, runs, pages, skipped)
    _print_benchmark(metrics)
    if args.report:
        from thresher.evaluation import report

        print(f"report: {report.write(args.report, report.benchmark_report(metrics), metrics)}")
    return _gate(metrics, floors)


def _wcxb_cross_validated(args, corpus, pages) -> benchmarks.SystemRun:
    examples = benchmark_examples(pages, jobs=args.jobs, progress=lambda it, n: tqdm(it, total=n, desc="segmenting", unit="page"))
    html = [e for e in examples if e.source == "wcxb"]
    extra = [e for e in examples if e.source != "wcxb"]
    gold_dir = Path(args.annotations)
    if gold_dir.is_dir():
        # gold pages that are WCXB pages share their domain's fold
        extra += gold_examples(in_batches(read_dir(gold_dir), parse_batches(args.batches)), corpus, weight=args.gold_weight,
                               kind_only_batches=parse_batches(args.kind_only_batches) or ())
    bar = tqdm(total=args.folds, desc="cross-validation folds", unit="fold")
    predictions = benchmarks.cross_validate_wcxb(html, extra, {p.page_id: p.reference for p in pages},
                                                 folds=args.folds, seed=args.seed, params=parse_params(args.set),
                                                 progress=lambda k, n: bar.update(1))
    bar.close()
    if args.save_proba:  # each scored page's out-of-fold block scores, to compare decision rules offline
        np.savez_compressed(args.save_proba, **{e.page_id: np.array([[b.scores[label] for label in LABELS] for b in e.blocks],
                                                                    dtype=float).reshape(-1, len(LABELS)) for e in html})
        print(f"wrote {args.save_proba}")
    return benchmarks.SystemRun("thresher", f"{args.folds}-fold CV by domain", [predictions[p.page_id] for p in pages])


def _print_benchmark(metrics: dict) -> None:
    rows = []
    for name, m in metrics["systems"].items():
        d = m.get("paired_difference")
        rows.append([name, m["version"], m["precision"], m["recall"], m["f1"], _ci(m["f1_ci"]),
                     f"{d['diff']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}]" if d else ""])
    print(f"\n{metrics['benchmark']}: {metrics['pages']} pages")
    print(_table(rows, ["system", "version", "precision", "recall", "F1", "95% CI", "thresher − system (paired)"]))
    for name, groups in metrics.get("per_page_type", {}).items():
        print(f"\n{name} F1 per page type: " + ", ".join(f"{t} {v:.3f} ({n})" for t, (v, n) in groups.items()))


# -- speed ----------------------------------------------------------------------------------
def cmd_speed(args: argparse.Namespace) -> int:
    from thresher.evaluation import speed

    return speed.main(args)


# -- hostile ---------------------------------------------------------------------------------
def cmd_hostile(args: argparse.Namespace) -> int:
    from thresher.evaluation import hostile

    return hostile.main(args)


def cmd_scale(args: argparse.Namespace) -> int:
    from thresher.evaluation import scale

    return scale.main(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus-dir", help="corpus folder (default: $THRESHER_CORPUS_DIR or ../shared/corpus)")
    parser.add_argument("--annotations", default="annotations", help="folder of gold *.jsonl files")
    commands = parser.add_subparsers(dest="command", required=True)
    a = commands.add_parser("annotations", help="scores on the hand-labeled pages, or --stats of the gold set")
    a.add_argument("--split", default="test", choices=("train", "dev", "test"))
    a.add_argument("--model", help="model file (default: the shipped model)")
    a.add_argument("--stats", action="store_true", help="print counts, hand share and agreement instead")
    a.add_argument("--json", help="also write the metrics to this file")
    a.add_argument("--jobs", type=int, default=default_jobs(), help="worker processes (default: up to 4)")
    a.set_defaults(func=cmd_annotations)
    b = commands.add_parser("benchmark", help="a benchmark's own metric, beside the peers")
    b.add_argument("name", choices=("scrapinghub", "wcxb-dev"))
    b.add_argument("--model", help="score this model file (wcxb-dev: default is cross-validation)")
    b.add_argument("--compare", default="", help=f"peers, comma-separated: {','.join(PEER_NAMES)}")
    b.add_argument("--folds", type=int, default=5)
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--jobs", type=int, default=default_jobs())
    b.add_argument("--batches", help="wcxb-dev: annotation batches the fold models learn from (default: all; the "
                                     "shipped model's: 1,2,4 with --kind-only-batches 4)")
    b.add_argument("--gold-weight", type=float, default=GOLD_WEIGHT,
                   help="wcxb-dev: how many aligned benchmark blocks a hand-labeled block counts for")
    b.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="wcxb-dev: a BlockClassifier parameter of the fold models (repeatable)")
    b.add_argument("--kind-only-batches", help="wcxb-dev: annotation batches that teach the fold models' kind model only")
    b.add_argument("--save-proba", metavar="FILE.npz",
                   help="wcxb-dev: also write each page's out-of-fold block scores (one array per page id)")
    b.set_defaults(func=cmd_benchmark)
    s = commands.add_parser("speed", help="pages per second against trafilatura; process time; memory")
    s.add_argument("--model", help="model file (default: the shipped model)")
    s.add_argument("--folder-pages", type=int, default=700)
    s.set_defaults(func=cmd_speed)
    h = commands.add_parser("hostile", help="the hostile-input catalogue: outcome, seconds, peak memory per case")
    h.add_argument("--batch-pages", type=int, default=10_000, help="pages in the mixed batch (0: skip it)")
    h.add_argument("--bad-share", type=float, default=0.05, help="share of bad pages in that batch")
    h.add_argument("--jobs", type=int, default=2)
    h.add_argument("--examples", default="corpus/examples", help="good pages the batch is made of")
    h.add_argument("--no-catalogue", dest="catalogue", action="store_false", help="run only the mixed batch")
    h.set_defaults(func=cmd_hostile)
    for sub in (a, b):
        sub.add_argument("--report", metavar="DIR", help="write a self-contained index.html and metrics.json here")
        sub.add_argument("--fail-under", metavar="NAME=X,...",
                         help="exit 1 when a figure of metrics.json falls below its floor, "
                              "e.g. macro_f1=0.80,content_f1=0.95 (headline names or dotted paths)")
    c = commands.add_parser("scale", help="pages/s on a folder, a WARC file, a JSON Lines stream, a Dask cluster")
    c.add_argument("--model", help="model file (default: the shipped model)")
    c.add_argument("--pages", type=int, default=2000, help="pages for the folder, WARC and cluster runs")
    c.add_argument("--stream", type=int, default=10_000, help="pages in the long JSON Lines stream")
    c.add_argument("--short-stream", type=int, default=1000, help="pages in the short one (memory comparison)")
    c.add_argument("--rounds", type=int, default=2, help="turns taken by the runs compared (folder/WARC, 1/2 workers)")
    c.set_defaults(func=cmd_scale)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    started = time.time()
    code = args.func(args)
    print(f"\n({time.time() - started:.0f} s)", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
