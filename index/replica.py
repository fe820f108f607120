"""A store's catalogue on a Chroma server (``NEWSQA_CHROMA_URL``): the server holds the truth,
and every store directory attached to it is a replica, so apps and commands on several machines
share one store.

Besides the chunk vectors (``newsqa_chunks``, whose metadata on a server also carry each chunk's
offsets, sentence spans and sentence vectors), the server database holds:
- ``newsqa_catalog``: one record per article *key* (the file or paste an article comes from):
  its current article id and generation, title, source, date, the text as the document; a
  tombstone once the article is removed. One record per key makes each edit one atomic write.
- ``newsqa_log``: the generations a writer is adding or replacing, until it has cleaned up.

A replica (the store directory's SQLite catalogue, its lexical index and statements) follows
the server through ``Store.sync``: it reads the records committed since it last looked (their
``at``, a writer's clock in microseconds, re-read over ``SKEW`` seconds so that clocks a little
apart lose nothing) and applies each in one local transaction; statements are extracted again
locally from the text, by the same extractor. Two replicas that synced the same records hold the
same articles, chunks and lexical rows.

Chroma has no transactions, so only a single record write is atomic; that is why the commit is
the key's record. Two replicas writing the same article in the same instant: the later commit
wins everywhere; the earlier one's chunks may stay on the server unreferenced (every reader
ignores chunks its catalogue does not hold; Chroma has no compare-and-set to prevent it).
Apart from index/store.py this is the only module that touches Chroma collections: it owns the
server-side records.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from newsqa.index.articles import content_hash
from newsqa.index.embedding import DIMENSIONS

CATALOG = "newsqa_catalog"
LOG = "newsqa_log"
# Records committed up to this long before the last one a replica saw are read again: writers'
# clocks may differ by this much without an edit being missed (a full sync, which every writer
# runs when it opens the store, catches any larger difference). Re-reading costs about 70 us a
# record (benchmarks/replica.py), so the window is kept to what NTP-run clocks need, with room.
SKEW = 60.0
# A logged generation another store directory is writing is left alone this long (it may still
# be uploading); a crashed writer's leftovers go after it.
GRACE = 3600.0
# Catalogue records are read in pages of this many.
PAGE = 500
# Catalogue and log records carry no vector of their own; Chroma needs one.
_NO_VECTOR = [1.0]


def now_us() -> int:
    """The commit clock: microseconds since the epoch (exact in a float, as Chroma keeps it)."""
    return time.time_ns() // 1000


def record_id(key: str) -> str:
    return content_hash(key)


def chunk_metadata(
    article_id: str,
    generation: int,
    position: int,
    start: int,
    end: int,
    spans: Sequence[tuple[int, int]],
    sentence_vectors: np.ndarray,
) -> dict[str, Any]:
    """What a replica needs of a chunk besides its text: offsets, sentence spans and vectors.
    Sentence vectors travel as base64 float16 (Chroma metadata hold no bytes); a replica reads
    them once, when it applies the article, and keeps them as BLOBs."""
    packed = np.asarray(sentence_vectors, dtype="<f2").tobytes()
    return {
        "article_id": article_id,
        "generation": generation,
        "position": position,
        "start": start,
        "end": end,
        "spans": json.dumps([[int(a), int(b)] for a, b in spans]),
        "sentence_vectors": base64.b64encode(packed).decode("ascii"),
    }


def unpack_chunk(meta: dict[str, Any]) -> tuple[int, int, list[tuple[int, int]], np.ndarray]:
    """(start, end, sentence spans, sentence vectors) of a chunk's server metadata."""
    flat = np.frombuffer(base64.b64decode(meta["sentence_vectors"]), dtype="<f2")
    spans = [(int(a), int(b)) for a, b in json.loads(meta["spans"])]
    return (
        int(meta["start"]),
        int(meta["end"]),
        spans,
        flat.astype(np.float32).reshape(-1, DIMENSIONS),
    )


def article_record(fields: dict[str, Any], at: int, writer: str) -> dict[str, Any]:
    """A live catalogue record's metadata. Every key is always written: Chroma merges an
    upsert's metadata into the old record's, so a key left out would keep its old value."""
    return {
        "article_id": fields["id"],
        "generation": int(fields["generation"]),
        "source": fields["source"],
        "key": fields["key"],
        "path": fields["path"],
        "title": fields["title"],
        "date": fields["date"],
        "url": fields["url"],
        "dropped": int(fields["dropped"]),
        "chunks": int(fields["chunks"]),
        "indexed_at": fields["indexed_at"],
        "at": at,
        "deleted": False,
        "writer": writer,
    }


def tombstone(record: dict[str, Any], at: int, writer: str) -> dict[str, Any]:
    return {**record, "at": at, "deleted": True, "writer": writer}


