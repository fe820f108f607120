"""The newsqa store: a directory holding an SQLite catalogue and a Chroma database.

``catalog.sqlite`` (WAL) is the store's record of truth and its commit point: the articles
(source, title, date, full text, generation), their chunks (text, offsets, sentence spans and
sentence vectors as binary BLOBs), the lexical index (FTS5, index/lexical.py), the statements
extracted from each article, and a small log of Chroma records that may need deleting.
Chroma holds each chunk's vector (and its text, for tools that read the collection) for dense
search, under the id ``<article id>:<generation>:<position>``. Nothing outside this module
touches Chroma (on a server too: index/replica.py holds the records' format, not the calls).

Write protocol (one article or a group of them; every step is a named fault point):
1. ``save.intent``: in one transaction, allocate a new generation number and log
   ``pending(article, generation, chunks)``.
2. ``save.chroma``: upsert the new generation's chunk vectors into Chroma.
3. ``save.transaction`` / ``save.committed``: in ONE transaction, delete the replaced article's
   rows (chunks, lexical rows, statements, article record), insert the new ones, log the
   replaced generation as pending, clear the new generation's log entry, bump the version.
   This commit is the moment the edit happens; readers see the old state or the new, whole.
4. ``save.cleaned``: delete the replaced generation's vectors from Chroma, then clear its log
   entry. Removal is steps 3-4 without a new generation; a move (same text, new path) is one
   transaction that changes the article record only.
Repair, on every open for writing and after a failed write: for each logged pending entry whose
generation is not the article's current one, delete its vectors from Chroma by id (the ids are
known, so no scan), then clear the entry. A crash at any step therefore leaves either the old
article or the new one, never both, never half, and the lexical index is exactly the chunks'.
Readers ignore Chroma hits whose chunk is not in the catalogue (the window between 2 and 4).

Processes: one writer at a time holds ``.newsqa.write.lock`` (``filelock``) for as long as its
store is open (the app, ``newsqa index``); a second writer waits up to ``wait`` seconds, told
who holds it. Readers (``ask``, ``list``, ``eval``) take no writer lock: SQLite in WAL mode lets
them read the last commit beside the writer. Chroma's ``PersistentClient`` is not process-safe
(its files are written by one client's in-memory index, and another process's client keeps a
cached index that never sees later writes: chroma-core/chroma#3792), so Chroma calls go through a
reader-writer lock (``filelock.ReadWriteLock``, ``.newsqa.commit.lock``): the writer holds it
exclusively for each Chroma write only, a reader process shares it while it opens Chroma and
queries, and reopens its client when the catalogue's version moved since it loaded. (That reload
reads the whole vector index again: cheap at this corpus's size, seconds at a million chunks, so
a long-lived reader beside a busy writer at that scale belongs on a Chroma server,
``NEWSQA_CHROMA_URL``, whose clients need neither the lock nor the reload.)

With a Chroma server (``NEWSQA_CHROMA_URL``) the server is the store and this directory its
replica: the write protocol commits on the server (one catalogue record per article key) and
then applies the commit here; ``sync`` applies what other replicas committed. Its protocol and
records are in index/replica.py.

A schema-2 store (Chroma metadata with base64 sentence vectors, a bm25s directory) is upgraded
in place by the first writer that opens it, without embedding anything (``Store._upgrade``).

Each edit costs what its article costs: every write and read goes by article or chunk id, and
nothing scans all chunks (``LexicalIndex.rows`` and ``dense_ids`` exist for tests).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock, ReadWriteLock, Timeout
from newsqa.index import faults, lexical, replica
from newsqa.index.articles import ArticleRecord, ChunkRecord, content_hash
from newsqa.index.embedding import DIMENSIONS, MODEL_NAME

log = logging.getLogger(__name__)

SCHEMA = 3
CHUNKS = "newsqa_chunks"
MANIFEST = "newsqa.json"
CATALOG = "catalog.sqlite"
WRITE_LOCK = ".newsqa.write.lock"
WRITER_INFO = ".newsqa.writer"
COMMIT_LOCK = ".newsqa.commit.lock"
# Chroma caps how many records one call may carry; SQLite how many variables one statement may.
BATCH = 1000
# How long a reader waits for the writer's current Chroma write.
READ_WAIT = 120.0
# A store directory's own articles go to a server in groups of this many (one resumable step).
PUBLISH_BATCH = 100
# The replica marker while a directory's own articles are being published to a server.
PUBLISHING = "publishing:"
# A date range covering at most this many chunks is searched exactly (their vectors fetched by id
# and compared here), a wider one through Chroma's filtered query: the same ranking either way
# but for HNSW's approximation; fetching costs about 0.13 ms a chunk, the filtered query 12-18 ms
# on the whole corpus (2,104 articles, 6,983 chunks, 2026-12-02), so they cross near 100.
EXACT_SEARCH_CHUNKS = 100

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, generation INTEGER NOT NULL, source TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE, path TEXT NOT NULL, title TEXT NOT NULL, date TEXT NOT NULL,
    url TEXT NOT NULL, text TEXT NOT NULL, chunks INTEGER NOT NULL, chars INTEGER NOT NULL,
    dropped INTEGER NOT NULL, indexed_at TEXT NOT NULL, text_hash TEXT NOT NULL DEFAULT '',
    fingerprint TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, article_id TEXT NOT NULL,
    position INTEGER NOT NULL, start_at INTEGER NOT NULL, end_at INTEGER NOT NULL,
    text TEXT NOT NULL, spans BLOB NOT NULL, vectors BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS articles_source ON articles (source);
CREATE INDEX IF NOT EXISTS articles_date ON articles (date);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks (article_id, position);
CREATE TABLE IF NOT EXISTS statements (
    article_id TEXT NOT NULL, seq INTEGER NOT NULL, speaker TEXT NOT NULL,
    speaker_key TEXT NOT NULL, role TEXT NOT NULL, organisation TEXT NOT NULL,
    kind TEXT NOT NULL, verb TEXT NOT NULL, text TEXT NOT NULL, start_at INTEGER NOT NULL,
    end_at INTEGER NOT NULL, date TEXT, entry INTEGER, PRIMARY KEY (article_id, seq));
CREATE INDEX IF NOT EXISTS statements_speaker ON statements (speaker_key);
CREATE INDEX IF NOT EXISTS statements_date ON statements (date);
CREATE TABLE IF NOT EXISTS pending (
    article_id TEXT NOT NULL, generation INTEGER NOT NULL, chunks INTEGER NOT NULL,
    PRIMARY KEY (article_id, generation));
"""

_CHUNK_COLUMNS = (
    "c.id, c.article_id, c.position, c.start_at, c.end_at, c.text, "
    "a.source, a.key, a.path, a.title, a.date, a.url, a.chunks"
)
_ARTICLE_COLUMNS = (
    "id, generation, source, key, path, title, date, url, chunks, chars, dropped, indexed_at"
)


class StoreError(Exception):
    """A store problem the user can act on; the message says what to do."""


class StoreBusyError(StoreError):
    pass


@dataclass
class NewChunk:
    """A chunk to store: offsets into its article, its vector, its sentences and their vectors."""

    start: int
    end: int
    vector: np.ndarray
    spans: Sequence[tuple[int, int]]
    sentence_vectors: np.ndarray


@dataclass
class NewArticle:
    """An article to store with its chunks and statements; replaces whatever has its key."""

    id: str
    source: str
    key: str
    path: str
    title: str
    text: str
    date: str = ""
    url: str = ""
    dropped: int = 0
    chunks: list[NewChunk] = field(default_factory=list)
    statements: list[Any] = field(default_factory=list)
    # The file's size and mtime when it was read (index/loaders.fingerprint); "" if no file.
    fingerprint: str = ""


