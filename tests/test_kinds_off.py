"""``SegmentOptions(kinds=False)``: clean's path gives kinds only where a block's side depends on
them, and must decide the sides, and so the article text, exactly as the whole model does."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from thresher import compiled
from thresher.cli import main
from thresher.corpus import read_bytes, scrapinghub_pages
from thresher.labels import CONTENT, CONTENT_LABELS, LABELS
from thresher.options import SegmentOptions
from thresher.pipeline import segment_page
from thresher.revision import MIN_CONFIDENCE_DEFAULT, side_needs_kind
from thresher.segmenter import split_page

from .conftest import SEED, example_pages

KINDS_OFF = SegmentOptions(kinds=False)


def _corpus_pages(corpus) -> list[bytes]:
    pages = [read_bytes(p.path) for p in itertools.islice(scrapinghub_pages(corpus), 0, 181, 9)]
    releases = sorted((corpus / "press-releases").glob("*/*"))[::400]
    return pages + [p.read_bytes() for p in releases] + [SEED.read_bytes()]


def _same_sides(model, page: bytes, min_confidence: float = MIN_CONFIDENCE_DEFAULT) -> int:
    """Assert the two paths agree on one page; return how many blocks went without a kind."""
    whole = segment_page(page, model.model, min_confidence=min_confidence)
    sides = segment_page(page, model.model, KINDS_OFF, min_confidence=min_confidence)
    for with_title in (False, True):
        assert sides.text(with_title=with_title) == whole.text(with_title=with_title)
    undecided = 0
    for a, b in zip(whole.blocks, sides.blocks, strict=True):
        assert b.label == (a.label if a.label == "boilerplate" else CONTENT)  # the side, no kind
        if set(b.scores) == {CONTENT, "boilerplate"}:
            undecided += 1
            assert b.scores[CONTENT] == pytest.approx(1 - a.scores["boilerplate"])
        else:  # a block given its kind gets the whole model's scores, to the bit
            assert b.scores == a.scores
    return undecided


def test_seed_page_text_is_the_same_without_kinds(model):
    assert _same_sides(model, SEED.read_bytes()) > 0
    assert model.clean(SEED.read_bytes()) == segment_page(SEED.read_bytes(), model.model).text()


def test_corpus_pages_text_is_the_same_without_kinds(model, corpus):
    pages = _corpus_pages(corpus)
    assert sum(_same_sides(model, page) for page in pages) > 10 * len(pages)  # most content went without


def test_example_pages_text_is_the_same_without_kinds_at_any_confidence(model):
    for page in example_pages():
        for min_confidence in (0.3, 0.45, MIN_CONFIDENCE_DEFAULT, 0.8):
            _same_sides(model, page, min_confidence)


def test_the_candidate_budget_is_kept_without_kinds(model, monkeypatch):
    # past the budget the word model alone decides: its boundary must fall where the whole page's does
    for budget in (1, 5, 12):
        monkeypatch.setattr(compiled, "MAX_KIND_BLOCKS", budget)
        for page in example_pages():
            _same_sides(model, page)


def test_asked_kinds_are_the_whole_pages_kinds(model):
    rng = np.random.default_rng(0)
    for page in example_pages():
        blocks = split_page(page, model.options)[0]
        content = model.model.content_scores(blocks)[1]
        whole = model.model.kind_scores(blocks, content)
        asked = rng.random(len(blocks)) < 0.3
        some = model.model.kind_scores(blocks, content, asked)
        given = asked & (content >= compiled.MIN_CONTENT_FOR_KIND)
        np.testing.assert_array_equal(some[given], whole[given])
        np.testing.assert_array_equal(some[~given], np.full(((~given).sum(), len(CONTENT_LABELS)), 0.25))


def test_side_needs_kind_covers_every_block_a_kind_can_move():
    from thresher.revision import revise

    p = np.linspace(0, 1, 1001)
    sure = {"boilerplate": [0, 0, 0, 0, 1], "content": [0.95, 0, 0, 0, 0.05]}
    for min_confidence in (0.3, 0.45, 0.5, MIN_CONFIDENCE_DEFAULT, 0.8):
        for j in np.flatnonzero(~side_needs_kind(p, min_confidence=min_confidence)):
            sides = set()
            for kind in CONTENT_LABELS:  # the block's side, between sure blocks of either side, for each kind
                middle = np.zeros(len(LABELS))
                middle[LABELS.index(kind)], middle[-1] = p[j], 1 - p[j]
                sides.add(tuple(revise(np.vstack([sure[s], middle, sure[s]]), min_confidence=min_confidence)[1]
                                == "boilerplate" for s in sure))
            assert len(sides) == 1, (min_confidence, p[j])


def test_clean_takes_kinds_when_its_keep_needs_them_whatever_the_options(model):
    import thresher

    forced = thresher.load(kinds=False)
    page = SEED.read_bytes()
    assert forced.clean(page, keep=("quote",)) == segment_page(page, model.model).text(keep=("quote",))


def test_keeping_some_kinds_of_a_page_without_kinds_is_refused(model):
    page = segment_page(SEED.read_bytes(), model.model, KINDS_OFF)
    with pytest.raises(ValueError, match="without kinds"):
        page.text(keep=("quote",))
    assert page.text(keep=LABELS)  # every kind, and boilerplate too: no kind needed


def test_cli_clean_writes_the_whole_models_text(model, capsys):
    import json

    whole = segment_page(SEED.read_bytes(), model.model).text()
    assert main(["clean", str(SEED), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["text"] == whole
    assert main(["clean", str(SEED), "--keep", ",".join(LABELS)]) == 0  # boilerplate too: sides only
    assert capsys.readouterr().out.strip() == segment_page(SEED.read_bytes(), model.model).text(keep=LABELS)


def test_without_scores_the_labels_are_the_same_and_no_scores_are_made(model):
    for page in example_pages():
        for kinds in (True, False):
            whole = segment_page(page, model.model, SegmentOptions(kinds=kinds))
            bare = segment_page(page, model.model, SegmentOptions(kinds=kinds, scores=False))
            assert [(b.label, b.first_label) for b in bare.blocks] == [(b.label, b.first_label) for b in whole.blocks]
            assert all(b.scores == {} for b in bare.blocks) and any(b.scores for b in whole.blocks)
            assert bare.text(with_title=True) == whole.text(with_title=True)
