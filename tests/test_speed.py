"""evaluate.py speed's alternated timing: both tools see every page once, in turns that flip."""

from collections import Counter

from thresher.evaluation.speed import FOLDER_ORDER, alternated_pages_per_second, folder_ratios


def test_alternated_turns_see_each_page_once_and_flip_order():
    calls: list[tuple[str, int]] = []
    extracts = {name: (lambda page, name=name: calls.append((name, page))) for name in ("a", "b")}
    rates = alternated_pages_per_second(extracts, list(range(25)), slice_pages=10)

    assert set(rates) == {"a", "b"} and all(rate > 0 for rate in rates.values())
    for name in ("a", "b"):
        assert [page for who, page in calls if who == name] == list(range(25))
    # slice 0: a then b; slice 1: b then a; slice 2 (5 pages): a then b
    turns = [calls[0][0], calls[10][0], calls[20][0], calls[30][0], calls[40][0], calls[45][0]]
    assert turns == ["a", "b", "b", "a", "a", "b"]


def test_folder_turns_alternate_the_tools_and_which_goes_first():
    assert Counter(FOLDER_ORDER) == {"thresher clean": 3, "trafilatura --input-dir": 3}
    pairs = [FOLDER_ORDER[i:i + 2] for i in range(0, len(FOLDER_ORDER), 2)]
    assert all(len(set(pair)) == 2 for pair in pairs)
    assert len({pair[0] for pair in pairs}) == 2  # each tool goes first in some pair


def test_folder_ratio_ignores_one_slow_process_of_either_tool():
    assert folder_ratios([8.0, 8.0, 8.0], [18.0, 18.0, 18.0]) == (2.25, 2.25)
    medians, summed = folder_ratios([8.0, 11.7, 8.0], [18.0, 18.0, 18.0])
    assert medians == 2.25 and summed < 2.0
    medians, summed = folder_ratios([8.0, 8.0, 8.0], [18.0, 30.0, 18.0])
    assert medians == 2.25 and summed > 2.7
