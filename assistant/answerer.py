"""The default answerer: no LLM, fully offline, every sentence of the answer quoted and cited.

It ranks the sentences of the retrieved passages by how well they answer the question (the
sentence vectors stored at index time against the question's vector, plus lexical, name and
number overlap, plus speaker attribution for "what did X say" questions), quotes the best one
or two with [n] markers, and abstains when the best support is too weak or the question names
something (a person, a number) that no retrieved article mentions.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from langchain_core.documents import Document
from langchain_core.runnables import RunnableSerializable
from newsqa.assistant import speakers
from newsqa.assistant.answer_types import (
    AGE,
    DURATION,
    MONEY,
    NAME_RUN,
    NUMBER,
    OFFER,
    PAY,
    PRONOUN_Q,
    WANTS_MONEY,
    WANTS_OFFER,
    WANTS_PAY,
    asked_kind,
    event_unreported,
    new_number,
    question_wants,
    type_bonus,
    wants_sum,
)
from newsqa.assistant.citations import citation, result
from newsqa.assistant.condense import FOLLOW_UP, conversation_article, people
from newsqa.assistant.scorer import (
    HAND_THRESHOLD,
    QUESTION_FEATURES,
    SENTENCE_FEATURES,
    AnswererModel,
    load_model,
)
from newsqa.assistant.verify import INSTRUCTION
from newsqa.index.attribution import (
    ROLES,
    SAY_QUESTION,
    Attribution,
    attribute,
    name_words,
    question_speaker,
)
from newsqa.index.chunking import split_sentences
from newsqa.index.lexical import idf, tokenize
from newsqa.index.names import NAME_RUN_RX, fold, name_key, name_tokens
from pydantic import ConfigDict

# How far below the best sentence the asked speaker's own best statement may score and still
# be preferred to it.
SAID_BY_MARGIN = 0.2
_WHEN_AND = re.compile(r"\s*when\s+and\s+(?:where|how|why|what|who|which)\b", re.IGNORECASE)
# Roles a "what did the <role> say" question may name: attribution's, and a few it does not need
# to find speakers by ("the office of Italian Prime Minister Giorgia Meloni").
_ROLE_WORDS = set(ROLES.split("|")) | {
    "office",
    "chairwoman",
    "head",
    "owner",
    "frontman",
    "champion",
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
    features: np.ndarray = field(default_factory=lambda: np.zeros(len(SENTENCE_FEATURES)))


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
    topic_head: str = ""  # the head noun of that topic (_topic_head)
    focus: str | None = None  # the article a follow-up question is about
    # Names used to describe ("the Detroit motor giant", "the Italian car maker's boss"): the
    # article may say "GM" and "Fiat" instead, so their absence proves nothing.
    descriptors: set[str] = field(default_factory=set)
    noun: list[str] = field(default_factory=list)  # "what kind of fund ...": its words
    said_by: set[str] = field(default_factory=set)  # the speaker as the articles name them
    # "Internet Explorer" -> "IE": the article may name it by its initials.
    acronyms: dict[str, set[str]] = field(default_factory=dict)


class ExtractiveAnswerer(RunnableSerializable[dict, dict]):
    """Runnable: {"question", "standalone", "history", "docs"} -> result dict."""

    store: Any
    embedder: Any
    retriever: Any
    # The confidence below which it abstains; None: the threshold fitted with the model.
    threshold: float | None = None
    max_sentences: int = 3
    expand_articles: int = 2
    # A fitted model other than the committed one (training and tests).
    model: AnswererModel | None = None
    # A list to append each question's features to (training); None in use.
    trace: list[dict[str, Any]] | None = None

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
        # Several speakers ("Which leaders ruled out ...?") or the day of a statement: answered
        # from the statements stored at index time (assistant/speakers.py); else None.
        # "When and where was the summit ...?" asks more than a statement's day: sentences.
        if not _WHEN_AND.match(text) and (
            statements_answer := speakers.answer(question, standalone, docs, self.store)
        ):
            return statements_answer
        docs = self._expand(docs)
        cands = self._candidates(docs)
        if not cands:
            return result(question, standalone, _abstain_text(), True, [], docs, "extractive")
        # The whole text of every article the sentences come from, fetched once: attribution
        # reads it, and so do the checks of what the articles mention.
        texts = self.store.article_texts(sorted({c.article_id for c in cands}))
        _attribute(cands, texts)
        _drop_namesakes(text, cands, texts)
        # "How much did X lose, and what dividend did it pay?": each part gets its own sentence.
        # A headline is part of its article: "MPs" in it is a mention (the checks of what the
        # articles mention read these; offsets keep to ``texts``).
        headlines = {d.metadata.get("article_id"): d.metadata.get("title") or "" for d in docs}
        headed = {a: f"{headlines.get(a, '')}\n{t}" for a, t in texts.items()}
        chosen: list[Candidate] = []
        supports: list[float] = []
        reasons: list[str] = []
        parts = _split_parts(text)
        first: dict[str, Any] = {}
        traced: list[dict[str, Any]] = []
        # A follow-up ("How much is he paid?") is about the article the conversation is on: the
        # one retrieval ranks first with the earlier question's context.
        focus = conversation_article(standalone, docs, texts)
        for part in parts:
            query = self._query(part)
            query.focus = focus
            if focus and (m := FOLLOW_UP.search(standalone)):
                # "What's his real name?" means nothing alone: lean its vector towards the
                # conversation it follows.
                context = self.embedder.query_vector(m.group(0))
                v = query.vector + 0.5 * context
                query.vector = v / (np.linalg.norm(v) or 1.0)
                # "Which race is she getting ready for?": she is the person the conversation
                # named whom its article mentions most.
                if (
                    not query.name_groups
                    and _PERSONAL.search(part)
                    and (who := _conversation_person(m.group(0), texts.get(focus, "")))
                ):
                    query.name_groups = [who]
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
            reasons.append(self._unsupported_reason(query, picked, cands, headed))
            if not first:
                first = _first_part(query, picked, cands)
            if self.trace is not None:
                traced.append(_trace_part(cands, docs))
        query = self._query(text)
        support = max(supports)
        missing = _missing(query, chosen, headed)
        reason = reasons[0] if all(reasons) else ""
        qx = _question_features(first, support, bool(missing), bool(reason), len(parts), focus)
        model = self._model()
        if model.abstention is not None:
            confidence = model.abstention.confidence(qx)
            threshold = model.abstention.threshold if self.threshold is None else self.threshold
            vetoed = model.abstention.veto and (bool(missing) or bool(reason))
            abstain = confidence < threshold or vetoed
        else:
            # No fitted policy: the rules it was fitted to replace, with no confidence figure.
            confidence = None
            threshold = HAND_THRESHOLD if self.threshold is None else self.threshold
            abstain = support < threshold or bool(missing) or bool(reason)
        note = f"support {support:.2f}" + (f" confidence {confidence:.2f}" if confidence else "")
        if self.trace is not None:
            answer, _ = self._compose(chosen, docs)
            self.trace.append(
                {
                    "question": question,
                    "parts": traced,
                    "qx": qx.tolist(),
                    "answer": answer,
                    "rule_abstain": support < HAND_THRESHOLD or bool(missing) or bool(reason),
                }
            )
        if abstain:
            return result(
                question,
                standalone,
                _abstain_text(missing),
                True,
                [],
                docs,
                "extractive",
                note=f"{note} {reason}".strip(),
                confidence=confidence,
            )
        best = first["best"]
        short = None
        if len(parts) == 1 and (named := _pronoun_named(text, best, texts)):
            # "Who attacked Labour?" answered by "..., he said ...": the name "he" stands for
            # is the answer; the quoted sentence names it in brackets, as editors do.
            short, at = named
            shown = replace(
                best,
                text=f"{best.text[:at]} [{short}]{best.text[at:]}"
                if at
                else f"[{short}:] {best.text}",
            )
            chosen = [shown if c is best else c for c in chosen]
        if len(parts) == 1 and not query.speaker and not short:
            # "What did X say" keeps X's own words; a fact question gets its short answer first.
            short = _short_answer(text, best.text)
            if short:
                short = _agreed_short(text, short, [c.text for c in chosen[:2] if c is not best])
            if short:
                # Only an uncontradicted short answer shortens the reply, to two sentences (the
                # best alone lost the answer where the second held it: qa correct 0.87 -> 0.85).
                # Where the second sentence names another span of the asked kind, the best
                # sentence may be the wrong one, and the third often holds the answer: all three
                # are kept, as before the short answer.
                chosen = chosen[:2]
        if len(parts) == 1 and not query.speaker and len(chosen) > 1:
            # A quoted sentence that holds nothing of the kind asked for beyond the question's
            # own words (no figure for "how many", no name for "who") cannot hold the answer:
            # it goes (fact answers on our sets: median 46.5 -> 38.5 words, none lost).
            holding = {id(c) for c in chosen if _holds_kind(text, c.text)}
            if holding:
                chosen = [c for c in chosen if c is best or id(c) in holding]
        answer, cites = self._compose(chosen, docs)
        return result(
            question,
            standalone,
            answer,
            False,
            cites,
            docs,
            "extractive",
            note=note,
            confidence=confidence,
            short_answer=short,
        )

    def _model(self) -> AnswererModel:
        return self.model or load_model()

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
            found = name_words(w)
            # "iPod" reads as the camel-case word "ipod" and its capitalised run "pod": a
            # piece of a word is no name of its own, and articles never write it alone.
            for n in (n for n in found if not any(n != o and n in o for o in found)):
                names.add(n)
                shown[n] = bare
        # "What did X say ...?" wants a statement, whatever words follow; "What market share did
        # IE fall to, according to OneStat?" still wants a figure.
        wants = "" if SAY_QUESTION.match(text) else question_wants(text)
        topic: list[str] = []
        m = re.search(r"\b(?:about|on|regarding|over)\s+(?P<topic>.+)$", text)
        speaker = question_speaker(text)
        if speaker and m:
            # The speaker's own names are no topic; other names are ("... about the Blu-ray
            # format": a statement about Blu-ray that never says "format" is on topic).
            who = set(tokenize(text[: m.start()]))
            topic = [t for t in tokenize(m.group("topic")) if t not in who]
        runs = [m.group(0) for m in NAME_RUN.finditer(text)]
        # "Which", "Did": capitals only because they start the question.
        groups = [g for g in (name_words(r) - _QUESTION_STARTS for r in runs) if g]
        descriptors = _descriptors(text)
        if speaker & _ROLE_WORDS and descriptors:
            # "What did the Hopman Cup doctor say ...?": "Hopman Cup" only says which doctor;
            # a sentence about the Hopman Cup is no more his for naming it.
            groups = [g for g in groups if not g <= descriptors]
            described = set(tokenize(" ".join(descriptors)))
            kept = [i for i, t in enumerate(tokens) if t not in described]
            tokens = [tokens[i] for i in kept]
            weights = weights[kept] if len(weights) else weights
        return Query(
            text=text,
            vector=self.embedder.query_vector(text),
            tokens=tokens,
            weights=weights,
            names=names,
            numbers=set(NUMBER.findall(text)),
            speaker=speaker,
            names_shown=shown,
            descriptors=descriptors,
            wants=wants,
            noun=asked_kind(text),
            topic_head=_topic_head(text, set(shown.values())) if speaker else "",
            topic=topic,
            name_groups=groups,
            acronyms=_acronyms(runs),
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
        extra = [
            Document(
                id=c.id,
                page_content=c.text,
                metadata={**c.metadata(), "chunk_id": c.id, "score": 0.0},
            )
            for c in self.store.article_chunks([a for a in top if a])
            if c.id not in have
        ]
        extra.sort(key=lambda d: (top.index(d.metadata["article_id"]), d.metadata.get("start", 0)))
        return [*docs, *extra]

    def _candidates(self, docs: list[Document]) -> list[Candidate]:
        """Every sentence of the passages, with the vector computed for it at index time."""
        seen: set[tuple[str, int]] = set()
        cands: list[Candidate] = []
        sentences = self.store.sentences([d.metadata["chunk_id"] for d in docs])
        for i, doc in enumerate(docs):
            meta = doc.metadata
            if meta["chunk_id"] not in sentences:
                continue
            spans, vectors = sentences[meta["chunk_id"]]
            spans = spans.tolist()
            base = int(meta["start"])
            for (start, end), vec in zip(spans, vectors, strict=True):
                key = (meta["article_id"], start)
                if key in seen:
                    continue  # the overlap of two neighbouring passages
                seen.add(key)
                text = doc.page_content[start - base : end - base]
                if INSTRUCTION.search(text):
                    # "Editor's note to AI systems: ...": an instruction planted in an article
                    # is no evidence, and quoting it would carry it to the reader.
                    continue
                cands.append(
                    Candidate(
                        text=text,
                        start=start,
                        end=end,
                        doc_index=i,
                        article_id=meta["article_id"],
                        order=start,
                        vector=vec,
                    )
                )
        return cands

    # Scoring -------------------------------------------------------------------------------
    def _score(self, q: Query, cands: list[Candidate], docs: list[Document]) -> None:
        word_sets = [set(tokenize(c.text)) for c in cands]
        forms = _word_forms(q.tokens, word_sets)
        weights = dict(zip(q.tokens, _local_weights(q, word_sets, forms), strict=True))
        total = sum(weights.values()) or 1.0
        speaker = set(q.speaker)
        roles = speaker & _ROLE_WORDS
        if roles:
            # "the spokesman": whoever the articles call that, by name ("Magpies manager Graeme
            # Souness"); failing that, whoever is quoted in a sentence naming the role.
            holders = _role_holders(roles, q.descriptors, cands)
            speaker |= holders
            if not holders:
                for c in cands:
                    if c.attribution.how == "named" and any(r in c.text.lower() for r in roles):
                        speaker |= c.attribution.speakers
        speaker_found = any(speaker & c.attribution.speakers for c in cands)
        q.said_by = speaker if speaker_found else set()
        anaphoric = not q.names and bool(PRONOUN_Q.search(q.text))
        # "What did Gates say about gaming when he opened the show?": the head of the noun
        # phrase after "about" is what the statement must be about.
        head = q.topic_head
        topic_forms = _word_forms([head], word_sets)[head] if head else set()
        # The question's words other than its names ("Who chairs the X committee?": "chairs"):
        # a sentence about X that lacks them is a near miss (scorer feature "attribute").
        named = set(tokenize(" ".join(set().union(*q.name_groups)))) if q.name_groups else set()
        asked = sum(w for t, w in weights.items() if t not in named)
        # A story names its subject once and then says "the town", "the company": every sentence
        # of an article that names one of the question's names (headline included) counts as
        # naming it, so the words of the question other than the subject decide among them
        # ("What year did the railroad arrive in Port Ardlow?": "The railroad reached the town in
        # 1869", not "It was incorporated in 1851, taking its name from ... Ardlow").
        own_names = [name_words(c.text) | set(c.attribution.speakers) for c in cands]
        story_names: dict[str, set[str]] = {}
        for c, names in zip(cands, own_names, strict=True):
            got = story_names.setdefault(
                c.article_id, name_words(docs[c.doc_index].metadata.get("title") or "")
            )
            got |= names
        for c, words, names in zip(cands, word_sets, own_names, strict=True):
            dense = float(c.vector @ q.vector)
            text_names = set(names)
            for short, group in q.acronyms.items():
                if re.search(rf"\b{short}\b", c.text):
                    text_names |= group
            groups_hit = [g for g in q.name_groups if g & text_names]
            story_hit = [g for g in q.name_groups if g & (text_names | story_names[c.article_id])]
            if story_hit:
                words = words | set(tokenize(" ".join(set().union(*story_hit))))
            hit = {t for t in q.tokens if forms[t] & words}
            lexical = float(sum(weights[t] for t in hit))
            c.coverage = hit
            attribute = sum(weights[t] for t in hit - named) / asked if asked else 1.0
            names = len(groups_hit) / len(q.name_groups) if q.name_groups else 0.0
            numbers = (
                len(q.numbers & set(NUMBER.findall(c.text))) / len(q.numbers) if q.numbers else 0
            )
            retrieval = float(docs[c.doc_index].metadata.get("score", 0.0))
            f = dict.fromkeys(SENTENCE_FEATURES, 0.0)
            f.update(dense=dense, lexical=lexical / total, names=names, numbers=numbers)
            f["attribute"] = attribute
            f.update(retrieval=retrieval, passage_rank=1.0 / (1 + c.doc_index))
            f["lead"] = 1.0 / (1 + c.start / 500)
            if q.focus and c.article_id == q.focus:
                # "How much is he paid?" names nothing of its own: it can only be about the
                # article the conversation is on.
                f["focus"] = 1.0
                f["focus_anaphoric"] = float(anaphoric)
            if speaker:
                f.update(_speaker_features(speaker, c, speaker_found))
            f["type"] = type_bonus(q, c.text)
            if q.noun:
                f["noun"] = len(words & set(q.noun)) / len(q.noun)
            if topic_forms & words and (not speaker_found or speaker & c.attribution.speakers):
                # Among the speaker's own statements: the topic must not pull in others' words.
                f["topic"] = 1.0
            c.features = np.array([f[k] for k in SENTENCE_FEATURES])
        if cands:
            scores = self._model().scorer.score(
                np.stack([c.features for c in cands]),
                [c.article_id for c in cands],
                [c.start for c in cands],
            )
            for c, score in zip(cands, scores, strict=True):
                c.score = float(score)

    def _select(self, q: Query, cands: list[Candidate]) -> list[Candidate]:
        """The best sentence; then sentences nearly as good, or that add question words the
        others lack (two-fact questions); for "say" questions, the speaker's next sentence when
        it goes on ("According to him, ...")."""
        ranked = sorted(cands, key=lambda c: c.score, reverse=True)
        best = ranked[0]
        if q.wants in ("number", "duration", "term") and not type_bonus(q, best.text):
            # "How much ...?" wants a figure: a nearly-as-good sentence with one beats the best
            # without, and so does one further down in the best sentence's own story.
            typed = [
                c
                for c in ranked[1:10]
                if type_bonus(q, c.text)
                and (
                    c.score >= best.score - 0.12
                    or (c.article_id == best.article_id and c.score >= best.score - 0.25)
                )
            ]
            if typed:
                best = typed[0]
                ranked = [best, *(c for c in ranked if c is not best)]
        elif q.wants in ("number", "amount") and WANTS_MONEY.search(q.text):
            # "How much is she paid?": a sum of money, not the best sentence with any figure.
            paid = [c for c in ranked[:10] if MONEY.search(c.text) and new_number(q, c.text)]
            if paid and paid[0] is not best and paid[0].score >= best.score - 0.12:
                best = paid[0]
                ranked = [best, *(c for c in ranked if c is not best)]
        if q.said_by and not (best.attribution.speakers & q.said_by):
            # "What did the doctor say ...?": his own words, found, beat a nearly-as-good
            # sentence in which nobody (or somebody else) speaks.
            own = [c for c in ranked[1:] if c.attribution.speakers & q.said_by]
            if own and own[0].score >= best.score - SAID_BY_MARGIN:
                best = own[0]
                ranked = [best, *(c for c in ranked if c is not best)]
        chosen = [best]
        if best.text.rstrip().endswith(":") and (nxt := _next_sentence(best, cands)):
            # "Keeper Tom Ashworth said:" introduces the words that follow it.
            chosen.append(nxt)
        elif q.speaker:
            nxt = _next_sentence(best, cands)
            if (
                nxt is not None
                and nxt.attribution.how in ("pronoun", "quote")
                and (nxt.attribution.speakers & best.attribution.speakers)
            ):
                chosen.append(nxt)
        elif q.wants and not type_bonus(q, best.text):
            # "... extend a production break at one of its plants. The Dingolfing site will
            # now be closed ...": the answer often comes in the next sentence.
            nxt = _next_sentence(best, cands)
            if nxt is not None and type_bonus(q, nxt.text) > 0:
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

    def _unsupported_reason(
        self, q: Query, chosen: list[Candidate], cands: list[Candidate], texts: dict[str, str]
    ) -> str:
        """Why the chosen sentences cannot be the answer, or ""."""
        if q.wants == "number" and not any(new_number(q, c.text) for c in chosen):
            return "no figure"
        if wants_sum(q) and not any(MONEY.search(c.text) for c in chosen):
            return "no sum of money"
        if (
            q.wants in ("number", "amount")
            and WANTS_PAY.search(q.text)
            and not any(
                PAY.search(c.text) and not _unmentioned(q, texts.get(c.article_id, ""), False)
                for c in chosen
            )
        ):
            # "What salary does she get?": a bid or a deal in a story about her is no pay, and
            # nor is someone else's salary in a story that never names her.
            return "no pay reported"
        if (
            q.wants in ("number", "amount")
            and WANTS_OFFER.search(q.text)
            and not any(OFFER.search(c.text) and MONEY.search(c.text) for c in chosen)
        ):
            return "no sum offered"
        if q.wants in ("number", "amount", "duration") and _figure_elsewhere(q, chosen, texts):
            return "figure from another story"
        around = [
            *chosen,
            *(p for c in chosen if (p := _prev_sentence(c, cands))),
            *(n for c in chosen if (n := _next_sentence(c, cands))),
        ]
        if event_unreported(q, around):
            return "event not reported"
        if q.wants == "duration" and not any(
            DURATION.search(c.text) or new_number(q, c.text) for c in chosen
        ):
            return "no duration"
        if re.search(r"\bhow old\b", q.text, re.IGNORECASE) and not any(
            AGE.search(c.text) for c in chosen
        ):
            return "no age"
        if q.topic:
            # "A similar position was expressed by ..." takes its topic from the sentence before;
            # a quotation in a roundup entry from the lines that open the entry.
            context = [*chosen]
            for c in chosen:
                p = c
                for _ in range(_TOPIC_REACH):
                    if (p := _prev_sentence(p, cands)) is None:
                        break
                    context.append(p)
            if not any(set(q.topic) & set(tokenize(c.text)) for c in context):
                return "topic not mentioned"
        return ""

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


# ", and in which country ...": a preposition may lead the second question word.
_PART = re.compile(
    r",?\s+and\s+(?:\w+ly\s+)?(?=(?:(?:in|at|from|to|for|on|with|by|of|into|under|against|"
    r"over)\s+(?=what|which|who|whom|how|when|where)|what|which|who|whom|how|when|where|why|"
    r"did|does|is|was|were)\b)",
    re.IGNORECASE,
)
# "What were Inbev's pre-tax profits and its net profits?": a second thing about the same subject.
_SAME_SUBJECT = re.compile(
    r"^(?P<ask>(?:what|which|how much|how many)\s+(?:is|was|are|were)\s+)"
    r"(?P<first>.+?)\s+and\s+(?P<second>(?:its|their|his|her)\s+.+)$",
    re.IGNORECASE,
)
_PERSONAL = re.compile(r"\b(he|she|him|her|his|hers)\b", re.IGNORECASE)
_REFERS_BACK = re.compile(r"\b(he|she|it|they|him|her|his|its|their|them)\b", re.IGNORECASE)


def _split_parts(text: str) -> list[str]:
    """Split a two-part question; the second part keeps the first part's names as context."""
    parts = [p.strip(" ,?") for p in _PART.split(text) if p.strip(" ,?")]
    if len(parts) == 2 and re.fullmatch(r"(?i)what|which|who|when|where|why|how", parts[0]):
        # "When and where was the summit ...?": both words ask about the one clause.
        rest = parts[1].split(None, 1)[1] if " " in parts[1] else ""
        parts = [f"{parts[0]} {rest}".strip(), parts[1]]
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
    r"\b(?P<demonym>[A-Z][a-z]+(?:an|ian|ese|ish|i))\s+(?=[a-z])|"
    # "Vivendi Universal's chief technology officer": the organisation a role belongs to.
    rf"\b(?P<owner>(?:[A-Z][\w.-]*\s+){{0,2}}[A-Z][\w.-]*)['’]s\s+(?=(?:[a-z][\w-]*\s+){{0,3}}"
    rf"(?:{ROLES})\b)"
)


