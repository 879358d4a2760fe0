"""Build annotations/gold.jsonl from the annotators' label files.

    python tools/compile_annotations.py disagreements   # list blocks two annotators labeled differently
    python tools/compile_annotations.py build           # write the gold file (needs the adjudications)

Primary annotators are A–G (batch 1), I–M (batch 2), N–Q (batch 3), R–W (batch 4), X, Y, Z and
AA–AC (batch 5), AD–AF (batch 6), and ``lead`` for the seed page; H is the second, independent annotator on a
subset of every batch. Where the two differ, the adjudicated label
(``work/adjudication.tsv``: ``doc_id<TAB>index<TAB>label<TAB>reason``) is the gold,
and both original labels stay in the block's ``votes``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_labels import read_labels  # noqa: E402

from thresher.annotations import GoldBlock, GoldPage, write_pages  # noqa: E402

WORK = Path("annotations/work")
SECOND = "H"
GUIDELINE = Path("../shared/annotation/GUIDELINES.md")


def page_blocks(doc_id: str) -> list[tuple[int, str]]:
    out = []
    for line in (WORK / "pages" / f"{doc_id}.txt").read_text().splitlines():
        if line.startswith("[") and "] <" in line:
            index = int(line[1: line.index("]")])
            text = line.split("> ", 1)[1] if "> " in line else ""
            out.append((index, text))
    return out


def labels_by_annotator() -> dict[str, dict[str, dict[int, str]]]:
    out: dict[str, dict[str, dict[int, str]]] = {}
    for folder in sorted((WORK / "labels").iterdir()):
        for f in sorted(folder.glob("*.tsv")):
            out.setdefault(f.stem, {})[folder.name] = read_labels(f)
    return out


def primary_of(votes: dict[str, dict[int, str]]) -> str:
    names = [a for a in votes if a != SECOND]
    if len(names) != 1:
        raise SystemExit(f"expected one primary annotator, got {names}")
    return names[0]


def disagreements() -> None:
    labels = labels_by_annotator()
    rows = []
    for doc_id, votes in sorted(labels.items()):
        if SECOND not in votes:
            continue
        primary = primary_of(votes)
        texts = dict(page_blocks(doc_id))
        for index in sorted(votes[primary]):
            a, b = votes[primary][index], votes[SECOND][index]
            if a != b:
                rows.append({"doc_id": doc_id, "index": index, "labels": {primary: a, SECOND: b}, "text": texts[index]})
    out = WORK / "disagreements.jsonl"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    print(f"{len(rows)} disagreements → {out}")


def build() -> None:
    manifest = [json.loads(x) for x in (WORK / "manifest.jsonl").read_text().splitlines()]
    labels = labels_by_annotator()
    adjudicated: dict[tuple[str, int], tuple[str, str]] = {}
    adj_file = WORK / "adjudication.tsv"
    if adj_file.exists():
        for line in adj_file.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                doc_id, index, label, *reason = line.split("\t")
                adjudicated[(doc_id, int(index))] = (label, reason[0] if reason else "")
    version = hashlib.sha256(GUIDELINE.read_bytes()).hexdigest()[:12]
    pages = []
    for entry in manifest:
        doc_id = entry["doc_id"]
        votes = labels.get(doc_id)
        if not votes:
            print(f"skip {doc_id}: not labeled")
            continue
        primary = primary_of(votes)
        blocks = []
        for index, text in page_blocks(doc_id):
            label = votes[primary][index]
            extra: dict = {"index": index}
            if SECOND in votes:
                second = votes[SECOND][index]
                extra["votes"] = [{"annotator": primary, "label": label}, {"annotator": SECOND, "label": second}]
                if second != label:
                    if (doc_id, index) not in adjudicated:
                        raise SystemExit(f"{doc_id} block {index}: disagreement not adjudicated")
                    label, reason = adjudicated[(doc_id, index)]
                    extra["adjudicated"] = {"by": "adjudicator", "reason": reason}
            blocks.append(GoldBlock(text=text, label=label, annotator=primary, origin="hand", extra=extra))
        page_extra = {"guideline": version} | {k: entry[k] for k in ("batch", "rendering") if k in entry}
        pages.append(GoldPage(doc_id, entry["source"], entry["site"], entry["split"], blocks, page_extra))
    write_pages("annotations/gold.jsonl", pages)
    print(f"wrote {len(pages)} pages, {sum(len(p.blocks) for p in pages)} blocks → annotations/gold.jsonl")


if __name__ == "__main__":
    {"disagreements": disagreements, "build": build}[sys.argv[1]]()
