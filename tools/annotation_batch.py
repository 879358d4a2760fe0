"""Choose the pages to hand-label and write one reading file per page for annotators.

The choice is ordered by a keyword rule (pages rich in figures first, then pages
with several defendants, then a random sample); the rule only picks pages, it
proposes no label. Splits are by site: no office or domain is in two splits.

    python tools/annotation_batch.py --corpus-dir ../shared/corpus --out annotations/work
    python tools/annotation_batch.py --batch 2     # more train/dev pages, appended
    python tools/annotation_batch.py --batch 3     # train/dev press releases that report aggregates
    python tools/annotation_batch.py --batch 4     # WCXB articles of new domains that report aggregates
    python tools/annotation_batch.py --batch 5     # WCXB articles of new domains as text dumps, with teaser cards
    python tools/annotation_batch.py --batch 6     # train/dev press releases that report trends in figures

The second batch adds pages of the train and dev sites only (press-release offices, and WCXB
domains no split holds yet, as train), richest in figures first: the statistic label was on the
fewest pages (48 of the 147 train+dev pages) and had the lowest out-of-fold F1. Pages already in
the manifest are skipped, and the reading files of the first batch are not rewritten (their
labels are tied to the block numbers in them). It runs once: its choice is the committed one.
The figure count also ranks an office's index of releases high (a listing of titles with
dates): two of dallas_tx's batch-2 pages are the same index under two URLs.

The third batch is press releases only, ranked by the lines that report aggregates in prose
(two or more figures beside an aggregate word), indexes of releases left out: 175 of batch 2's
202 statistic blocks were WCXB table cells, and press releases reporting totals and rates were few.

The fourth batch is WCXB articles of domains no split holds (as train), ranked by the same aggregate
lines in their ``main_content``: batch 3 found one-case releases, not prose statistics, and the
train and dev offices hold few of them, while the test split's statistics are mostly prose.

The fifth batch is WCXB articles of domains no split holds (as train), labeled as the text an
HTML-to-text dump gives (``thresher.dump``: list items bulleted, a card's lead indented under its
title), ranked by their teaser paragraphs: bulleted paragraphs of 12 words or more that the page's
``main_content`` does not hold. With the seed site held out, a model labels all ten of the seed's
teasers and product blurbs content: nothing it learns from is a text scrape with teaser cards.

The sixth batch is press releases of the train and dev offices ranked by trend lines: aggregate
lines (batch 3's rule) that also compare or change over a period (increased, fell, fewest, compared,
per year...). Batch 3's rule found one case's money and counts; the statistics the model misses most
out of fold are prose reports of an office's or a city's figures over time (crime down N percent,
cases dismissed this year), and a period's change is what one case's release rarely states. Indexes
of releases are left out; a page may be long (an annual report), up to ``BATCH6_MAX_BLOCKS``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from itertools import islice
from pathlib import Path

from thresher.alignment import content_mask
from thresher.blocks import Block
from thresher.corpus import read_bytes
from thresher.dump import dump_blocks
from thresher.options import SegmentOptions
from thresher.segmenter import split_page

# office → (split, pages to take)
OFFICES = {
    "orange_ca": ("train", 40),
    "kings_ny": ("train", 38),
    "dallas_tx": ("train", 15),
    "harris_tx": ("dev", 18),
    "cook_il": ("test", 20),
    "los_angeles_ca": ("test", 5),
}
WCXB_SPLITS = (("train", 28), ("dev", 7), ("test", 7))
# batch 2: office → pages (train and dev offices only; each keeps its batch-1 split)
BATCH2_OFFICES = {"orange_ca": 10, "kings_ny": 8, "dallas_tx": 6, "harris_tx": 8}
BATCH2_WCXB = 8  # new domains, train
# batch 2's shares of pages chosen by figures and by defendants (the rest random)
BATCH2_SHARES = (0.6, 0.2)
# batch 3: office → pages, press releases ranked by aggregate lines
BATCH3_OFFICES = {"orange_ca": 10, "kings_ny": 8, "dallas_tx": 6, "harris_tx": 6}
# batch 4: WCXB articles of new domains (train), at least this many aggregate lines each
BATCH4_WCXB = 30
BATCH4_MIN_LINES = 2
# batch 5: WCXB articles of new domains as text dumps, at least this many teaser paragraphs each
BATCH5_WCXB = 30
BATCH5_MIN_TEASERS = 3
TEASER_MIN_WORDS = 12
# batch 6: office → pages, press releases with at least BATCH6_MIN_LINES trend lines, ranked by them
BATCH6_OFFICES = {"kings_ny": 8, "orange_ca": 6, "dallas_tx": 2, "harris_tx": 2}
BATCH6_MIN_LINES = 2
BATCH6_MAX_BLOCKS = 400
WCXB_MAX_BLOCKS = 260  # a page an annotator can read in full in one sitting
_FIGURE = re.compile(r"\d+(?:\.\d+)?\s?%|percent|\$\d|\b\d{1,3}(?:,\d{3})+\b")
_AGE = re.compile(r",\s\d{2},\s")
_CASE = re.compile(r"sentenced|convicted|pleaded|indicted|charged with|arraigned", re.I)
_NUMBER = re.compile(r"\d[\d,.]*\s?%?")
_AGGREGATE = re.compile(r"percent|per cent|%|\btotal|\brate\b|\bfiscal\b|\bannual|\baverage|million|billion|"
                        r"\b(?:more than|over|nearly|approximately) \$?\d|"
                        r"\d[\d,]* (?:cases|arrests|defendants|victims|people|residents|convictions|charges|homes|families)",
                        re.I)
_TREND = re.compile(r"\b(?:decreas|increas|declin|drop|fell|rose|reduc|lowest|highest|fewest|record (?:low|high)|compared|"
                    r"year[- ]over[- ]year|per year|each year|annually|last year|this year)", re.I)
_DATED_LINE = re.compile(r"^.{0,120}\b(?:19|20)\d\d\s*$", re.M)
_NEWS_DOMAIN = re.compile(r"news|times|post|tribune|herald|journal|gazette|daily|press|reuters|bbc|cnn|guardian|report|observer|chronicle|star|register|today", re.I)


def press_pages(corpus: Path, office: str, count: int, rng: random.Random, *, skip: frozenset[str] = frozenset(),
                shares: tuple[float, float] = (0.45, 0.3)) -> list[Path]:
    files = [f for f in sorted((corpus / "press-releases" / office).glob("*.txt")) if str(f.relative_to(corpus)) not in skip]
    if office == "los_angeles_ca":
        real = [f for f in files if f.stat().st_size > 1000]
        bot = [f for f in files if f.stat().st_size <= 1000]
        return real[: count - 2] + bot[:2]
    texts = {f: f.read_text(encoding="utf-8", errors="replace") for f in files}
    files = [f for f in files if 600 < len(texts[f]) < 15000]
    by_figures = sorted(files, key=lambda f: -len(_FIGURE.findall(texts[f])))
    by_cases = sorted(files, key=lambda f: -(len(_AGE.findall(texts[f])) + len(_CASE.findall(texts[f]))))
    chosen: list[Path] = []
    for pool, share in zip((by_figures, by_cases), shares):
        wanted = len(chosen) + round(count * share)
        chosen += [f for f in pool if f not in chosen][: wanted - len(chosen)]
    rest = [f for f in files if f not in chosen]
    chosen += rng.sample(rest, min(len(rest), count - len(chosen)))
    return chosen


def aggregate_lines(text: str) -> int:
    """Distinct lines of a release that report aggregates: two or more figures beside an aggregate word."""
    return sum(len(_NUMBER.findall(line)) >= 2 and bool(_AGGREGATE.search(line)) for line in set(text.splitlines()))


def ranked_releases(corpus: Path, office: str, rng: random.Random, skip: frozenset[str], score, keep) -> list[tuple[int, Path]]:
    """An office's releases not in ``skip``, as ``(score(text), path)`` from the highest score (ties in
    random order), those for which ``keep(text, score)`` holds; indexes of releases (ten or more short
    lines ending in a year) are left out."""
    scored = []
    for f in sorted((corpus / "press-releases" / office).glob("*.txt")):
        if str(f.relative_to(corpus)) in skip:
            continue
        text = f.read_text(encoding="utf-8", errors="replace")
        value = score(text)
        if keep(text, value) and len(_DATED_LINE.findall(text)) < 10:
            scored.append((value, rng.random(), f))
    scored.sort(reverse=True)
    return [(value, f) for value, _, f in scored]


def aggregate_pages(corpus: Path, office: str, count: int, rng: random.Random, skip: frozenset[str]) -> list[Path]:
    """The releases of an office richest in aggregate lines, of 600-15,000 characters."""
    ranked = ranked_releases(corpus, office, rng, skip, aggregate_lines, lambda text, _: 600 < len(text) < 15000)
    return [f for lines, f in ranked[:count] if lines > 0]


def trend_lines(text: str) -> int:
    """Distinct aggregate lines that also state a change or a comparison over a period."""
    return sum(len(_NUMBER.findall(line)) >= 2 and bool(_AGGREGATE.search(line)) and bool(_TREND.search(line))
               for line in set(text.splitlines()))


def trend_pages(corpus: Path, office: str, count: int, rng: random.Random, skip: frozenset[str]) -> list[Path]:
    """The releases of an office richest in trend lines (at least ``BATCH6_MIN_LINES``), of at most
    ``BATCH6_MAX_BLOCKS`` blocks: pages are segmented only until ``count`` fit."""
    ranked = ranked_releases(corpus, office, rng, skip, trend_lines, lambda _, lines: lines >= BATCH6_MIN_LINES)
    fitting = (f for _, f in ranked if len(split_page(read_bytes(f), SegmentOptions())[0]) <= BATCH6_MAX_BLOCKS)
    return list(islice(fitting, count))


def main_content(corpus: Path, file_id: str) -> str:
    """A WCXB page's reference article text ("" when it has none)."""
    truth = json.loads((corpus / "wcxb-dev" / "ground-truth" / f"{file_id}.json").read_text())
    return truth["ground_truth"].get("main_content") or ""