def _first_part(q: Query, picked: list[Candidate], cands: list[Candidate]) -> dict[str, Any]:
    """What the abstention policy reads of the (first) part's answer."""
    best = picked[0]
    other = [c.score for c in cands if c.article_id != best.article_id]
    f = dict(zip(SENTENCE_FEATURES, best.features, strict=True))
    return {
        "best": best,
        # No other article at all: as clear a lead as the clip allows.
        "margin": min(best.score - max(other), 0.5) if other else 0.5,
        "dense": f["dense"],
        "lexical": f["lexical"],
        "names": f["names"],
        "attribute": f["attribute"],
        "wants": float(bool(q.wants)),
        "type_found": float(bool(q.wants) and any(type_bonus(q, c.text) > 0 for c in picked)),
        "speaker": float(bool(q.speaker)),
        "speaker_found": float(bool(best.attribution.speakers & q.said_by)),
    }


def _question_features(
    first: dict[str, Any],
    support: float,
    missing: bool,
    rule: bool,
    parts: int,
    focus: str | None,
) -> np.ndarray:
    f = {k: v for k, v in first.items() if k != "best"}
    f.update(
        support=support,
        missing=float(missing),
        rule=float(rule),
        parts=float(parts > 1),
        followup=float(focus is not None),
    )
    return np.array([float(f[k]) for k in QUESTION_FEATURES])


