"""Named points on the store's write path where tests inject faults.

``point(name)`` does nothing unless a test installed a handler; the handler may raise (a failed
step) or end the process (``os._exit``: a crash). The store's crash-safety tests run every
operation once per point in ``POINTS`` and check the store after a re-run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

# Every point the write path passes, in order (see the protocol in index/store.py).
POINTS = (
    "save.intent",  # new generation announced in the catalogue, nothing in Chroma yet
    "save.chroma",  # new generation's chunks written to Chroma, not yet committed
    "save.transaction",  # inside the commit transaction, before COMMIT
    "save.committed",  # committed; the old generation still in Chroma
    "save.cleaned",  # old generation deleted from Chroma, its log entry not yet cleared
    "remove.transaction",
    "remove.committed",
    "remove.cleaned",
    "move.transaction",
    "fingerprint.transaction",  # an unchanged file's new fingerprint or date, before COMMIT
    "columns.transaction",  # a pre-2026-12-02 store gains text_hash/fingerprint, before COMMIT
    "statements.transaction",  # a newer extractor's statements replace a group's, before COMMIT
    "publish.batch",  # a store's own articles going to a server: one group written
)

_handler: Callable[[str], None] | None = None


def point(name: str) -> None:
    """Mark a named step; a no-op unless a test installed a handler."""
    if _handler is not None:
        _handler(name)


def install(handler: Callable[[str], None] | None) -> None:
    """Install (or, with None, remove) the process-wide fault handler."""
    global _handler
    _handler = handler


@contextlib.contextmanager
def installed(handler: Callable[[str], None]) -> Iterator[None]:
    install(handler)
    try:
        yield
    finally:
        install(None)
