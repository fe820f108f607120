"""Keep the store in step with article files: add, update, skip unchanged, dedupe, remove, prune.

Change tracking uses the store's catalogue, not LangChain's indexing API with a record manager:
the record manager hashes each chunk with its metadata, so the same article under two paths is
stored twice, and it keeps its bookkeeping in a second database that can drift from Chroma after
a crash. Here an article's id is the hash of its title and text; the store replaces an article
by its key (where it came from) in one commit (see index/store.py for the protocol), so a
re-run after a crash finds each article either old (and updates it) or new (and skips it).
Unchanged articles, removals and moves never touch the embedding model.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from newsqa.index.articles import Article, Skip
from newsqa.index.chunking import Chunk, SentenceChunker
from newsqa.index.embedding import Embedder, EmbeddingJob
from newsqa.index.loaders import load, load_pasted, load_upload
from newsqa.index.settings import Settings
from newsqa.index.store import NewArticle, NewChunk, Store

try:  # H4's statement extraction; indexing never depends on it working.
    from newsqa.index.statements import extract_statements
except ImportError:  # pragma: no cover - the module ships with newsqa
    extract_statements = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

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

    @cached_property
    def chunker(self) -> SentenceChunker:
        # Built on first use: an unchanged re-index or a removal never needs the model.
        return SentenceChunker(
            self.embedder.count_tokens,
            self.settings.chunk_tokens,
            self.settings.chunk_overlap_tokens,
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
            hits = self.store.find_articles(sources=sorted(wanted))
            if hits:
                self.store.delete_articles([r.id for r in hits])
            return [r.source for r in hits]

    def prune(self) -> list[str]:
        """Remove articles whose files no longer exist. Returns their sources."""
        with self.store.write_lock:
            return self._prune()

    # Internals ---------------------------------------------------------------------------
    def _prune(self) -> list[str]:
        gone = [
            r
            for r in self.store.article_records()
            if r.get("path") and not Path(r["path"]).exists()
        ]
        if gone:
            self.store.delete_articles([r["id"] for r in gone])
        return [r["source"] for r in gone]

    def _index(
        self, items: list[Article | Skip], report: IndexReport, progress: Progress | None
    ) -> IndexReport:
        started = time.perf_counter()
        # Only the records these items may meet, looked up by key and id.
        articles = [i for i in items if isinstance(i, Article)]
        records = [
            asdict(r)
            for r in self.store.find_articles(
                ids=[a.article_id for a in articles], keys=[a.key for a in articles]
            )
        ]
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
                if pending is not None:
                    pending.result()
                pending = writer.submit(self.store.save, rows)
                report.chunks += n
                for article, old in group:
                    (report.updated if old is not None else report.added).append(article.source)
                done += len(group)
                if progress:
                    progress(done, len(todo), report.chunks)
            if pending is not None:
                pending.result()
        report.seconds = time.perf_counter() - started
        return report

    def _prefix(self, title: str) -> str:
        """The headline, cut to TITLE_TOKENS model tokens, as context for every chunk."""
        words = title.split()
        while words and self.embedder.count_tokens([" ".join(words)])[0] > TITLE_TOKENS:
            words = words[:-1]
        return " ".join(words) + "\n" if words else ""

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

    def _rows(self, planned: Plan) -> tuple[int, list[NewArticle]]:
        """A started group's records, once its forward passes are done (one per chunk)."""
        plan, job = planned
        embedded = job.result()
        out: list[NewArticle] = []
        k = 0
        for article, chunks in plan:
            new = []
            for c in chunks:
                emb = embedded[k]
                k += 1
                spans = [(s.start, s.end) for s in c.sentences]
                new.append(NewChunk(c.start, c.end, emb.vector, spans, emb.sentences))
            out.append(
                NewArticle(
                    id=article.article_id,
                    source=article.source,
                    key=article.key,
                    path=article.path,
                    title=article.title,
                    text=article.text,
                    date=article.date,
                    url=article.url,
                    dropped=len(article.dropped),
                    chunks=new,
                    statements=_statements(article),
                )
            )
        return len(embedded), out

    def _move(self, record: dict[str, Any], article: Article) -> None:
        """Point an article whose file moved at its new path, without embedding it again."""
        self.store.move_article(
            record["id"], source=article.source, key=article.key, path=article.path
        )


def _statements(article: Article) -> list[Any]:
    """The article's statements (H4's extractor); a failure costs the statements, not the
    article."""
    if extract_statements is None:
        return []
    published = None
    with contextlib.suppress(ValueError):
        published = date.fromisoformat(article.date[:10]) if article.date else None
    try:
        return extract_statements(article.text, title=article.title, published=published)
    except Exception as exc:  # an extractor bug must not stop indexing
        log.warning("statements of %s not extracted: %s", article.source, exc)
        return []
