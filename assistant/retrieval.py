"""Hybrid retrieval: dense (the store's Chroma search) and BM25 (its FTS5 index) fused by RRF.

LangChain's ``EnsembleRetriever`` does weighted RRF too, but drops the scores that the answer's
``sources`` report and cannot diversify by article, so the fusion (a few lines) lives here.

Plain RRF rewards agreement: a passage both rankings place around 20th outscores one that a single
ranking puts first by a wide margin. That is the wrong call exactly where hybrid retrieval earns its
keep, a rare name or figure that only BM25 matches (or a paraphrase only the embedding gets), so
each ranking's own best passage is kept right after the fused best (``_promote_leaders``).
"""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from newsqa.index.embedding import Embedder
from newsqa.index.lexical import LexicalIndex
from newsqa.index.store import Store
from pydantic import ConfigDict

Mode = Literal["hybrid", "dense", "lexical"]
RRF_K = 60
# Candidates taken from each ranking before fusion.
DEPTH = 40
# At most this many passages from one article among the results, so one long story cannot
# crowd out the others.
PER_ARTICLE = 2


class HybridRetriever(BaseRetriever):
    """Top-k passages for a query. Each Document's metadata carries the chunk's metadata plus
    ``chunk_id``, ``score`` (fused, 0..1), ``dense`` (cosine) and ``lexical`` (BM25) scores."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Any
    embedder: Any
    k: int = 6
    mode: Mode = "hybrid"
    # Only passages of articles dated in this range (ISO days, inclusive; None: open). Set per
    # call through the chain's configurable fields, like ``k``.
    since: str | None = None
    until: str | None = None

    def lexical(self) -> LexicalIndex:
        """The store's BM25 index; always as of the last commit (it lives in the catalogue)."""
        return self.store.lexical

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        # ``invoke(query, k=3)`` as LangChain's standard retriever tests expect.
        return self.search(query, k or self.k, self.mode, since=self.since, until=self.until)

    def search(
        self,
        query: str,
        k: int,
        mode: Mode = "hybrid",
        *,
        since: str | None = None,
        until: str | None = None,
    ) -> list[Document]:
        """With ``since``/``until`` each ranking searches only articles dated in that range
        (inside the search, not after it): the k passages are the range's best, not what is left
        of the unfiltered top."""
        store: Store = self.store
        embedder: Embedder = self.embedder
        total = store.chunk_count()
        if total == 0:
            return []
        depth = min(DEPTH, total)
        dense: list[tuple[str, float]] = []
        lexical: list[tuple[str, float]] = []
        if mode in ("hybrid", "dense"):
            dense = store.dense_search(
                embedder.query_vector(query), depth, since=since, until=until
            )
        if mode in ("hybrid", "lexical"):
            lexical = self.lexical().search(query, depth, since=since, until=until)
        fused: dict[str, float] = {}
        for ranking in (dense, lexical):
            for rank, (cid, _) in enumerate(ranking):
                fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + rank + 1)
        if not fused:
            return []
        dense_score, lexical_score = dict(dense), dict(lexical)
        ordered = sorted(fused, key=fused.__getitem__, reverse=True)
        ordered = _promote_leaders(ordered, [r[0][0] for r in (dense, lexical) if r])
        chosen = _diversify(ordered, k, lambda cid: cid.rsplit(":", 2)[0])
        by_id = {c.id: c for c in store.chunks_by_ids(chosen)}
        best = (int(bool(dense)) + int(bool(lexical))) / (RRF_K + 1)
        docs = []
        for cid in chosen:
            if cid not in by_id:  # removed between query and fetch
                continue
            chunk = by_id[cid]
            docs.append(
                Document(
                    id=cid,
                    page_content=chunk.text,
                    metadata={
                        **chunk.metadata(),
                        "chunk_id": cid,
                        "score": round(fused[cid] / best, 4),
                        "dense": round(dense_score.get(cid, 0.0), 4),
                        "lexical": round(lexical_score.get(cid, 0.0), 4),
                    },
                )
            )
        return docs


def _promote_leaders(ordered: list[str], leaders: list[str]) -> list[str]:
    """The fused best first, then each ranking's own best passage, then the rest in fused order.

    So hybrid never drops what one retriever is most sure of: the top hit of either ranking is
    among the first ``1 + len(leaders)`` results.
    """
    if not ordered:
        return ordered
    head = [ordered[0]]
    for cid in leaders:
        if cid not in head:
            head.append(cid)
    return head + [c for c in ordered if c not in head]


def _diversify(ordered: list[str], k: int, article_of: Any) -> list[str]:
    """Best first, at most PER_ARTICLE per article; the rest fill in only if k is not reached."""
    chosen: list[str] = []
    per: dict[str, int] = {}
    for cid in ordered:
        art = article_of(cid)
        if per.get(art, 0) < PER_ARTICLE:
            chosen.append(cid)
            per[art] = per.get(art, 0) + 1
        if len(chosen) == k:
            return chosen
    rest = [c for c in ordered if c not in chosen]
    return chosen + rest[: k - len(chosen)]
