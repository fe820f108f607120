"""The article record every loader produces, and the skip record for input it refuses."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """One news article, cleaned, ready to chunk.

    ``source`` is the path as the user gave it (``#n`` appended for the n-th article of a JSON
    file); ``key`` identifies the same article across runs whatever the working directory.
    """

    source: str
    key: str
    path: str
    title: str
    text: str
    date: str = ""
    url: str = ""
    dropped: tuple[str, ...] = field(default=(), compare=False)

    @property
    def article_id(self) -> str:
        """Content hash: the same title and text give the same id wherever they come from."""
        return content_hash(self.title, self.text)

    @property
    def text_hash(self) -> str:
        """Hash of the text alone: the same story under another title is a duplicate."""
        return content_hash(self.text)


@dataclass(frozen=True)
class Skip:
    """Input that was not indexed, with a specific reason to show the user."""

    source: str
    reason: str


def content_hash(*parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()
    return digest[:24]


@dataclass(frozen=True)
class ArticleRecord:
    """An article as the store keeps it: the catalogue row behind ``newsqa list``."""

    id: str
    generation: int
    source: str
    key: str
    path: str
    title: str
    date: str
    url: str
    chunks: int
    chars: int
    dropped: int
    indexed_at: str


@dataclass(frozen=True)
class ChunkRecord:
    """A stored passage: an exact substring ``[start, end)`` of its article's text, with the
    article fields a citation needs."""

    id: str
    article_id: str
    position: int
    start: int
    end: int
    text: str
    source: str
    key: str
    path: str
    title: str
    date: str
    url: str
    chunks: int

    def metadata(self) -> dict[str, str | int]:
        """The fields a retrieved Document carries (everything but id and text)."""
        return {
            "article_id": self.article_id,
            "source": self.source,
            "key": self.key,
            "path": self.path,
            "title": self.title,
            "date": self.date,
            "url": self.url,
            "position": self.position,
            "chunks": self.chunks,
            "start": self.start,
            "end": self.end,
        }
