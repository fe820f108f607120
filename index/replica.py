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

Write protocol on a server (``Store._save_server``; the fault points are the local ones):
1. ``save.intent``: log the new generation and the one it replaces in ``newsqa_log``.
2. ``save.chroma``: upsert the new generation's chunks (vectors, texts, sentence metadata).
3. ``save.transaction``, then the commit: upsert the key's catalogue record; ``save.committed``,
   then this replica applies the commit in one local transaction.
4. Delete the replaced generation's chunks (``save.cleaned``), then the log entries.
Removal is 1, a tombstone as the commit, the local delete, 4; a move writes the new key's record
and the old key's tombstone in one upsert. Repair, when a writer opens the store and after a
failed write: a logged generation that is not its key's current one loses its chunks, at once
if this directory logged it, after ``GRACE`` if another did (it may still be writing); log
entries of current generations are cleared. A failed write then syncs, so the replica holds
whatever the server committed.

Chroma has no transactions, so only a single record write is atomic; that is why the commit is
the key's record. Two replicas writing the same article in the same instant: the later commit
wins everywhere; the earlier one's chunks may stay on the server unreferenced (every reader
ignores chunks its catalogue does not hold; Chroma has no compare-and-set to prevent it).
This module holds the records' format and the rules; it calls no Chroma API itself:
index/store.py (``ServerCatalog``) makes every call, so the store stays Chroma's only user.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Sequence
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
NO_VECTOR = [1.0]


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