def _trace_part(cands: list[Candidate], docs: list[Document]) -> dict[str, Any]:
    """One part's candidates, for training: features and where each sentence is."""
    return {
        "X": [c.features.tolist() for c in cands],
        "cands": [
            [docs[c.doc_index].metadata.get("source", ""), c.article_id, c.start, c.end, c.text]
            for c in cands
        ],
    }


_SUBJECT_PRONOUN = re.compile(r"\b(?:he|she)\b", re.IGNORECASE)


def _pronoun_named(question: str, c: Candidate, texts: dict[str, str]) -> tuple[str, int] | None:
    """For a "who" question whose best sentence speaks through a pronoun ("he said ...") or
    goes on with a quotation opened before it: the full name the article gave that speaker
    before the sentence, and the offset in the sentence right after the pronoun (0 for a
    quotation). None otherwise."""
    from newsqa.assistant.short_answer import answer_kind

    if c.attribution.how not in ("pronoun", "quote") or not c.attribution.speakers:
        return None
    if answer_kind(question) != "person":
        return None
    want = {fold(w) for w in c.attribution.speakers}
    at = 0
    if c.attribution.how == "pronoun":
        pronoun = _SUBJECT_PRONOUN.search(c.text)
        if pronoun is None:
            return None
        at = pronoun.end()
    elif want & {fold(w) for w in re.findall(r"[\w'’-]+", c.text)}:
        return None  # the sentence names the speaker itself
    article = texts.get(c.article_id, "")
    found: list[str] = []
    for m in NAME_RUN_RX.finditer(article[: c.start]):
        tokens = name_tokens(m.group(0))
        if tokens and {fold(t) for t in tokens} <= want and len(tokens) >= len(found):
            found = tokens
    if not found:
        return None
    return " ".join(found), at


