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


setup(
    ext_modules=[
        # the trees' walk (numpy otherwise)
        Extension("thresher._treewalk", ["thresher/_treewalk.c"], optional=True),
        # the word models' term lookup (Python's regex and dict otherwise)
        Extension("thresher._terms", ["thresher/_terms.c"], optional=True),
        # the HTML segmenter's tree walk (html._Maker otherwise)
        Extension("thresher._htmlwalk", ["thresher/_htmlwalk.c"], include_dirs=_lxml_include(), optional=True),
    ]
)