def _parse_url(url: str) -> tuple[dict[str, Any], str, str, str]:
    """``NEWSQA_CHROMA_URL`` as (HttpClient arguments, tenant, database, the URL shown without
    its token)."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url if "://" in url else f"http://{url}")
    names = [unquote(n) for n in parts.path.strip("/").split("/") if n]
    if parts.scheme not in {"http", "https"} or not parts.hostname or len(names) > 2:
        raise StoreError(
            f"NEWSQA_CHROMA_URL={url!r} is not http(s)://[token@]host:port[/[tenant/]database]"
        )
    tenant, database = (["default_tenant", "default_database"][: 2 - len(names)] + names)[-2:]
    ssl = parts.scheme == "https"
    token = unquote(parts.password or parts.username or "")
    server: dict[str, Any] = {
        "host": parts.hostname,
        "port": parts.port or (443 if ssl else 8000),
        "ssl": ssl,
        "headers": {"Authorization": f"Bearer {token}"} if token else None,
    }
    shown = url.replace(f"{token}@", "***@") if token else url
    return server, tenant, database, shown


def server_identity(url: str) -> str:
    """The server database a URL names, whatever its token: what a replica records."""
    server, tenant, database, _ = _parse_url(url)
    scheme = "https" if server["ssl"] else "http"
    return f"{scheme}://{server['host']}:{server['port']}/{tenant}/{database}"


def _make_client(path: Path, url: str | None = None) -> Any:
    """The Chroma client of a store (the one place a client is created): the Chroma directory
    inside the store, or with ``url`` (``NEWSQA_CHROMA_URL``) a Chroma server through
    ``HttpClient``, which is process-safe: any number of clients may read and write it at once.

    ``url`` is ``http(s)://[TOKEN@]host:port[/[tenant/]database]``: the database (created when
    missing; default ``default_database``) holds one store, and a token is sent as
    ``Authorization: Bearer`` for servers that require one (Chroma's token authentication, a
    distributed deployment behind its gateway)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if not url:
        return chromadb.PersistentClient(path=str(path / "chroma"), settings=settings)
    server, tenant, database, shown = _parse_url(url)
    try:
        if database != "default_database":
            admin = chromadb.AdminClient(
                ChromaSettings(
                    anonymized_telemetry=False,
                    chroma_api_impl="chromadb.api.fastapi.FastAPI",
                    chroma_server_host=server["host"],
                    chroma_server_http_port=server["port"],
                    chroma_server_ssl_enabled=server["ssl"],
                    chroma_server_headers=server["headers"],
                )
            )
            try:
                admin.get_database(database, tenant=tenant)
            except Exception:  # chromadb raises NotFoundError or ValueError by version
                admin.create_database(database, tenant=tenant)
        return chromadb.HttpClient(**server, settings=settings, tenant=tenant, database=database)
    except Exception as exc:  # the client checks the server at once (a heartbeat)
        raise StoreError(
            f"cannot use the Chroma server at {shown} (NEWSQA_CHROMA_URL): {exc}"
        ) from None


