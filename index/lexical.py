"""The store's lexical (BM25) index over chunk texts: an SQLite FTS5 table in the store catalogue,
and a tantivy index beside it that follows the catalogue's committed log to answer fast.

Dense vectors miss rare names, numbers and exact words; BM25 finds them. Each chunk's row holds its
title and text as this module's tokens (stemmed, stop words gone), so FTS5 only splits on spaces
and ranks with its ``bm25()``. Rows are inserted and deleted with their article, in the same
transaction as the article record (index/store.py), so the index is never rebuilt and a reader
sees it as of the last commit. It replaced bm25s, whose index was rebuilt from every chunk after
each edit.

FTS5's ``bm25()`` scores every chunk that holds any of the question's terms, so its cost grows
with the corpus (76 ms p50 at 300k chunks, about 250 ms at 1M; docs/scale.md). Searches without
a date range therefore go through a follower (``_Follower``):

- **Write protocol.** ``insert_rows``/``delete_rows`` append each touched chunk rowid to the
  catalogue's ``lexical_log`` inside the caller's transaction: FTS5 and the log commit together
  with the article, or neither does. Nothing else on the write path changes.
- **Follower.** ``<store>/lexical-tantivy/`` is a tantivy index of the same bodies (the same
  tokens: tantivy's whitespace tokenizer) with each chunk's rowid, and a file ``applied`` naming
  the catalogue (``meta.lexical_id``) and the last log entry it holds. Whichever process searches
  first after a commit brings it up to date, under tantivy's own writer lock: in one read
  transaction of the catalogue it takes the log after ``applied`` and the current bodies of the
  chunks it names, deletes those rowids from tantivy and adds the bodies that still exist, commits
  tantivy, then rewrites ``applied`` (a file replaced atomically). Replaying entries tantivy
  already holds gives the same state (it always writes a rowid's current body), so a crash
  between tantivy's commit and ``applied`` costs only a replay; a crash before the commit leaves
  tantivy as it was. No ``applied`` file, or another catalogue's, means a rebuild from every row.
  The log is trimmed up to ``applied`` by the next write transaction.
- **Readers see the last commit.** A search reads the log's latest entry; if the follower holds
  it (or a later one) it answers, otherwise it catches up first; when it cannot (another process
  holds tantivy's writer lock, tantivy is missing, the folder is read-only) the search is FTS5's,
  exactly as before. FTS5 stays the truth: date ranges, ``doc_freqs`` and ``rows`` read it.
- **Same scores.** Tantivy's block-max WAND gives the best ``CANDIDATES`` chunks by its own BM25;
  those are re-scored with FTS5's formula (k1 1.2, b 0.75, its idf; row count and token total
  from FTS5's own averages record, document frequencies from ``chunks_vocab``), so the scores and
  order are ``bm25()``'s wherever today's best are among the candidates.
"""

from __future__ import annotations

import logging
import math
import os
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*%?|[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
# English function words (bm25s's 33-word list is a subset): questions need them gone too.
_STOP = frozenset(
    """a about above according after again against all also am an and any are as ask asked at be
because been before being below between both but by can could did do does doing down
during each few for from further had has have having he her here hers herself him himself
his how i if in into is it its itself just many me more most much my myself no nor not now
of off on once only or other our ours ourselves out over own said same say says she should
so some such tell than that the their theirs them themselves then there these they this
those through to told too under until up very was we were what when where which while who
whom whose why will with would yes you your yours yourself yourselves""".split()
)
# The tokens are this module's; FTS5 only has to keep them whole: unicode61 with the characters
# of numbers ("1.92", "15%", "1,000") and of "don't" as token characters. ``lexical_log`` is the
# follower's log (module docstring); ``lexical_id`` names this catalogue to its follower.
SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    body, tokenize="unicode61 remove_diacritics 0 tokenchars '.,%'''");
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab USING fts5vocab(chunks_fts, 'row');
CREATE TABLE IF NOT EXISTS lexical_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, chunk INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('lexical_id', lower(hex(randomblob(8))));
"""
log = logging.getLogger(__name__)
FOLLOWER_DIR = "lexical-tantivy"
APPLIED = "applied"
CANDIDATES = 100  # tantivy's best, re-scored with FTS5's formula
EXHAUSTIVE = 1000  # asked for more than this, FTS5 ranks them (it scores every match anyway)
K1, B = 1.2, 0.75  # FTS5's bm25() defaults


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(text: str) -> list[str]:
    """Lower-cased, stemmed words and whole numbers ("1.92", "15%"), minus stop words."""
    words = [w for w in _TOKEN.findall(text.lower().replace("’", "'")) if w not in _STOP]
    words = [w[:-2] if w.endswith("'s") else w for w in words]
    return _stemmer().stemWords(words)


def body(title: str, text: str) -> str:
    """A chunk's row in the index: its article's title and its text, as tokens."""
    return " ".join(tokenize(f"{title}\n{text}"))


def insert_rows(conn: sqlite3.Connection, rows: Iterable[tuple[int, str]]) -> None:
    """Index (chunk rowid, body) rows, inside the caller's transaction."""
    rows = list(rows)
    conn.executemany("INSERT INTO chunks_fts(rowid, body) VALUES (?, ?)", rows)
    _log(conn, [r for r, _ in rows])


