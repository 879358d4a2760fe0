"""The project's own error types: everything the library raises on bad input."""

from __future__ import annotations


class ThresherError(ValueError):
    """Base class: a page, a model file or an annotation file that cannot be used.

    A subclass of ``ValueError`` so callers that already catch ``ValueError`` keep working.
    """


class InputError(ThresherError):
    """A page that cannot be segmented (empty, binary, undecodable, too large)."""


class BinaryInputError(InputError):
    """The bytes are an image, a PDF, an archive or other non-text data."""


class EmptyInputError(InputError):
    """The page holds no text at all."""


class LimitExceededError(InputError):
    """A configured limit (size, blocks, decompressed size) was reached."""


class ModelFileError(ThresherError):
    """A model file that is missing, foreign, tampered with or of another version."""


class AnnotationError(ThresherError):
    """An annotation file line that breaks the format (the message names the line)."""


class PageTimeoutError(LimitExceededError):
    """A page took longer than its time budget (``timeout``); its worker was stopped."""


class WorkerCrashError(InputError):
    """The worker process labeling a page died (a crash in a C library, out of memory)."""