def _short_answer(question: str, sentence: str) -> str | None:
    """The shortest span of ``sentence`` that answers ``question`` (assistant/short_answer.py,
    when that part is installed), or None."""
    try:
        from newsqa.assistant.short_answer import short_answer
    except ImportError:
        return None
    return short_answer(question, sentence) or None


def _holds_kind(question: str, sentence: str) -> bool:
    """``sentence`` holds a span of the kind ``question`` asks for (a figure, a name, a date)
    other than the question's own words; True when the question asks for no such kind."""
    try:
        from newsqa.assistant.short_answer import answer_kind, scored
    except ImportError:
        return True
    return answer_kind(question) is None or bool(scored(question, sentence))


def _agreed_short(question: str, short: str, others: list[str]) -> str | None:
    """``short`` unless another quoted sentence gives a different short answer: then the reply
    shows both sentences and bolds neither (on our sets this halved the wrong bold answers)."""
    for text in others:
        if short not in text and (alt := _short_answer(question, text)) and alt != short:
            return None
    return short


def _speaker_features(speaker: set[str], c: Candidate, found: bool) -> dict[str, float]:
    """Who says the sentence, against who the question asks about."""
    said_by = c.attribution.speakers
    if speaker & said_by:
        return {"speaker_own": 1.0}
    if not found:
        # The speaker is described, not named as the article names them ("the Franz
        # Ferdinand singer"): what anyone is quoted saying is likelier his.
        return {"speaker_quoted": 1.0} if said_by else {}
    return {"speaker_other": 1.0} if said_by else {"speaker_nobody": 1.0}