def wcxb_html(corpus: Path, file_id: str) -> Path:
    return corpus / "wcxb-dev" / "html" / f"{file_id}.html.gz"


def too_long(path: Path) -> bool:
    """More blocks than an annotator can read in one sitting."""
    return len(split_page(read_bytes(path), SegmentOptions())[0]) > WCXB_MAX_BLOCKS


def wcxb_pages(corpus: Path, rng: random.Random, splits: tuple[tuple[str, int], ...] = WCXB_SPLITS,
               used: frozenset[str] = frozenset()) -> list[tuple[str, str, Path]]:
    meta = json.loads((corpus / "wcxb-dev" / "metadata.json").read_text())["files"]
    seen: set[str] = set(used)
    scored = []
    for file_id, info in sorted(meta.items()):
        if info["page_type"] != "article" or info["domain"] in seen:
            continue
        seen.add(info["domain"])
        body = main_content(corpus, file_id)
        if not 1500 < len(body) < 12000:
            continue
        score = 3 * bool(_NEWS_DOMAIN.search(info["domain"])) + min(len(_FIGURE.findall(body)), 10) / 3
        score += min(body.count("\u201c") + body.count('"'), 10) / 5 + rng.random()
        if too_long(wcxb_html(corpus, file_id)):
            continue
        scored.append((score, file_id, info["domain"]))
    scored.sort(reverse=True)
    out = []
    position = 0
    for split, count in splits:
        for _, file_id, domain in scored[position: position + count]:
            out.append((split, domain, wcxb_html(corpus, file_id)))
        position += count
    return out


