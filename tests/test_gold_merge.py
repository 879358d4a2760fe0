"""Merging annotators' votes into gold pages: agreement, conflicts, and nothing ever dropped."""

from __future__ import annotations

import json

import pytest

from thresher.annotations import GoldBlock, GoldPage, read_pages, write_pages
from thresher.errors import AnnotationError
from thresher.gold_merge import PulledBlock, PulledPage, Vote, merge_pages


def pulled(*blocks: tuple[int, str, str, list[Vote]]) -> PulledPage:
    return PulledPage("d1", "press/d1.txt", "site-a", [PulledBlock(k, text, votes, suggested, 0.6)
                                                      for k, text, suggested, votes in blocks])


def split_of(site: str) -> str:
    return "dev"


def test_agreeing_votes_become_blocks_with_their_origin():
    page = pulled((0, "Headline here.", "news_body", [Vote("ann", "news_body", "accepted")]),
                  (1, "Share this", "news_body", [Vote("ann", "boilerplate", "corrected"),
                                                  Vote("bob", "boilerplate", "corrected")]),
                  (2, "Not looked at", "quote", []))
    pages, report = merge_pages([], [page], split_of)
    (gold,) = pages
    assert (gold.doc_id, gold.split, gold.site) == ("d1", "dev", "site-a")
    assert [(b.text, b.label, b.annotator, b.origin) for b in gold.blocks] == [
        ("Headline here.", "news_body", "ann", "accepted"), ("Share this", "boilerplate", "ann", "corrected")]
    assert gold.blocks[0].extra == {"index": 0, "suggested": "news_body", "score": 0.6}
    assert [v["annotator"] for v in gold.blocks[1].extra["votes"]] == ["ann", "bob"]
    assert (report.pages_added, report.blocks_added, report.votes_added, report.conflicts) == (1, 2, 3, [])


def test_disagreeing_annotators_make_a_conflict_not_a_winner():
    page = pulled((0, "Headline here.", "news_body", [Vote("ann", "news_body", "accepted")]),
                  (1, "“We act,” she said.", "news_body", [Vote("ann", "quote", "corrected"),
                                                          Vote("bob", "news_body", "accepted")]))
    pages, report = merge_pages([], [page], split_of)
    (gold,) = pages
    assert [b.text for b in gold.blocks] == ["Headline here."]
    (conflict,) = gold.extra["conflicts"]
    assert conflict["index"] == 1 and conflict["suggested"] == "news_body"
    assert {(v["annotator"], v["label"]) for v in conflict["votes"]} == {("ann", "quote"), ("bob", "news_body")}
    assert report.conflicts == [("d1", 1)]


def test_a_vote_against_a_label_in_the_file_moves_the_block_into_a_conflict_whole():
    hand = GoldBlock("“We act,” she said.", "quote", "C", "hand", {"index": 1})
    existing = [GoldPage("d1", "press/d1.txt", "site-a", "train", [GoldBlock("Headline here.", "news_body", "C",
                                                                             "hand", {"index": 0}), hand]),
                GoldPage("other", "x.txt", "site-b", "test", [GoldBlock("Kept as is.", "news_body", "D")])]
    before = [p.to_dict() for p in existing]
    page = pulled((0, "Headline here.", "news_body", [Vote("ann", "news_body", "accepted")]),
                  (1, "“We act,” she said.", "quote", [Vote("ann", "news_body", "corrected")]))
    pages, report = merge_pages(existing, [page], split_of)
    assert pages[1].to_dict() == before[1]
    first = pages[0]
    assert first.split == "train"  # an existing page keeps its split
    assert [b.text for b in first.blocks] == ["Headline here."]
    assert first.blocks[0].extra["votes"] == [{"annotator": "C", "label": "news_body", "origin": "hand"},
                                              {"annotator": "ann", "label": "news_body", "origin": "accepted"}]
    (conflict,) = first.extra["conflicts"]
    assert conflict["was"] == hand.to_dict()
    assert conflict["votes"] == [{"annotator": "C", "label": "quote", "origin": "hand"},
                                 {"annotator": "ann", "label": "news_body", "origin": "corrected"}]
    assert report.pages_updated == 1 and report.conflicts == [("d1", 1)]


def test_merging_the_same_votes_twice_changes_nothing(tmp_path):
    page = pulled((0, "Headline here.", "news_body", [Vote("ann", "news_body", "accepted")]),
                  (1, "“We act,” she said.", "news_body", [Vote("ann", "quote", "corrected"),
                                                          Vote("bob", "news_body", "accepted")]))
    once, _ = merge_pages([], [page], split_of)
    path = tmp_path / "pulled.jsonl"
    write_pages(path, once)
    twice, report = merge_pages(read_pages(path), [page], split_of)
    assert report.votes_added == 0 and report.conflicts == []
    assert [p.to_dict() for p in twice] == [p.to_dict() for p in once]


def test_a_page_of_conflicts_only_is_valid_and_a_page_of_nothing_is_not(tmp_path):
    page = pulled((0, "“We act,” she said.", "quote", [Vote("ann", "quote", "accepted"),
                                                       Vote("bob", "news_body", "corrected")]))
    pages, _ = merge_pages([], [page], split_of)
    path = tmp_path / "conflicts.jsonl"
    write_pages(path, pages)
    (back,) = read_pages(path)
    assert back.blocks == [] and len(back.extra["conflicts"]) == 1
    path.write_text(json.dumps({"doc_id": "x", "source": "x", "site": "s", "split": "train", "blocks": []}) + "\n")
    with pytest.raises(AnnotationError, match="blocks must be a non-empty list"):
        read_pages(path)


def test_repeated_texts_on_a_page_stay_separate_blocks():
    page = pulled((3, "Share", "boilerplate", [Vote("ann", "boilerplate", "accepted")]),
                  (9, "Share", "boilerplate", [Vote("ann", "news_body", "corrected")]))
    pages, report = merge_pages([], [page], split_of)
    assert [(b.extra["index"], b.label) for b in pages[0].blocks] == [(3, "boilerplate"), (9, "news_body")]
    assert report.conflicts == []
