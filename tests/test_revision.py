"""Neighbour revision is a pure function of probabilities."""

from __future__ import annotations

import numpy as np

from thresher.revision import revise

B = [0.0, 0.0, 0.0, 0.0, 1.0]  # boilerplate
N = [1.0, 0.0, 0.0, 0.0, 0.0]  # news_body


def test_uncertain_block_between_content_joins_the_content():
    proba = np.array([N, [0.0, 0.5, 0.0, 0.0, 0.5], N])
    assert revise(proba) == ["news_body", "quote", "news_body"]


def test_uncertain_block_between_boilerplate_becomes_boilerplate():
    proba = np.array([B, [0.45, 0.0, 0.0, 0.0, 0.55], B])
    assert revise(proba) == ["boilerplate", "boilerplate", "boilerplate"]


def test_confident_blocks_are_left_alone():
    proba = np.array([B, N, B])
    assert revise(proba) == ["boilerplate", "news_body", "boilerplate"]
    assert revise(np.array([N, B])) == ["news_body", "boilerplate"]


def test_content_is_decided_before_the_kind():
    # sure to be content but unsure of its kind: the argmax of the five scores would say boilerplate
    split = [0.24, 0.18, 0.18, 0.0, 0.4]
    assert revise(np.array([N, split, N])) == ["news_body", "news_body", "news_body"]
    assert revise(np.array([split])) == ["news_body"]
    assert revise(np.array([split]), min_content=0.7) == ["boilerplate"]
    assert revise(np.array([split]), min_content=None) == ["boilerplate"]


def test_a_block_sure_of_its_side_keeps_it_however_its_kinds_split():
    # P(content) 0.9 spread over three kinds: no kind reaches 0.6, yet the block is sure it is content
    lone = [0.3, 0.3, 0.3, 0.0, 0.1]
    assert revise(np.array([B, lone, B])) == ["boilerplate", "news_body", "boilerplate"]


def test_an_unsure_block_moved_to_content_takes_its_most_probable_kind():
    proba = np.array([N, [0.05, 0.0, 0.3, 0.0, 0.65], N])
    assert revise(proba) == ["news_body", "case_record", "news_body"]


def test_a_kind_may_have_its_own_content_threshold():
    # P(content) 0.32, most probably a case record: boilerplate at the common 0.4, content from 0.2
    record = [0.04, 0.0, 0.28, 0.0, 0.68]
    narrative = [0.28, 0.0, 0.04, 0.0, 0.68]
    proba = np.array([B, record, narrative, B])
    assert revise(proba, kind_min_content=None) == ["boilerplate"] * 4
    assert revise(proba, kind_min_content={"case_record": 0.2}) == ["boilerplate", "case_record", "boilerplate",
                                                                     "boilerplate"]
    # a block at its own threshold is unsure by its distance from that threshold, not from 0.4
    assert revise(np.array([N, record, N]), kind_min_content={"case_record": 0.35}) == ["news_body", "case_record",
                                                                                          "news_body"]
    assert revise(np.array([B, record, B]), kind_min_content={"case_record": 0.3}) == ["boilerplate"] * 3


def test_case_records_have_a_lower_threshold_by_default():
    record = [0.04, 0.0, 0.28, 0.0, 0.68]
    assert revise(np.array([B, record, B])) == ["boilerplate", "case_record", "boilerplate"]
    # the common threshold still holds for the other kinds
    assert revise(np.array([B, [0.28, 0.0, 0.04, 0.0, 0.68], B])) == ["boilerplate"] * 3


C = [0.0, 0.0, 1.0, 0.0, 0.0]  # case_record


def test_a_block_unsure_of_its_kind_takes_the_kind_its_content_neighbours_share():
    unsure = [0.3, 0.0, 0.25, 0.2, 0.25]  # content, news_body at 0.4 of its kinds
    assert revise(np.array([C, B, unsure, B, C])) == ["case_record", "boilerplate", "case_record",
                                                       "boilerplate", "case_record"]
    # neighbours of two kinds, a block sure of its kind, or no kinds followed: it keeps its own
    assert revise(np.array([C, unsure, N]))[1] == "news_body"
    assert revise(np.array([C, [0.6, 0.0, 0.1, 0.0, 0.3], C]))[1] == "news_body"
    assert revise(np.array([C, unsure, C]), min_kind_share=None)[1] == "news_body"


def test_kinds_following_neighbours_never_move_a_side():
    rng = np.random.default_rng(0)
    for _ in range(200):
        proba = rng.dirichlet(np.ones(5) * 0.5, size=rng.integers(1, 30))
        with_kinds, without = revise(proba), revise(proba, min_kind_share=None)
        assert [a == "boilerplate" for a in with_kinds] == [b == "boilerplate" for b in without]
        changed = [i for i, (a, b) in enumerate(zip(with_kinds, without)) if a != b]
        for i in changed:  # a moved kind is its nearest content neighbours' shared kind
            before = [k for k in without[:i] if k != "boilerplate"][-1]
            after = [k for k in without[i + 1:] if k != "boilerplate"][0]
            assert with_kinds[i] == before == after
