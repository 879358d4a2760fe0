"""Doccano in the loop: push the model's labels as suggestions, pull the annotators' labels back.

``push`` segments pages with the model and uploads them to a doccano project, every
block pre-labeled with the model's label and score. Two styles:

* ``page`` (a SequenceLabeling project): one example per page, the blocks joined
  by blank lines, each block a pre-labeled span;
* ``block`` (a DocumentClassification project): one example per block, with its page
  id, index and neighbours' text in the metadata.

Every example's metadata names its page (``doc_id``, ``source``, ``site``,
``content_hash``), the suggestion and who pushed it, so pushing again adds nothing
and ``pull`` can tell an annotator's decision from the suggestion.

Projects are *collaborative* (annotators see the suggestions, which belong to the
account that pushed), let spans overlap and let a block hold several categories, so
that two annotators can each put their own label on a block and disagree visibly:
doccano would otherwise let the second overwrite the first.

``pull`` reads every annotator's labels and turns them into votes
(:mod:`thresher.gold_merge`): an annotator's own label on a block is ``accepted``
when it equals the suggestion, ``corrected`` otherwise; an annotator who confirms an
example (the checkmark) without labeling a block accepts the suggestion still on it.
A block takes the label covering more than half of its characters; partial and
overlapping spans are reported, and a span covering less than half of a block is no
vote. The REST calls are in :mod:`thresher.doccano_api`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .annotations import read_dir, read_pages, write_pages
from .batch import process_source
from .corpus import page_identity
from .doccano_api import STYLES, Credentials, DoccanoClient, DoccanoError, credentials
from .gold_merge import MergeReport, PulledBlock, PulledPage, Vote, merge_pages
from .inputs import iter_sources, read_source
from .pipeline import Page
from .uncertainty import blocks_uncertainty, page_uncertainty

__all__ = ["Credentials", "DoccanoClient", "DoccanoError", "PullReport", "PushReport", "credentials", "pull",
           "push", "summary"]

SEPARATOR = "\n\n"  # between a page's blocks in a page-style example
READERS = 4  # concurrent read requests in a pull


# -- push ----------------------------------------------------------------------------------
@dataclass(slots=True)
class PushReport:
    """What a push did: examples created, pages pushed, and pages skipped or failed with why."""

    project_id: int = 0
    examples_added: int = 0
    pages_pushed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class _Candidate:
    source: str
    doc_id: str
    rel_source: str
    site: str
    content_hash: str
    page: Page


def _candidates(paths: Sequence[str], model, corpus: Path | None, report: PushReport) -> list[_Candidate]:
    out = []
    for source in iter_sources(list(paths)):
        result = process_source(source, model.model, model.options)
        if result.page is None:
            report.failed.append((source, f"{result.error_type}: {result.error}"))
            continue
        if not result.page.blocks:
            report.skipped.append((source, "no blocks"))
            continue
        data = read_source(source, max_bytes=model.options.max_input_bytes)
        doc_id, rel, site = page_identity(source, corpus)
        out.append(_Candidate(source, doc_id, rel, site, hashlib.sha256(data).hexdigest()[:16], result.page))
    return out


def _page_meta(c: _Candidate, pusher: str) -> dict:
    return {"doc_id": c.doc_id, "source": c.rel_source, "site": c.site, "content_hash": c.content_hash,
            "pushed_by": pusher}


def push(client: DoccanoClient, paths: Sequence[str], *, project: str, model, style: str = "page",
         corpus: Path | None = None, annotations: Path | None = None, select: str | None = None,
         method: str = "margin", budget: int | None = None, members: Sequence[str] = ()) -> PushReport:
    """Segment ``paths`` with ``model`` (a :class:`thresher.Thresher`) and push them as suggestions.

    Parameters
    ----------
    select : ``None`` (every page, in order) or ``"uncertain"``: the pages (``page``
        style) or blocks (``block`` style) the model is least sure about, by
        ``method`` (``margin`` or ``entropy``), skipping pages already in ``annotations``.
    budget : at most this many examples (pages or blocks) are added.
    members : users made annotators of the project.

    Pages already in the project (same ``doc_id``) are never pushed again; a page
    whose content changed since is reported, not pushed.
    """
    if style not in STYLES:
        raise ValueError(f"style must be one of {', '.join(STYLES)}")
    report = PushReport()
    found = client.find_project(project)
    if found is None:
        found = client.create_project(project, style)
    elif found["project_type"] != STYLES[style][0]:
        raise DoccanoError(f"project {project!r} is a {found['project_type']} project, not a {style}-style one")
    pid = report.project_id = found["id"]
    label_ids = client.ensure_labels(pid, style)
    for name in members:
        client.add_member(pid, name)
    pushed: dict[str, str] = {}  # doc_id -> content hash
    pushed_blocks: set[tuple[str, int]] = set()
    for example in client.examples(pid):
        meta = example.get("meta") or {}
        if "doc_id" in meta:
            pushed[meta["doc_id"]] = meta.get("content_hash", "")
            pushed_blocks.add((meta["doc_id"], meta.get("index", -1)))
    known = set()
    if select and annotations is not None and Path(annotations).is_dir():
        gold = read_dir(annotations)
        known = {p.doc_id for p in gold} | {p.source for p in gold}
    candidates, seen = [], set()
    for c in _candidates(paths, model, corpus, report):
        if c.doc_id in seen:
            report.skipped.append((c.source, f"given twice (doc_id {c.doc_id})"))
        elif c.doc_id in pushed and pushed[c.doc_id] != c.content_hash:
            report.skipped.append((c.source, "already in the project with other content (it changed since it "
                                             "was pushed): not pushed again"))
        elif c.doc_id in pushed and (style == "page" or all((c.doc_id, k) in pushed_blocks
                                                            for k in range(len(c.page.blocks)))):
            report.skipped.append((c.source, "already in the project"))
        elif c.doc_id in known or c.rel_source in known:
            report.skipped.append((c.source, "already in the annotations"))
        else:
            candidates.append(c)
        seen.add(c.doc_id)
    if style == "page":
        ranked = [(c, page_uncertainty(c.page.blocks, method)) for c in candidates]
        if select:
            ranked.sort(key=lambda item: -item[1])
        for c, u in ranked[:budget]:
            _push_page(client, pid, c, u, label_ids, report)
    else:
        units = [(c, k, u) for c in candidates for k, u in enumerate(blocks_uncertainty(c.page.blocks, method))
                 if (c.doc_id, k) not in pushed_blocks]
        if select:
            units.sort(key=lambda unit: -unit[2])
        for c, k, u in units[:budget]:
            _push_block(client, pid, c, k, float(u), label_ids, report)
    return report


def _push_page(client: DoccanoClient, pid: int, c: _Candidate, uncertainty: float, label_ids: dict[str, int],
               report: PushReport) -> None:
    offsets, position = [], 0
    for block in c.page.blocks:
        offsets.append([position, position + len(block.text), block.label, round(block.scores[block.label], 4)])
        position += len(block.text) + len(SEPARATOR)
    text = SEPARATOR.join(b.text for b in c.page.blocks)
    meta = _page_meta(c, client.username) | {"style": "page", "blocks": offsets,
                                             "uncertainty": round(uncertainty, 4)}
    example = client.create_example(pid, text, meta)
    for start, end, label, score in offsets:
        client.add_label(pid, example["id"], "page", label_ids[label], start=start, end=end, prob=score)
    report.examples_added += 1
    report.pages_pushed.append(c.doc_id)


def _push_block(client: DoccanoClient, pid: int, c: _Candidate, k: int, uncertainty: float,
                label_ids: dict[str, int], report: PushReport) -> None:
    blocks = c.page.blocks
    block = blocks[k]
    meta = _page_meta(c, client.username) | {
        "style": "block", "index": k, "suggested": block.label, "score": round(block.scores[block.label], 4),
        "uncertainty": round(uncertainty, 4),
        # neighbours give the annotator the context; "" at the page's edges keeps the meta rectangular
        "previous": blocks[k - 1].text if k else "", "next": blocks[k + 1].text if k + 1 < len(blocks) else "",
    }
    example = client.create_example(pid, block.text, meta)
    client.add_label(pid, example["id"], "block", label_ids[block.label], prob=meta["score"])
    report.examples_added += 1
    if c.doc_id not in report.pages_pushed:
        report.pages_pushed.append(c.doc_id)


# -- pull ----------------------------------------------------------------------------------
@dataclass(slots=True)
class PullReport:
    """What a pull read and merged, and what it could not read without guessing."""

    examples_read: int = 0
    merge: MergeReport = field(default_factory=MergeReport)
    problems: list[str] = field(default_factory=list)


def _majority(cover: dict[str, int], size: int) -> str | None:
    """The label covering more than half of a block's ``size`` characters, else None."""
    if not cover:
        return None
    label, chars = max(cover.items(), key=lambda item: item[1])
    return label if 2 * chars > size else None


