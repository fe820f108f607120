"""The one place that builds newsqa's services from the settings: the store, the embedder, the
indexer and the assistant. The CLI and the app both open them here.

The embedder (a model load, about a second) and the assistant are built on first use, so
``newsqa list`` never loads the model. Tests hand in an embedder of their own.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from newsqa.index.settings import Settings

if TYPE_CHECKING:
    from newsqa.assistant.chain import Assistant
    from newsqa.index.indexer import Indexer
    from newsqa.index.store import Store

EmbedderFactory = Callable[[Settings], Any]


def _say(message: str) -> None:
    """Why a command waits (another process writes the store), on stderr."""
    print(f"newsqa: {message}", file=sys.stderr, flush=True)


def default_embedder(settings: Settings) -> Any:
    """The real all-MiniLM-L6-v2 (``newsqa.index.embedding.Embedder``), as the settings say."""
    from newsqa.index.embedding import Embedder

    return Embedder.from_settings(settings)


class Services:
    """The services over one open store; close it (or use ``with``) when done.

    ``write`` opens the store for writing (one process at a time); ``store`` and ``embedder``
    may be given already built (the app's tests share one model); ``make_embedder`` builds the
    embedder otherwise (``default_embedder``).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        write: bool = False,
        store: Store | None = None,
        embedder: Any = None,
        make_embedder: EmbedderFactory | None = None,
    ) -> None:
        from newsqa.index.store import Store

        self.settings = settings
        self.store: Store = (
            store
            if store is not None
            else Store(
                settings.store,
                write=write,
                wait=settings.write_wait,
                on_wait=_say,
                chroma_url=settings.chroma_url,
                sync_every=settings.sync_seconds,
            )
        )
        self._owns_store = store is None
        self._embedder = embedder
        self._make_embedder = make_embedder or default_embedder
        self._indexer: Indexer | None = None
        self._assistant: Assistant | None = None
        self._lock = threading.Lock()

    @property
    def embedder(self) -> Any:
        with self._lock:
            if self._embedder is None:
                self._embedder = self._make_embedder(self.settings)
            return self._embedder

    @property
    def indexer(self) -> Indexer:
        from newsqa.index.indexer import Indexer

        embedder = self.embedder
        with self._lock:
            if self._indexer is None:
                self._indexer = Indexer(self.store, embedder, self.settings)
            return self._indexer

    @property
    def assistant(self) -> Assistant:
        from newsqa.assistant.chain import Assistant

        embedder = self.embedder
        with self._lock:
            if self._assistant is None:
                self._assistant = Assistant(self.store, embedder, self.settings)
            return self._assistant

    def close(self) -> None:
        """Close the store if these services opened it."""
        if self._owns_store:
            self.store.close()

    def __enter__(self) -> Services:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
