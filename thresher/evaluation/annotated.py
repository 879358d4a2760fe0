"""Score a model, the keyword baseline and the second annotator on gold pages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ..annotations import GoldPage
from ..corpus import wcxb_pages
from ..labels import LABELS
from ..pipeline import label_blocks
from ..training import segment_gold
from .agreement import cohen_kappa, confusion, per_label_kappa
from .baseline import keyword_label
from .scores import Scored
from .words import align_words

SYSTEMS = ("model", "keyword")
_WORKER: dict = {}  # per worker process: the model, loaded once


def _init_worker(model_path: str | None, corpus: Path | None) -> None:
    from ..persistence import load_model

    _WORKER["model"] = load_model(model_path)
    _WORKER["corpus"] = corpus


def _score_in_worker(page: GoldPage) -> dict[str, Scored]:
    return score_page(_WORKER["model"], page, _WORKER["corpus"])


def page_type(page: GoldPage, wcxb_types: dict[str, str]) -> str:
    """``press release`` for the offices' text pages, ``wcxb <type>`` for WCXB pages (``wcxb <type>
    dump`` for those labeled as a text dump of the page)."""
    if page.source.startswith("wcxb-dev/"):
        file_id = Path(page.source).name.split(".")[0]
        dump = " dump" if page.extra.get("rendering") == "dump" else ""
        return f"wcxb {wcxb_types.get(file_id, 'unknown')}{dump}"
    return "press release" if page.source.startswith("press-releases/") else "other"


def score_page(model, page: GoldPage, corpus: Path | None) -> dict[str, Scored]:
    """The model and the keyword rules on one gold page, per block and per aligned word.

    The systems label the page's whole segmentation, as a user would run them;
    block scores use the blocks the gold re-aligns to, word scores align every
    word of the gold blocks with every word of the system's blocks.
    """
    blocks, matched = segment_gold(page, corpus)
    gold_text = [(g.text, g.label) for g in page.blocks]
    keep = [i for i, g in enumerate(matched) if g is not None]
    gold = [matched[i].label for i in keep]
    label_blocks(blocks, model)
    systems = {"model": [b.label for b in blocks], "keyword": [keyword_label(b) for b in blocks]}
    out = {}
    for name, labels in systems.items():
        word_gold, word_predicted = align_words(gold_text, [(b.text, lb) for b, lb in zip(blocks, labels)])
        scored = Scored(page.doc_id, page.site, gold, [labels[i] for i in keep],
                        [len(blocks[i].text.split()) for i in keep], word_gold, word_predicted,
                        [blocks[i].text for i in keep])
        if name == "model":
            scored.top_label = [max(blocks[i].scores, key=blocks[i].scores.__getitem__) for i in keep]
            scored.confidence = [blocks[i].scores[t] for i, t in zip(keep, scored.top_label)]
        out[name] = scored
    return out


def score_pages(model_path: str | None, pages: list[GoldPage], corpus: Path | None, *,
                jobs: int = 1, progress: Callable | None = None) -> dict[str, list[Scored]]:
    """Per system (``model``, ``keyword``), every page's scores, in page order.

    ``jobs`` > 1 spreads pages over worker processes, each loading the model once;
    ``progress`` wraps the iterator of results (e.g. a tqdm bar).
    """
    wrap = progress or (lambda it, n: it)
    if jobs > 1:
        with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(model_path, corpus)) as pool:
            results = list(wrap(pool.map(_score_in_worker, pages), len(pages)))
    else:
        _init_worker(model_path, corpus)
        results = [_score_in_worker(p) for p in wrap(pages, len(pages))]
    types = _wcxb_types(corpus) if corpus and any(p.source.startswith("wcxb-dev/") for p in pages) else {}
    out: dict[str, list[Scored]] = {name: [] for name in SYSTEMS}
    for page, result in zip(pages, results):
        for name in SYSTEMS:
            result[name].page_type = page_type(page, types)
            out[name].append(result[name])
    return out


def _wcxb_types(corpus: Path) -> dict[str, str]:
    return {p.page_id: p.page_type for p in wcxb_pages(corpus)}


def second_annotator(pages: list[GoldPage], corpus: Path | None = None) -> list[Scored]:
    """The second annotator's labels against the gold, on the doubly-labeled pages."""
    types = _wcxb_types(corpus) if corpus and any(p.source.startswith("wcxb-dev/") for p in pages) else {}
    out = []
    for page in pages:
        votes = [b.extra.get("votes") for b in page.blocks]
        if not all(votes):
            continue
        gold = [b.label for b in page.blocks]
        second = [v[-1]["label"] for v in votes]
        texts = [b.text for b in page.blocks]
        word_gold, word_second = align_words(list(zip(texts, gold)), list(zip(texts, second)))
        out.append(Scored(page.doc_id, page.site, gold, second, [len(t.split()) for t in texts],
                          word_gold, word_second, texts, page_type=page_type(page, types)))
    return out


def agreement(pages: list[GoldPage]) -> dict:
    """κ (overall, per label) and the confusion table between the two independent annotators."""
    first, second = [], []
    for page in pages:
        for block in page.blocks:
            votes = block.extra.get("votes")
            if votes and len(votes) >= 2:
                first.append(votes[0]["label"])
                second.append(votes[1]["label"])
    if not first:
        return {"pages": 0}
    return {
        "pages": sum(1 for p in pages if all(b.extra.get("votes") for b in p.blocks)),
        "blocks": len(first),
        "raw_agreement": sum(a == b for a, b in zip(first, second)) / len(first),
        "kappa": cohen_kappa(first, second),
        "kappa_per_label": per_label_kappa(first, second, LABELS),
        "confusion": confusion(first, second, LABELS),
        "adjudicated": sum(1 for p in pages for b in p.blocks if "adjudicated" in b.extra),
    }


def stats(pages: list[GoldPage]) -> dict:
    """Pages, blocks and label counts per split, and the share of hand labels."""
    out: dict = {}
    for split in ("train", "dev", "test"):
        chosen = [p for p in pages if p.split == split]
        labels = Counter(b.label for p in chosen for b in p.blocks)
        out[split] = {"pages": len(chosen), "sites": len({p.site for p in chosen}),
                      "blocks": sum(labels.values()), "labels": {k: labels.get(k, 0) for k in LABELS}}
    blocks = [b for p in pages for b in p.blocks]
    out["all"] = {"pages": len(pages), "blocks": len(blocks),
                  "labels": {k: sum(1 for b in blocks if b.label == k) for k in LABELS},
                  "origin": dict(Counter(b.origin for b in blocks)),
                  "hand_share": sum(b.origin == "hand" for b in blocks) / max(len(blocks), 1)}
    return out
