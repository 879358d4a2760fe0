"""tools/kind_cv.py's content-score file, which lets a branch with other kind features be screened."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import thresher.model

from .conftest import ROOT


def _kind_cv():
    spec = importlib.util.spec_from_file_location("thresher_kind_cv", ROOT / "tools" / "kind_cv.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_importing_the_tool_leaves_the_model_module_alone():
    before = thresher.model.type_features
    _kind_cv()
    assert thresher.model.type_features is before


def test_content_scores_round_trip_by_page_id(tmp_path):
    tool = _kind_cv()
    path = tmp_path / "content.scores"  # any name: the file is found again under the name given
    scores = [np.array([0.1, 0.9, 0.5]), np.array([0.7]), np.array([0.2, 0.3])]
    tool.write_content_scores(path, ["orange_ca/a", "kings_ny/b", "seed"], scores)
    # read in another order, as another split selection would ask
    back = tool.read_content_scores(path, [("seed", 2), ("orange_ca/a", 3)])
    np.testing.assert_array_equal(back[0], scores[2])
    np.testing.assert_array_equal(back[1], scores[0])


@pytest.mark.parametrize("page, message", [(("nowhere", 1), "missing"), (("kings_ny/b", 4), "1 blocks, segmented now into 4")])
def test_content_scores_refuse_a_page_they_do_not_match(tmp_path, page, message):
    tool = _kind_cv()
    path = tmp_path / "content.npz"
    tool.write_content_scores(path, ["orange_ca/a", "kings_ny/b"], [np.array([0.1, 0.9]), np.array([0.7])])
    with pytest.raises(ValueError, match=message):
        tool.read_content_scores(path, [page])


@pytest.mark.parametrize("scanned", [None, [True, False, True]])
def test_memoized_rows_are_type_features_rows_for_every_call_the_model_makes(scanned):
    # the compiled path passes ``scanned``: the memo must take every argument type_features takes
    from thresher.text import text_blocks
    from thresher.typing_features import type_features

    tool = _kind_cv()
    blocks = text_blocks("Menu\n\nJohn Doe, 34, was sentenced to 5 years.\n\n“We are glad,” she said.\n\nCrime fell 12% in 2023.")
    chosen, picked = [1, 2, 3], [blocks[1], blocks[2], blocks[3]]
    want = type_features(picked, chosen, len(blocks), scanned=scanned)
    np.testing.assert_array_equal(tool._memo_type_features(picked, chosen, len(blocks), scanned=scanned), want)
    np.testing.assert_array_equal(tool._memo_type_features(picked, chosen, len(blocks), scanned=scanned), want)