class ServerCatalog:
    """The server-side records of one store (one Chroma database): its catalogue, log and
    chunks, in the format of index/replica.py."""

    def __init__(self, client: Any, chunks: Any) -> None:
        self.chunks = chunks
        self.catalog = client.get_or_create_collection(replica.CATALOG, embedding_function=None)
        self.log = client.get_or_create_collection(replica.LOG, embedding_function=None)

    # Reading --------------------------------------------------------------------------
    def current(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The records of these keys (live or tombstones), by key."""
        out: dict[str, dict[str, Any]] = {}
        keys = list(dict.fromkeys(keys))
        for start in range(0, len(keys), replica.PAGE):
            ids = [replica.record_id(k) for k in keys[start : start + replica.PAGE]]
            got = self.catalog.get(ids=ids, include=["metadatas"])
            out.update((m["key"], m) for m in got["metadatas"])
        return out

    def records(self, since: int | None = None) -> Iterator[dict[str, Any]]:
        """Catalogue records (metadata only), all of them or those committed since ``since``."""
        where = {"at": {"$gte": since}} if since is not None else None
        offset = 0
        while True:
            got = self.catalog.get(
                where=where, include=["metadatas"], limit=replica.PAGE, offset=offset
            )
            yield from got["metadatas"]
            if len(got["ids"]) < replica.PAGE:
                return
            offset += replica.PAGE

    def articles(
        self, records: Sequence[dict[str, Any]]
    ) -> dict[str, tuple[str, list[tuple[Any, ...]]] | None]:
        """Live records' texts and chunks (start, end, spans, sentence vectors), by key, in a
        few requests; None for a record whose generation the server no longer holds whole
        (replaced meanwhile: a later record brings the new one)."""
        out: dict[str, tuple[str, list[tuple[Any, ...]]] | None] = {}
        for start in range(0, len(records), replica.PAGE // 10):
            part = records[start : start + replica.PAGE // 10]
            got = self.catalog.get(
                ids=[replica.record_id(r["key"]) for r in part], include=["documents", "metadatas"]
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
            for first in range(0, len(ids), replica.PAGE):
                chunks = self.chunks.get(
                    ids=ids[first : first + replica.PAGE], include=["metadatas"]
                )
                by_id.update(zip(chunks["ids"], chunks["metadatas"], strict=True))
            for r in part:
                mine = [f"{r['article_id']}:{int(r['generation'])}:{p}"
                        for p in range(int(r["chunks"]))]  # fmt: skip
                text = texts.get((r["key"], r["generation"]))
                whole = text is not None and all(i in by_id for i in mine)
                out[r["key"]] = (
                    (text or "", [replica.unpack_chunk(by_id[i]) for i in mine]) if whole else None
                )
        return out

    # Writing --------------------------------------------------------------------------
    def commit(self, records: Sequence[tuple[dict[str, Any], str | None]]) -> None:
        """Write catalogue records (metadata, text or None for a tombstone): the commit."""
        for start in range(0, len(records), replica.PAGE):
            part = records[start : start + replica.PAGE]
            self.catalog.upsert(
                ids=[replica.record_id(m["key"]) for m, _ in part],
                embeddings=[replica.NO_VECTOR] * len(part),
                metadatas=[m for m, _ in part],
                documents=[t if t is not None else "" for _, t in part],
            )

    def log_intents(self, entries: Sequence[tuple[str, int, int, str]], writer: str) -> None:
        """Log (article id, generation, chunks, key) as being written or replaced."""
        if entries:
            at = replica.now_us()
            self.log.upsert(
                ids=[f"{a}:{g}" for a, g, _, _ in entries],
                embeddings=[replica.NO_VECTOR] * len(entries),
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
        for start in range(0, len(ids), replica.PAGE):
            self.chunks.delete(ids=ids[start : start + replica.PAGE])

    def repair(self, writer: str) -> int:
        """Delete the chunks of every logged generation that is not its key's current one
        (this store directory's at once, another's after ``replica.GRACE``), then the log entries
        that are done. Returns how many generations were deleted."""
        got = self.log.get(include=["metadatas"])
        entries = got["metadatas"]
        if not entries:
            return 0
        current = self.current([e["key"] for e in entries])
        cutoff = replica.now_us() - int(replica.GRACE * 1e6)
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


def chunk_id(article_id: str, generation: int, position: int) -> str:
    return f"{article_id}:{generation}:{position}"


def _pack_spans(spans: Sequence[tuple[int, int]]) -> bytes:
    return np.asarray(spans, dtype="<i4").reshape(-1, 2).tobytes()


def _pack_vectors(vectors: np.ndarray) -> bytes:
    # float16: cosines within 1e-3 of float32, half the bytes.
    return np.asarray(vectors, dtype="<f2").tobytes()


def _unpack(spans: bytes, vectors: bytes) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.frombuffer(spans, dtype="<i4").reshape(-1, 2),
        np.frombuffer(vectors, dtype="<f2").astype(np.float32).reshape(-1, DIMENSIONS),
    )


def _insert_statements(conn: sqlite3.Connection, aid: str, found: Sequence[Any]) -> None:
    conn.executemany(
        "INSERT INTO statements VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (aid, i, s.speaker, s.speaker_key, s.role, s.organisation, s.kind, s.verb, s.text,
             s.start, s.end, s.date, s.entry)
            for i, s in enumerate(found)
        ],
    )  # fmt: skip


def _batches(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Store:
    """An open store. ``write=True`` creates it if needed, takes the writer lock (waiting up to
    ``wait`` seconds, telling ``on_wait`` why) and allows changes."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        write: bool = False,
        wait: float = 0.0,
        on_wait: Callable[[str], None] | None = None,
        chroma_url: str | None = None,
        sync_every: float = 0.0,
    ) -> None:
        self.path = Path(path).expanduser()
        # A Chroma server holding the store (NEWSQA_CHROMA_URL); this directory is its replica.
        self._chroma_url = chroma_url
        self.writable = write
        if write or chroma_url:  # a replica is made wherever it is first opened
            self.path.mkdir(parents=True, exist_ok=True)
        elif not (self.path / MANIFEST).exists():
            raise StoreError(
                f"no newsqa store at {self.path}: index some articles first with "
                f"`newsqa index PATH --store {self.path}`"
            )
        self._upgrade_from = 0
        self._check_manifest()
        self._writer: FileLock | None = None
        if write:
            self._take_writer_lock(wait, on_wait)
        # Serialises writers inside this process (the app runs handlers on threads); callers
        # hold it around a whole run. The indexer saves from a pipeline thread while its caller
        # holds write_lock, so the protocol steps take a lock of their own.
        self.write_lock = threading.RLock()
        self._protocol = threading.RLock()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._commit = ReadWriteLock(self.path / COMMIT_LOCK, is_singleton=False)
        self._chroma_guard = threading.Lock()
        self._client: Any = None
        self._collection: Any = None
        self._server: ServerCatalog | None = None
        self._publish_pending = False
        self._loaded_version = -1
        self._stop_sync = threading.Event()
        self._sync_thread: threading.Thread | None = None
        try:
            self._init_catalog()
            self._check_replica()
            if write:
                self.repair()
            if self._publish_pending:
                self._publish(on_wait)
            if self._upgrade_from:
                self._upgrade(on_wait)
            if chroma_url:
                self.sync(full=write)
        except BaseException:
            self.close()
            raise
        self.lexical = lexical.LexicalIndex(self._conn)
        if chroma_url and sync_every > 0:
            self._sync_thread = threading.Thread(
                target=self._sync_loop, args=(sync_every,), name="newsqa-sync", daemon=True
            )
            self._sync_thread.start()

    # Opening ----------------------------------------------------------------------------
    def _check_manifest(self) -> None:
        path = self.path / MANIFEST
        if not path.exists():
            manifest = {"schema": SCHEMA, "model": MODEL_NAME, "dimensions": DIMENSIONS}
            tmp = self.path / (MANIFEST + ".tmp")
            tmp.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
            tmp.replace(path)
            return
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise StoreError(f"the store manifest {path} is unreadable: {exc}") from exc
        if manifest.get("model") != MODEL_NAME:
            raise StoreError(
                f"the store at {self.path} was built with another embedding model "
                f"({manifest.get('model')}); index into a new --store"
            )
        if manifest.get("schema") == 2 and self.writable and not self._chroma_url:
            self._upgrade_from = 2  # upgraded in place once the writer lock is held
        elif manifest.get("schema") == 2:
            raise StoreError(
                f"the store at {self.path} was built by an older newsqa (store schema 2). "
                "Open it once for writing to upgrade it in place (no re-embedding): "
                f"`newsqa index PATH... --store {self.path}` or `newsqa serve --store "
                f"{self.path}`."
            )
        elif manifest.get("schema") != SCHEMA:
            raise StoreError(
                f"the store at {self.path} was built by another newsqa version (store schema "
                f"{manifest.get('schema')}, this version reads {SCHEMA}). Rebuild it: move the "
                f"directory aside and run `newsqa index PATH... --store {self.path}` again "
                "(articles are read from their files)."
            )

    def _take_writer_lock(self, wait: float, on_wait: Callable[[str], None] | None) -> None:
        lock = FileLock(self.path / WRITE_LOCK, is_singleton=False)
        info = self.path / WRITER_INFO
        try:
            lock.acquire(timeout=0)
        except Timeout:
            holder = ""
            with contextlib.suppress(OSError):
                holder = info.read_text(encoding="utf-8").strip()
            why = (
                f"the store {self.path} is being written by another newsqa process"
                f"{f' ({holder})' if holder else ''}; one process writes a store at a time"
            )
            if wait > 0:
                if on_wait:
                    on_wait(f"{why}: waiting up to {wait:.0f}s for it to finish")
                with contextlib.suppress(Timeout):
                    lock.acquire(timeout=wait)
            if not lock.is_locked:
                raise StoreBusyError(
                    f"{why}. Add articles through the running app's Articles tab, stop that "
                    "process, wait longer (NEWSQA_WRITE_WAIT), or use another store with "
                    "--store / NEWSQA_STORE."
                ) from None
        self._writer = lock
        since = time.strftime("%Y-%m-%d %H:%M:%S")
        info.write_text(f"pid {os.getpid()} since {since}: {' '.join(sys.argv)[:200]}", "utf-8")

    def _conn(self) -> sqlite3.Connection:
        """This thread's connection to the catalogue (SQLite connections are per thread)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path / CATALOG, isolation_level=None, timeout=60, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            self._local.conn = conn
            with self._connections_lock:
                self._connections.append(conn)
        return conn

    def _init_catalog(self) -> None:
        conn = self._conn()
        if self.writable or self._chroma_url:
            conn.executescript(_TABLES + lexical.SCHEMA)
            for key in ("version", "generation", "chunk_count"):
                conn.execute("INSERT OR IGNORE INTO meta VALUES (?, '0')", (key,))
            # Which store this is: a Chroma server database holds one store's vectors only.
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('store_id', ?)", (uuid.uuid4().hex,))
            self._add_columns(conn)
        elif conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles'").fetchone() is None:
            raise StoreError(f"the store at {self.path} is incomplete; re-index it")

    def _add_columns(self, conn: sqlite3.Connection) -> None:
        """Give a store made before them the articles' ``text_hash`` (the same story under
        another title is a duplicate) and ``fingerprint`` (an unchanged file is not read again)
        columns: one transaction, so a crash leaves the store as it was and the next writer
        adds them. Readers never need them. Texts are hashed once, here; fingerprints start
        empty and are filled by the next index run."""
        have = {row[1] for row in conn.execute("PRAGMA table_info(articles)")}
        if {"text_hash", "fingerprint"} <= have:
            conn.execute("CREATE INDEX IF NOT EXISTS articles_text ON articles (text_hash)")
            conn.execute("CREATE INDEX IF NOT EXISTS articles_path ON articles (path)")
            return
        with self._transaction():
            for column in ("text_hash", "fingerprint"):
                if column not in have:
                    conn.execute(
                        f"ALTER TABLE articles ADD COLUMN {column} TEXT NOT NULL DEFAULT ''"
                    )
            rows = conn.execute("SELECT id, text FROM articles WHERE text_hash = ''").fetchall()
            conn.executemany(
                "UPDATE articles SET text_hash = ? WHERE id = ?",
                [(content_hash(text), aid) for aid, text in rows],
            )
            faults.point("columns.transaction")
            conn.execute("CREATE INDEX IF NOT EXISTS articles_text ON articles (text_hash)")
            conn.execute("CREATE INDEX IF NOT EXISTS articles_path ON articles (path)")

    def _check_replica(self) -> None:
        """A store directory follows one Chroma server database, or none: its articles are
        that server's (or its own Chroma directory's), never a mix."""
        conn = self._conn()
        row = conn.execute("SELECT value FROM meta WHERE key = 'server'").fetchone()
        attached = row[0] if row else ""
        if not self._chroma_url:
            if attached:
                raise StoreError(
                    f"the store {self.path} is a replica of the Chroma server database "
                    f"{attached}: set NEWSQA_CHROMA_URL to that server, or use another --store"
                )
            return
        mine = server_identity(self._chroma_url)
        if attached == mine:
            return
        if attached == PUBLISHING + mine and self.writable:
            self._publish_pending = True  # an interrupted publish goes on
            return
        if attached and attached != PUBLISHING + mine:
            raise StoreError(
                f"the store {self.path} holds the articles of the Chroma server database "
                f"{attached}, not of {mine} (NEWSQA_CHROMA_URL): point NEWSQA_STORE at a new "
                "directory for that server (it fills itself from the server)"
            )
        if not self.count():
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('server', ?)", (mine,))
            return
        # A directory of its own articles meets a server: they are published to it once,
        # vectors and all (nothing is embedded again), if the server holds no store yet.
        if not self.writable:
            raise StoreError(
                f"the store {self.path} holds articles of its own, not yet on {mine} "
                "(NEWSQA_CHROMA_URL): open it once for writing (`newsqa index` or `newsqa "
                "serve` with the same settings) to publish them there"
            )
        if not attached and next(self._server_catalog().records(), None) is not None:
            raise StoreError(
                f"the store {self.path} holds articles of its own and the Chroma server "
                f"database {mine} (NEWSQA_CHROMA_URL) holds another store's: give this store a "
                "database of its own (http://host:port/DATABASE), point NEWSQA_STORE at a new "
                "directory to follow that server's store, or unset NEWSQA_CHROMA_URL"
            )
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('server', ?)", (PUBLISHING + mine,))
        self._publish_pending = True

    def _publish(self, notify: Callable[[str], None] | None) -> None:
        """Publish this directory's own articles to its (empty) server database through the
        server's write protocol, each with its stored chunk and sentence vectors: the local
        Chroma directory's, or, for a store that kept only its vectors on the server, the
        server's (whose old ids then go). Resumable: articles already on the server are
        skipped, and the directory is a replica only once the last batch is written."""
        from newsqa.index.articles import Article
        from newsqa.index.indexer import _statements  # imported here: indexer imports store

        server = self._server_catalog()
        own_dir = self.path / "chroma"
        if own_dir.exists():
            source = _make_client(self.path).get_collection(CHUNKS, embedding_function=None)
        else:
            source = self._chroma()
        done = {r["article_id"] for r in server.records() if not r["deleted"]}
        conn = self._conn()
        todo = [a for (a,) in conn.execute("SELECT id FROM articles ORDER BY id") if a not in done]
        if notify and todo:
            shown = _parse_url(self._chroma_url or "")[3]
            notify(f"publishing {len(todo)} articles of {self.path} to {shown}")
        cols = "id, source, key, path, title, text, date, url, dropped, fingerprint"
        for part in _batches(todo, PUBLISH_BATCH):
            marks = ",".join("?" * len(part))
            rows = conn.execute(f"SELECT {cols} FROM articles WHERE id IN ({marks})", part)
            chunks: dict[str, list[tuple[Any, ...]]] = {}
            for row in conn.execute(
                "SELECT id, article_id, start_at, end_at, spans, vectors FROM chunks WHERE "
                f"article_id IN ({marks}) ORDER BY article_id, position",
                part,
            ):
                chunks.setdefault(row[1], []).append(row)
            ids = [c[0] for cs in chunks.values() for c in cs]
            vectors: dict[str, Any] = {}
            for ids_part in _batches(ids):
                got = source.get(ids=list(ids_part), include=["embeddings"])
                vectors.update(zip(got["ids"], got["embeddings"], strict=True))
            group = []
            for aid, src, key, path, title, text, day, url, dropped, fp in rows.fetchall():
                new = []
                for cid, _, start, end, spans, sv in chunks.get(aid, []):
                    span_rows, sentence_vectors = _unpack(spans, sv)
                    new.append(
                        NewChunk(start, end, np.asarray(vectors[cid], dtype=np.float32),
                                 [(int(a), int(b)) for a, b in span_rows], sentence_vectors)
                    )  # fmt: skip
                article = Article(src, key, path, title, text, day, url)
                group.append(
                    NewArticle(aid, src, key, path, title, text, day, url, dropped, new,
                               _statements(article), fp)
                )  # fmt: skip
            self._save_server(group)
            if not own_dir.exists():
                with self._writing() as collection:
                    for ids_part in _batches(ids):
                        collection.delete(ids=list(ids_part))
            faults.point("publish.batch")
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO meta VALUES ('server', ?)",
                (server_identity(self._chroma_url or ""),),
            )
        self._publish_pending = False
        if own_dir.exists():
            import shutil

            shutil.rmtree(own_dir, ignore_errors=True)
        if notify and todo:
            notify(f"published: {self.count()} articles, {self.chunk_count()} chunks")

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _meta(self, key: str) -> int:
        row = self._conn().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return int(row[0]) if row else 0

    @property
    def version(self) -> int:
        """Bumped by every commit, so readers know when what they loaded is stale."""
        return self._meta("version")

    @property
    def statements_version(self) -> int:
        """The statement extractor's version the stored statements come from (0: unknown)."""
        return self._meta("statements_version")

    def replace_statements(
        self, by_article: dict[str, Sequence[Any]], version: int | None = None
    ) -> None:
        """Replace the statements of these articles and, when given, record the extractor
        ``version``, in one transaction."""
        self._require_write()
        with self._protocol, self._transaction() as conn:
            for aid, found in by_article.items():
                conn.execute("DELETE FROM statements WHERE article_id = ?", (aid,))
                _insert_statements(conn, aid, found)
            faults.point("statements.transaction")
            if version is not None:
                conn.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('statements_version', ?)", (str(version),)
                )
            conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'version'")

    def _require_write(self) -> None:
        if not self.writable:
            raise StoreError("this store was opened read-only")

    # Chroma -----------------------------------------------------------------------------
    def _chroma(self) -> Any:
        """The chunk collection, (re)opened as needed; call with the commit lock held."""
        # A writer's client is the authority, and a server's clients always see its state.
        current = self.writable or self._chroma_url or self._loaded_version == self.version
        if self._collection is not None and current:
            return self._collection
        if self._client is not None and not self.writable:
            # Another process wrote since this client loaded its index: a new client in this
            # process would reuse the cached one, so the cache goes first (chroma#3792).
            from chromadb.api.shared_system_client import SharedSystemClient

            SharedSystemClient.clear_system_cache()
        self._loaded_version = self.version
        self._client = _make_client(self.path, self._chroma_url)
        # No embedding function: vectors always come from index.embedding, never Chroma's
        # default (which would try to download a model).
        if self.writable or self._chroma_url:
            self._collection = self._client.get_or_create_collection(
                CHUNKS, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
            )
        else:
            try:
                self._collection = self._client.get_collection(CHUNKS, embedding_function=None)
            except Exception as exc:  # chromadb raises NotFoundError or ValueError by version
                raise StoreError(
                    f"the store at {self.path} is incomplete ({exc}); re-index it"
                ) from exc
        if self._chroma_url:
            self._server = ServerCatalog(self._client, self._collection)
        return self._collection

    def _server_catalog(self) -> ServerCatalog:
        """The server's records of this store (``NEWSQA_CHROMA_URL`` only)."""
        if self._server is None:
            with self._chroma_guard:
                self._chroma()
        assert self._server is not None
        return self._server

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Any]:
        """The collection for a read: in the writer's process or from a Chroma server directly,
        elsewhere under the shared commit lock."""
        if self.writable or self._chroma_url:
            if self._collection is None:
                with self._chroma_guard:
                    self._chroma()
            yield self._collection
            return
        with self._chroma_guard:
            try:
                with self._commit.read_lock(timeout=READ_WAIT):
                    yield self._chroma()
            except Timeout:
                raise StoreBusyError(
                    f"the store {self.path} was being written for over {READ_WAIT:.0f}s; try again"
                ) from None

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Any]:
        with self._chroma_guard:
            if self._chroma_url:  # the server serialises its clients' writes itself
                yield self._chroma()
                return
            with self._commit.write_lock():
                yield self._chroma()

    def _delete_vectors(self, entries: Sequence[tuple[str, int, int]]) -> None:
        ids = [chunk_id(a, g, p) for a, g, n in entries for p in range(n)]
        if not ids:
            return
        with self._writing() as collection:
            for part in _batches(ids):
                collection.delete(ids=list(part))

    def dense_search(
        self, vector: np.ndarray, k: int, *, since: str | None = None, until: str | None = None
    ) -> list[tuple[str, float]]:
        """The ``k`` nearest committed chunks to ``vector``: (chunk id, cosine) best first.
        With ``since``/``until`` (ISO days, inclusive) only chunks of articles dated in that
        range: the catalogue names the articles, Chroma searches among their chunks."""
        if k <= 0 or self.chunk_count() == 0:
            return []
        where = None
        if since or until:
            # Candidate ids from the catalogue rather than a date in Chroma's metadata: stores
            # written before the range existed need no rewrite, and Chroma compares no strings.
            ids = self.articles_dated(since, until)
            if not ids:
                return []
            chunk_ids = self._chunk_ids(ids, EXACT_SEARCH_CHUNKS + 1)
            if len(chunk_ids) <= EXACT_SEARCH_CHUNKS:
                return self._exact_search(vector, k, chunk_ids)
            where = {"article_id": {"$in": ids}}
        with self._reading() as collection:
            got = collection.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32)],
                n_results=k,
                where=where,
                include=["distances"],
            )
        hits = list(zip(got["ids"][0], got["distances"][0], strict=True))
        committed = self._existing([cid for cid, _ in hits])
        return [(cid, 1.0 - d) for cid, d in hits if cid in committed]

    def _chunk_ids(self, article_ids: Sequence[str], limit: int) -> list[str]:
        """Up to ``limit`` chunk ids of these articles (a lookup by the chunks' article index)."""
        out: list[str] = []
        for part in _batches(list(article_ids)):
            marks = ",".join("?" * len(part))
            got = self._conn().execute(
                f"SELECT id FROM chunks WHERE article_id IN ({marks}) LIMIT ?",
                [*part, limit - len(out)],
            )
            out += [r[0] for r in got]
            if len(out) >= limit:
                break
        return out

    def _exact_search(
        self, vector: np.ndarray, k: int, chunk_ids: Sequence[str]
    ) -> list[tuple[str, float]]:
        """Cosines against a few chunks' vectors fetched by id: exact, and faster than Chroma's
        filtered query for a narrow date range (at 10 chunks 2 ms against 12 ms)."""
        with self._reading() as collection:
            got = collection.get(ids=list(chunk_ids), include=["embeddings"])
        if not len(got["ids"]):
            return []
        vectors = np.asarray(got["embeddings"], dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        query = np.asarray(vector, dtype=np.float32)
        sims = vectors @ (query / max(float(np.linalg.norm(query)), 1e-12))
        order = np.argsort(-sims, kind="stable")[:k]
        committed = self._existing([got["ids"][i] for i in order])
        return [(got["ids"][i], float(sims[i])) for i in order if got["ids"][i] in committed]

    def dense_ids(self) -> set[str]:
        """Every chunk id in Chroma: a full scan, for tests and checks only."""
        with self._reading() as collection:
            return set(collection.get(include=[])["ids"])

    # Reading ----------------------------------------------------------------------------
    def _existing(self, ids: Sequence[str]) -> set[str]:
        out: set[str] = set()
        for part in _batches(list(ids)):
            marks = ",".join("?" * len(part))
            got = self._conn().execute(f"SELECT id FROM chunks WHERE id IN ({marks})", part)
            out.update(r[0] for r in got)
        return out

    def articles(self) -> list[ArticleRecord]:
        """Every article's catalogue record."""
        got = self._conn().execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY source")
        return [ArticleRecord(*row) for row in got]

    def find_articles(
        self, *, ids: Sequence[str] = (), keys: Sequence[str] = (), sources: Sequence[str] = ()
    ) -> list[ArticleRecord]:
        """The articles with any of these ids or keys, or whose source or key is one of
        ``sources`` or starts with one of them followed by "#" (the n-th article of a JSON
        file): lookups by index, whatever the size of the store."""
        found: dict[str, ArticleRecord] = {}
        conn = self._conn()
        for column, values in (("id", ids), ("key", keys), ("source", sources), ("key", sources)):
            for part in _batches(list(dict.fromkeys(values))):
                marks = ",".join("?" * len(part))
                got = conn.execute(
                    f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE {column} IN ({marks})", part
                )
                found.update((row[0], ArticleRecord(*row)) for row in got)
        for value in dict.fromkeys(sources):
            for column in ("source", "key"):
                # "path#0", "path#1", ...: the range "path#" <= x < "path$" ("$" follows "#").
                got = conn.execute(
                    f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE {column} >= ? AND {column} < ?",
                    (value + "#", value + "$"),
                )
                found.update((row[0], ArticleRecord(*row)) for row in got)
        return list(found.values())

    def by_text_hash(self, hashes: Sequence[str]) -> dict[str, ArticleRecord]:
        """An indexed article with each of these text hashes (``Article.text_hash``)."""
        found: dict[str, ArticleRecord] = {}
        for part in _batches(list(dict.fromkeys(hashes))):
            marks = ",".join("?" * len(part))
            got = self._conn().execute(
                f"SELECT text_hash, {_ARTICLE_COLUMNS} FROM articles WHERE text_hash IN ({marks})",
                part,
            )
            found.update((row[0], ArticleRecord(*row[1:])) for row in got)
        return found

    def fingerprints(self, paths: Sequence[str]) -> dict[str, list[tuple[str, str, str]]]:
        """For each of these file paths (resolved), its articles' (id, key, fingerprint)."""
        found: dict[str, list[tuple[str, str, str]]] = {}
        for part in _batches(list(dict.fromkeys(paths))):
            marks = ",".join("?" * len(part))
            got = self._conn().execute(
                f"SELECT path, id, key, fingerprint FROM articles WHERE path IN ({marks})", part
            )
            for path, aid, key, fp in got:
                found.setdefault(path, []).append((aid, key, fp))
        return found

    def record_unchanged(
        self,
        pairs: Sequence[tuple[str, str]],
        dates: Sequence[tuple[str, str, Sequence[Any]]] = (),
    ) -> None:
        """Record (article id, fingerprint) pairs: files touched but not changed; and (article
        id, date, statements) of unchanged articles a newer loader dates otherwise. One
        transaction; a crash before it commits only means those files are read once more."""
        self._require_write()
        if not pairs and not dates:
            return
        if self._chroma_url and dates:
            # The new date is the article's on the server too (a fingerprint is this
            # machine's own): its record, rewritten whole, is the commit.
            server, writer, at = self._server_catalog(), self._replica_id(), replica.now_us()
            local = self._local_records([aid for aid, _, _ in dates])
            texts = self.article_texts(list(local))
            server.commit(
                [
                    (replica.article_record({**local[aid], "date": day}, at, writer), texts[aid])
                    for aid, day, _ in dates
                    if aid in local
                ]
            )
        with self._protocol, self._transaction() as conn:
            conn.executemany(
                "UPDATE articles SET fingerprint = ? WHERE id = ?", [(f, a) for a, f in pairs]
            )
            for aid, day, found in dates:
                conn.execute("UPDATE articles SET date = ? WHERE id = ?", (day, aid))
                conn.execute("DELETE FROM statements WHERE article_id = ?", (aid,))
                _insert_statements(conn, aid, found)
            faults.point("fingerprint.transaction")
            if dates:
                conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'version'")

    def articles_dated(self, since: str | None = None, until: str | None = None) -> list[str]:
        """The ids of the articles dated from ``since`` to ``until`` (ISO days, inclusive; either
        may be None). An undated article is never in a range. Dates are ISO, so they compare as
        text through the ``articles_date`` index; "~" sorts after any time of the last day."""
        got = self._conn().execute(
            "SELECT id FROM articles WHERE date >= ? AND date <= ? AND date != ''",
            (since or "0000-01-01", (until or "9999-12-31") + "~"),
        )
        return [r[0] for r in got]

    def article_records(self) -> list[dict[str, Any]]:
        """Every article's record as a dict (``id``, ``source``, ``title``, ``chunks``, ...)."""
        return [asdict(r) for r in self.articles()]

    def article_texts(self, ids: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for part in _batches(list(ids)):
            marks = ",".join("?" * len(part))
            got = self._conn().execute(f"SELECT id, text FROM articles WHERE id IN ({marks})", part)
            out.update(got.fetchall())
        return out

    def count(self) -> int:
        """Articles in the store."""
        return int(self._conn().execute("SELECT count(*) FROM articles").fetchone()[0])

    def chunk_count(self) -> int:
        """Chunks in the store (kept in the catalogue, so counting scans nothing)."""
        return self._meta("chunk_count")

    def chunks_by_ids(self, ids: Sequence[str]) -> list[ChunkRecord]:
        """The committed chunks among ``ids``, in the order given."""
        found: dict[str, ChunkRecord] = {}
        for part in _batches(list(ids)):
            marks = ",".join("?" * len(part))
            got = self._conn().execute(
                f"SELECT {_CHUNK_COLUMNS} FROM chunks c JOIN articles a ON a.id = c.article_id "
                f"WHERE c.id IN ({marks})",
                part,
            )
            found.update((row[0], ChunkRecord(*row)) for row in got)
        return [found[i] for i in ids if i in found]

    def article_chunks(self, article_ids: Sequence[str]) -> list[ChunkRecord]:
        """All chunks of the given articles, each article's in order."""
        out: list[ChunkRecord] = []
        for aid in dict.fromkeys(article_ids):
            got = self._conn().execute(
                f"SELECT {_CHUNK_COLUMNS} FROM chunks c JOIN articles a ON a.id = c.article_id "
                "WHERE c.article_id = ? ORDER BY c.position",
                (aid,),
            )
            out += [ChunkRecord(*row) for row in got]
        return out

    def sentences(self, chunk_ids: Sequence[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Each chunk's sentences: spans (n, 2) as article offsets, and their vectors (n, D)."""
        out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for part in _batches(list(dict.fromkeys(chunk_ids))):
            marks = ",".join("?" * len(part))
            got = self._conn().execute(
                f"SELECT id, spans, vectors FROM chunks WHERE id IN ({marks})", part
            )
            out.update((cid, _unpack(spans, vectors)) for cid, spans, vectors in got)
        return out

    def statements(
        self,
        speaker: str | None = None,
        since: str | None = None,
        until: str | None = None,
        article_ids: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Statements, with their article's source, title and date; ``speaker`` matches the
        speaker key or name (case-insensitive), ``since``/``until`` the ISO date (inclusive)."""
        where, args = [], []
        if speaker:
            where.append("(s.speaker_key = ? OR lower(s.speaker) = lower(?))")
            args += [speaker, speaker]
        if since:
            where.append("s.date >= ?")
            args.append(since)
        if until:
            where.append("s.date <= ?")
            args.append(until)
        if article_ids is not None:
            ids = list(article_ids)
            if not ids:
                return []
            where.append(f"s.article_id IN ({','.join('?' * len(ids))})")
            args += ids
        sql = (
            "SELECT s.article_id, s.speaker, s.speaker_key, s.role, s.organisation, s.kind, "
            "s.verb, s.text, s.start_at, s.end_at, s.date, s.entry, a.source, a.title, "
            "a.date FROM statements s JOIN articles a ON a.id = s.article_id"
            + (f" WHERE {' AND '.join(where)}" if where else "")
            + " ORDER BY s.date, a.source, s.seq"
        )
        keys = (
            "article_id speaker speaker_key role organisation kind verb text start end date "
            "entry source title published"
        ).split()
        return [dict(zip(keys, row, strict=True)) for row in self._conn().execute(sql, args)]

    # Following a Chroma server ---------------------------------------------------------
    def sync(self, full: bool = False) -> int:
        """Bring this replica up to date with its Chroma server (``NEWSQA_CHROMA_URL``): apply
        every catalogue record committed since the last sync (``full``: every record, and drop
        what the server no longer holds). Idempotent; each article is one local transaction.
        Returns how many articles changed here. Without a server, nothing to do."""
        if not self._chroma_url:
            return 0
        server = self._server_catalog()
        seen = self._meta("server_at")
        since = None if full or not seen else seen - int(replica.SKEW * 1e6)
        records = sorted(server.records(since), key=lambda r: (r["at"], r["deleted"]))
        changed = 0
        with self._protocol:
            for page in _batches(records, replica.PAGE):
                # What this page needs from the server, fetched in a few requests.
                need = [r for r in page if self._needs_fetch(r)]
                fetched = server.articles(need) if need else {}
                for record in page:
                    changed += self._apply(server, record, fetched)
            if full:
                live = {r["key"] for r in records if not r["deleted"]}
                gone = [
                    aid
                    for aid, key in self._conn().execute("SELECT id, key FROM articles")
                    if key not in live
                ]
                if gone:
                    with self._transaction() as conn:
                        for aid in gone:
                            self._delete_article(conn, aid, log=False)
                        conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'version'")
                    changed += len(gone)
            newest = max((int(r["at"]) for r in records), default=0)
            if newest > seen:
                with self._transaction() as conn:
                    conn.execute(
                        "INSERT OR REPLACE INTO meta VALUES ('server_at', ?)", (str(newest),)
                    )
        return changed

    def _needs_fetch(self, r: dict[str, Any]) -> bool:
        """A live record whose generation this replica does not hold yet."""
        if r["deleted"]:
            return False
        row = (
            self._conn()
            .execute("SELECT generation FROM articles WHERE id = ?", (r["article_id"],))
            .fetchone()
        )
        return row is None or int(row[0]) != int(r["generation"])

    def _apply(
        self,
        server: ServerCatalog,
        r: dict[str, Any],
        fetched: dict[str, tuple[str, list[tuple[Any, ...]]] | None] | None = None,
    ) -> int:
        """Apply one catalogue record here (its text and chunks from ``fetched`` when there);
        1 if anything changed."""
        from newsqa.index.articles import Article
        from newsqa.index.indexer import _statements  # imported here: indexer imports store

        conn = self._conn()
        key, aid, gen = r["key"], r["article_id"], int(r["generation"])
        fields = ("source", "key", "path", "title", "date", "url")
        if r["deleted"]:
            if not conn.execute("SELECT 1 FROM articles WHERE key = ?", (key,)).fetchone():
                return 0
            with self._transaction() as conn:
                for (rid,) in conn.execute("SELECT id FROM articles WHERE key = ?", (key,)):
                    self._delete_article(conn, rid, log=False)
                conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'version'")
            return 1
        row = conn.execute(
            f"SELECT generation, {', '.join(fields)}, text FROM articles WHERE id = ?", (aid,)
        ).fetchone()
        if row is not None and int(row[0]) == gen:
            if tuple(row[1:7]) == tuple(r[f] for f in fields):
                return 0
            # The same article under a new source or date: its row, and its statements
            # (they carry dates), change; nothing is fetched.
            article = Article(*(r[f] for f in fields[:4]), row[7], r["date"], r["url"])
            with self._transaction() as conn:
                for (rid,) in conn.execute(
                    "SELECT id FROM articles WHERE key = ? AND id != ?", (key, aid)
                ).fetchall():
                    self._delete_article(conn, rid, log=False)
                conn.execute(
                    "UPDATE articles SET source = ?, key = ?, path = ?, title = ?, date = ?, "
                    "url = ? WHERE id = ?",
                    (*(r[f] for f in fields), aid),
                )
                conn.execute("DELETE FROM statements WHERE article_id = ?", (aid,))
                _insert_statements(conn, aid, _statements(article))
                conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'version'")
            return 1
        fetched = fetched or {}
        got = fetched[key] if key in fetched else server.articles([r])[key]
        if got is None:
            return 0  # replaced on the server meanwhile: a later record brings the new one
        text, chunks = got
        article = Article(*(r[f] for f in fields[:4]), text, r["date"], r["url"])
        new = NewArticle(
            aid, r["source"], key, r["path"], r["title"], text, r["date"], r["url"],
            int(r["dropped"]),
            [NewChunk(a, b, np.zeros(0), spans, vectors) for a, b, spans, vectors in chunks],
            _statements(article),
        )  # fmt: skip
        with self._transaction() as conn:
            for (rid,) in conn.execute(
                "SELECT id FROM articles WHERE key = ? OR id = ?", (key, aid)
            ).fetchall():
                self._delete_article(conn, rid, log=False)
            self._insert_article(conn, new, gen, r["indexed_at"])
            conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'version'")
        return 1

    def _sync_loop(self, every: float) -> None:
        """A long-lived process (the app) follows the server every ``every`` seconds."""
        shown = _parse_url(self._chroma_url)[3] if self._chroma_url else ""  # no token shown
        failing = False
        while not self._stop_sync.wait(every):
            try:
                self.sync()
            except Exception as exc:  # a server hiccup: the next round tries again
                if not failing:  # said once, not every round while the server is away
                    log.warning("following %s failed (retrying every %gs): %s", shown, every, exc)
                failing = True
            else:
                if failing:
                    log.warning("following %s again", shown)
                failing = False

    # Writing ----------------------------------------------------------------------------
    def save(self, articles: Sequence[NewArticle]) -> None:
        """Store articles, each replacing the article with its key or id (the protocol above)."""
        self._require_write()
        if not articles:
            return
        with self._protocol:
            try:
                (self._save_server if self._chroma_url else self._save)(articles)
            except BaseException:
                self._after_failure()
                raise

    def _after_failure(self) -> None:
        """Repair what a failed write left; a replica then takes what the server committed."""
        with contextlib.suppress(Exception):
            self.repair()
        if self._chroma_url:
            with contextlib.suppress(Exception):
                self.sync()

    def _save(self, articles: Sequence[NewArticle]) -> None:
        with self._transaction() as conn:
            first = self._meta("generation") + 1
            gens = list(range(first, first + len(articles)))
            conn.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (str(gens[-1]),))
            conn.executemany(
                "INSERT INTO pending VALUES (?, ?, ?)",
                [(a.id, g, len(a.chunks)) for a, g in zip(articles, gens, strict=True)],
            )
        faults.point("save.intent")
        self._upsert_chunks(articles, gens)
        faults.point("save.chroma")
        now = time.strftime("%Y-%m-%dT%H:%M:%S")
        with self._transaction() as conn:
            old: list[tuple[str, int, int]] = []
            for a, g in zip(articles, gens, strict=True):
                replaced = conn.execute(
                    "SELECT id FROM articles WHERE key = ? OR id = ?", (a.key, a.id)
                ).fetchall()
                for (rid,) in replaced:
                    old.append(self._delete_article(conn, rid))
                self._insert_article(conn, a, g, now)
            faults.point("save.transaction")
            self._finish_commit(conn, old, [(a.id, g) for a, g in zip(articles, gens, strict=True)])
        faults.point("save.committed")
        self._delete_vectors(old)
        faults.point("save.cleaned")
        self._clear_pending(old)

    def _save_server(self, articles: Sequence[NewArticle]) -> None:
        """``save`` on a Chroma server: its protocol (index/replica.py) with the key's
        catalogue record as the commit, then this replica applies the commit."""
        server = self._server_catalog()
        writer = self._replica_id()
        first = max(self._meta("generation") + 1, replica.now_us())
        gens = list(range(first, first + len(articles)))
        with self._transaction() as conn:
            conn.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (str(gens[-1]),))
        conn = self._conn()
        # What each replaces: its key's record, and the same article under another key.
        others = [
            k
            for a in articles
            for (k,) in conn.execute("SELECT key FROM articles WHERE id = ? AND key != ?",
                                     (a.id, a.key))
        ]  # fmt: skip
        current = server.current([a.key for a in articles] + others)
        replaced = [r for r in current.values() if not r["deleted"]]
        intents = [(a.id, g, len(a.chunks), a.key) for a, g in zip(articles, gens, strict=True)]
        intents += [(r["article_id"], int(r["generation"]), int(r["chunks"]), r["key"])
                    for r in replaced]  # fmt: skip
        server.log_intents(intents, writer)
        faults.point("save.intent")
        self._upsert_chunks(articles, gens)
        faults.point("save.chroma")
        now, at = time.strftime("%Y-%m-%dT%H:%M:%S"), replica.now_us()
        records: list[tuple[dict[str, Any], str | None]] = []
        for a, g in zip(articles, gens, strict=True):
            fields = {
                "id": a.id, "generation": g, "source": a.source, "key": a.key, "path": a.path,
                "title": a.title, "date": a.date, "url": a.url, "dropped": a.dropped,
                "chunks": len(a.chunks), "indexed_at": now,
            }  # fmt: skip
            records.append((replica.article_record(fields, at, writer), a.text))
        records += [(replica.tombstone(current[k], at, writer), None)
                    for k in others if k in current and not current[k]["deleted"]]  # fmt: skip
        faults.point("save.transaction")
        server.commit(records)
        faults.point("save.committed")
        with self._transaction() as conn:
            for a, g in zip(articles, gens, strict=True):
                replaced_here = conn.execute(
                    "SELECT id FROM articles WHERE key = ? OR id = ?", (a.key, a.id)
                ).fetchall()
                for (rid,) in replaced_here:
                    self._delete_article(conn, rid, log=False)
                self._insert_article(conn, a, g, now)
            conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'version'")
        server.delete_chunks([(a, g, n) for a, g, n, _ in intents[len(articles) :]])
        faults.point("save.cleaned")
        server.clear([(a, g) for a, g, _, _ in intents])

    def _replica_id(self) -> str:
        row = self._conn().execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()
        return str(row[0]) if row else ""

    def _upsert_chunks(self, articles: Sequence[NewArticle], gens: Sequence[int]) -> None:
        """Step 2 of either write protocol: the new generations' chunk vectors and texts into
        Chroma; on a server also what a replica needs of each chunk (replica.chunk_metadata)."""
        ids, vectors, docs, metas = [], [], [], []
        for a, g in zip(articles, gens, strict=True):
            for pos, c in enumerate(a.chunks):
                ids.append(chunk_id(a.id, g, pos))
                vectors.append(np.asarray(c.vector, dtype=np.float32))
                docs.append(a.text[c.start : c.end])
                metas.append(
                    replica.chunk_metadata(a.id, g, pos, c.start, c.end, c.spans,
                                           c.sentence_vectors)
                    if self._chroma_url
                    else {"article_id": a.id, "generation": g}
                )  # fmt: skip
        with self._writing() as collection:
            for part in range(0, len(ids), BATCH):
                end = part + BATCH
                collection.upsert(
                    ids=ids[part:end],
                    embeddings=vectors[part:end],
                    documents=docs[part:end],
                    metadatas=metas[part:end],
                )

    def _insert_article(self, conn: sqlite3.Connection, a: NewArticle, gen: int, now: str) -> None:
        conn.execute(
            f"INSERT INTO articles ({_ARTICLE_COLUMNS}, text, text_hash, fingerprint) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (a.id, gen, a.source, a.key, a.path, a.title, a.date, a.url, len(a.chunks),
             len(a.text), a.dropped, now, a.text, content_hash(a.text), a.fingerprint),
        )  # fmt: skip
        fts = []
        for pos, c in enumerate(a.chunks):
            text = a.text[c.start : c.end]
            cur = conn.execute(
                "INSERT INTO chunks (id, article_id, position, start_at, end_at, text, spans, "
                "vectors) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (chunk_id(a.id, gen, pos), a.id, pos, c.start, c.end, text,
                 _pack_spans(c.spans), _pack_vectors(c.sentence_vectors)),
            )  # fmt: skip
            fts.append((cur.lastrowid, lexical.body(a.title, text)))
        lexical.insert_rows(conn, fts)
        _insert_statements(conn, a.id, a.statements)
        conn.execute(
            "UPDATE meta SET value = value + ? WHERE key = 'chunk_count'", (len(a.chunks),)
        )

    def _delete_article(
        self, conn: sqlite3.Connection, aid: str, log: bool = True
    ) -> tuple[str, int, int]:
        """Delete an article's rows (inside a transaction); log its vectors as pending unless
        a Chroma server's log keeps them (``log=False``)."""
        gen, n = conn.execute(
            "SELECT generation, chunks FROM articles WHERE id = ?", (aid,)
        ).fetchone()
        got = conn.execute("SELECT rowid FROM chunks WHERE article_id = ?", (aid,))
        rowids = [r[0] for r in got]
        lexical.delete_rows(conn, rowids)
        conn.execute("DELETE FROM chunks WHERE article_id = ?", (aid,))
        conn.execute("DELETE FROM statements WHERE article_id = ?", (aid,))
        conn.execute("DELETE FROM articles WHERE id = ?", (aid,))
        if log:
            conn.execute("INSERT OR REPLACE INTO pending VALUES (?, ?, ?)", (aid, gen, n))
        conn.execute("UPDATE meta SET value = value - ? WHERE key = 'chunk_count'", (len(rowids),))
        return aid, gen, n

    def _finish_commit(
        self,
        conn: sqlite3.Connection,
        old: Sequence[tuple[str, int, int]],
        new: Sequence[tuple[str, int]],
    ) -> None:
        conn.executemany("DELETE FROM pending WHERE article_id = ? AND generation = ?", new)
        conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'version'")

    def _clear_pending(self, entries: Sequence[tuple[str, int, int]]) -> None:
        if entries:
            with self._transaction() as conn:
                conn.executemany(
                    "DELETE FROM pending WHERE article_id = ? AND generation = ?",
                    [(a, g) for a, g, _ in entries],
                )

    def delete_articles(self, article_ids: Sequence[str]) -> None:
        """Remove articles with everything stored for them."""
        self._require_write()
        if self._chroma_url:
            with self._protocol:
                try:
                    self._delete_server(article_ids)
                except BaseException:
                    self._after_failure()
                    raise
            return
        with self._protocol:
            try:
                with self._transaction() as conn:
                    old = [
                        self._delete_article(conn, aid)
                        for aid in dict.fromkeys(article_ids)
                        if conn.execute("SELECT 1 FROM articles WHERE id = ?", (aid,)).fetchone()
                    ]
                    faults.point("remove.transaction")
                    self._finish_commit(conn, old, [])
                faults.point("remove.committed")
                self._delete_vectors(old)
                faults.point("remove.cleaned")
                self._clear_pending(old)
            except BaseException:
                with contextlib.suppress(Exception):
                    self.repair()
                raise

    def _local_records(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """These articles' catalogue rows as server record fields, by id."""
        cols = "id, generation, source, key, path, title, date, url, dropped, chunks, indexed_at"
        out: dict[str, dict[str, Any]] = {}
        for part in _batches(list(dict.fromkeys(ids))):
            marks = ",".join("?" * len(part))
            got = self._conn().execute(f"SELECT {cols} FROM articles WHERE id IN ({marks})", part)
            out.update((row[0], dict(zip(cols.split(", "), row, strict=True))) for row in got)
        return out

    def _delete_server(self, article_ids: Sequence[str]) -> None:
        """``delete_articles`` on a Chroma server: tombstones are the commit."""
        server = self._server_catalog()
        writer = self._replica_id()
        local = self._local_records(article_ids)
        current = server.current([r["key"] for r in local.values()])
        live = [r for r in current.values() if not r["deleted"]]
        intents = [(r["article_id"], int(r["generation"]), int(r["chunks"]), r["key"])
                   for r in live]  # fmt: skip
        server.log_intents(intents, writer)
        faults.point("remove.transaction")
        at = replica.now_us()
        server.commit([(replica.tombstone(r, at, writer), None) for r in live])
        with self._transaction() as conn:
            for aid in local:
                self._delete_article(conn, aid, log=False)
            conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'version'")
        faults.point("remove.committed")
        server.delete_chunks([(a, g, n) for a, g, n, _ in intents])
        faults.point("remove.cleaned")
        server.clear([(a, g) for a, g, _, _ in intents])

    def _move_server(self, article_id: str, source: str, key: str, path: str) -> None:
        """``move_article`` on a Chroma server: the new key's record and the old key's
        tombstone in one write (a replica applies either first and ends the same)."""
        server = self._server_catalog()
        writer = self._replica_id()
        fields = self._local_records([article_id]).get(article_id)
        if fields is None:
            return
        current = server.current([fields["key"], key])
        clash = current.get(key)
        intents = []
        if clash and not clash["deleted"] and clash["article_id"] != article_id:
            intents.append(
                (clash["article_id"], int(clash["generation"]), int(clash["chunks"]), key)
            )
        server.log_intents(intents, writer)
        at = replica.now_us()
        text = self.article_texts([article_id])[article_id]
        moved = {**fields, "source": source, "key": key, "path": path}
        records: list[tuple[dict[str, Any], str | None]] = [
            (replica.article_record(moved, at, writer), text)
        ]
        if fields["key"] != key:
            old = replica.article_record(fields, at, writer)
            records.append((replica.tombstone(old, at, writer), None))
        faults.point("move.transaction")
        server.commit(records)
        server.delete_chunks([(a, g, n) for a, g, n, _ in intents])
        server.clear([(a, g) for a, g, _, _ in intents])

    def move_article(
        self, article_id: str, *, source: str, key: str, path: str, fingerprint: str = ""
    ) -> None:
        """Point an article at a new source (its file moved): one transaction, no vectors."""
        self._require_write()
        server = bool(self._chroma_url)
        with self._protocol:
            if server:
                try:
                    self._move_server(article_id, source, key, path)
                except BaseException:
                    self._after_failure()
                    raise
            with self._transaction() as conn:
                clash = conn.execute(
                    "SELECT id FROM articles WHERE key = ? AND id != ?", (key, article_id)
                ).fetchall()
                old = [self._delete_article(conn, rid, log=not server) for (rid,) in clash]
                conn.execute(
                    "UPDATE articles SET source = ?, key = ?, path = ?, fingerprint = ? "
                    "WHERE id = ?",
                    (source, key, path, fingerprint, article_id),
                )
                if not server:
                    faults.point("move.transaction")
                self._finish_commit(conn, old, [])
            if old and not server:
                self._delete_vectors(old)
                self._clear_pending(old)

    def repair(self) -> int:
        """Finish what a crashed or failed write left: delete the vectors of every logged
        generation that is not its article's current one. Returns how many were deleted."""
        self._require_write()
        if self._chroma_url:
            with self._protocol:
                return self._server_catalog().repair(self._replica_id())
        with self._protocol:
            got = self._conn().execute(
                "SELECT p.article_id, p.generation, p.chunks FROM pending p LEFT JOIN articles "
                "a ON a.id = p.article_id AND a.generation = p.generation WHERE a.id IS NULL"
            )
            rows = got.fetchall()
            self._delete_vectors(rows)
            with self._transaction() as conn:
                conn.execute(
                    "DELETE FROM pending WHERE EXISTS (SELECT 1 FROM articles a WHERE "
                    "a.id = pending.article_id AND a.generation = pending.generation)"
                )
                conn.executemany(
                    "DELETE FROM pending WHERE article_id = ? AND generation = ?",
                    [(a, g) for a, g, _ in rows],
                )
            return sum(n for _, _, n in rows)

    def _upgrade(self, notify: Callable[[str], None] | None) -> None:
        """Schema 2 (Chroma metadata, base64 sentence vectors, a bm25s directory) to this one,
        in place and without embedding anything: each article is saved through the protocol
        from its old records, then its old records are deleted. Idempotent, so a crash during
        the upgrade is finished by the next open (the manifest says 2 until the end)."""
        import base64
        import shutil

        from newsqa.index.articles import Article
        from newsqa.index.indexer import _statements  # imported here: indexer imports store

        if notify:
            notify(f"upgrading the store {self.path} from schema 2 (once; nothing is re-embedded)")
        client = _make_client(self.path)
        names = {getattr(c, "name", c) for c in client.list_collections()}
        if "newsqa_articles" in names:
            old_articles = client.get_collection("newsqa_articles", embedding_function=None)
            old_chunks = client.get_collection(CHUNKS, embedding_function=None)
            total = old_articles.count()
            for offset in range(0, total, 200):
                got = old_articles.get(include=["documents", "metadatas"], limit=200, offset=offset)
                group = []
                for aid, text, meta in zip(
                    got["ids"], got["documents"], got["metadatas"], strict=True
                ):
                    n = int(meta["chunks"])
                    old_ids = [f"{aid}:{p}" for p in range(n)]
                    if (
                        self._conn()
                        .execute("SELECT 1 FROM articles WHERE id = ?", (aid,))
                        .fetchone()
                    ):
                        continue  # upgraded before an interruption
                    rows = old_chunks.get(ids=old_ids, include=["embeddings", "metadatas"])
                    by_pos = {
                        int(m["position"]): (e, m)
                        for e, m in zip(rows["embeddings"], rows["metadatas"], strict=True)
                    }
                    chunks = []
                    for p in range(n):
                        e, m = by_pos[p]
                        flat = np.frombuffer(base64.b64decode(m["sentence_vectors"]), dtype="<f2")
                        chunks.append(
                            NewChunk(
                                int(m["start"]),
                                int(m["end"]),
                                np.asarray(e, dtype=np.float32),
                                [tuple(s) for s in json.loads(m["sentence_spans"])],
                                flat.astype(np.float32).reshape(-1, DIMENSIONS),
                            )
                        )
                    article = Article(
                        meta["source"], meta["key"], meta.get("path", ""), meta["title"], text,
                        meta.get("date", ""), meta.get("url", ""),
                    )  # fmt: skip
                    group.append(
                        NewArticle(
                            aid,
                            article.source,
                            article.key,
                            article.path,
                            article.title,
                            text,
                            article.date,
                            article.url,
                            int(meta.get("dropped", 0)),
                            chunks,
                            _statements(article),
                        )
                    )
                self.save(group)
            # The old chunk ids are known from the articles: deleted by id, no scan.
            for offset in range(0, total, 200):
                got = old_articles.get(include=["metadatas"], limit=200, offset=offset)
                ids = [
                    f"{aid}:{p}"
                    for aid, m in zip(got["ids"], got["metadatas"], strict=True)
                    for p in range(int(m["chunks"]))
                ]
                with self._writing() as collection:
                    for part in _batches(ids):
                        collection.delete(ids=list(part))
            with self._writing():
                client.delete_collection("newsqa_articles")
        shutil.rmtree(self.path / "lexical", ignore_errors=True)
        manifest = {"schema": SCHEMA, "model": MODEL_NAME, "dimensions": DIMENSIONS}
        tmp = self.path / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        tmp.replace(self.path / MANIFEST)
        self._upgrade_from = 0
        if notify:
            notify(f"upgraded: {self.count()} articles, {self.chunk_count()} chunks")

    def close(self) -> None:
        self._stop_sync.set()
        if self._sync_thread is not None and self._sync_thread is not threading.current_thread():
            self._sync_thread.join(timeout=30)
        with self._connections_lock:
            for conn in self._connections:
                with contextlib.suppress(Exception):
                    conn.close()
            self._connections.clear()
        self._local = threading.local()
        if self._writer is not None:
            with contextlib.suppress(OSError):
                (self.path / WRITER_INFO).unlink()
            self._writer.release()
            self._writer = None
        with contextlib.suppress(Exception):
            self._commit.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def open_store(path: str | os.PathLike[str], *, write: bool = False) -> Iterator[Store]:
    store = Store(path, write=write)
    try:
        yield store
    finally:
        store.close()