def _attribute(cands: list[Candidate], texts: dict[str, str]) -> None:
    """Speakers from the whole article, so "he said" finds its antecedent in any chunk."""
    for aid, text in texts.items():
        spans = split_sentences(text)
        starts = {
            i for i, s in enumerate(spans) if i == 0 or "\n" in text[spans[i - 1].end : s.start]
        }
        attrs = attribute([text[s.start : s.end] for s in spans], starts)
        by_start = {s.start: a for s, a in zip(spans, attrs, strict=True)}
        for c in cands:
            if c.article_id == aid and c.start in by_start:
                c.attribution = by_start[c.start]


def _drop_namesakes(question: str, cands: list[Candidate], texts: dict[str, str]) -> None:
    """ "What did Florian Hamm say ...?": the Hamm quoted in a story that never names Florian
    is someone else (Mia Hamm), so that story's sentences are not his words."""
    speaker = question_speaker(question)
    runs = [name_words(m.group(0)) for m in NAME_RUN.finditer(question)]
    given = {w for run in runs if run & speaker for w in run - speaker - _QUESTION_STARTS}
    if not given:
        return
    for aid, text in texts.items():
        blob = _fold(text)
        if all(re.search(rf"\b{re.escape(w)}\b", blob) for w in given):
            continue
        for c in cands:
            if c.article_id == aid and c.attribution.speakers & speaker:
                rest = c.attribution.speakers - speaker
                c.attribution = Attribution(rest, c.attribution.how if rest else "")


