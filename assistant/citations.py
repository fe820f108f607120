"""Build the ``citations`` and ``sources`` of a result from retrieved Documents."""

from __future__ import annotations

from typing import Any

from langchain_core.documents import Document


def source_entry(doc: Document) -> dict[str, Any]:
    m = doc.metadata
    return {
        "source": m.get("source", ""),
        "title": m.get("title", ""),
        "date": m.get("date", ""),
        "passage": doc.page_content,
        "score": float(m.get("score", 0.0)),
        "chunk_id": m.get("chunk_id", doc.id or ""),
    }


def sources(docs: list[Document]) -> list[dict[str, Any]]:
    """Retrieved passages, best first."""
    return [source_entry(d) for d in docs]


def citation(n: int, doc: Document, spans: list[tuple[int, int]]) -> dict[str, Any]:
    """Citation ``[n]``: the passage and the sentence(s) in it that support the answer.

    ``spans`` are offsets in the article; they are stored relative to the passage.
    """
    start = int(doc.metadata.get("start", 0))
    rel = sorted({(a - start, b - start) for a, b in spans})
    quote = " ".join(doc.page_content[a:b] for a, b in rel)
    return {
        "n": n,
        "source": doc.metadata.get("source", ""),
        "title": doc.metadata.get("title", ""),
        "date": doc.metadata.get("date", ""),
        "url": doc.metadata.get("url", ""),
        "quote": quote,
        "passage": doc.page_content,
        "quote_spans": [list(s) for s in rel],
        "chunk_id": doc.metadata.get("chunk_id", doc.id or ""),
    }


def result(
    question: str,
    standalone: str,
    answer: str,
    abstained: bool,
    citations: list[dict[str, Any]],
    docs: list[Document],
    answerer: str,
    note: str = "",
    unsupported: list[str] | None = None,
    confidence: float | None = None,
    short_answer: str | None = None,
) -> dict[str, Any]:
    """The result dict every answerer returns (the ``newsqa ask --json`` contract).

    ``confidence`` is the calibrated probability that the answer is right (None where the
    answerer has no calibrated figure); ``short_answer`` the span that answers a fact question.
    """
    return {
        "question": question,
        "standalone_question": standalone,
        "answer": answer,
        "abstained": abstained,
        "citations": citations,
        "sources": sources(docs),
        "unsupported": unsupported or [],
        "answerer": answerer,
        "note": note,
        "confidence": None if confidence is None else round(float(confidence), 3),
        "short_answer": short_answer,
    }
