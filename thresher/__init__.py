"""Thresher: article text out of scraped pages, each paragraph labeled.

>>> import thresher
>>> model = thresher.load()                       # doctest: +SKIP
>>> model.clean(open("page.html", "rb").read())  # doctest: +SKIP
"""

from .api import Thresher, load
from .blocks import Block
from .errors import (
    BinaryInputError,
    EmptyInputError,
    InputError,
    LimitExceededError,
    ModelFileError,
    PageTimeoutError,
    ThresherError,
    WorkerCrashError,
)
from .labels import CONTENT_LABELS, LABELS, Label
from .options import SegmentOptions
from .pipeline import Page

__version__ = "0.1.0"
__all__ = [
    "BinaryInputError", "Block", "CONTENT_LABELS", "EmptyInputError", "InputError", "LABELS", "Label",
    "LimitExceededError", "ModelFileError", "Page", "PageTimeoutError", "SegmentOptions", "Thresher",
    "ThresherError", "WorkerCrashError", "load",
]
