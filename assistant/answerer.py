"""The default answerer: no LLM, fully offline, every sentence of the answer quoted and cited.

It ranks the sentences of the retrieved passages by how well they answer the question (the
sentence vectors stored at index time against the question's vector, plus lexical, name and
number overlap, plus speaker attribution for "what did X say" questions), quotes the best one
or two with [n] markers, and abstains when the best support is too weak or the question names
something (a person, a number) that no retrieved article mentions.
"""

from __future__ import annotations

import json
import math
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
from index.store import unpack_vectors

# Calibrated on tests/eval/qa.json with `newsqa eval` (see README): the support below which the
# answerer abstains.
ABSTAIN_THRESHOLD = 0.42
# A follow-up's sentences from the article the conversation is on get this much more.
FOCUS_BONUS = 0.15
_NAME_RUN = re.compile(r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*")
# What kind of answer a question wants, and how a sentence shows it has one.
_WANTS_NUMBER = re.compile(
    r"\bhow (much|many|long|old|far|big|large|high|fast|often|tall|heavy)\b|\bwhat (percentage|"
    r"proportion|share|fraction)\b|\bby how\b|\bweighs?\b|\bweight\b",
    re.IGNORECASE,
)
# "How often?": a frequency, not any figure ("once every two years", "twice a week").
_WANTS_FREQUENCY = re.compile(r"\bhow (often|frequently)\b", re.IGNORECASE)
_FREQUENCY = re.compile(
    r"\b(every|each|once|twice|annual|annually|biennial|weekly|monthly|daily|yearly|quarterly|"
    r"times a|a (year|week|month|day))\b",
    re.IGNORECASE,
)
# "How fast / far / heavy?", "What does he weigh?": a figure with its unit.
_WANTS_MEASURE = re.compile(
    r"\bhow (far|big|large|high|fast|tall|heavy|long)\b|\bweighs?\b|\bweight\b|\bspeed\b",
    re.IGNORECASE,
)
_UNIT = re.compile(
    r"\d\s?(kg|g|lb|lbs|st|stone|tonnes?|tons?|km|m|cm|mm|miles?|metres?|meters?|feet|ft|"
    r"inches|in|mph|km/h|kph|knots|sq|square|acres?|hectares?|gb|mb|mbps|kbps|ghz|mhz)\b|"
    r"\d\s?(kilo|mega|giga)?(grams?|metres?|meters?|bytes?|bits?|hertz)\b",
    re.IGNORECASE,
)
# "Where is it based?": a place.
_PLACE = re.compile(
    r"\b[A-Z][\w'’-]+-based\b|\b(based|headquartered|located|situated)\s+(in|at|near)\b|"
    r"\b(in|at|near|from|outside)\s+(?:the\s+)?[A-Z][\w'’-]+"
)
_WANTS_DURATION = re.compile(
    r"\bhow long\b|\bhow many (days|weeks|months|years|hours|minutes)\b|"
    r"\b(winning|finishing|record|lap) time\b|\bhow much time\b",
    re.IGNORECASE,
)
_DURATION = re.compile(
    r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a|an|half an?)"
    r"(\s*(-|to|or)\s*\w+)?[\s-]+(seconds?|minutes?|hours?|days?|weeks?|months?|years?|"
    r"seasons?|games?|matches)\b(?!-)",
    re.IGNORECASE,
)
_COUNT_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|several|a few|a dozen"
)
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")
_WANTS_AMOUNT = re.compile(
    r"\b(profit|profits|loss|losses|revenue|sales|price|prices|cost|costs|charge|fee|fine|salary|"
    r"pay|paid|payout|pay-off|worth|value|budget|score|time|rate|dividend|deal|bid|offer|"
    r"stake|figure|total|record|margin|sum|fund|damages|audience|viewers|jobs)\b",
    re.IGNORECASE,
)
_WANTS_DATE = re.compile(
    r"^\s*when\b|\bwhat (year|date|day|month|time)\b|\bwhich (year|day|"
    r"month|date)\b",
    re.IGNORECASE,
)
_WANTS_ENTITY = re.compile(
    r"(^\s*|,\s*|\b(and|but)\s+)((in|at|from|to|for|on|with|by|of|into|under|against|"
    r"behind|over)\s+)?(who|whom|which|where|what (kind|sort|type|name))\b|"
    r"\bwhat is (his|her|its|their) (real )?name\b",
    re.IGNORECASE,
)
# "What are such hotspots being called?", "What is the scheme known as?": a term.
_WANTS_TERM = re.compile(
    r"\b(called|named|nicknamed|dubbed|known as|termed|referred to as)\s*\??\s*$",
    re.IGNORECASE,
)
_NAMING = re.compile(
    r"\b(called|named|nicknamed|dubbed|known as|termed|referred to as|title of|"
    r"branded|labelled)\b",
    re.IGNORECASE,
)
# "How much is she paid?", "What did the deal cost?": a sum of money, not just any figure.
_WANTS_MONEY = re.compile(
    r"\b(pay|pays|paid|earn|earns|earned|cost|costs|price|fee|fees|salary|wage|wages|worth|"
    r"spend|spent|raise|raised|fine|fined|compensation|damages|prize money|sold for|bought "
    r"for|money|budget|dividend|profit|profits|loss|losses|revenue|sales|turnover|box office|"
    r"gross|grossed|takings|income|earnings)\b",
    re.IGNORECASE,
)
_MONEY = re.compile(
    r"[$£€¥]\s?\d|\d\s?(m|bn|k)?\s?(euros?|dollars?|pounds?|yen|francs?|cents?|pence|p)\b|"
    r"\b(euros?|dollars?|pounds?|yen|yuan|rupees?|roubles?|rubles?|kronor|krona|kroner|rand|"
    r"pesos?|lira|won|sterling)\b",
    re.IGNORECASE,
)
_SUM_QUESTION = re.compile(
    r"\bhow much\b|\bfor what (sum|price|amount)\b|\bwhat (was|is|were|are|will be|would be)\s+"
    r"(?:\w+['’]s\s+|the\s+|its\s+|their\s+|his\s+|her\s+)?(?:\w+\s+)?(profit|profits|loss|"
    r"losses|price|cost|fee|salary|revenue|revenues|turnover|dividend|fine|budget|pay)\b",
    re.IGNORECASE,
)
# "winning time", "lap time": a clock time (2h 23m 10s, 9.85 seconds), not "77 days".
_WANTS_CLOCK = re.compile(r"\b(winning|finishing|record|lap|personal best|race) time\b", re.I)
_CLOCK = re.compile(
    r"\b\d+(\.\d+)?\s*(hours?|hrs?|minutes?|mins?|seconds?|secs?)\b|\b\d+:\d\d\b|"
    r"\b(one|two|three|four|five) hours?\b",
    re.IGNORECASE,
)
_HAS_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|billion|dozen|half|double|twice)\b",
    re.IGNORECASE,
)
_HAS_DATE = re.compile(
    r"\b(1[89]\d\d|20\d\d|January|February|March|April|May|June|July|August|September|"
    r"October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"yesterday|today|tomorrow|last (week|month|year)|next (week|month|year)|since|until|by)\b",
)
_CAPITALISED = re.compile(r"(?<=[^\s\"“(])\s+([A-Z][\w'’-]+)")
_AGE = re.compile(r"\baged? \d+|\b\d+[- ]years?[- ]old|, \d{1,3},|\(\d{1,3}\)|\bat \d{1,3}\b")
_NUMBER_WORDS = re.compile(r"^(how|what|which|by)\b", re.IGNORECASE)
_PRONOUN_Q = re.compile(r"\b(he|she|they|him|her|his|hers|them|their|it|its)\b", re.IGNORECASE)
FOLLOW_UP = re.compile(r"\s*\(following up on: .*\)\s*$", re.DOTALL)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_ROLE_WORDS = {
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "office",
    "chancellor",
    "minister",
    "president",
    "captain",
    "boss",
    "manager",
    "coach",
    "chairman",
    "chairwoman",
    "chief",
    "executive",
    "director",
    "head",
    "leader",
    "secretary",
    "governor",
    "mayor",
    "founder",
    "owner",
    "singer",
    "frontman",
    "star",
    "striker",
    "champion",
    "judge",
    "economist",
    "analyst",
    "commissioner",
    "ambassador",
}
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
    wants: str = ""  # "number" (must have one), "amount", "date", "entity" or ""
    topic: list[str] = field(default_factory=list)  # "what did X say about <topic>" tokens
    focus: str | None = None  # the article a follow-up question is about
    # Names used to describe ("the Detroit motor giant", "the Italian car maker's boss"): the
    # article may say "GM" and "Fiat" instead, so their absence proves nothing.
    descriptors: set[str] = field(default_factory=set)


