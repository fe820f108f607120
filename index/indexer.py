"""Keep the store in step with article files: add, update, skip unchanged, dedupe, remove, prune.

Change tracking uses Chroma metadata alone, not LangChain's indexing API with a record manager:
the record manager hashes each chunk with its metadata, so the same article under two paths is
stored twice, and it keeps its bookkeeping in a second database that can drift from Chroma after
a crash. Here an article's id is the hash of its title and text, every chunk and sentence records
its article id and origin, and the article record, written last, marks a complete article; a run
starts by clearing any chunks a crashed run left without an article record.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from newsqa.index.articles import Article, Skip, content_hash
from newsqa.index.chunking import Chunk, SentenceChunker
from newsqa.index.embedding import Embedder, EmbeddingJob
from newsqa.index.lexical import LexicalIndex
from newsqa.index.loaders import load, load_pasted, load_upload
from newsqa.index.settings import Settings
from newsqa.index.store import Store, pack_vectors

# Articles chunked and embedded together: enough chunks to sort into full batches.
GROUP = 48
# A group's articles with their chunks, and those chunks' forward passes, started.
Plan = tuple[list[tuple[Article, list[Chunk]]], EmbeddingJob]
TITLE_TOKENS = 40

Progress = Callable[[int, int, int], None]
"""Called with (articles done, articles to embed, chunks embedded so far)."""


@dataclass
class IndexReport:
    """What one run did, article by article."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    chunks: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.moved or self.removed)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed, "
            f"{len(self.skipped)} skipped"
            + (f", {len(self.moved)} moved" if self.moved else "")
            + f"; {self.chunks} chunks embedded in {self.seconds:.1f}s"
        )