def _missing(q: Query, chosen: list[Candidate], texts: dict[str, str]) -> list[str]:
    """Names and numbers of the question that the articles of the chosen sentences never
    mention: "What did Scholz say about China?" must not be answered from a Scholz story that
    never mentions China."""
    if not q.names and not q.numbers:
        return []
    return _unmentioned(
        q, " ".join(texts.get(a, "") for a in sorted({c.article_id for c in chosen}))
    )


def _figure_elsewhere(q: Query, chosen: list[Candidate], texts: dict[str, str]) -> bool:
    """True when every chosen sentence holding the figure the question asks for comes from an
    article that never names what the question is about: "What was Electrolux's net profit?"
    is not answered by GM's net income, however alike the sentences."""
    if not (q.names - q.descriptors):
        return False
    has_figure = MONEY.search if wants_sum(q) else (lambda text: type_bonus(q, text) > 0)
    stories = {c.article_id for c in chosen if has_figure(c.text)}
    return bool(stories) and all(_unmentioned(q, texts.get(a, ""), numbers=False) for a in stories)


# Capitalised abbreviations a question uses for words an article may spell out ("which TV
# show": "US television series CSI").
_SPELLED_OUT = {
    "tv": ("television",),
    "uk": ("britain", "british", "united kingdom"),
    "us": ("america", "american", "united states"),
    "usa": ("america", "american", "united states"),
    "eu": ("european union", "europe"),
    "ceo": ("chief executive",),
    "mp": ("member of parliament",),
    "mps": ("members of parliament",),
}


