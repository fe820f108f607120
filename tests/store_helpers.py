"""Helpers of the store tests: a model-free embedder and a consistency check of a store."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

import numpy as np
from newsqa.index.embedding import DIMENSIONS, EmbeddedChunk
from newsqa.index.lexical import LexicalIndex
from newsqa.index.store import Store


def _vec(text: str) -> np.ndarray:
    """A deterministic unit vector per text (a hash seed): noise, but equal texts agree."""
    seed = int.from_bytes(text.encode("utf-8")[-64:].ljust(8, b"\0")[:8], "little") ^ len(text)
    v = np.random.default_rng(seed).normal(size=DIMENSIONS).astype(np.float32)
    return v / np.linalg.norm(v)


class CountingEmbedder:
    """The Embedder interface without a model; counts every call, so tests can assert that an
    operation never touched the embedder."""

    def __init__(self) -> None:
        self.calls = 0
        self.forward_passes = 0

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        self.calls += 1
        return [len(t.split()) + t.count(",") for t in texts]

    def query_vector(self, text: str) -> np.ndarray:
        self.calls += 1
        return _vec(text)

    def tokenize_chunks(self, prefixes, texts, spans) -> list:
        self.calls += 1
        return [(prefixes, texts, spans)]

    def start_batches(self, batches: list) -> SimpleNamespace:
        return SimpleNamespace(result=lambda: self.embed_batches(batches))

    def embed_batches(self, batches: list) -> list[EmbeddedChunk]:
        self.calls += 1
        out = []
        for prefixes, texts, spans in batches:
            self.forward_passes += len(texts)
            for p, t, sp in zip(prefixes, texts, spans, strict=True):
                sents = np.stack([_vec(t[a:b]) for a, b in sp]) if sp else np.zeros((0, DIMENSIONS))
                out.append(EmbeddedChunk(vector=_vec(p + t), sentences=sents))
        return out


def check_consistent(store: Store) -> dict[str, str]:
    """Assert the store is whole: each article's chunks, lexical rows and vectors are exactly
    its current generation's, no source twice, the lexical index equal to a rebuild. Returns
    source -> article id."""
    records = store.article_records()
    sources = [r["source"] for r in records]
    assert len(sources) == len(set(sources)), "an article stored twice"
    chunks = store.article_chunks([r["id"] for r in records])
    by_article: dict[str, int] = {}
    for c in chunks:
        by_article[c.article_id] = by_article.get(c.article_id, 0) + 1
        gen = next(r["generation"] for r in records if r["id"] == c.article_id)
        assert c.id.startswith(f"{c.article_id}:{gen}:"), "a chunk of a stale generation"
    assert by_article == {r["id"]: r["chunks"] for r in records if r["chunks"]}
    assert store.chunk_count() == len(chunks)
    ids = {c.id for c in chunks}
    assert store.dense_ids() == ids, "Chroma holds vectors the catalogue does not, or misses some"
    sentences = store.sentences(list(ids))
    for c in chunks:
        spans, vectors = sentences[c.id]
        assert len(spans) == len(vectors) > 0
        assert spans[0][0] == c.start and spans[-1][1] == c.end
    titles = {r["id"]: r["title"] for r in records}
    rebuilt = LexicalIndex.build(
        [c.id for c in chunks], [f"{titles[c.article_id]}\n{c.text}" for c in chunks]
    )
    assert store.lexical.rows() == rebuilt.rows(), "the lexical index differs from a rebuild"
    conn = store._conn()
    conn.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('integrity-check')")
    assert conn.execute("SELECT count(*) FROM pending").fetchone()[0] == 0 or not store.writable
    if store._chroma_url:  # a server's log of writes in progress is empty once they are done
        assert store._server_catalog().pending() == 0, "a server log entry left behind"
    return {r["source"]: r["id"] for r in records}