class Indexer:
    """Writes articles into an open, writable ``Store``."""

    def __init__(self, store: Store, embedder: Embedder, settings: Settings) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.chunker = SentenceChunker(
            embedder.count_tokens, settings.chunk_tokens, settings.chunk_overlap_tokens
        )

    # Public operations -------------------------------------------------------------------
    def index_paths(
        self, paths: Sequence[str | Path], *, prune: bool = False, progress: Progress | None = None
    ) -> IndexReport:
        """Index files and folders; with ``prune``, also drop articles whose files are gone."""
        report = IndexReport()
        items = list(load(paths, self.settings.max_file_bytes))
        with self.store.write_lock:
            if prune:
                report.removed += self._prune()
            return self._index(items, report, progress)

    def index_uploads(
        self, files: Iterable[tuple[str, bytes]], progress: Progress | None = None
    ) -> IndexReport:
        """Index uploaded (name, content) pairs; names are labels, never paths."""
        items: list[Article | Skip] = []
        for name, data in files:
            items += load_upload(name, data, self.settings.max_file_bytes)
        with self.store.write_lock:
            return self._index(items, IndexReport(), progress)

    def index_text(self, title: str, text: str) -> IndexReport:
        """Index a pasted article; pasting the same title again replaces it."""
        with self.store.write_lock:
            return self._index([load_pasted(title, text)], IndexReport(), None)

    def remove(self, source: str) -> list[str]:
        """Remove the article(s) indexed from ``source`` (a path as given, absolute, or a
        ``pasted:``/``upload:`` label). Returns the sources removed."""
        wanted = {source, source.rstrip("/")}
        if not source.startswith(("pasted:", "upload:")):
            wanted.add(str(Path(source).expanduser().resolve()))
        with self.store.write_lock:
            records = self.store.article_records()
            hits = [
                r
                for r in records
                if r["source"] in wanted
                or r["key"] in wanted
                or r["key"].split("#")[0] in wanted
                or r["source"].split("#")[0] in wanted
            ]
            if hits:
                self.store.delete_articles([r["id"] for r in hits])
                self._refresh_lexical()
            return [r["source"] for r in hits]

    def prune(self) -> list[str]:
        """Remove articles whose files no longer exist. Returns their sources."""
        with self.store.write_lock:
            removed = self._prune()
            if removed:
                self._refresh_lexical()
            return removed

    # Internals ---------------------------------------------------------------------------
    def _prune(self) -> list[str]:
        gone = [
            r
            for r in self.store.article_records()
            if r.get("path") and not Path(r["path"]).exists()
        ]
        self.store.delete_articles([r["id"] for r in gone])
        return [r["source"] for r in gone]

    def _repair(self) -> None:
        """Delete chunks and sentences whose article record is missing (a crashed run)."""
        known = {r["id"] for r in self.store.article_records()}
        got = self.store.chunks.get(include=["metadatas"])
        orphans = sorted({m["article_id"] for m in got["metadatas"]} - known)
        if orphans:
            self.store.delete_articles(orphans)

    def _index(
        self, items: list[Article | Skip], report: IndexReport, progress: Progress | None
    ) -> IndexReport:
        started = time.perf_counter()
        self._repair()
        records = self.store.article_records()
        by_key = {r["key"]: r for r in records}
        by_id = {r["id"]: r for r in records}
        todo: list[tuple[Article, dict[str, Any] | None]] = []
        seen: dict[str, str] = {}
        for item in items:
            if isinstance(item, Skip):
                report.skipped.append(item)
                continue
            aid = item.article_id
            old = by_key.get(item.key)
            if aid in seen:
                report.skipped.append(Skip(item.source, f"same text as {seen[aid]}"))
            elif old is not None and old["id"] == aid:
                report.unchanged.append(item.source)
            elif aid in by_id and by_id[aid]["key"] != item.key:
                twin = by_id[aid]
                if twin.get("path") and not Path(twin["path"]).exists():
                    self._move(twin, item)
                    report.moved.append(f"{twin['source']} -> {item.source}")
                else:
                    report.skipped.append(
                        Skip(item.source, f"same text as {twin['source']}, already indexed")
                    )
            else:
                todo.append((item, old))
            seen[aid] = item.source
        done = 0
        # A pipeline over groups of articles. The next group's forward passes are queued before
        # this group's are collected, so the model never waits for Python; chunking, pooling
        # and the Chroma write of one group run beside the forward passes of the next, which
        # release the GIL. Chroma's client holds the GIL for a whole write, so a write is
        # submitted only once the next group's passes are queued. One write at most is in
        # flight, and a failure surfaces here.
        groups = [todo[start : start + GROUP] for start in range(0, len(todo), GROUP)]
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsqa-write") as writer:
            pending: Future[None] | None = None
            queued = deque([self._start([a for a, _ in groups[0]])] if groups else [])
            for i, group in enumerate(groups):
                if i + 1 < len(groups):
                    queued.append(self._start([a for a, _ in groups[i + 1]]))
                n, rows = self._rows(queued.popleft())
                stale = [old["id"] for _, old in group if old is not None]
                if pending is not None:
                    pending.result()
                pending = writer.submit(self._save, rows, stale)
                report.chunks += n
                for article, old in group:
                    (report.updated if old is not None else report.added).append(article.source)
                done += len(group)
                if progress:
                    progress(done, len(todo), report.chunks)
            if pending is not None:
                pending.result()
        if report.changed:
            self._refresh_lexical()
        report.seconds = time.perf_counter() - started
        return report

    def _prefix(self, title: str) -> str:
        """The headline, cut to TITLE_TOKENS model tokens, as context for every chunk."""
        words = title.split()
        while words and self.embedder.count_tokens([" ".join(words)])[0] > TITLE_TOKENS:
            words = words[:-1]
        return " ".join(words) + "\n" if words else ""

    def _save(self, rows: dict[str, dict[str, list[Any]]], stale: list[str]) -> None:
        """Store a group's records (articles last: a record marks a complete article), then
        remove the versions they replace."""
        self.store.upsert(self.store.chunks, **rows["chunks"])
        self.store.upsert(self.store.articles, **rows["articles"])
        if stale:
            self.store.delete_articles(stale)

    def _start(self, articles: list[Article]) -> Plan:
        """Chunk and tokenise a group of articles and start its forward passes."""
        plan = [(a, self.chunker.chunk(a.text)) for a in articles]
        prefixes, texts, spans = [], [], []
        for article, chunks in plan:
            prefix = self._prefix(article.title)
            for c in chunks:
                prefixes.append(prefix)
                texts.append(article.text[c.start : c.end])
                spans.append([(s.start - c.start, s.end - c.start) for s in c.sentences])
        batches = self.embedder.tokenize_chunks(prefixes, texts, spans)
        return plan, self.embedder.start_batches(batches)

    def _rows(self, planned: Plan) -> tuple[int, dict[str, dict[str, list[Any]]]]:
        """A started group's records, once its forward passes are done (one per chunk)."""
        plan, job = planned
        embedded = job.result()
        chunk_rows: dict[str, list[Any]] = {
            "ids": [],
            "embeddings": [],
            "documents": [],
            "metadatas": [],
        }
        art_rows: dict[str, list[Any]] = {
            "ids": [],
            "embeddings": [],
            "documents": [],
            "metadatas": [],
        }
        k = 0
        now = time.strftime("%Y-%m-%dT%H:%M:%S")
        for article, chunks in plan:
            aid = article.article_id
            origin = {
                "article_id": aid,
                "source": article.source,
                "key": article.key,
                "path": article.path,
                "title": article.title,
                "date": article.date,
                "url": article.url,
            }
            vectors = []
            for pos, c in enumerate(chunks):
                emb = embedded[k]
                k += 1
                cid = f"{aid}:{pos}"
                text = article.text[c.start : c.end]
                vectors.append(emb.vector)
                chunk_rows["ids"].append(cid)
                chunk_rows["embeddings"].append(emb.vector)
                chunk_rows["documents"].append(text)
                chunk_rows["metadatas"].append(
                    {
                        **origin,
                        "position": pos,
                        "chunks": len(chunks),
                        "start": c.start,
                        "end": c.end,
                        "chunk_hash": content_hash(text),
                        "sentence_spans": json.dumps([[s.start, s.end] for s in c.sentences]),
                        "sentence_vectors": pack_vectors(emb.sentences),
                    }
                )
            mean = np.mean(vectors, axis=0)
            art_rows["ids"].append(aid)
            art_rows["embeddings"].append(mean / (np.linalg.norm(mean) or 1.0))
            art_rows["documents"].append(article.text)
            art_rows["metadatas"].append(
                {
                    **{k_: v for k_, v in origin.items() if k_ != "article_id"},
                    "chunks": len(chunks),
                    "chars": len(article.text),
                    "dropped": len(article.dropped),
                    "indexed_at": now,
                }
            )
        return len(embedded), {"chunks": chunk_rows, "articles": art_rows}

    def _move(self, record: dict[str, Any], article: Article) -> None:
        """Point an article whose file moved at its new path, without embedding it again."""
        new = {"source": article.source, "key": article.key, "path": article.path}
        got = self.store.chunks.get(where={"article_id": record["id"]}, include=["metadatas"])
        self.store.chunks.update(ids=got["ids"], metadatas=[{**m, **new} for m in got["metadatas"]])
        meta = {k: v for k, v in record.items() if k != "id"}
        self.store.articles.update(ids=[record["id"]], metadatas=[{**meta, **new}])

    def _refresh_lexical(self) -> None:
        version = self.store.bump_version()
        ids, docs, metas = self.store.all_chunks()
        texts = [f"{m.get('title', '')}\n{d}" for d, m in zip(docs, metas, strict=True)]
        LexicalIndex.build(ids, texts, version).save(self.store.path)
