"""Turn a third-party parser's failure on a damaged file into a clear 400.

pypdf, python-docx and lxml report damage in dozens of ways (their own errors, but also KeyError,
zlib.error, struct.error, RecursionError…). For untrusted input every one of them means the same
thing to the client — the file cannot be read — so all are caught here, and only here. Our own
domain errors (limits, encryption) and ImportError (a broken deployment) pass through unchanged.

    >>> with reading("PDF"):
    ...     reader = PdfReader(stream)
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from tollway.errors import InvalidRequest, TollwayError

log = logging.getLogger("tollway.documents")


@contextmanager
def reading(label: str) -> Iterator[None]:
    try:
        yield
    except (TollwayError, ImportError):
        raise  # ours, or a broken deployment: neither is the file's fault
    except Exception as exc:  # all of them: see the module docstring
        # The class name only: a parser's message can quote the document's content.
        log.info("unreadable %s: %s", label, type(exc).__name__)
        raise InvalidRequest(f"The {label} file cannot be read: it is corrupt or truncated.",
                             code="invalid_document") from None