def _span_cover(spans: list[dict], start: int, end: int, names: dict[int, str]) -> dict[str, int]:
    cover: dict[str, int] = {}
    for span in spans:
        overlap = min(end, span["end_offset"]) - max(start, span["start_offset"])
        if overlap > 0:
            label = names[span["label"]]
            cover[label] = cover.get(label, 0) + overlap
    return cover


def _user_votes(users: list[int], confirmed: list[int], pusher_id: int | None, decide, user_names: dict[int, str],
                suggested: str, where: str, problems: list[str]) -> list[Vote]:
    """The votes on one block: each annotator's own label, else the suggestion they confirmed."""
    votes = []
    for uid in users:
        label = decide(uid, where, problems)
        if label is None and uid in confirmed and pusher_id is not None and uid != pusher_id:
            label = decide(pusher_id, where, problems)
        if label is not None:
            votes.append(Vote(user_names.get(uid, f"user-{uid}"), label,
                              "accepted" if label == suggested else "corrected"))
    return votes


def _page_example(example: dict, labels: list[dict], confirmed: list[int], pusher_id: int | None,
                  names: dict[int, str], user_names: dict[int, str], problems: list[str]) -> list[PulledBlock]:
    meta = example["meta"]
    by_user: dict[int, list[dict]] = {}
    for span in labels:
        by_user.setdefault(span["user"], []).append(span)
    users = sorted((set(by_user) - {pusher_id}) | set(confirmed), key=lambda u: user_names.get(u, str(u)))
    out = []
    for k, (start, end, suggested, score) in enumerate(meta["blocks"]):
        text = example["text"][start:end]

        def decide(uid: int, where: str, problems: list[str], start=start, end=end, size=end - start) -> str | None:
            cover = _span_cover(by_user.get(uid, []), start, end, names)
            who = user_names.get(uid, f"user-{uid}")
            if len(cover) > 1:
                problems.append(f"{where}: {who}'s spans overlap with labels {sorted(cover)}")
            label = _majority(cover, size)
            if cover and sum(cover.values()) < size:
                problems.append(f"{where}: {who}'s spans cover {sum(cover.values())} of {size} characters"
                                + ("" if label else ": no label taken"))
            return label

        where = f"{meta['doc_id']} block {k}"
        votes = _user_votes(users, confirmed, pusher_id, decide, user_names, suggested, where, problems)
        out.append(PulledBlock(k, text, votes, suggested, score))
    return out


