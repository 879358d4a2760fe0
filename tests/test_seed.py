"""The seed page end to end with the shipped model: every block as in the guideline's worked example."""

from __future__ import annotations

EXPECTED = ["news_body", "news_body", "news_body", "quote", "quote", "news_body", "statistic", "case_record",
            "case_record", "statistic", "statistic"] + ["boilerplate"] * 10


def test_seed_page_labels_match_the_guideline(model, seed_bytes):
    blocks = model.segment(seed_bytes)
    assert [b.label for b in blocks] == EXPECTED


def test_seed_page_from_str_and_bytes_agree(model, seed_bytes):
    assert [b.scores for b in model.segment(seed_bytes)] == [b.scores for b in model.segment(seed_bytes.decode())]


def test_clean_is_the_content_blocks_without_title(model, seed_bytes):
    blocks = model.segment(seed_bytes)
    expected = "\n\n".join(b.text for b in blocks if b.label != "boilerplate" and not b.is_title)
    assert model.clean(seed_bytes) == expected


def test_api_is_safe_to_share_between_threads(model, seed_bytes):
    from concurrent.futures import ThreadPoolExecutor

    alone = model.clean(seed_bytes)
    with ThreadPoolExecutor(4) as pool:
        assert set(pool.map(lambda _: model.clean(seed_bytes), range(16))) == {alone}