class ServerCatalog:
    """The server-side records of one store (one Chroma database)."""

    def __init__(self, client: Any, chunks: Any) -> None:
        self.chunks = chunks
        self.catalog = client.get_or_create_collection(CATALOG, embedding_function=None)
        self.log = client.get_or_create_collection(LOG, embedding_function=None)

    # Reading --------------------------------------------------------------------------
    def current(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The records of these keys (live or tombstones), by key."""
        out: dict[str, dict[str, Any]] = {}
        keys = list(dict.fromkeys(keys))
        for start in range(0, len(keys), PAGE):
            ids = [record_id(k) for k in keys[start : start + PAGE]]
            got = self.catalog.get(ids=ids, include=["metadatas"])
            out.update((m["key"], m) for m in got["metadatas"])
        return out

    def records(self, since: int | None = None) -> Iterator[dict[str, Any]]:
        """Catalogue records (metadata only), all of them or those committed since ``since``."""
        where = {"at": {"$gte": since}} if since is not None else None
        offset = 0
        while True:
            got = self.catalog.get(where=where, include=["metadatas"], limit=PAGE, offset=offset)
            yield from got["metadatas"]
            if len(got["ids"]) < PAGE:
                return
            offset += PAGE

    def articles(
        self, records: Sequence[dict[str, Any]]
    ) -> dict[str, tuple[str, list[tuple[Any, ...]]] | None]:
        """Live records' texts and chunks (start, end, spans, sentence vectors), by key, in a
        few requests; None for a record whose generation the server no longer holds whole
        (replaced meanwhile: a later record brings the new one)."""
        out: dict[str, tuple[str, list[tuple[Any, ...]]] | None] = {}
        for start in range(0, len(records), PAGE // 10):
            part = records[start : start + PAGE // 10]
            got = self.catalog.get(
                ids=[record_id(r["key"]) for r in part], include=["documents", "metadatas"]
            )
            texts = {
                (m["key"], m.get("generation")): d or ""
                for m, d in zip(got["metadatas"], got["documents"], strict=True)
            }
            ids = [
                f"{r['article_id']}:{int(r['generation'])}:{p}"
                for r in part
                for p in range(int(r["chunks"]))
            ]
            by_id: dict[str, dict[str, Any]] = {}
            for first in range(0, len(ids), PAGE):
                chunks = self.chunks.get(ids=ids[first : first + PAGE], include=["metadatas"])
                by_id.update(zip(chunks["ids"], chunks["metadatas"], strict=True))
            for r in part:
                mine = [f"{r['article_id']}:{int(r['generation'])}:{p}"
                        for p in range(int(r["chunks"]))]  # fmt: skip
                text = texts.get((r["key"], r["generation"]))
                whole = text is not None and all(i in by_id for i in mine)
                out[r["key"]] = (
                    (text or "", [unpack_chunk(by_id[i]) for i in mine]) if whole else None
                )
        return out

    # Writing --------------------------------------------------------------------------
    def commit(self, records: Sequence[tuple[dict[str, Any], str | None]]) -> None:
        """Write catalogue records (metadata, text or None for a tombstone): the commit."""
        for start in range(0, len(records), PAGE):
            part = records[start : start + PAGE]
            self.catalog.upsert(
                ids=[record_id(m["key"]) for m, _ in part],
                embeddings=[_NO_VECTOR] * len(part),
                metadatas=[m for m, _ in part],
                documents=[t if t is not None else "" for _, t in part],
            )

    def log_intents(self, entries: Sequence[tuple[str, int, int, str]], writer: str) -> None:
        """Log (article id, generation, chunks, key) as being written or replaced."""
        if entries:
            at = now_us()
            self.log.upsert(
                ids=[f"{a}:{g}" for a, g, _, _ in entries],
                embeddings=[_NO_VECTOR] * len(entries),
                metadatas=[
                    {"article_id": a, "generation": g, "chunks": n, "key": k, "writer": writer,
                     "at": at}
                    for a, g, n, k in entries
                ],
            )  # fmt: skip

    def clear(self, entries: Sequence[tuple[str, int]]) -> None:
        if entries:
            self.log.delete(ids=[f"{a}:{g}" for a, g in entries])

    def delete_chunks(self, entries: Sequence[tuple[str, int, int]]) -> None:
        ids = [f"{a}:{g}:{p}" for a, g, n in entries for p in range(n)]
        for start in range(0, len(ids), PAGE):
            self.chunks.delete(ids=ids[start : start + PAGE])

    def repair(self, writer: str) -> int:
        """Delete the chunks of every logged generation that is not its key's current one
        (this store directory's at once, another's after ``GRACE``), then the log entries
        that are done. Returns how many generations were deleted."""
        got = self.log.get(include=["metadatas"])
        entries = got["metadatas"]
        if not entries:
            return 0
        current = self.current([e["key"] for e in entries])
        cutoff = now_us() - int(GRACE * 1e6)
        stale, done = [], []
        for e in entries:
            rec = current.get(e["key"])
            live = (
                rec is not None
                and not rec["deleted"]
                and rec["article_id"] == e["article_id"]
                and int(rec["generation"]) == int(e["generation"])
            )
            if e["writer"] != writer and int(e["at"]) >= cutoff:
                continue  # another writer's, maybe still at work
            if live:
                done.append((e["article_id"], int(e["generation"])))
            else:
                stale.append((e["article_id"], int(e["generation"]), int(e["chunks"])))
        self.delete_chunks(stale)
        self.clear(done + [(a, g) for a, g, _ in stale])
        return len(stale)

    def pending(self) -> int:
        """Log entries left (0 once every write has cleaned up)."""
        return int(self.log.count())
