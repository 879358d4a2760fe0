"""Hostile pages: regression tests for what the fuzzer and the hostile catalogue found."""

from __future__ import annotations

import pytest

from thresher.errors import ThresherError
from thresher.options import SegmentOptions
from thresher.segmenter import split_page

HTML = SegmentOptions(input_format="html")


@pytest.mark.parametrize("page", [
    "<p>Read <a href=x>the\x07 ruling</a> here.</p>",          # fuzz: a control character inside a link
    "<p>Read <a href=x>the\udc80 ruling</a> here.</p>",         # fuzz: a lone surrogate from surrogateescape
    b"<p>Read <a href=x>the\x00\x1b ruling</a> here.</p>",
    "<p>Read <a href=x>the\x0c ruling</a> here.</p>",          # fuzz: a form feed is no XML character
    "<p>Read <a href=x>the\uffff ruling</a> here.</p>",
])
def test_characters_lxml_refuses_are_dropped_not_fatal(page):
    blocks, _, _ = split_page(page, HTML)
    assert [b.text for b in blocks] == ["Read the ruling here."]


def test_a_page_of_only_control_characters_is_refused_with_our_error():
    with pytest.raises(ThresherError):
        split_page("\x01\x02\x03" * 100, SegmentOptions())


@pytest.mark.parametrize("page", [
    "<html><body>" + "".join(f"<p>Paragraph number {i}.</p>" for i in range(60)) + "</body></html>",
    "\n\n".join(f"Paragraph number {i}." for i in range(60)),
])
def test_a_page_past_max_blocks_is_refused_with_the_limit_named(page):
    with pytest.raises(ThresherError, match="max_blocks"):
        split_page(page, SegmentOptions(max_blocks=50))
    assert len(split_page(page, SegmentOptions(max_blocks=100))[0]) >= 60


def test_past_the_kind_budget_the_word_model_alone_gives_kinds(model, monkeypatch):
    import numpy as np

    import thresher.compiled
    from thresher.labels import CONTENT_LABELS
    from thresher.text import text_blocks

    blocks = text_blocks("\n\n".join([
        "A man was sentenced on Monday to five years in prison for fraud, prosecutors said.",
        "“We are glad the jury saw the truth,” the district attorney said after the verdict.",
        "Unemployment fell to 3.9 percent in March, down from 4.2 percent a year earlier.",
        "The council will meet again next week to discuss the budget and the new park.",
    ] * 3))
    classifier = model.model
    content = np.ones(len(blocks))
    full = classifier.kind_scores(blocks, content)
    monkeypatch.setattr(thresher.compiled, "MAX_KIND_BLOCKS", 4)
    budgeted = classifier.kind_scores(blocks, content)
    proba = classifier.kind_words.predict_proba([b.text for b in blocks[4:]])
    expected = np.array([[row[classifier.kind_words.classes.index(k)] for k in CONTENT_LABELS] for row in proba])
    np.testing.assert_allclose(budgeted[4:], expected)  # past the budget: the word model's own scores
    # within it, as without a budget (but the last counted block, whose next neighbour is not counted)
    np.testing.assert_allclose(budgeted[:3], full[:3])
    assert not np.allclose(full[4:], expected)  # the named counts do change kinds where they are read
