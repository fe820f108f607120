"""Sentence-aware chunking sized to the embedding model's window.

all-MiniLM-L6-v2 reads 256 tokens and silently drops the rest, so chunks are measured in the
model's own tokens. Sentences come from blingfire (a compiled sentence breaker, about 20x faster
than pysbd on this corpus, with character offsets; NLTK and spaCy need model downloads). A chunk
never starts or ends inside a sentence and never crosses a paragraph break into a headline-like
line; neighbouring chunks share whole sentences as overlap.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import blingfire
from langchain_text_splitters import TextSplitter

TokenCounter = Callable[[Sequence[str]], list[int]]
_SPACE = re.compile(r"\s")


@dataclass(frozen=True)
class Span:
    """A character range ``[start, end)`` of the article text."""

    start: int
    end: int


@dataclass(frozen=True)
class Chunk:
    """A run of whole sentences: its range in the article and its sentences' ranges."""

    start: int
    end: int
    sentences: tuple[Span, ...]
    tokens: int


def split_sentences(text: str) -> list[Span]:
    """Sentence spans of ``text``; a line break always ends a sentence."""
    spans: list[Span] = []
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            _, offsets = blingfire.text_to_sentences_and_offsets(line)
            for start, end in offsets:
                # blingfire offsets are in characters of the str it was given.
                piece = line[start:end]
                lead = len(piece) - len(piece.lstrip())
                trail = len(piece) - len(piece.rstrip())
                if end - trail > start + lead:
                    spans.append(Span(offset + start + lead, offset + end - trail))
        offset += len(line) + 1
    return spans


class SentenceChunker(TextSplitter):
    """A LangChain text splitter that packs whole sentences into chunks of at most N tokens.

    ``split_text`` returns exact substrings of the input, so LangChain's ``add_start_index`` and
    newsqa's own offsets agree; ``chunk`` gives the spans directly.
    """

    def __init__(
        self,
        token_counter: TokenCounter,
        chunk_size: int = 200,
        chunk_overlap: int = 48,
        **kwargs: Any,
    ) -> None:
        super().__init__(chunk_size=chunk_size, chunk_overlap=chunk_overlap, **kwargs)
        self._count = token_counter

    def split_text(self, text: str) -> list[str]:
        return [text[c.start : c.end] for c in self.chunk(text)]

    def chunk(self, text: str) -> list[Chunk]:
        """Chunks of ``text`` with their sentence spans, in order."""
        sentences, counts = self._fit(text, split_sentences(text))
        if not sentences:
            return []
        chunks: list[Chunk] = []
        first = 0
        while first < len(sentences):
            last, total = first, counts[first]
            while last + 1 < len(sentences) and total + counts[last + 1] <= self._chunk_size:
                last += 1
                total += counts[last]
            span = sentences[first : last + 1]
            chunks.append(Chunk(span[0].start, span[-1].end, tuple(span), total))
            if last + 1 >= len(sentences):
                break
            # Step back over whole sentences that fit in the overlap, but always move forward.
            nxt, overlap = last + 1, 0
            while nxt - 1 > first and overlap + counts[nxt - 1] <= self._chunk_overlap:
                nxt -= 1
                overlap += counts[nxt]
            first = nxt
        return chunks

    def _fit(self, text: str, sentences: list[Span]) -> tuple[list[Span], list[int]]:
        """Cut any sentence longer than a chunk at word boundaries into pieces that fit; the
        spans with their token counts (counted once: tokenising is a tenth of indexing)."""
        counts = self._count([text[s.start : s.end] for s in sentences])
        out: list[Span] = []
        out_counts: list[int] = []
        for span, n in zip(sentences, counts, strict=True):
            if n <= self._chunk_size:
                out.append(span)
                out_counts.append(n)
                continue
            first_piece = len(out)
            words = [m.span() for m in re.finditer(r"\S+", text[span.start : span.end])]
            word_counts = self._count([text[span.start + a : span.start + b] for a, b in words])
            piece_start, used, prev_end = words[0][0], 0, words[0][1]
            for (a, b), wc in zip(words, word_counts, strict=True):
                if used and used + wc > self._chunk_size:
                    out.append(Span(span.start + piece_start, span.start + prev_end))
                    piece_start, used = a, 0
                used += wc
                prev_end = b
            out.append(Span(span.start + piece_start, span.start + prev_end))
            out_counts += self._count([text[p.start : p.end] for p in out[first_piece:]])
        return out, out_counts