def delete_rows(conn: sqlite3.Connection, rowids: Sequence[int]) -> None:
    """Remove chunks' rows, inside the caller's transaction."""
    conn.executemany("DELETE FROM chunks_fts WHERE rowid = ?", [(r,) for r in rowids])
    _log(conn, rowids)


def _log(conn: sqlite3.Connection, rowids: Sequence[int]) -> None:
    """Log touched rowids for the follower, and trim what it already holds."""
    if not rowids:
        return
    conn.executemany("INSERT INTO lexical_log (chunk) VALUES (?)", [(r,) for r in rowids])
    folder = _folder(conn)
    applied = _read_applied(folder) if folder else None
    if applied and applied[0] == _catalogue_id(conn):
        conn.execute("DELETE FROM lexical_log WHERE seq <= ?", (applied[1],))


def _match(tokens: Sequence[str]) -> str:
    # Tokens never hold a double quote (see _TOKEN); quoted, "and", "or", "near" stay words.
    return " OR ".join(f'"{t}"' for t in dict.fromkeys(tokens))


def _folder(conn: sqlite3.Connection) -> Path | None:
    """The follower's folder beside the catalogue file (None for an in-memory catalogue)."""
    for _, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return Path(file).parent / FOLLOWER_DIR if file else None
    return None


