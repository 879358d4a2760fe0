"""The context-free block features on crafted blocks, worked out by hand."""

from __future__ import annotations

import math

from thresher.blocks import Block
from thresher.features import LOCAL_NAMES, NOT_APPLICABLE, local_features


def _rows(*blocks: Block) -> list[dict[str, float]]:
    return [dict(zip(LOCAL_NAMES, row)) for row in local_features(list(blocks))]


def test_boilerplate_line_counts():
    text = "Read more about cookies, or click here! Copyright 2024."
    row, = _rows(Block(0, text))
    # 9 words of 44 letters and digits; "more", "about", "or", "here" are stop words
    assert row["log_chars"] == math.log1p(len(text))
    assert row["log_words"] == math.log1p(9)
    assert row["mean_word_len"] == 44 / 9
    assert row["stopword_density"] == 4 / 9
    assert row["punct_density"] == 3 / len(text)  # , ! .
    assert row["comma_per_word"] == 1 / 9
    assert row["digit_share"] == 4 / len(text)
    assert row["upper_share"] == 2 / 40  # R, C among 40 letters
    assert row["titlecase_share"] == 2 / 9
    assert row["ends_terminal"] == 1.0
    assert row["sentences"] == 2.0  # "! C" ends one
    assert row["has_copyright"] == 1.0
    assert row["boiler_phrases"] == 3.0  # read more, cookies, click here
    assert row["in_article"] == NOT_APPLICABLE  # a text block has no DOM


def test_characters_beyond_ascii_count_as_python_classes_them():
    # 20 characters: 15 letters (Å, ê included), 2 digits ("²" is a digit to str.isdigit), 1 capital
    text = "Åsa bought 2² crêpes"
    row, = _rows(Block(0, text))
    assert row["digit_share"] == 2 / 20
    assert row["upper_share"] == 1 / 15
    assert row["titlecase_share"] == 1 / 4  # Åsa, bought, 2², crêpes


def test_dom_columns_read_path_and_nearest_class_tokens():
    tokens = ("content", "x", "x", "x", "x", "x", "footer")  # "footer" is past the 6 nearest
    first, second = _rows(
        Block(0, "Body text here.", kind="html", tag="p", dom_path="html/body/article/div/p", attr_tokens=tokens),
        Block(1, "Menu", kind="html", tag="li", dom_path="html/body/nav/ul/li", attr_tokens=("menu",)),
    )
    assert first["in_article"] == 1.0 and first["in_nav"] == 0.0
    assert first["near_body"] == 1.0 and first["far_body"] == 1.0
    assert first["near_footer"] == 0.0 and first["far_footer"] == 1.0
    assert first["tag_p"] == 1.0
    assert second["in_nav"] == 1.0 and second["in_li"] == 1.0 and second["near_nav"] == 1.0
    assert second["far_footer"] == 0.0


def test_dom_columns_are_cached_only_for_short_paths():
    from thresher import features

    long_path = "html/body/" + "x" * 5000 + "/article/p"
    before = features._cached_dom_masks.cache_info().currsize
    hostile, = _rows(Block(0, "Body text here.", kind="html", tag="p", dom_path=long_path))
    assert hostile["in_article"] == 1.0 and hostile["in_nav"] == 0.0  # the same columns, computed
    assert features._cached_dom_masks.cache_info().currsize == before  # but not kept
    tag_named_in_path, = _rows(Block(0, "Body.", kind="html", tag="p", dom_path="html/body/articles/p"))
    assert tag_named_in_path["in_article"] == 0.0  # whole tags only


def test_every_boilerplate_phrase_counts_in_any_case():
    # the pattern skips positions by their first letter: each phrase must still be met
    phrases = ["read more", "click here", "sign up", "subscribe", "login", "log in", "sign in", "cookie", "cookies",
               "newsletter", "share this", "follow us", "all rights", "privacy policy", "terms of use",
               "terms of service", "skip to", "back to top", "related articles", "related posts", "related stories",
               "advertisement", "read now", "learn more", "contact us", "you may also like", "recommended",
               "trending", "comment", "comments"]
    for text in (" · ".join(phrases), " · ".join(p.upper() for p in phrases), " · ".join(p.title() for p in phrases)):
        row, = _rows(Block(0, text))
        assert row["boiler_phrases"] == len(phrases)
    for text in ("© Example", "COPYRIGHT Example", "All Rights Reserved", "(C) 2019 Example"):
        row, = _rows(Block(0, text))
        assert row["has_copyright"] == 1.0, text
