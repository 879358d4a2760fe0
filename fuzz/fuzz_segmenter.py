"""Fuzz target for the segmenters (atheris): any bytes in, blocks or the project's own error out.

    python fuzz/fuzz_segmenter.py -max_total_time=1800 fuzz/corpus   # or: bash fuzz/run.sh 30

The first input byte picks the path: HTML, text, or detection; the rest is the
page, given as bytes or (decoded leniently) as str. Anything but a
``ThresherError`` is a crash: atheris stops and writes the input to ``crash-*``. So is an HTML page
that the C walk (``thresher/_htmlwalk.c``) segments otherwise than the Python walk it mirrors, and
a page whose local feature rows or neighbour columns (``thresher/_features.c``) differ from the
Python path's in a bit.
Each crash found is kept as a regression test in ``tests/test_hostile.py``.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["thresher"]):
    import numpy as np

    from thresher import features, html
    from thresher.errors import ThresherError
    from thresher.options import SegmentOptions
    from thresher.segmenter import split_page

# small limits keep each run fast; the limits themselves are exercised too
_OPTIONS = {
    0: SegmentOptions(input_format="html", max_input_bytes=1 << 20, max_blocks=2_000),
    1: SegmentOptions(input_format="text", max_input_bytes=1 << 20, max_blocks=2_000),
    2: SegmentOptions(input_format="auto", max_input_bytes=1 << 20, max_blocks=2_000),
}


def test_one_input(data: bytes) -> None:
    if len(data) < 2:
        return
    options = _OPTIONS[data[0] % 3]
    page: bytes | str = data[2:]
    if data[1] & 1:
        page = data[2:].decode("utf-8", "surrogateescape")
    try:
        blocks, _title, fmt = split_page(page, options)
    except ThresherError:
        return
    assert fmt in ("html", "text")
    assert blocks and len(blocks) <= options.max_blocks
    assert [b.index for b in blocks] == list(range(len(blocks)))
    assert all(b.text.strip() for b in blocks)
    if fmt == "html" and html._C_WALK:
        html._C_WALK = False
        try:
            again = split_page(page, options)
        finally:
            html._C_WALK = True
        assert again[0] == blocks and again[1] == _title, "the C and Python walks differ"
    if features._local_rows is not None:
        fast = features.local_features(blocks)
        saved, features._local_rows = features._local_rows, None
        try:
            slow = features.local_features(blocks)
        finally:
            features._local_rows = saved
        assert np.array_equal(fast.view(np.int64), slow.view(np.int64)), "the C and Python feature rows differ"
    if features._context_rows is not None:
        p = (np.arange(len(blocks)) * 0.37) % 1.0  # scores on both sides of every threshold
        fast = features.context_features(blocks, p)
        saved, features._context_rows = features._context_rows, None
        try:
            slow = features.context_features(blocks, p)
        finally:
            features._context_rows = saved
        assert np.array_equal(fast.view(np.int64), slow.view(np.int64)), "the C and numpy neighbour columns differ"


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