def _catalogue_id(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = 'lexical_id'").fetchone()
    return row[0] if row else None


def _latest(conn: sqlite3.Connection) -> int:
    """The last log entry ever written (entries are never reused)."""
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'lexical_log'").fetchone()
    return int(row[0]) if row else 0


def _read_applied(folder: Path) -> tuple[str, int] | None:
    try:
        ident, seq = (folder / APPLIED).read_text(encoding="ascii").split()
        return ident, int(seq)
    except (OSError, ValueError):
        return None


def _write_applied(folder: Path, ident: str, seq: int) -> None:
    tmp = folder / f"{APPLIED}.{os.getpid()}.{threading.get_ident()}"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(f"{ident} {seq}\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, folder / APPLIED)


def _fts5_totals(conn: sqlite3.Connection) -> tuple[int, int]:
    """FTS5's own row count and token total (its "averages" record: varints), as bm25() uses."""
    row = conn.execute("SELECT block FROM chunks_fts_data WHERE id = 1").fetchone()
    out: list[int] = []
    b, i = bytes(row[0]) if row else b"", 0
    while i < len(b) and len(out) < 2:
        v = 0
        for j in range(9):
            byte = b[i]
            i += 1
            if j == 8:
                v = (v << 8) | byte
                break
            v = (v << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        out.append(v)
    return (out[0], out[1]) if len(out) == 2 else (0, 0)


class _Follower:
    """The tantivy index beside one catalogue (module docstring: protocol)."""

    HEAP = 64_000_000

    def __init__(self, folder: Path) -> None:
        import tantivy

        self.tantivy = tantivy
        self.folder = folder
        self.index: Any = None  # tantivy.Index once opened
        self.searcher: Any = None
        self.held: tuple[str, int] | None = None  # (catalogue id, last entry) the searcher holds
        self.lock = threading.Lock()

    @staticmethod
    def schema():
        import tantivy

        sb = tantivy.SchemaBuilder()
        sb.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
        sb.add_integer_field("rid", indexed=True, fast=True)
        return sb.build()

    def _open(self, create: bool) -> bool:
        if self.index is not None:
            return True
        tv = self.tantivy
        if (self.folder / "meta.json").exists():
            self.index = tv.Index.open(str(self.folder))
        elif create:
            self.folder.mkdir(exist_ok=True)
            self.index = tv.Index(self.schema(), path=str(self.folder))
        else:
            return False
        self.index.config_reader("Manual", 0)
        return True

    def _reload(self, held: tuple[str, int]) -> None:
        self.index.reload()
        self.searcher = self.index.searcher()
        self.held = held

    def current(self, conn: sqlite3.Connection) -> bool:
        """Bring the searcher to the catalogue's last commit (or later); False if it cannot."""
        ident, latest = _catalogue_id(conn), _latest(conn)
        if ident is None:
            return False
        with self.lock:
            if self.held and self.held[0] == ident and self.held[1] >= latest:
                return True
            on_disk = _read_applied(self.folder)
            if on_disk and on_disk[0] == ident and on_disk[1] >= latest and self._open(False):
                self._reload(on_disk)
                return True
            return self._catch_up(conn, ident)

    def _catch_up(self, conn: sqlite3.Connection, ident: str) -> bool:
        from . import faults

        try:
            self._open(True)
            writer = self.index.writer(self.HEAP, 1)
        except (OSError, ValueError):  # another writer holds it, or the folder is read-only
            return False
        try:
            applied = _read_applied(self.folder)
            own = not conn.in_transaction
            if own:
                conn.execute("BEGIN")  # one snapshot: the log and the bodies it names
            try:
                latest = _latest(conn)
                if applied is None or applied[0] != ident:
                    writer.delete_all_documents()
                    rows: Iterable[tuple[int, str]] = conn.execute(
                        "SELECT rowid, body FROM chunks_fts"
                    )
                else:
                    got = conn.execute(
                        "SELECT DISTINCT chunk FROM lexical_log WHERE seq > ?", (applied[1],)
                    )
                    touched = [r for (r,) in got]
                    for r in touched:
                        writer.delete_documents_by_term("rid", r)
                    rows = _bodies(conn, touched)
                for rid, text in rows:
                    doc = self.tantivy.Document()
                    doc.add_text("body", text)
                    doc.add_integer("rid", rid)
                    writer.add_document(doc)
            finally:
                if own:
                    conn.execute("COMMIT")
            faults.point("lexical.follow")
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            raise
        finally:
            del writer  # releases tantivy's writer lock
        faults.point("lexical.followed")
        _write_applied(self.folder, ident, latest)
        self._reload((ident, latest))
        return True

    def top(self, tokens: Sequence[str], n: int) -> list[int]:
        """The rowids of tantivy's best ``n`` chunks for an OR of ``tokens``."""
        tv = self.tantivy
        schema = self.index.schema
        q = tv.Query.boolean_query(
            [(tv.Occur.Should, tv.Query.term_query(schema, "body", t)) for t in tokens]
        )
        searcher = self.searcher
        hits = searcher.search(q, n, count=False).hits
        return searcher.fast_field_values("rid", [a for _, a in hits]) if hits else []

    def rowids(self) -> set[int]:
        """Every rowid the follower holds (for checks)."""
        searcher = self.searcher
        hits = searcher.search(self.tantivy.Query.all_query(), max(1, searcher.num_docs)).hits
        return set(searcher.fast_field_values("rid", [a for _, a in hits])) if hits else set()


def _bodies(conn: sqlite3.Connection, rowids: Sequence[int]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for i in range(0, len(rowids), 500):
        part = rowids[i : i + 500]
        marks = ",".join("?" * len(part))
        out += conn.execute(f"SELECT rowid, body FROM chunks_fts WHERE rowid IN ({marks})", part)
    return out


class LexicalIndex:
    """BM25 over the store's chunks; ``search`` returns (chunk id, score) best first.

    ``connect`` returns this thread's connection to the store catalogue; None is an empty index.
    """

    def __init__(self, connect: Callable[[], sqlite3.Connection] | None = None) -> None:
        self._connect = connect
        self._follower: _Follower | bool | None = None  # False: none for this catalogue
        self._follower_lock = threading.Lock()

    @classmethod
    def empty(cls) -> LexicalIndex:
        return cls(None)

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str]) -> LexicalIndex:
        """An index of (chunk id, "title\\ntext") pairs in memory, built from scratch: for data
        that is not in a store (training sets) and to check a store's index against."""
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        conn.executescript(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
            "CREATE TABLE chunks (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE);" + SCHEMA
        )
        conn.executemany("INSERT INTO chunks (rowid, id) VALUES (?, ?)", enumerate(ids, 1))
        insert_rows(conn, ((i, " ".join(tokenize(t))) for i, t in enumerate(texts, 1)))
        conn.execute("INSERT INTO meta VALUES ('chunk_count', ?)", (str(len(ids)),))
        conn.commit()
        return cls(lambda: conn)

    def follower(self) -> _Follower | None:
        """The tantivy follower, as of the last commit; None when searches go to FTS5."""
        if self._connect is None or self._follower is False:
            return None
        conn = self._connect()
        with self._follower_lock:
            if self._follower is None:
                folder = _folder(conn)
                try:
                    self._follower = _Follower(folder) if folder else False
                except ImportError:
                    self._follower = False
            follower = self._follower
        if not isinstance(follower, _Follower):
            return None
        try:
            return follower if follower.current(conn) else None
        except sqlite3.OperationalError:  # a catalogue made before the log: FTS5 until written
            return None
        except Exception as exc:  # FTS5 is the truth: the follower may only make searches faster
            log.warning("lexical follower at %s unusable, searching FTS5: %s", follower.folder, exc)
            return None

    def search(
        self, query: str, k: int, *, since: str | None = None, until: str | None = None
    ) -> list[tuple[str, float]]:
        """The ``k`` best chunks for ``query``; with ``since``/``until`` (ISO days, inclusive)
        only chunks of articles dated in that range (a store's index: it joins the articles)."""
        tokens = tokenize(query)
        if self._connect is None or not tokens or k <= 0:
            return []
        if not (since or until) and k <= EXHAUSTIVE:
            follower = self.follower()
            if follower is not None:
                try:
                    return self._rescored(follower, tokens, k)
                except ValueError as exc:  # tantivy's errors
                    log.warning("lexical follower search failed, searching FTS5: %s", exc)
        if since or until:
            rows = self._connect().execute(
                "SELECT c.id, -f.rank FROM chunks_fts f JOIN chunks c ON c.rowid = f.rowid"
                " JOIN articles a ON a.id = c.article_id WHERE chunks_fts MATCH ? AND"
                " a.date != '' AND substr(a.date, 1, 10) BETWEEN ? AND ? ORDER BY f.rank LIMIT ?",
                (_match(tokens), since or "0000-01-01", until or "9999-12-31", k),
            )
        else:
            rows = self._connect().execute(
                "SELECT c.id, -f.rank FROM (SELECT rowid, rank FROM chunks_fts WHERE chunks_fts"
                " MATCH ? ORDER BY rank LIMIT ?) f JOIN chunks c ON c.rowid = f.rowid"
                " ORDER BY f.rank",
                (_match(tokens), k),
            )
        return [(cid, float(score)) for cid, score in rows if score > 0]

    def _rescored(
        self, follower: _Follower, tokens: Sequence[str], k: int
    ) -> list[tuple[str, float]]:
        """Tantivy's best candidates, scored and ordered by FTS5's bm25() formula."""
        uniq = list(dict.fromkeys(tokens))
        cands = follower.top(uniq, max(k, CANDIDATES))
        if not cands or self._connect is None:
            return []
        conn = self._connect()
        n, total = _fts5_totals(conn)
        _, dfs = self.doc_freqs(uniq)
        if not n or not total:
            return []
        avgdl = total / n
        idf = {
            t: max(math.log((n - dfs[t] + 0.5) / (dfs[t] + 0.5)), 1e-6) for t in uniq if dfs.get(t)
        }
        scored = []
        for rowid, text in _bodies(conn, cands):
            words = text.split()
            tf = Counter(words)
            norm = K1 * (1 - B + B * len(words) / avgdl)
            s = sum(w * ((tf[t] * (K1 + 1)) / (tf[t] + norm)) for t, w in idf.items() if tf[t])
            scored.append((s, rowid))
        scored.sort(key=lambda x: (-x[0], x[1]))
        top = scored[:k]
        marks = ",".join("?" * len(top))
        ids = dict(
            conn.execute(
                f"SELECT rowid, id FROM chunks WHERE rowid IN ({marks})", [r for _, r in top]
            )
        )
        return [(ids[r], float(s)) for s, r in top if r in ids and s > 0]

    def doc_freqs(self, tokens: Sequence[str]) -> tuple[int, dict[str, int]]:
        """How many chunks are indexed, and how many of them hold each token."""
        if self._connect is None or not tokens:
            return 0, {}
        conn = self._connect()
        n = conn.execute("SELECT value FROM meta WHERE key = 'chunk_count'").fetchone()
        uniq = list(dict.fromkeys(tokens))
        marks = ",".join("?" * len(uniq))
        got = conn.execute(f"SELECT term, doc FROM chunks_vocab WHERE term IN ({marks})", uniq)
        return (int(n[0]) if n else 0), dict(got.fetchall())

    def rows(self) -> dict[str, str]:
        """Every chunk id with its indexed body: a full scan, for checks against a rebuild."""
        if self._connect is None:
            return {}
        got = self._connect().execute(
            "SELECT c.id, f.body FROM chunks_fts f JOIN chunks c ON c.rowid = f.rowid"
        )
        return dict(got.fetchall())


def idf(index: LexicalIndex, tokens: Sequence[str]) -> np.ndarray:
    """Inverse document frequency of each stemmed token in the indexed chunks (0 if unseen)."""
    out = np.zeros(len(tokens), dtype=np.float32)
    total, dfs = index.doc_freqs(tokens)
    if not total:
        return out
    for i, t in enumerate(tokens):
        df = dfs.get(t, 0)
        out[i] = np.log(1 + (total - df + 0.5) / (df + 0.5))
    return out