def _block_example(example: dict, labels: list[dict], confirmed: list[int], pusher_id: int | None,
                   names: dict[int, str], user_names: dict[int, str], problems: list[str]) -> PulledBlock:
    meta = example["meta"]
    by_user: dict[int, set[str]] = {}
    for category in labels:
        by_user.setdefault(category["user"], set()).add(names[category["label"]])
    users = sorted((set(by_user) - {pusher_id}) | set(confirmed), key=lambda u: user_names.get(u, str(u)))

    def decide(uid: int, where: str, problems: list[str]) -> str | None:
        chosen = by_user.get(uid, set())
        if len(chosen) > 1:
            problems.append(f"{where}: {user_names.get(uid, uid)} gave several labels {sorted(chosen)}: no label taken")
            return None
        return next(iter(chosen), None)

    where = f"{meta['doc_id']} block {meta['index']}"
    votes = _user_votes(users, confirmed, pusher_id, decide, user_names, meta["suggested"], where, problems)
    return PulledBlock(meta["index"], example["text"], votes, meta["suggested"], meta.get("score"))


def pull(client: DoccanoClient, *, project: str, out: Path, only_confirmed: bool = False,
         split: str = "train") -> PullReport:
    """Read the annotators' labels of ``project`` and merge them into the annotation file ``out``.

    A new page's split is that of its site elsewhere in ``out``'s folder (so a site
    never leaks into two splits), else ``split``. The file is written atomically,
    keeping the replaced one as ``.bak``; nothing already in it is dropped.
    """
    found = client.find_project(project)
    if found is None:
        raise DoccanoError(f"no doccano project {project!r}")
    style = next(s for s, spec in STYLES.items() if spec[0] == found["project_type"])
    pid = found["id"]
    names = {i: name for name, i in client.label_types(pid, style).items()}
    user_names = client.user_names()
    user_ids = {name: uid for uid, name in user_names.items()}
    report = PullReport()
    pages: dict[str, PulledPage] = {}
    chosen = []
    for example in client.examples(pid):
        meta = example.get("meta") or {}
        if "doc_id" not in meta or meta.get("style") != style:
            report.problems.append(f"example {example['id']}: not pushed by thresher (no doc_id): skipped")
        elif example["is_confirmed"] or not only_confirmed:
            chosen.append(example)

    def fetch(example: dict) -> tuple[list[int], list[dict]]:
        confirmed = client.confirmers(pid, example["id"]) if example["is_confirmed"] else []
        return confirmed, client.labels(pid, example["id"], style)

    # reads only, a few at a time: a pull costs two requests per example
    with ThreadPoolExecutor(READERS) as pool:
        fetched = list(pool.map(fetch, chosen))
    for example, (confirmed, labels) in zip(chosen, fetched):
        meta = example["meta"]
        report.examples_read += 1
        pusher_id = user_ids.get(meta.get("pushed_by", ""))
        page = pages.setdefault(meta["doc_id"], PulledPage(meta["doc_id"], meta["source"], meta["site"], []))
        if style == "page":
            page.blocks += _page_example(example, labels, confirmed, pusher_id, names, user_names, report.problems)
        else:
            page.blocks.append(_block_example(example, labels, confirmed, pusher_id, names, user_names,
                                              report.problems))
    out = Path(out)
    existing = read_pages(out) if out.exists() else []
    others = [page for f in sorted(out.parent.glob("*.jsonl")) if f.resolve() != out.resolve()
              for page in read_pages(f)]
    # a page held by another file of the folder stays there: a copy here would be a duplicate doc_id
    elsewhere = {page.doc_id for page in others}
    for doc_id in sorted(elsewhere & set(pages)):
        report.problems.append(f"{doc_id}: already in another file of {out.parent}: not merged into {out.name}")
        del pages[doc_id]
    sites = {p.site: p.split for p in others} | {p.site: p.split for p in existing}
    merged, report.merge = merge_pages(existing, sorted(pages.values(), key=lambda p: p.doc_id),
                                       lambda site: sites.setdefault(site, split),
                                       extra={"doccano_project": project})
    if report.merge.votes_added:
        write_pages(out, merged)
    return report


def summary(report: PushReport | PullReport) -> list[str]:
    """Lines for the user (stderr), one per skipped or failed page or problem, then the totals."""
    if isinstance(report, PushReport):
        lines = [f"skipped {source}: {why}" for source, why in report.skipped]
        lines += [f"failed {source}: {why}" for source, why in report.failed]
        lines.append(f"pushed {len(report.pages_pushed)} pages as {report.examples_added} examples "
                     f"(project id {report.project_id}), {len(report.skipped)} skipped, {len(report.failed)} failed")
        return lines
    m = report.merge
    lines = list(report.problems)
    lines += [f"conflict: {doc_id} block {index}" for doc_id, index in m.conflicts]
    lines.append(f"read {report.examples_read} examples: {m.votes_added} new votes, {m.blocks_added} blocks and "
                 f"{m.pages_added} pages added, {m.pages_updated} pages updated, {len(m.conflicts)} conflicts")
    return lines
