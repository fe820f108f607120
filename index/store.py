"""The newsqa store: one directory holding a Chroma database, a lexical index and a manifest.

Chroma's ``PersistentClient`` is thread-safe but not process-safe, so a ``Store`` takes a lock
on the directory for as long as it is open: a writer (the app, ``newsqa index``) an exclusive
one, a reader (``newsqa ask``) a shared one. A second writer gets a clear error instead of a
corrupted store.

Two collections, both cosine:
- ``chunks``: the passages that are retrieved and cited (document = passage text). Each carries
  its sentences' offsets and their late-chunked vectors in its metadata (``sentence_spans``,
  ``sentence_vectors``: float16, base64), which the answerer reads with the passage. They are
  never searched by similarity, so a collection of their own would only cost an HNSW index
  (a third of indexing time, four times the store's size) for nothing.
- ``articles``: one record per article (document = full cleaned text, vector = mean of its
  chunks), the catalogue behind ``newsqa list``; written last, so it marks a complete article.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from newsqa.index.embedding import DIMENSIONS, MODEL_NAME

SCHEMA = 2
CHUNKS = "newsqa_chunks"
ARTICLES = "newsqa_articles"
MANIFEST = "newsqa.json"
LOCK = ".newsqa.lock"
# Chroma caps how many records one call may carry.
BATCH = 1000


class StoreError(Exception):
    """A store problem the user can act on; the message says what to do."""


class StoreBusyError(StoreError):
    pass


class StoreLock:
    """An fcntl lock on ``<store>/.newsqa.lock``; the holder's pid and command are written in it."""

    def __init__(self, directory: Path, exclusive: bool) -> None:
        self.path = directory / LOCK
        self.exclusive = exclusive
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = ""
            with contextlib.suppress(OSError):
                holder = os.pread(fd, 500, 0).decode("utf-8", "replace").strip()
            os.close(fd)
            what = "write to" if self.exclusive else "read"
            raise StoreBusyError(
                f"cannot {what} the store {self.path.parent}: another newsqa process is using it"
                f"{f' ({holder})' if holder else ''}. Chroma stores must not be shared between "
                "processes: stop that process (or add articles through the running app), or "
                "use another store with --store / NEWSQA_STORE."
            ) from None
        if self.exclusive:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}: {' '.join(sys.argv)[:200]}".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
            self._fd = None


class Store:
    """An open store. ``write=True`` creates it if needed and allows changes."""

    def __init__(self, path: str | os.PathLike[str], *, write: bool = False) -> None:
        self.path = Path(path).expanduser()
        self.writable = write
        if write:
            self.path.mkdir(parents=True, exist_ok=True)
        elif not (self.path / MANIFEST).exists():
            raise StoreError(
                f"no newsqa store at {self.path}: index some articles first with "
                f"`newsqa index PATH --store {self.path}`"
            )
        self._lock = StoreLock(self.path, exclusive=write)
        self._lock.acquire()
        try:
            self.manifest = self._read_manifest()
            self.client = chromadb.PersistentClient(
                path=str(self.path / "chroma"),
                settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
            )
            self.chunks = self._collection(CHUNKS)
            self.articles = self._collection(ARTICLES)
        except BaseException:
            self._lock.release()
            raise
        # Serialises writers inside this process (the app runs handlers on threads).
        self.write_lock = threading.RLock()

    def _collection(self, name: str) -> Any:
        # No embedding function: vectors always come from index.embedding, never Chroma's
        # default (which would try to download a model).
        config: Any = {"hnsw": {"space": "cosine"}}
        if self.writable:
            return self.client.get_or_create_collection(
                name, configuration=config, embedding_function=None
            )
        try:
            return self.client.get_collection(name, embedding_function=None)
        except Exception as exc:
            raise StoreError(
                f"the store at {self.path} is incomplete ({exc}); re-index it"
            ) from exc

    def _read_manifest(self) -> dict[str, Any]:
        path = self.path / MANIFEST
        if path.exists():
            try:
                manifest = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise StoreError(f"the store manifest {path} is unreadable: {exc}") from exc
            if manifest.get("schema") != SCHEMA or manifest.get("model") != MODEL_NAME:
                raise StoreError(
                    f"the store at {self.path} was built by another newsqa version or model "
                    f"({manifest.get('model')}, schema {manifest.get('schema')}); index into a "
                    "new --store"
                )
            return manifest
        manifest = {"schema": SCHEMA, "model": MODEL_NAME, "dimensions": DIMENSIONS, "version": 0}
        self._write_manifest(manifest)
        return manifest

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        tmp = self.path / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        tmp.replace(self.path / MANIFEST)

    @property
    def version(self) -> int:
        """Bumped after every change, so readers know when derived indexes are stale."""
        return int(self.manifest.get("version", 0))

    def bump_version(self) -> int:
        self._require_write()
        self.manifest["version"] = self.version + 1
        self._write_manifest(self.manifest)
        return self.version

    def _require_write(self) -> None:
        if not self.writable:
            raise StoreError("this store was opened read-only")

    # Reading --------------------------------------------------------------------------
    def article_records(self) -> list[dict[str, Any]]:
        """Metadata of every article, with ``id``."""
        got = self.articles.get(include=["metadatas"])
        return [{"id": i, **(m or {})} for i, m in zip(got["ids"], got["metadatas"], strict=True)]

    def article_texts(self, ids: list[str]) -> dict[str, str]:
        if not ids:
            return {}
        got = self.articles.get(ids=ids, include=["documents"])
        return dict(zip(got["ids"], got["documents"], strict=True))

    def all_chunks(self) -> tuple[list[str], list[str], list[dict[str, Any]]]:
        """Ids, passages and metadata of every chunk, in pages Chroma accepts."""
        ids: list[str] = []
        docs: list[str] = []
        metas: list[dict[str, Any]] = []
        total = self.chunks.count()
        for offset in range(0, total, BATCH * 5):
            got = self.chunks.get(
                include=["documents", "metadatas"], limit=BATCH * 5, offset=offset
            )
            ids += got["ids"]
            docs += got["documents"]
            metas += got["metadatas"]
        return ids, docs, metas

    def count(self) -> int:
        return self.articles.count()

    # Writing --------------------------------------------------------------------------
    def upsert(self, collection: Any, **records: list[Any]) -> None:
        self._require_write()
        n = len(records["ids"])
        for start in range(0, n, BATCH):
            collection.upsert(**{k: v[start : start + BATCH] for k, v in records.items()})

    def delete_articles(self, article_ids: list[str]) -> None:
        """Remove articles with all their chunks (article record first)."""
        self._require_write()
        for start in range(0, len(article_ids), BATCH):
            ids = article_ids[start : start + BATCH]
            self.articles.delete(ids=ids)
            self.chunks.delete(where={"article_id": {"$in": ids}})

    def close(self) -> None:
        self._lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def pack_vectors(vectors: np.ndarray) -> str:
    """Sentence vectors as chunk metadata: float16 (cosines within 1e-3 of float32), base64."""
    return base64.b64encode(np.asarray(vectors, dtype="<f2").tobytes()).decode("ascii")


def unpack_vectors(packed: str) -> np.ndarray:
    """The float32 vectors ``pack_vectors`` stored, one row per sentence."""
    flat = np.frombuffer(base64.b64decode(packed), dtype="<f2").astype(np.float32)
    return flat.reshape(-1, DIMENSIONS)


@contextlib.contextmanager
def open_store(path: str | os.PathLike[str], *, write: bool = False) -> Iterator[Store]:
    store = Store(path, write=write)
    try:
        yield store
    finally:
        store.close()