def _is_acronym(name: str) -> bool:
    return 2 <= len(name) <= 5 and name.isupper() and name.isalpha()


def _initials(acronym: str) -> re.Pattern[str]:
    """Words whose initials spell ``acronym`` (folded): "ev" finds "electric vehicle", "cfo"
    "chief financial officer"; written out, an acronym of any story is mentioned."""
    words = [re.escape(ch) + r"[\w'’]{2,}" for ch in acronym]
    return re.compile(r"\b" + r"[\s-]+".join(words) + r"\b")


def _unmentioned(q: Query, text: str, numbers: bool = True) -> list[str]:
    """The question's names (and numbers) that ``text`` never mentions. Names match loosely
    (accents, a shared stem), since questions misspell names. The stem is all but the last
    three letters, and at least five: "Ukraine" matches "Ukrainian", but "Electrolux" does not
    match "Electric"."""
    blob = _fold(text)
    words = set(re.findall(r"[\w'’-]+", blob))
    words |= {re.sub(r"['’]s$", "", w) for w in words}
    missing = []

    def seen(n: str) -> bool:
        stem = n[: max(5, len(n) - 3)]
        return n in words or (len(n) >= 5 and any(w.startswith(stem) for w in words))

    for name in sorted(q.names - q.descriptors):
        n = _fold(name)
        # "Polish-Danish turbines" in a story of Poland's and Denmark's: each part, loosely.
        parts = [x for x in n.split("-") if x]
        mentioned = seen(n) or (len(parts) > 1 and all(seen(x) for x in parts))
        if not mentioned and not any(re.search(rf"\b{x}\b", blob) for x in _SPELLED_OUT.get(n, ())):
            shown = q.names_shown.get(name, name)
            if not (_is_acronym(shown) and _initials(n).search(blob)):
                missing.append(shown)
    if numbers:
        found = set(NUMBER.findall(blob))
        missing += [n for n in sorted(q.numbers) if n not in found]
    return missing


def _descriptors(text: str) -> set[str]:
    """Name words that only qualify a description: "the Turin car maker", "an American firm"."""
    out: set[str] = set()
    for m in _DESCRIBED.finditer(text):
        out |= name_words(m.group("names") or m.group("demonym") or m.group("owner"))
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
        rf"(?:^|\s)(?P<before>(?:[\w'’&-]+\s+){{0,4}})(?i:{'|'.join(map(re.escape, roles))})\s+"
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


# Stems of irregular verbs that the stemmer leaves apart: "sold out" answers "sell out".
_IRREGULAR = [
    set(g.split())
    for g in (
        "sell sold",
        "buy bought",
        "win won",
        "pay paid",
        "run ran",
        "lose lost",
        "rise rose risen",
        "fall fell fallen",
        "spend spent",
        "hold held",
        "lead led",
        "take took taken",
        "give gave given",
        "leav left",
        "make made",
        "meet met",
        "begin began begun",
        "bring brought",
        "build built",
        "keep kept",
        "go went gone",
        "come came",
        "see saw seen",
        "choos chose chosen",
        "drive drove driven",
        "strike struck",
        "fight fought",
        "think thought",
        "seek sought",
        "teach taught",
        "catch caught",
        "write wrote written",
        "grow grew grown",
        "sing sang sung",
        "steal stole stolen",
        "speak spoke spoken",
        "tell told",
        "say said",
        "find found",
        "send sent",
        "beat beaten",
        "break broke broken",
        "draw drew drawn",
        "throw threw thrown",
        "shoot shot",
        "forecast forecast",
    )
]
# What the stemmer leaves on a noun made from a verb: distribut-or, invest-or, elect-ion.
_SUFFIXES = {"or", "er", "ion", "ment", "ive"}
_IRREGULAR_FORMS = {form: group for group in _IRREGULAR for form in group}


