"""Sentence-aware chunking: boundaries, overlap, the token budget and exact offsets."""

from __future__ import annotations

import itertools

import pytest
from newsqa.index.chunking import SentenceChunker, split_sentences


def words(texts):
    """A stand-in token counter (one token per word) for fast unit tests."""
    return [len(t.split()) for t in texts]


TEXT = (
    'Dr. Smith arrived at 3.30 p.m. on Monday. He said the U.S. plan was "dead". '
    "Prices rose 2.5% in May.\nA new paragraph starts here. It has two sentences."
)


def test_sentences_and_line_breaks() -> None:
    spans = split_sentences(TEXT)
    got = [TEXT[s.start : s.end] for s in spans]
    assert got[0] == "Dr. Smith arrived at 3.30 p.m. on Monday."
    assert got[2] == "Prices rose 2.5% in May."
    assert got[3] == "A new paragraph starts here."
    assert all("\n" not in g for g in got)


def test_chunks_are_exact_substrings_made_of_whole_sentences() -> None:
    text = " ".join(f"Sentence {i} has exactly six words." for i in range(40))
    chunker = SentenceChunker(words, chunk_size=30, chunk_overlap=8)
    chunks = chunker.chunk(text)
    sentence_starts = {s.start for s in split_sentences(text)}
    sentence_ends = {s.end for s in split_sentences(text)}
    assert len(chunks) > 5
    for c in chunks:
        assert c.start in sentence_starts and c.end in sentence_ends
        assert c.tokens <= 30
        assert text[c.start : c.end] == " ".join(text[s.start : s.end] for s in c.sentences)
    for a, b in itertools.pairwise(chunks):
        assert b.start < a.end, "neighbouring chunks overlap"
        assert b.start > a.start, "every chunk moves forward"
    assert chunker.split_text(text) == [text[c.start : c.end] for c in chunks]


def test_an_overlong_sentence_is_cut_at_word_boundaries() -> None:
    text = "Short one. " + " ".join(f"w{i}" for i in range(100)) + "."
    chunks = SentenceChunker(words, chunk_size=25, chunk_overlap=0).chunk(text)
    assert all(c.tokens <= 25 for c in chunks)
    assert text[chunks[-1].start : chunks[-1].end].endswith("w99.")
    covered = "".join(text[c.start : c.end] for c in chunks).replace(" ", "")
    assert covered == text.replace(" ", "")


def test_model_tokens_bound_every_chunk(embedder, seed_copy) -> None:
    from newsqa.index.embedding import MAX_TOKENS
    from newsqa.index.loaders import load

    [article] = load([seed_copy], 10**6)
    chunker = SentenceChunker(embedder.count_tokens, chunk_size=200, chunk_overlap=48)
    chunks = chunker.chunk(article.text)
    assert len(chunks) >= 3
    for c in chunks:
        n = embedder.count_tokens([article.text[c.start : c.end]])[0]
        assert n <= 200 < MAX_TOKENS - 2
    assert chunks[0].start == 0 and chunks[-1].end == len(article.text)


@pytest.mark.parametrize("size,overlap", [(40, 0), (60, 20), (200, 48)])
def test_every_sentence_is_in_some_chunk(size: int, overlap: int) -> None:
    text = " ".join(f"This is sentence number {i}." for i in range(60))
    chunks = SentenceChunker(words, chunk_size=size, chunk_overlap=overlap).chunk(text)
    covered = {s for c in chunks for s in c.sentences}
    assert covered == set(split_sentences(text))
