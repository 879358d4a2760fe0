"""The optional C extensions. Everything else is declared in pyproject.toml.

Each is optional: without a C compiler (or, for the HTML walk, lxml's headers) the install goes on
and the Python or numpy code they mirror runs instead, with the same results.
"""

from setuptools import Extension, setup


def _lxml_include() -> list[str]:
    # lxml's wheel ships its own and libxml2's headers; the walk reads lxml's tree through them
    try:
        import lxml
    except ImportError:
        return []
    return lxml.get_include()


# sums must round as numpy's separate multiply and add do: no fused multiply-add (FMA is the
# default on some targets, e.g. aarch64)
_NO_FMA = ["-ffp-contract=off"]
# the byte buffer and hash, and the character scans, the extensions share: a change rebuilds them
_SHARED = ["thresher/_buffer.h", "thresher/_scan.h"]

setup(
    ext_modules=[
        # the trees' walk and sums (numpy otherwise)
        Extension("thresher._treewalk", ["thresher/_treewalk.c"], depends=_SHARED, extra_compile_args=_NO_FMA,
                  optional=True),
        # the word models' term lookup and scores (Python and numpy otherwise)
        Extension("thresher._terms", ["thresher/_terms.c"], depends=_SHARED, extra_compile_args=_NO_FMA,
                  optional=True),
        # the block features' counts and scans (Python and numpy otherwise)
        Extension("thresher._features", ["thresher/_features.c"], depends=_SHARED, extra_compile_args=_NO_FMA,
                  optional=True),
        # the kind features' token counts (numpy otherwise)
        Extension("thresher._kindcounts", ["thresher/_kindcounts.c"], depends=_SHARED, optional=True),
        # the decoder's scan for characters no page can mean (bytes.translate and str "in" otherwise)
        Extension("thresher._textscan", ["thresher/_textscan.c"], optional=True),
        # the HTML segmenter's tree walk (html._Maker otherwise)
        Extension("thresher._htmlwalk", ["thresher/_htmlwalk.c"], depends=_SHARED, include_dirs=_lxml_include(),
                  optional=True),
    ]
)
