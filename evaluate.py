"""Evaluate Thresher: on the hand annotations, on the benchmarks, and for speed.

    python evaluate.py annotations --stats                 # the gold set: counts, hand share, kappa
    python evaluate.py annotations --split test            # model vs keyword baseline vs second annotator
    python evaluate.py benchmark scrapinghub --compare trafilatura,readability,justext
    python evaluate.py benchmark wcxb-dev                  # 5-fold CV grouped by domain (trains 5 models)
    python evaluate.py speed                               # pages/s against trafilatura, process time, memory
    python evaluate.py scale                               # folder, WARC, JSON Lines stream, Dask cluster
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from tqdm import tqdm

from thresher.annotations import read_dir
from thresher.corpus import corpus_dir, scrapinghub_pages, wcxb_pages
from thresher.evaluation import annotated, benchmarks
from thresher.evaluation.peers import PEER_NAMES, load_peer, safe
from thresher.evaluation.scores import bootstrap, content_f1, macro_f1, pooled, prf
from thresher.labels import LABELS
from thresher.persistence import load_model
from thresher.training import benchmark_examples, default_jobs, gold_examples


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
    chosen = [p for p in pages if p.split == args.split]
    model = load_model(args.model)
    corpus = _corpus_or_none(args.corpus_dir)
    runs = annotated.score_pages(model, chosen, corpus)
    runs["second annotator"] = annotated.second_annotator(chosen)
    print(f"split {args.split}: {len(chosen)} pages, {sum(len(p.gold) for p in runs['model'])} blocks")
    rows = []
    metrics: dict = {}
    for name, scored in runs.items():
        if not scored:
            rows.append([name, "-", "-", "-", "-", "-", "-", "-", "-", "0 pages"])
            continue
        block = prf(*pooled(scored))
        word = prf(*pooled(scored, by_words=True))
        low, high = bootstrap(scored, macro_f1)
        metrics[name] = {"block": block, "word": word, "macro_f1_ci": [low, high],
                         "content_f1_words": content_f1(*pooled(scored, by_words=True))}
        per_label = [block[label]["f1"] if block[label]["support"] else "-" for label in LABELS[:4]]  # "-": not in these pages
        rows.append([name, block["macro"]["f1"], f"[{low:.3f}, {high:.3f}]", block["micro"]["f1"], word["macro"]["f1"],
                     metrics[name]["content_f1_words"]] + per_label + [f"{len(scored)} pages"])
    print(_table(rows, ["system", "macro F1", "95% CI", "accuracy", "word macro", "word content F1",
                        *(f"{x} F1" for x in LABELS[:4]), "on"]))
    print()
    model_block = metrics["model"]["block"]
    print(_table([[label, model_block[label]["precision"], model_block[label]["recall"], model_block[label]["f1"],
                   int(model_block[label]["support"])] for label in LABELS],
                 ["label (model)", "precision", "recall", "F1", "blocks"]))
    print()
    gold, predicted, _ = pooled(runs["model"])
    from thresher.evaluation.agreement import confusion

    table = confusion(gold, predicted, LABELS)
    print("confusion (rows gold, columns model):")
    print(_table([[LABELS[i]] + table[i] for i in range(len(LABELS))], ["gold \\ model", *LABELS]))
    print()
    sites: dict[str, list] = {}
    for s in runs["model"]:
        sites.setdefault(s.site, []).append(s)
    print(_table([[site, len(v), macro_f1(v), prf(*pooled(v))["micro"]["f1"]] for site, v in sorted(sites.items())],
                 ["site", "pages", "macro F1", "accuracy"]))
    if args.json:
        Path(args.json).write_text(json.dumps(metrics, indent=1))
    return 0


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
    references = [p.reference for p in pages]
    runs = []
    if args.name == "wcxb-dev" and not args.model:
        runs.append(_wcxb_cross_validated(args, corpus, pages))
    else:
        model = load_model(args.model)
        extract = benchmarks.thresher_extract(model)
        run = benchmarks.SystemRun("thresher", "model " + (args.model or "default"))
        for page in tqdm(pages, desc="thresher", unit="page"):
            run.predictions.append(extract(benchmarks.html_text(page)[0]))
        if args.name == "wcxb-dev":
            print("note: scoring a trained model on WCXB dev measures pages it may have learned from; "
                  "run without --model for the cross-validated score")
        runs.append(run)
    for name in [n for n in (args.compare.split(",") if args.compare else []) if n]:
        extract, version = load_peer(name)
        if extract is None:
            print(f"skipped {name}: {version}")
            continue
        run = benchmarks.SystemRun(name, version)
        extract = safe(extract)
        for page in tqdm(pages, desc=name, unit="page"):
            run.predictions.append(extract(benchmarks.html_text(page)[1]))
        runs.append(run)
    _print_benchmark(args.name, runs, references, pages)
    return 0


def _wcxb_cross_validated(args, corpus, pages) -> benchmarks.SystemRun:
    examples = benchmark_examples(pages, jobs=args.jobs, progress=lambda it, n: tqdm(it, total=n, desc="segmenting", unit="page"))
    html = [e for e in examples if e.source == "wcxb"]
    extra = [e for e in examples if e.source != "wcxb"]
    gold_dir = Path(args.annotations)
    if gold_dir.is_dir():
        # gold pages that are WCXB pages share their domain's fold
        extra += gold_examples(read_dir(gold_dir), corpus)
    bar = tqdm(total=args.folds, desc="cross-validation folds", unit="fold")
    predictions = benchmarks.cross_validate_wcxb(html, extra, {p.page_id: p.reference for p in pages},
                                                 folds=args.folds, seed=args.seed, progress=lambda k, n: bar.update(1))
    bar.close()
    return benchmarks.SystemRun("thresher", f"{args.folds}-fold CV by domain", [predictions[p.page_id] for p in pages])


def _print_benchmark(name, runs, references, pages) -> None:
    rows = []
    ours = runs[0]
    for run in runs:
        s = benchmarks.score(name, run.predictions, references)
        low, high = benchmarks.bootstrap_f1(name, run.predictions, references)
        row = [run.name, run.version, s["precision"], s["recall"], s["f1"], f"[{low:.3f}, {high:.3f}]"]
        if run is not ours:
            d = benchmarks.paired_difference(name, ours.predictions, run.predictions, references)
            row.append(f"{d['diff']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}]")
        else:
            row.append("")
        rows.append(row)
    print(f"\n{name}: {len(references)} pages")
    print(_table(rows, ["system", "version", "precision", "recall", "F1", "95% CI", "thresher − system (paired)"]))
    if name == "wcxb-dev":
        types = {p.page_id: p.page_type for p in pages}
        for run in runs:
            per_page = {p.page_id: benchmarks.page_f1(name, pred, p.reference) for p, pred in zip(pages, run.predictions)}
            groups = benchmarks.by_group(per_page, types)
            print(f"\n{run.name} F1 per page type: " + ", ".join(f"{t} {v:.3f} ({n})" for t, (v, n) in groups.items()))


# -- speed ----------------------------------------------------------------------------------
def cmd_speed(args: argparse.Namespace) -> int:
    from thresher.evaluation import speed

    return speed.main(args)


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
    a.set_defaults(func=cmd_annotations)
    b = commands.add_parser("benchmark", help="a benchmark's own metric, beside the peers")
    b.add_argument("name", choices=("scrapinghub", "wcxb-dev"))
    b.add_argument("--model", help="score this model file (wcxb-dev: default is cross-validation)")
    b.add_argument("--compare", default="", help=f"peers, comma-separated: {','.join(PEER_NAMES)}")
    b.add_argument("--folds", type=int, default=5)
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--jobs", type=int, default=default_jobs())
    b.set_defaults(func=cmd_benchmark)
    s = commands.add_parser("speed", help="pages per second against trafilatura; process time; memory")
    s.add_argument("--model", help="model file (default: the shipped model)")
    s.add_argument("--folder-pages", type=int, default=700)
    s.set_defaults(func=cmd_speed)
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