def reading_file(blocks, title: str, source: str) -> str:
    lines = [f"# page: {source}", f"# title: {title}", f"# blocks: {len(blocks)}", ""]
    for block in blocks:
        lines.append(f"[{block.index}] <{block.tag}> {block.text}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus-dir", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--out", type=Path, default=Path("annotations/work"))
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--batch", type=int, choices=(1, 2, 3, 4, 5, 6), default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    corpus = args.corpus_dir
    if args.batch in (2, 3, 4, 5, 6):
        chooser = {2: second_batch, 3: third_batch, 4: fourth_batch, 5: fifth_batch, 6: sixth_batch}[args.batch]
        write_batch(corpus, args.out, chooser(corpus, args.out, rng), append=True)
        return
    pages: list[dict] = [
        {"doc_id": "seed-dhs-ice-operation-rise", "site": "seed", "split": "train",
         "source": "seed/dhs-ice-operation-rise.txt"}
    ]
    for office, (split, count) in OFFICES.items():
        pages += [press_entry(corpus, office, split, f) for f in press_pages(corpus, office, count, rng)]
    pages += [wcxb_entry(corpus, split, domain, f) for split, domain, f in wcxb_pages(corpus, rng)]
    write_batch(corpus, args.out, pages, append=False)


def press_entry(corpus: Path, office: str, split: str, f: Path, **extra) -> dict:
    """A press release's manifest entry."""
    return {"doc_id": f"{office}-{f.stem[:80]}", "site": office, "split": split, "source": str(f.relative_to(corpus)),
            **extra}


def wcxb_entry(corpus: Path, split: str, domain: str, f: Path, **extra) -> dict:
    """A WCXB page's manifest entry."""
    return {"doc_id": f"wcxb-{f.name.split('.')[0]}", "site": domain, "split": split,
            "source": str(f.relative_to(corpus)), **extra}


def known_pages(out: Path, batch: int) -> list[dict]:
    """The manifest's pages; refuses a batch that is already in it."""
    known = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    if any(p.get("batch") == batch for p in known):
        raise SystemExit(f"{out / 'manifest.jsonl'} already holds batch {batch}")
    return known


def new_ids(known: list[dict], pages: list[dict]) -> list[dict]:
    taken = {p["doc_id"] for p in known} & {p["doc_id"] for p in pages}
    if taken:  # a doc_id names a reading file and its labels: never overwrite an earlier batch's
        raise SystemExit(f"doc_ids already in the manifest: {sorted(taken)}")
    return pages


def second_batch(corpus: Path, out: Path, rng: random.Random) -> list[dict]:
    """Pages of batch 2: new pages of the train and dev offices, and new WCXB domains as train."""
    known = known_pages(out, 2)
    skip = frozenset(p["source"] for p in known)
    pages: list[dict] = []
    for office, count in BATCH2_OFFICES.items():
        pages += [press_entry(corpus, office, OFFICES[office][0], f, batch=2)
                  for f in press_pages(corpus, office, count, rng, skip=skip, shares=BATCH2_SHARES)]
    used = frozenset(p["site"] for p in known)
    pages += [wcxb_entry(corpus, split, domain, f, batch=2)
              for split, domain, f in wcxb_pages(corpus, rng, (("train", BATCH2_WCXB),), used)]
    return new_ids(known, pages)


def press_batch(corpus: Path, out: Path, rng: random.Random, batch: int, offices: dict[str, int], choose) -> list[dict]:
    """A batch of press releases: ``choose(corpus, office, count, rng, skip)`` picks each office's pages,
    skipping those the manifest holds; each keeps its office's split."""
    known = known_pages(out, batch)
    skip = frozenset(p["source"] for p in known)
    pages = [press_entry(corpus, office, OFFICES[office][0], f, batch=batch)
             for office, count in offices.items() for f in choose(corpus, office, count, rng, skip)]
    return new_ids(known, pages)


def third_batch(corpus: Path, out: Path, rng: random.Random) -> list[dict]:
    """Pages of batch 3: press releases of the train and dev offices that report aggregates."""
    return press_batch(corpus, out, rng, 3, BATCH3_OFFICES, aggregate_pages)


def ranked_articles(corpus: Path, used: set[str], rng: random.Random, score, minimum: int, count: int,
                    fits=lambda path: True) -> list[tuple[str, Path]]:
    """WCXB articles of domains not in ``used`` with 1,500-12,000 characters of ``main_content``, ranked
    by ``score(file_id, main_content)`` (at least ``minimum``; ties in random order): the first
    ``count`` whose HTML ``fits``, one page per domain, as ``(domain, html path)``."""
    meta = json.loads((corpus / "wcxb-dev" / "metadata.json").read_text())["files"]
    scored = []
    for file_id, info in sorted(meta.items()):
        if info["page_type"] != "article" or info["domain"] in used:
            continue
        body = main_content(corpus, file_id)
        if not 1500 < len(body) < 12000:
            continue
        value = score(file_id, body)
        if value >= minimum:
            scored.append((value, rng.random(), file_id, info["domain"]))
    scored.sort(reverse=True)
    taken, out = set(used), []
    for _, _, file_id, domain in scored:
        path = wcxb_html(corpus, file_id)
        if domain in taken or not fits(path):
            continue
        taken.add(domain)
        out.append((domain, path))
        if len(out) == count:
            break
    return out


def fourth_batch(corpus: Path, out: Path, rng: random.Random) -> list[dict]:
    """Pages of batch 4: WCXB articles of domains no split holds, richest in aggregate lines."""
    known = known_pages(out, 4)
    chosen = ranked_articles(corpus, {p["site"] for p in known}, rng, lambda _, body: aggregate_lines(body),
                             BATCH4_MIN_LINES, BATCH4_WCXB, fits=lambda path: not too_long(path))
    return new_ids(known, [wcxb_entry(corpus, "train", domain, f, batch=4) for domain, f in chosen])


def teaser_paragraphs(blocks: list[Block], reference: str) -> int:
    """How many bulleted paragraphs of ``TEASER_MIN_WORDS`` words or more the reference does not hold."""
    held = content_mask(blocks, reference)
    return sum(b.tag == "li" and len(b.text.split()) >= TEASER_MIN_WORDS and not h for b, h in zip(blocks, held))


def fifth_batch(corpus: Path, out: Path, rng: random.Random) -> list[dict]:
    """Pages of batch 5: WCXB articles of domains no split holds, as text dumps, richest in teasers."""
    known = known_pages(out, 5)

    def teasers(file_id: str, body: str) -> int:
        blocks = dump_blocks(split_page(read_bytes(wcxb_html(corpus, file_id)), SegmentOptions())[0])
        return teaser_paragraphs(blocks, body) if len(blocks) <= WCXB_MAX_BLOCKS else 0

    chosen = ranked_articles(corpus, {p["site"] for p in known}, rng, teasers, BATCH5_MIN_TEASERS, BATCH5_WCXB)
    pages = [wcxb_entry(corpus, "train", domain, f, batch=5, rendering="dump") for domain, f in chosen]
    for page in pages:
        page["doc_id"] += "-dump"
    return new_ids(known, pages)


def sixth_batch(corpus: Path, out: Path, rng: random.Random) -> list[dict]:
    """Pages of batch 6: press releases of the train and dev offices that report trends in figures."""
    return press_batch(corpus, out, rng, 6, BATCH6_OFFICES, trend_pages)


def write_batch(corpus: Path, out: Path, pages: list[dict], *, append: bool) -> None:
    """One reading file per page, and the pages in the manifest."""
    (out / "pages").mkdir(parents=True, exist_ok=True)
    for page in pages:
        path = corpus / page["source"]
        data = read_bytes(path)
        blocks, title, _ = split_page(data, SegmentOptions())
        if page.get("rendering") == "dump":
            blocks = dump_blocks(blocks)
        page["blocks"] = len(blocks)
        (out / "pages" / f"{page['doc_id']}.txt").write_text(reading_file(blocks, title, page["source"]))
    with open(out / "manifest.jsonl", "a" if append else "w") as fh:
        for page in pages:
            fh.write(json.dumps(page) + "\n")
    print(f"{len(pages)} pages, {sum(p['blocks'] for p in pages)} blocks → {out}")


if __name__ == "__main__":
    main()
