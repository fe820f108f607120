"""The store's lexical (BM25) index over chunk texts: an SQLite FTS5 table in the store catalogue.

Dense vectors miss rare names, numbers and exact words; BM25 finds them. Each chunk's row holds its
title and text as this module's tokens (stemmed, stop words gone), so FTS5 only splits on spaces
and ranks with its ``bm25()``. Rows are inserted and deleted with their article, in the same
transaction as the article record (index/store.py), so the index is never rebuilt and a reader
sees it as of the last commit. It replaced bm25s, whose index was rebuilt from every chunk after
each edit.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

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
# of numbers ("1.92", "15%", "1,000") and of "don't" as token characters.
SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    body, tokenize="unicode61 remove_diacritics 0 tokenchars '.,%'''");
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab USING fts5vocab(chunks_fts, 'row');
"""


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
    conn.executemany("INSERT INTO chunks_fts(rowid, body) VALUES (?, ?)", rows)


def delete_rows(conn: sqlite3.Connection, rowids: Sequence[int]) -> None:
    """Remove chunks' rows, inside the caller's transaction."""
    conn.executemany("DELETE FROM chunks_fts WHERE rowid = ?", [(r,) for r in rowids])


def _match(tokens: Sequence[str]) -> str:
    # Tokens never hold a double quote (see _TOKEN); quoted, "and", "or", "near" stay words.
    return " OR ".join(f'"{t}"' for t in dict.fromkeys(tokens))


class LexicalIndex:
    """BM25 over the store's chunks; ``search`` returns (chunk id, score) best first.

    ``connect`` returns this thread's connection to the store catalogue; None is an empty index.
    """

    def __init__(self, connect: Callable[[], sqlite3.Connection] | None = None) -> None:
        self._connect = connect

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

    def search(
        self, query: str, k: int, *, since: str | None = None, until: str | None = None
    ) -> list[tuple[str, float]]:
        """The ``k`` best chunks for ``query``; with ``since``/``until`` (ISO days, inclusive)
        only chunks of articles dated in that range (a store's index: it joins the articles)."""
        tokens = tokenize(query)
        if self._connect is None or not tokens or k <= 0:
            return []
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
