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
    proba = np.array([B, [0.55, 0.0, 0.0, 0.0, 0.45], B])
    assert revise(proba) == ["boilerplate", "boilerplate", "boilerplate"]


def test_confident_blocks_are_left_alone():
    proba = np.array([B, N, B])
    assert revise(proba) == ["boilerplate", "news_body", "boilerplate"]
    assert revise(np.array([N, B])) == ["news_body", "boilerplate"]
