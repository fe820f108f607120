"""Test doubles shared by the fast tests."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np


class FakeEmbedder:
    """The Embedder interface over LangChain's DeterministicFakeEmbedding: no model, no torch.

    Vectors are noise (equal texts, equal vectors), so tests using it exercise the wiring and
    the rules, never the ranking.
    """

    def __init__(self) -> None:
        from langchain_core.embeddings import DeterministicFakeEmbedding
        from newsqa.index.embedding import DIMENSIONS

        self.dimensions = DIMENSIONS
        self.fake = DeterministicFakeEmbedding(size=DIMENSIONS)
        self.forward_passes = 0

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(t.split()) + t.count(",") for t in texts]

    def _vec(self, text: str) -> np.ndarray:
        v = np.asarray(self.fake.embed_query(text), dtype=np.float32)
        return v / np.linalg.norm(v)

    def query_vector(self, text: str) -> np.ndarray:
        return self._vec(text)

    def prefetch(self, text: str, then: Any = None) -> None:
        """``Embedder.prefetch``, in the foreground (tests stay deterministic)."""
        if then is not None:
            then(self.query_vector(text))

    def embed_query(self, text: str) -> list[float]:
        return self._vec(text).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vec(t).tolist() for t in texts]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.forward_passes += len(texts)
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.stack([self._vec(t) for t in texts])

    def tokenize_chunks(
        self,
        prefixes: Sequence[str],
        texts: Sequence[str],
        sentence_spans: Sequence[Sequence[tuple[int, int]]],
    ) -> list[tuple[Sequence[str], Sequence[str], Sequence[Sequence[tuple[int, int]]]]]:
        return [(prefixes, texts, sentence_spans)]  # one "batch": nothing to tokenise

    def start_batches(self, batches: list) -> SimpleNamespace:
        return SimpleNamespace(result=lambda: self.embed_batches(batches))

    def embed_batches(self, batches: list) -> list:
        from newsqa.index.embedding import EmbeddedChunk

        out = []
        for prefixes, texts, sentence_spans in batches:
            # One forward pass per chunk gives its vector and its sentences' (as in Embedder).
            self.forward_passes += len(texts)
            out += [
                EmbeddedChunk(vector=self._vec(p + t), sentences=self._stack(t, spans))
                for p, t, spans in zip(prefixes, texts, sentence_spans, strict=True)
            ]
        return out

    def _stack(self, text: str, spans: Sequence[tuple[int, int]]) -> np.ndarray:
        if not spans:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.stack([self._vec(text[a:b]) for a, b in spans])

    def embed_chunks(
        self,
        prefixes: Sequence[str],
        texts: Sequence[str],
        sentence_spans: Sequence[Sequence[tuple[int, int]]],
    ) -> list:
        return self.embed_batches(self.tokenize_chunks(prefixes, texts, sentence_spans))


def fake_assistant(root: Any, articles: dict[str, str], threshold: float | None = None) -> Any:
    """An Assistant over ``articles`` (file name -> text) indexed into a real Chroma store under
    ``root`` with FakeEmbedder. Noise vectors carry no confidence: ``threshold=0.0`` leaves
    abstention to the rules' vetoes."""
    from newsqa.assistant.chain import Assistant
    from newsqa.index.indexer import Indexer
    from newsqa.index.settings import Settings
    from newsqa.index.store import Store

    folder = root / "articles"
    folder.mkdir()
    for name, text in articles.items():
        (folder / name).write_text(text, encoding="utf-8")
    settings = Settings(store=root / "store")
    store = Store(settings.store, write=True)
    embedder = FakeEmbedder()
    Indexer(store, embedder, settings).index_paths([folder])
    assistant = Assistant(store, embedder, settings)
    if threshold is not None:
        assistant.extractive.threshold = threshold
    return assistant