class ExtractiveAnswerer(RunnableSerializable[dict, dict]):
    """Runnable: {"question", "standalone", "history", "docs"} -> result dict."""

    store: Any
    embedder: Any
    retriever: Any
    threshold: float = ABSTAIN_THRESHOLD
    max_sentences: int = 3
    expand_articles: int = 2

    model_config = ConfigDict(arbitrary_types_allowed=True)

    def invoke(self, input: dict, config: Any = None, **kwargs: Any) -> dict:
        docs: list[Document] = input["docs"]
        question = input["question"]
        standalone = input.get("standalone") or question
        if not docs:
            return result(question, standalone, _abstain_text(), True, [], docs, "extractive")
        # The follow-up context the condenser appends helps retrieval; sentences are scored
        # against the question itself.
        text = FOLLOW_UP.sub("", standalone) or standalone
        docs = self._expand(docs)
        cands = self._candidates(docs)
        if not cands:
            return result(question, standalone, _abstain_text(), True, [], docs, "extractive")
        # "How much did X lose, and what dividend did it pay?": each part gets its own sentence.
        chosen: list[Candidate] = []
        supports: list[float] = []
        reasons: list[str] = []
        parts = _split_parts(text)
        # A follow-up ("How much is he paid?") is about the article the conversation is on: the
        # one retrieval ranks first with the earlier question's context.
        focus = docs[0].metadata.get("article_id") if FOLLOW_UP.search(standalone) else None
        for part in parts:
            query = self._query(part)
            query.focus = focus
            if focus and (m := FOLLOW_UP.search(standalone)):
                # "What's his real name?" means nothing alone: lean its vector towards the
                # conversation it follows.
                context = self.embedder.query_vector(m.group(0))
                v = query.vector + 0.5 * context
                query.vector = v / (np.linalg.norm(v) or 1.0)
            if "? " in part:
                # The names borrowed from the first part pick the article; within it, every
                # sentence is about them, so they must not outweigh the part's own words.
                query.name_groups = []
                if chosen and not query.focus:
                    query.focus = chosen[0].article_id  # the story the first part is from
                own = list(dict.fromkeys(tokenize(part.split("? ", 1)[0])))
                query.tokens = own
                query.weights = idf(self.retriever.lexical(), own) if own else np.zeros(0)
            self._score(query, cands, docs)
            # A later part wants a fact of its own, not the sentence that answered the first.
            pool = [c for c in cands if c not in chosen] if len(parts) > 1 and chosen else cands
            picked = self._select(query, pool or cands)
            if len(parts) > 1:
                picked = picked[:2]
            chosen += [c for c in picked if c not in chosen]
            supports.append(picked[0].score)
            reasons.append(self._unsupported_reason(query, picked, cands))
        query = self._query(text)
        support = max(supports)
        missing = self._missing(query, chosen)
        reason = reasons[0] if all(reasons) else ""
        if support < self.threshold or missing or reason:
            return result(
                question,
                standalone,
                _abstain_text(missing),
                True,
                [],
                docs,
                "extractive",
                note=f"support {support:.2f} {reason}".strip(),
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
        for i, w in enumerate(words):
            bare = re.sub(r"['’]s$", "", w)
            if not any(ch.isupper() for ch in w) or bare.lower() in _QUESTION_STARTS:
                continue
            if i == 0 and (not (len(words) > 1 and words[1][0].isupper()) or not tokenize(bare)):
                continue  # "Under California's law ...": a capital only because it starts
            for n in name_words(w):
                names.add(n)
                shown[n] = bare
        wants = ""
        if question_speaker(text):
            wants = ""  # "What did X say ...": a statement, whatever words follow
        elif _WANTS_DURATION.search(text):
            wants = "duration"
        elif _WANTS_NUMBER.search(text):
            wants = "number"
        elif _WANTS_DATE.search(text):
            wants = "date"
        elif _WANTS_ENTITY.search(text):
            wants = "entity"
        elif _WANTS_TERM.search(text):
            wants = "term"
        elif _NUMBER_WORDS.match(text) and _WANTS_AMOUNT.search(text):
            wants = "amount"
        topic: list[str] = []
        m = re.search(r"\b(?:about|on|regarding|over)\s+(?P<topic>.+)$", text)
        if question_speaker(text) and m:
            topic = [
                t
                for t in tokenize(m.group("topic"))
                if t not in set(tokenize(" ".join(shown.values())))
            ]
        return Query(
            text=text,
            vector=self.embedder.query_vector(text),
            tokens=tokens,
            weights=weights,
            names=names,
            numbers=set(_NUMBER.findall(text)),
            speaker=question_speaker(text),
            names_shown=shown,
            descriptors=_descriptors(text),
            wants=wants,
            topic=topic,
            name_groups=[
                g for g in (name_words(m.group(0)) for m in _NAME_RUN.finditer(text)) if g
            ],
        )

    # Candidates ----------------------------------------------------------------------------
    def _expand(self, docs: list[Document]) -> list[Document]:
        """The retrieved passages, then the other passages of the top articles: the answer is
        often a few sentences away from the passage that matched best ("he asked", the figure
        in the next paragraph). Appended after the retrieved ones, so sources stay ranked."""
        top = list(dict.fromkeys(d.metadata.get("article_id") for d in docs))[
            : self.expand_articles
        ]
        have = {d.metadata["chunk_id"] for d in docs}
        got = self.store.chunks.get(
            where={"article_id": {"$in": [a for a in top if a]}},
            include=["documents", "metadatas"],
        )
        extra = [
            Document(id=cid, page_content=text, metadata={**meta, "chunk_id": cid, "score": 0.0})
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            if cid not in have
        ]
        extra.sort(key=lambda d: (top.index(d.metadata["article_id"]), d.metadata.get("start", 0)))
        return [*docs, *extra]

    def _candidates(self, docs: list[Document]) -> list[Candidate]:
        """Every sentence of the passages, with the vector computed for it at index time."""
        seen: set[tuple[str, int]] = set()
        cands: list[Candidate] = []
        for i, doc in enumerate(docs):
            meta = doc.metadata
            if "sentence_vectors" not in meta:
                continue
            spans = json.loads(meta["sentence_spans"])
            vectors = unpack_vectors(meta["sentence_vectors"])
            base = int(meta["start"])
            for (start, end), vec in zip(spans, vectors, strict=True):
                key = (meta["article_id"], start)
                if key in seen:
                    continue  # the overlap of two neighbouring passages
                seen.add(key)
                cands.append(
                    Candidate(
                        text=doc.page_content[start - base : end - base],
                        start=start,
                        end=end,
                        doc_index=i,
                        article_id=meta["article_id"],
                        order=start,
                        vector=vec,
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
        weights = dict(zip(q.tokens, _local_weights(q, cands), strict=True))
        total = sum(weights.values()) or 1.0
        speaker = set(q.speaker)
        roles = speaker & _ROLE_WORDS
        if roles:
            # "the spokesman": whoever the articles call that, by name ("Magpies manager Graeme
            # Souness"); failing that, whoever is quoted in a sentence naming the role.
            holders = _role_holders(roles, q.descriptors, cands)
            speaker |= holders
            for c in cands if not holders else ():
                if c.attribution.how == "named" and any(r in c.text.lower() for r in roles):
                    speaker |= c.attribution.speakers
        speaker_found = any(speaker & c.attribution.speakers for c in cands)
        anaphoric = not q.names and bool(_PRONOUN_Q.search(q.text))
        for c in cands:
            dense = float(c.vector @ q.vector)
            words = set(tokenize(c.text))
            text_names = name_words(c.text) | set(c.attribution.speakers)
            groups_hit = [g for g in q.name_groups if g & text_names]
            for g in groups_hit:
                words |= set(tokenize(" ".join(g)))
            hit = {t for t in q.tokens if t in words}
            lexical = float(sum(weights[t] for t in hit))
            c.coverage = hit
            names = len(groups_hit) / len(q.name_groups) if q.name_groups else 0.0
            numbers = (
                len(q.numbers & set(_NUMBER.findall(c.text))) / len(q.numbers) if q.numbers else 0
            )
            retrieval = float(docs[c.doc_index].metadata.get("score", 0.0))
            score = 0.5 * dense + 0.3 * lexical / total + 0.1 * names + 0.1 * numbers
            score += 0.05 * retrieval
            if q.focus and c.article_id == q.focus:
                # "How much is he paid?" names nothing of its own: it can only be about the
                # article the conversation is on.
                score += FOCUS_BONUS * (2 if anaphoric else 1)
            if speaker:
                score += self._speaker_bonus(speaker, c, speaker_found)
            score += _type_bonus(q, c.text)
            c.score = score

    @staticmethod
    def _speaker_bonus(speaker: set[str], c: Candidate, found: bool = True) -> float:
        said_by = c.attribution.speakers
        if speaker & said_by:
            return 0.25
        if not found:
            # The speaker is described, not named as the article names them ("the Franz
            # Ferdinand singer"): prefer what anyone is quoted saying, blame no one.
            return 0.1 if said_by else 0.0
        if said_by:
            return -0.2  # someone else's words
        return -0.1

    def _select(self, q: Query, cands: list[Candidate]) -> list[Candidate]:
        """The best sentence; then sentences nearly as good, or that add question words the
        others lack (two-fact questions); for "say" questions, the speaker's next sentence when
        it goes on ("According to him, ...")."""
        ranked = sorted(cands, key=lambda c: c.score, reverse=True)
        best = ranked[0]
        if q.wants in ("number", "duration", "term") and not _type_bonus(q, best.text):
            # "How much ...?" wants a figure: a nearly-as-good sentence with one beats the best
            # without.
            # Further down in the same story, a sentence with the figure still beats one without.
            typed = [
                c
                for c in ranked[1:10]
                if _type_bonus(q, c.text)
                and (
                    c.score >= best.score - 0.12
                    or (c.article_id == best.article_id and c.score >= best.score - 0.25)
                )
            ]
            if typed:
                best = typed[0]
                ranked = [best, *(c for c in ranked if c is not best)]
        elif q.wants in ("number", "amount") and _WANTS_MONEY.search(q.text):
            # "How much is she paid?": a sum of money, not the best sentence with any figure.
            paid = [c for c in ranked[:10] if _MONEY.search(c.text) and _new_number(q, c.text)]
            if paid and paid[0] is not best and paid[0].score >= best.score - 0.12:
                best = paid[0]
                ranked = [best, *(c for c in ranked if c is not best)]
        chosen = [best]
        if q.speaker:
            nxt = _next_sentence(best, cands)
            if (
                nxt is not None
                and nxt.attribution.how in ("pronoun", "quote")
                and (nxt.attribution.speakers & best.attribution.speakers)
            ):
                chosen.append(nxt)
        elif q.wants and not _type_bonus(q, best.text):
            # "... extend a production break at one of its plants. The Dingolfing site will
            # now be closed ...": the answer often comes in the next sentence.
            nxt = _next_sentence(best, cands)
            if nxt is not None and _type_bonus(q, nxt.text) > 0:
                chosen.append(nxt)
        seen = {_norm(c.text) for c in chosen}
        for c in ranked[1:10]:
            if len(chosen) >= self.max_sentences:
                break
            if c in chosen or _norm(c.text) in seen:
                continue  # the same sentence in a duplicate article adds nothing
            adds = c.coverage - set().union(*(x.coverage for x in chosen))
            own_words = (
                q.speaker
                and c.article_id == best.article_id
                and q.speaker & c.attribution.speakers
                and c.score >= best.score - 0.35
            )
            if c.score >= best.score - 0.06 or (adds and c.score >= best.score - 0.15) or own_words:
                chosen.append(c)
                seen.add(_norm(c.text))
        return chosen

    def _unsupported_reason(self, q: Query, chosen: list[Candidate], cands: list[Candidate]) -> str:
        """Why the chosen sentences cannot be the answer, or ""."""
        if q.wants == "number" and not any(_new_number(q, c.text) for c in chosen):
            return "no figure"
        if _wants_sum(q) and not any(_MONEY.search(c.text) for c in chosen):
            return "no sum of money"
        if q.wants in ("number", "amount", "duration") and self._figure_elsewhere(q, chosen):
            return "figure from another story"
        around = [
            *chosen,
            *(p for c in chosen if (p := _prev_sentence(c, cands))),
            *(n for c in chosen if (n := _next_sentence(c, cands))),
        ]
        if _event_unreported(q, around):
            return "event not reported"
        if q.wants == "duration" and not any(
            _DURATION.search(c.text) or _new_number(q, c.text) for c in chosen
        ):
            return "no duration"
        if re.search(r"\bhow old\b", q.text, re.IGNORECASE) and not any(
            _AGE.search(c.text) for c in chosen
        ):
            return "no age"
        if q.topic:
            # "A similar position was expressed by ..." takes its topic from the sentence before.
            context = [*chosen, *(p for c in chosen if (p := _prev_sentence(c, cands)))]
            if not any(set(q.topic) & set(tokenize(c.text)) for c in context):
                return "topic not mentioned"
        return ""

    def _missing(self, q: Query, chosen: list[Candidate]) -> list[str]:
        """Names and numbers of the question that the articles of the chosen sentences never
        mention: "What did Scholz say about China?" must not be answered from a Scholz story
        that never mentions China."""
        if not q.names and not q.numbers:
            return []
        texts = self.store.article_texts(sorted({c.article_id for c in chosen}))
        return _unmentioned(q, " ".join(texts.values()))

    def _figure_elsewhere(self, q: Query, chosen: list[Candidate]) -> bool:
        """True when every chosen sentence holding the figure the question asks for comes from
        an article that never names what the question is about: "What was Electrolux's net
        profit?" is not answered by GM's net income, however alike the sentences."""
        if _wants_sum(q):
            typed = {c.article_id for c in chosen if _MONEY.search(c.text)}
        else:
            typed = {c.article_id for c in chosen if _type_bonus(q, c.text) > 0}
        if not typed or not (q.names - q.descriptors):
            return False
        texts = self.store.article_texts(sorted(typed))
        return all(_unmentioned(q, text, numbers=False) for text in texts.values())

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


_PART = re.compile(
    r",?\s+and\s+(?:\w+ly\s+)?(?=(?:what|which|who|whom|how|when|where|why|did|does|is|was|"
    r"were)\b)",
    re.IGNORECASE,
)
# "What were Inbev's pre-tax profits and its net profits?": a second thing about the same subject.
_SAME_SUBJECT = re.compile(
    r"^(?P<ask>(?:what|which|how much|how many)\s+(?:is|was|are|were)\s+)"
    r"(?P<first>.+?)\s+and\s+(?P<second>(?:its|their|his|her)\s+.+)$",
    re.IGNORECASE,
)
_REFERS_BACK = re.compile(r"\b(he|she|it|they|him|her|his|its|their|them)\b", re.IGNORECASE)


def _split_parts(text: str) -> list[str]:
    """Split a two-part question; the second part keeps the first part's names as context."""
    parts = [p.strip(" ,?") for p in _PART.split(text) if p.strip(" ,?")]
    if len(parts) < 2:
        m = _SAME_SUBJECT.match(text.strip().rstrip("?"))
        if not m:
            return [text]
        parts = [m.group("ask") + m.group("first"), m.group("ask") + m.group("second")]
    names = " ".join(re.findall(r"\b[a-z]?[A-Z][\w'’-]+", parts[0])[1:])
    # A part with names of its own stands alone; one without ("what dividend did its board
    # recommend?"), or one that points back ("which seat had he held as a Conservative MP?"),
    # is about what the first part names.
    return [parts[0] + "?"] + [
        f"{p}?"
        if re.search(r"\b[a-z]?[A-Z][\w'’-]+", p[1:]) and not _REFERS_BACK.search(p)
        else f"{p}? {names}".strip()
        for p in parts[1:]
    ]


_DESCRIBED = re.compile(
    r"\b(?:the|a|an)\s+(?P<names>(?:[A-Z][\w'’.-]*\s+){1,3})(?=[a-z])|"
    r"\b(?P<demonym>[A-Z][a-z]+(?:an|ian|ese|ish|i))\s+(?=[a-z])"
)


def _unmentioned(q: Query, text: str, numbers: bool = True) -> list[str]:
    """The question's names (and numbers) that ``text`` never mentions. Names match loosely
    (accents, a shared 5-letter stem), since questions misspell names."""
    blob = _fold(text)
    words = set(re.findall(r"[\w'’-]+", blob))
    words |= {re.sub(r"['’]s$", "", w) for w in words}
    stems = {w[:5] for w in words if len(w) >= 5}
    missing = []
    for name in sorted(q.names - q.descriptors):
        n = _fold(name)
        if n not in words and not (len(n) >= 5 and n[:5] in stems):
            missing.append(q.names_shown.get(name, name))
    if numbers:
        found = set(_NUMBER.findall(blob))
        missing += [n for n in sorted(q.numbers) if n not in found]
    return missing


# "Who replaced X?", "Which company won the auction?": an event the answer must report. The
# sentence naming the answer (or the one beside it) says so in one of these words, or the
# articles only know X, not the event.
_EVENTS = [
    (
        r"replac\w*|succeed\w*|successor",
        r"replac|succe|took over|take over|taken over|step(?:s|ped)? into|in place of",
    ),
    (
        r"won|wins?|winning",
        r"\bw[io]n(?:s|ning|ners?)?\b|victor|triumph|beat|\btook\b|scooped|claimed|awarded|"
        r"named|went to",
    ),
    (
        r"beat|beaten|defeat\w*",
        r"beat|defeat|\bw[io]n(?:s|ning|ners?)?\b|victor|overc[ao]me|edge|thrash|lost to|"
        r"los(?:e|t|ing)",
    ),
    (
        r"bought|buy|buys|acquir\w*|purchas\w*",
        r"bought|buy|acqui|purchas|takeover|stake|deal|"
        r"bid|merg",
    ),
    (r"sold|sell|sells", r"sold|sell|sale|deal|bought|buy"),
    (r"marri\w*|marry", r"marri|marry|wedding|wife|husband"),
    (r"sacked|fired|dismiss\w*", r"sack|fire|dismiss|axed|oust|replac"),
]
_EVENT_QUESTION = [
    (re.compile(rf"\b(?:{ask})\b", re.IGNORECASE), re.compile(say, re.IGNORECASE))
    for ask, say in _EVENTS
]


def _event_unreported(q: Query, context: list[Candidate]) -> bool:
    """True when an entity question asks about an event (replaced, won, bought ...) that none
    of the sentences around the answer reports."""
    if q.wants != "entity":
        return False
    for asked, said in _EVENT_QUESTION:
        if asked.search(q.text) and not any(said.search(c.text) for c in context):
            return True
    return False


def _wants_sum(q: Query) -> bool:
    """ "How much is she paid?", "What was its net profit?": only a sum of money answers it."""
    if q.wants not in ("number", "amount") or not _WANTS_MONEY.search(q.text):
        return False
    return bool(_SUM_QUESTION.search(q.text)) and not re.search(r"\bhow many\b", q.text, re.I)


def _descriptors(text: str) -> set[str]:
    """Name words that only qualify a description: "the Turin car maker", "an American firm"."""
    out: set[str] = set()
    for m in _DESCRIBED.finditer(text):
        out |= name_words(m.group("names") or m.group("demonym"))
    return out


# What the articles call the role a question names ("the car maker's boss": "Fiat chief
# executive Sergio Marchionne").
_ROLE_SYNONYMS = {
    "boss": (
        "chief executive",
        "chairman",
        "chief",
        "head",
        "president",
        "managing director",
        "ceo",
    ),
    "chief": ("chief executive", "boss", "head", "ceo"),
    "executive": ("chief executive", "ceo", "boss"),
    "head": ("chief executive", "boss", "chief", "chairman"),
    "leader": ("head", "chief"),
    "manager": ("boss", "coach"),
    "coach": ("manager", "boss"),
    "singer": ("frontman", "vocalist", "star"),
    "frontman": ("singer", "vocalist"),
}


def _role_holders(roles: set[str], descriptors: set[str], cands: list[Candidate]) -> set[str]:
    """Surnames the passages give a role ("England captain Jason Robinson", "Fiat chairman Luca
    di Montezemolo"); where the question qualifies the role ("the England rugby captain"), only
    the holders so qualified, if any are."""
    roles = roles | {w for r in roles for w in _ROLE_SYNONYMS.get(r, ())}
    rx = re.compile(
        rf"(?:^|\s)(?P<before>(?:[\w'’&-]+\s+){{0,4}})(?:{'|'.join(map(re.escape, roles))})\s+"
        r"(?P<name>[A-Z][\w'’-]+(?:\s+(?:(?:de|di|da|van|von|le|la)\s+)?[A-Z][\w'’-]+){0,3})"
    )
    # "Geoff Ellis, CEO of festival organisers Big Day Out": the name before the role.
    appositive = re.compile(
        r"(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,3}),\s+(?:the\s+)?(?:[\w'’-]+\s+){0,3}?"
        rf"(?i:{'|'.join(map(re.escape, roles))})\b(?P<after>[^,.;]{{0,60}})"
    )
    plain: set[str] = set()
    qualified: set[str] = set()
    for c in cands:
        for m in rx.finditer(c.text):
            surname = name_words(m.group("name").split()[-1])
            plain |= surname
            if descriptors & name_words(m.group("before")):
                qualified |= surname
        for m in appositive.finditer(c.text):
            surname = name_words(m.group("name").split()[-1])
            plain |= surname
            if descriptors & name_words(m.group("after")):
                qualified |= surname
    return qualified or plain


def _local_weights(q: Query, cands: list[Candidate]) -> list[float]:
    """Corpus idf times idf among the candidate sentences: a word that every passage repeats
    ("Lufthansa" in a Lufthansa story) cannot tell the answer sentence from the others, while
    the rarer words of the question ("net", "dividend") can."""
    if not q.tokens:
        return []
    sets = [set(tokenize(c.text)) for c in cands]
    n = len(sets)
    out = []
    for t, w in zip(q.tokens, q.weights, strict=True):
        df = sum(t in ws for ws in sets)
        out.append(float(w) * math.log(1 + n / max(df, 1)) / math.log(1 + n))
    return out


def _type_bonus(q: Query, text: str) -> float:
    """Reward sentences holding the kind of thing the question asks for."""
    if q.wants == "duration":
        if _WANTS_CLOCK.search(q.text):
            return 0.15 if _CLOCK.search(text) else 0.0
        unit = re.search(r"\bhow many (day|week|month|year|hour|minute|season)s?\b", q.text, re.I)
        if unit:
            # "How many years?": so many years, not "$1m a week".
            counted = re.compile(
                rf"\b(\d+|{_COUNT_WORDS})[\s-]+(?:\w+[\s-]+)?{unit.group(1)}s?\b", re.I
            )
            return 0.15 if counted.search(text) else 0.0
        return 0.15 if _DURATION.search(text) else 0.0
    if q.wants in ("number", "amount"):
        if _WANTS_FREQUENCY.search(q.text):
            return 0.15 if _FREQUENCY.search(text) else 0.0
        if re.search(r"\bhow old\b", q.text, re.IGNORECASE):
            return 0.12 if _AGE.search(text) else 0.0
        if not _new_number(q, text):
            return 0.0
        bonus = 0.12 if q.wants == "number" else 0.08
        if _WANTS_MONEY.search(q.text) and _MONEY.search(text):
            bonus += 0.1
        elif _WANTS_MEASURE.search(q.text) and _UNIT.search(text):
            bonus += 0.06
        return bonus
    if q.wants == "entity" and re.match(r"\s*where\b", q.text, re.IGNORECASE):
        return 0.1 if _PLACE.search(text) else 0.0
    if q.wants == "term":
        return (
            0.1 if _NAMING.search(text) or re.search(r"[\"“'‘][^\"”']{2,40}[\"”'’]", text) else 0.0
        )
    if q.wants == "date":
        return 0.1 if _HAS_DATE.search(text) else 0.0
    if q.wants == "entity":
        # A name the question does not give: "Robert Bosch" is the question's "Bosch" again.
        known = set(q.names)
        for run in _NAME_RUN.finditer(text):
            words = name_words(run.group(0))
            if words & q.names:
                known |= words
        new = {n for m in _CAPITALISED.finditer(text) for n in name_words(m.group(1))} - known
        return 0.06 if new else 0.0
    return 0.0


def _new_number(q: Query, text: str) -> bool:
    """A figure the question does not already give; a year is no amount ("in 2003")."""
    new = {n for n in set(_NUMBER.findall(text)) - q.numbers if not _YEAR.match(n)}
    return bool(new) or bool(_HAS_NUMBER.search(_NUMBER.sub(" ", text)))


def _prev_sentence(c: Candidate, cands: list[Candidate]) -> Candidate | None:
    before = [x for x in cands if x.article_id == c.article_id and x.start < c.start]
    return max(before, key=lambda x: x.start) if before else None


def _next_sentence(c: Candidate, cands: list[Candidate]) -> Candidate | None:
    after = [x for x in cands if x.article_id == c.article_id and x.start > c.start]
    return min(after, key=lambda x: x.start) if after else None


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


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
