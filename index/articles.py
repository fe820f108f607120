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


@dataclass(frozen=True)
class Skip:
    """Input that was not indexed, with a specific reason to show the user."""

    source: str
    reason: str


def content_hash(*parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()
    return digest[:24]
