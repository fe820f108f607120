"""Who said what: statements (quotes, reported speech, positions) extracted at index time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Statement:
    """One attributed statement in an article; offsets index the article text."""

    article_id: str
    speaker: str
    speaker_key: str
    role: str
    organisation: str
    kind: str  # "quote" | "reported" | "position"
    verb: str
    text: str
    start: int
    end: int
    date: str | None = None
    entry: int | None = None


def extract_statements(
    text: str, *, title: str = "", published: date | None = None
) -> list[Statement]:
    """Return the attributed statements of one article (stub: filled in by H4)."""
    return []