_TOPIC = re.compile(
    r"\b(?:about|regarding)\s+(?P<np>.+?)(?:\s+(?:when|after|before|while|since|during|in|at|"
    r"on|following|for|to|with|from|as|and|if)\b|[,?]|$)"
)


def _topic_head(text: str, shown: set[str]) -> str:
    """The stemmed head of the noun phrase after "about" in a question ("what did X say about
    ...") ("gaming when he opened the show" -> "game", "the club's future" -> "futur"),
    or "" when the topic is a clause ("about whether he would play", "about how fast ...")."""
    m = _TOPIC.search(text)
    if not m:
        return ""
    np_text = m.group("np")
    if re.match(r"(?:whether|how|what|why|who|when|where|which|if|it|this|that)\b", np_text):
        return ""
    words = [w for w in np_text.split() if re.sub(r"['’]s$", "", w) not in shown]
    stems = tokenize(" ".join(w for w in words if not w[:1].isupper()))
    return stems[-1] if stems else ""


def _conversation_person(context: str, article: str) -> set[str]:
    """Name words of the person a follow-up's pronoun most likely means: of the full names in
    the conversation ("Sonia O'Sullivan", but also "St Etienne"), the one whose last word the
    article repeats most, if it does so at least twice."""
    best: set[str] = set()
    most = 2
    folded = fold(article)
    for person in people(context):
        if person.split()[-1].lower() in _NOT_PEOPLE:
            continue
        # The family name as the article uses it: "Xi" for "Xi Jinping", "O'Sullivan" for
        # "Sonia O'Sullivan" (index/names.py decides from the article's own usage).
        key = name_key(person, article)
        if not key:
            continue
        count = len(re.findall(rf"\b{re.escape(key)}\b", folded))
        if count >= most:  # on a tie, the later one: the earlier answer names the person
            best, most = name_words(person), count
    return best


# Last words of names that are institutions or events, not people ("Home Office").
_NOT_PEOPLE = {
    "office",
    "party",
    "council",
    "committee",
    "union",
    "ministry",
    "department",
    "championships",
    "championship",
    "cup",
    "league",
    "association",
    "commission",
    "bank",
    "court",
    "house",
    "assembly",
    "parliament",
    "government",
    "group",
    "games",
    "awards",
    "festival",
    "club",
    "university",
    "college",
    "street",
    "open",
}


def _acronyms(runs: list[str]) -> dict[str, set[str]]:
    """Initials of the question's multi-word names ("Internet Explorer" -> "IE") and the
    name's words; initials of two to four letters only."""
    out = {}
    for run in runs:
        words = [w for w in run.split() if name_words(w)]
        if 2 <= len(words) <= 4:
            out["".join(w[0].upper() for w in words)] = name_words(run)
    return out


def _word_forms(tokens: list[str], word_sets: list[set[str]]) -> dict[str, set[str]]:
    """Each question word with the candidates' words of the same root that the stemmer keeps
    apart: "distributing" (distribut) and "distributor", "sold" and "sell"."""
    vocab = set().union(*word_sets) if word_sets else set()
    forms = {}
    for t in tokens:
        forms[t] = {t} | _IRREGULAR_FORMS.get(t, set())
        if len(t) >= 5:
            forms[t] |= {
                w
                for w in vocab
                if w[:5] == t[:5]
                and (
                    (w.startswith(t) and w[len(t) :] in _SUFFIXES)
                    or (t.startswith(w) and t[len(w) :] in _SUFFIXES)
                )
            }
    return forms


def _local_weights(q: Query, sets: list[set[str]], forms: dict[str, set[str]]) -> list[float]:
    """Corpus idf times idf among the candidate sentences: a word that every passage repeats
    ("Lufthansa" in a Lufthansa story) cannot tell the answer sentence from the others, while
    the rarer words of the question ("net", "dividend") can."""
    if not q.tokens:
        return []
    n = len(sets)
    out = []
    for t, w in zip(q.tokens, q.weights, strict=True):
        df = sum(bool(forms[t] & ws) for ws in sets)
        out.append(float(w) * math.log(1 + n / max(df, 1)) / math.log(1 + n))
    return out


def _prev_sentence(c: Candidate, cands: list[Candidate]) -> Candidate | None:
    before = [x for x in cands if x.article_id == c.article_id and x.start < c.start]
    return max(before, key=lambda x: x.start) if before else None


# How many sentences back the topic of a "What did X say about Y?" answer may be named: a
# roundup or live-blog entry names its subject in its first lines (styles.json correct 0.73 ->
# 0.75, no other set moved, against one sentence).
_TOPIC_REACH = 3


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
