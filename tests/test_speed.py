"""evaluate.py speed's alternated timing: both tools see every page once, in turns that flip."""

from thresher.evaluation.speed import alternated_pages_per_second


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
