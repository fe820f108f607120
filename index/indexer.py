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
from newsqa.index.loaders import (
    discover,
    fingerprint,
    load_pasted,
    load_safely,
    load_upload,
    too_many_chunks,
)
from newsqa.index.settings import Settings
from newsqa.index.store import NewArticle, NewChunk, Store

try:  # H4's statement extraction; indexing never depends on it working.
    from newsqa.index.statements import EXTRACTOR_VERSION, extract_statements
except ImportError:  # pragma: no cover - the module ships with newsqa
    extract_statements = None  # type: ignore[assignment]
    EXTRACTOR_VERSION = 0

log = logging.getLogger(__name__)

# Articles chunked and embedded together: enough chunks to sort into full batches.
GROUP = 48
# A group's articles with their chunks, those chunks' forward passes, started, and the group's
# articles refused for their size (NEWSQA_MAX_ARTICLE_CHUNKS).
Plan = tuple[list[tuple[Article, list[Chunk]]], EmbeddingJob, list[Skip]]
TITLE_TOKENS = 40
# The start of a duplicate's reason (newsqa/cli.py counts such a skip as no failure).
DUPLICATE = "same text as"

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
    restated: int = 0  # articles whose statements a newer extractor wrote again

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
            + (
                f"; statements of {self.restated} articles re-extracted (extractor updated)"
                if self.restated
                else ""
            )
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
        """Index files and folders; with ``prune``, also drop articles whose files are gone.

        A file whose fingerprint (size, mtime, loader code: ``loaders.fingerprint``) is the one
        stored with all its articles is unchanged without being read; any other file is read
        and its articles compared by content hash, so a file touched but not changed stays
        unchanged (and its new fingerprint is stored)."""
        report = IndexReport()
        items: list[Article | Skip] = []
        prints: dict[str, str] = {}
        found = list(discover(paths))
        files = {f: str(f.resolve()) for f in found if isinstance(f, Path)}
        known = self.store.fingerprints(list(files.values()))
        for f in found:
            if isinstance(f, Skip):
                items.append(f)
                continue
            now, stored = fingerprint(f), known.get(files[f], [])
            if now and stored and all(fp == now for _, _, fp in stored):
                # The key is the resolved path, plus "#n" for the n-th article of a JSON file.
                report.unchanged += [str(f) + key[len(files[f]) :] for _, key, _ in stored]
                continue
            loaded = load_safely(f, self.settings.max_file_bytes)
            prints.update((a.key, now) for a in loaded if isinstance(a, Article))
            items += loaded
        with self.store.write_lock:
            # Index first, prune after: a file moved within the folder is then recognised as
            # a move (its indexed copy's file is gone, the same text is here) and keeps its
            # vectors; pruning first would delete it and embed it again. Each step commits
            # on its own, so a crash between them leaves the moves done and the prune to
            # the next run.
            self._index(items, report, progress, prints)
            if prune:
                report.removed += self._prune()
            return report

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
        """Remove articles whose files no longer exist. Returns their sources. (Index the
        folder first, as ``index_paths(..., prune=True)`` does, or a moved file's article is
        removed rather than moved.)"""
        with self.store.write_lock:
            return self._prune()

    # Internals ---------------------------------------------------------------------------
    def _restate(self) -> int:
        """Re-extract every stored article's statements from its stored text when they come
        from another extractor version; returns how many articles. The model is not needed.
        Groups commit one by one and the version is recorded after the last, so a crash
        midway is redone whole by the next writer."""
        if extract_statements is None or self.store.statements_version == EXTRACTOR_VERSION:
            return 0
        records = self.store.article_records()
        for start in range(0, len(records), 500):
            group = records[start : start + 500]
            texts = self.store.article_texts([r["id"] for r in group])
            self.store.replace_statements(
                {
                    r["id"]: _statements(
                        Article(
                            r["source"], r["key"], r["path"], r["title"], texts[r["id"]], r["date"]
                        )
                    )
                    for r in group
                    if r["id"] in texts
                }
            )
        self.store.replace_statements({}, EXTRACTOR_VERSION)
        return len(records)

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
        self,
        items: list[Article | Skip],
        report: IndexReport,
        progress: Progress | None,
        prints: dict[str, str] | None = None,
    ) -> IndexReport:
        """Index loaded items. ``prints`` maps a file article's key to its file's fingerprint.

        The same text is one article whatever its title or source: a second copy (in this run,
        or of an article already indexed under another key) is reported as a duplicate and not
        stored, unless the indexed copy's file is gone (then the same title and text is a move,
        another title an edit of a moved file, indexed anew)."""
        started = time.perf_counter()
        prints = prints or {}
        report.restated = self._restate()
        # Only the records these items may meet, looked up by key, id and text hash.
        articles = [i for i in items if isinstance(i, Article)]
        records = [
            asdict(r)
            for r in self.store.find_articles(
                ids=[a.article_id for a in articles], keys=[a.key for a in articles]
            )
        ]
        by_key = {r["key"]: r for r in records}
        by_id = {r["id"]: r for r in records}
        by_text = {
            h: asdict(r)
            for h, r in self.store.by_text_hash([a.text_hash for a in articles]).items()
        }
        todo: list[tuple[Article, dict[str, Any] | None]] = []
        touched: list[tuple[str, str]] = []
        redated: list[tuple[str, str, list[Any]]] = []
        seen: dict[str, str] = {}
        for item in items:
            if isinstance(item, Skip):
                report.skipped.append(item)
                continue
            aid, th = item.article_id, item.text_hash
            old = by_key.get(item.key)
            twin = by_id.get(aid) or by_text.get(th)
            if twin is not None and (twin["key"] == item.key or _gone(twin)):
                twin = None  # an edit of this very article, or of a file that is gone
            if old is not None and old["id"] == aid:
                # Indexed as it is (a store may hold two copies from before duplicates by text
                # were refused: they stay, unchanged, until removed).
                report.unchanged.append(item.source)
                if prints.get(item.key):
                    touched.append((aid, prints[item.key]))
                if item.date != old["date"]:
                    # Same text, dated otherwise by a newer loader: the date and the
                    # statements' days follow, nothing is embedded.
                    redated.append((aid, item.date, _statements(item)))
            elif th in seen:
                report.skipped.append(Skip(item.source, f"{DUPLICATE} {seen[th]}"))
            elif aid in by_id and by_id[aid]["key"] != item.key and _gone(by_id[aid]):
                moved = by_id[aid]
                self._move(moved, item, prints.get(item.key, ""))
                report.moved.append(f"{moved['source']} -> {item.source}")
            elif twin is not None:
                report.skipped.append(
                    Skip(item.source, f"{DUPLICATE} {twin['source']}, already indexed")
                )
            else:
                todo.append((item, old))
            seen[th] = item.source
        self.store.record_unchanged(touched, redated)
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
                n, rows, refused = self._rows(queued.popleft(), prints)
                if pending is not None:
                    pending.result()
                pending = writer.submit(self.store.save, rows)
                report.chunks += n
                report.skipped += refused
                stored = {r.key for r in rows}
                for article, old in group:
                    if article.key in stored:
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
        """Chunk and tokenise a group of articles and start its forward passes. An article
        over NEWSQA_MAX_ARTICLE_CHUNKS is refused here, before any forward pass: one runaway
        text must not take the memory of the whole run; the rest of the group goes on."""
        plan, refused = [], []
        for a in articles:
            chunks = self.chunker.chunk(a.text)
            skip = too_many_chunks(a, len(chunks), self.settings.max_article_chunks)
            if skip is None:
                plan.append((a, chunks))
            else:
                refused.append(skip)
        prefixes, texts, spans = [], [], []
        for article, chunks in plan:
            prefix = self._prefix(article.title)
            for c in chunks:
                prefixes.append(prefix)
                texts.append(article.text[c.start : c.end])
                spans.append([(s.start - c.start, s.end - c.start) for s in c.sentences])
        batches = self.embedder.tokenize_chunks(prefixes, texts, spans)
        return plan, self.embedder.start_batches(batches), refused

    def _rows(
        self, planned: Plan, prints: dict[str, str]
    ) -> tuple[int, list[NewArticle], list[Skip]]:
        """A started group's records, once its forward passes are done (one per chunk), and
        the group's refused articles."""
        plan, job, refused = planned
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
                    fingerprint=prints.get(article.key, ""),
                )
            )
        return len(embedded), out, refused

    def _move(self, record: dict[str, Any], article: Article, fingerprint: str) -> None:
        """Point an article whose file moved at its new path, without embedding it again."""
        self.store.move_article(
            record["id"],
            source=article.source,
            key=article.key,
            path=article.path,
            fingerprint=fingerprint,
        )


def _gone(record: dict[str, Any]) -> bool:
    """Whether an indexed article came from a file that no longer exists."""
    return bool(record.get("path")) and not Path(record["path"]).exists()


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
