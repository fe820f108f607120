"""The default answerer: no LLM, fully offline, every sentence of the answer quoted and cited.

It ranks the sentences of the retrieved passages by how well they answer the question (the
sentence vectors stored at index time against the question's vector, plus lexical, name and
number overlap, plus speaker attribution for "what did X say" questions), quotes the best one
or two with [n] markers, and abstains when the best support is too weak or the question names
something (a person, a number) that no retrieved article mentions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.documents import Document
from langchain_core.runnables import RunnableSerializable
from pydantic import ConfigDict

from assistant.attribution import Attribution, attribute, name_words, question_speaker
from assistant.citations import citation, result
from index.chunking import split_sentences
from index.lexical import idf, tokenize

# Calibrated on tests/eval/qa.json with `newsqa eval` (see README): the support below which the
# answerer abstains.
ABSTAIN_THRESHOLD = 0.42
_NAME_RUN = re.compile(r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*")
FOLLOW_UP = re.compile(r"\s*\(following up on: .*\)\s*$", re.DOTALL)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_ROLE_WORDS = {"spokesman", "spokeswoman", "office", "chancellor", "minister", "president"}
_QUESTION_STARTS = {
    "what",
    "who",
    "whom",
    "which",
    "when",
    "where",
    "why",
    "how",
    "did",
    "does",
    "do",
    "is",
    "was",
    "were",
    "are",
    "has",
    "have",
    "had",
    "can",
    "could",
    "will",
    "would",
    "should",
    "according",
    "and",
    "tell",
    "name",
    "give",
    "list",
}


@dataclass
class Candidate:
    """A sentence of a retrieved passage, scored for the question."""

    text: str
    start: int
    end: int
    doc_index: int
    article_id: str
    order: int
    vector: np.ndarray
    attribution: Attribution = field(default_factory=lambda: Attribution(frozenset(), ""))
    score: float = 0.0
    coverage: set[str] = field(default_factory=set)


@dataclass
class Query:
    text: str
    vector: np.ndarray
    tokens: list[str]
    weights: np.ndarray
    names: set[str]
    numbers: set[str]
    speaker: set[str]
    names_shown: dict[str, str] = field(default_factory=dict)
    # Runs of capitalised words ("Robert Fico"): a sentence naming "Fico" covers the whole run.
    name_groups: list[set[str]] = field(default_factory=list)


class ExtractiveAnswerer(RunnableSerializable[dict, dict]):
    """Runnable: {"question", "standalone", "history", "docs"} -> result dict."""

    store: Any
    embedder: Any
    retriever: Any
    threshold: float = ABSTAIN_THRESHOLD
    max_sentences: int = 2

    model_config = ConfigDict(arbitrary_types_allowed=True)

    def invoke(self, input: dict, config: Any = None, **kwargs: Any) -> dict:
        docs: list[Document] = input["docs"]
        question = input["question"]
        standalone = input.get("standalone") or question
        if not docs:
            return result(question, standalone, _abstain_text(), True, [], docs, "extractive")
        # The follow-up context the condenser appends helps retrieval; sentences are scored
        # against the question itself.
        query = self._query(FOLLOW_UP.sub("", standalone) or standalone)
        cands = self._candidates(docs)
        if not cands:
            return result(question, standalone, _abstain_text(), True, [], docs, "extractive")
        self._score(query, cands, docs)
        chosen = self._select(query, cands)
        support = chosen[0].score if chosen else 0.0
        missing = self._missing(query, chosen)
        if support < self.threshold or missing:
            return result(
                question,
                standalone,
                _abstain_text(missing),
                True,
                [],
                docs,
                "extractive",
                note=f"support {support:.2f}",
            )
        answer, cites = self._compose(chosen, docs)
        return result(
            question,
            standalone,
            answer,
            False,
            cites,
            docs,
            "extractive",
            note=f"support {support:.2f}",
        )

    # Question analysis -------------------------------------------------------------------
    def _query(self, text: str) -> Query:
        tokens = list(dict.fromkeys(tokenize(text)))
        weights = idf(self.retriever.lexical(), tokens) if tokens else np.zeros(0)
        words = re.findall(r"[A-Za-z][\w'’-]*", text)
        names: set[str] = set()
        shown: dict[str, str] = {}
        for w in words:
            if w[0].isupper() and w.lower() not in _QUESTION_STARTS:
                for n in name_words(w):
                    names.add(n)
                    shown[n] = re.sub(r"['’]s$", "", w)
        return Query(
            text=text,
            vector=self.embedder.query_vector(text),
            tokens=tokens,
            weights=weights,
            names=names,
            numbers=set(_NUMBER.findall(text)),
            speaker=question_speaker(text),
            names_shown=shown,
            name_groups=[
                g for g in (name_words(m.group(0)) for m in _NAME_RUN.finditer(text)) if g
            ],
        )

    # Candidates ----------------------------------------------------------------------------
    def _candidates(self, docs: list[Document]) -> list[Candidate]:
        chunk_ids = [d.metadata["chunk_id"] for d in docs]
        got = self.store.sentences.get(
            where={"chunk_id": {"$in": chunk_ids}}, include=["embeddings", "documents", "metadatas"]
        )
        doc_of = {cid: i for i, cid in enumerate(chunk_ids)}
        seen: set[tuple[str, int]] = set()
        cands: list[Candidate] = []
        for text, meta, vec in zip(
            got["documents"], got["metadatas"], got["embeddings"], strict=True
        ):
            key = (meta["article_id"], meta["start"])
            if key in seen:
                continue
            seen.add(key)
            cands.append(
                Candidate(
                    text=text,
                    start=meta["start"],
                    end=meta["end"],
                    doc_index=doc_of[meta["chunk_id"]],
                    article_id=meta["article_id"],
                    order=meta["start"],
                    vector=np.asarray(vec),
                )
            )
        self._attribute(cands)
        return cands

    def _attribute(self, cands: list[Candidate]) -> None:
        """Speakers from the whole article, so "he said" finds its antecedent in any chunk."""
        texts = self.store.article_texts(sorted({c.article_id for c in cands}))
        for aid, text in texts.items():
            spans = split_sentences(text)
            attrs = attribute([text[s.start : s.end] for s in spans])
            by_start = {s.start: a for s, a in zip(spans, attrs, strict=True)}
            for c in cands:
                if c.article_id == aid and c.start in by_start:
                    c.attribution = by_start[c.start]

    # Scoring -------------------------------------------------------------------------------
    def _score(self, q: Query, cands: list[Candidate], docs: list[Document]) -> None:
        total = float(q.weights.sum()) or 1.0
        speaker = set(q.speaker)
        roles = speaker & _ROLE_WORDS
        if roles:
            # "the spokesman": whoever the articles call that, by name.
            for c in cands:
                if c.attribution.how == "named" and any(r in c.text.lower() for r in roles):
                    speaker |= c.attribution.speakers
        for c in cands:
            dense = float(c.vector @ q.vector)
            words = set(tokenize(c.text))
            text_names = name_words(c.text) | set(c.attribution.speakers)
            groups_hit = [g for g in q.name_groups if g & text_names]
            for g in groups_hit:
                words |= set(tokenize(" ".join(g)))
            hit = {t for t in q.tokens if t in words}
            lexical = float(sum(w for t, w in zip(q.tokens, q.weights, strict=True) if t in hit))
            c.coverage = hit
            names = len(groups_hit) / len(q.name_groups) if q.name_groups else 0.0
            numbers = (
                len(q.numbers & set(_NUMBER.findall(c.text))) / len(q.numbers) if q.numbers else 0
            )
            retrieval = float(docs[c.doc_index].metadata.get("score", 0.0))
            score = 0.5 * dense + 0.3 * lexical / total + 0.1 * names + 0.1 * numbers
            score += 0.05 * retrieval
            if speaker:
                score += self._speaker_bonus(speaker, c)
            c.score = score

    @staticmethod
    def _speaker_bonus(speaker: set[str], c: Candidate) -> float:
        said_by = c.attribution.speakers
        if speaker & said_by:
            return 0.25
        if said_by:
            return -0.2  # someone else's words
        return -0.1

    def _select(self, q: Query, cands: list[Candidate]) -> list[Candidate]:
        """The best sentence, and a second one if it adds question words the first lacks
        (two-fact questions) or is nearly as good."""
        ranked = sorted(cands, key=lambda c: c.score, reverse=True)
        best = ranked[0]
        chosen = [best]
        for c in ranked[1:8]:
            if len(chosen) >= self.max_sentences:
                break
            adds = c.coverage - set().union(*(x.coverage for x in chosen))
            if c.score >= best.score - 0.08 or (adds and c.score >= best.score - 0.2):
                chosen.append(c)
        return chosen

    def _missing(self, q: Query, chosen: list[Candidate]) -> list[str]:
        """Names and numbers of the question that the articles of the chosen sentences never
        mention: "What did Scholz say about China?" must not be answered from a Scholz story
        that never mentions China. Names match loosely (accents, a shared 5-letter stem), since
        questions misspell names."""
        if not q.names and not q.numbers:
            return []
        texts = self.store.article_texts(sorted({c.article_id for c in chosen}))
        blob = _fold(" ".join(texts.values()))
        words = set(re.findall(r"[\w'’-]+", blob))
        words |= {re.sub(r"['’]s$", "", w) for w in words}
        stems = {w[:5] for w in words if len(w) >= 5}
        missing = []
        for name in sorted(q.names):
            n = _fold(name)
            if n not in words and not (len(n) >= 5 and n[:5] in stems):
                missing.append(q.names_shown.get(name, name))
        numbers = set(_NUMBER.findall(blob))
        missing += [n for n in sorted(q.numbers) if n not in numbers]
        return missing

    # Composition ---------------------------------------------------------------------------
    def _compose(
        self, chosen: list[Candidate], docs: list[Document]
    ) -> tuple[str, list[dict[str, Any]]]:
        numbers: dict[int, int] = {}
        spans: dict[int, list[tuple[int, int]]] = {}
        parts = []
        for c in sorted(chosen, key=lambda c: (c.doc_index, c.order)):
            n = numbers.setdefault(c.doc_index, len(numbers) + 1)
            spans.setdefault(c.doc_index, []).append((c.start, c.end))
            parts.append(f"{c.text} [{n}]")
        cites = [citation(n, docs[i], spans[i]) for i, n in numbers.items()]
        return " ".join(parts), cites


def _fold(text: str) -> str:
    """Lower case without accents, for loose name matching."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _abstain_text(missing: list[str] | None = None) -> str:
    if missing:
        return (
            "The indexed articles don't say: the passages closest to this question never mention "
            + " or ".join(missing)
            + ". They are listed below as related reading."
        )
    return (
        "The indexed articles don't say. The closest passages are listed below as related "
        "reading, but none of them answers the question."
    )
