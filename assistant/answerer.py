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
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import regex
from langchain_core.documents import Document
from langchain_core.runnables import RunnableSerializable
from newsqa.assistant import contrast, mentions, speakers
from newsqa.assistant.answer_types import (
    AGE,
    CLOCK,
    DURATION,
    MONEY,
    NAME_ASKED,
    NUMBER,
    OFFER,
    PAY,
    PRONOUN_Q,
    WANTS_CLOCK,
    WANTS_MONEY,
    WANTS_OFFER,
    WANTS_PAY,
    WANTS_TIME_OF_DAY,
    YEAR,
    another_period,
    another_place,
    another_year,
    asked_event,
    event_unreported,
    gives_a_name,
    new_number,
    role_unreported,
    type_bonus,
    wants_sum,
)
from newsqa.assistant.citations import citation, result
from newsqa.assistant.condense import conversation_article
from newsqa.assistant.question import (
    PERSONAL,
    ROLE_WORDS,
    WHEN_AND,
    Query,
    analyse,
    conversation_person,
    split_parts,
)
from newsqa.assistant.scorer import (
    HAND_THRESHOLD,
    QUESTION_FEATURES,
    SENTENCE_FEATURES,
    AnswererModel,
    load_model,
)
from newsqa.assistant.verify import INSTRUCTION
from newsqa.index import dates
from newsqa.index.attribution import (
    Attribution,
    attribute,
    name_words,
)
from newsqa.index.chunking import split_sentences
from newsqa.index.lexical import idf, tokenize
from newsqa.index.names import NAME_RUN_RX, fold, is_function_word, name_tokens
from pydantic import ConfigDict

# How far below the best sentence the asked speaker's own best statement may score and still
# be preferred to it.
SAID_BY_MARGIN = 0.2
# Another sentence joins the best when it scores within NEAR_TIE of it, or within ADDS_MARGIN
# when it covers question words the chosen ones lack (the second fact of a two-fact question).
NEAR_TIE = 0.06
ADDS_MARGIN = 0.15


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


class ExtractiveAnswerer(RunnableSerializable[dict, dict]):
    """Runnable: {"question", "standalone", "follow_up", "history", "docs"} -> result dict."""

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
        # The earlier turn a follow-up follows (chain.prepare): retrieval searched with it;
        # sentences are scored against the question itself.
        follow_up: str = input.get("follow_up") or ""
        if not docs:
            return result(question, standalone, _abstain_text(), True, [], docs, "extractive")
        text = standalone
        # Several speakers ("Which leaders ruled out ...?") or the day of a statement: answered
        # from the statements stored at index time (assistant/speakers.py); else None.
        # "When and where was the summit ...?" asks more than a statement's day: sentences.
        if not WHEN_AND.match(text) and (
            statements_answer := speakers.answer(
                question,
                standalone,
                docs,
                self.store,
                follow_up=follow_up,
                embedder=self.embedder,
                trace=self.trace,
            )
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
        mentions.drop_namesakes(text, cands, texts)
        # "How much did X lose, and what dividend did it pay?": each part gets its own sentence.
        # A headline is part of its article: "MPs" in it is a mention (the checks of what the
        # articles mention read these; offsets keep to ``texts``).
        headlines = {d.metadata.get("article_id"): d.metadata.get("title") or "" for d in docs}
        headed = {a: f"{headlines.get(a, '')}\n{t}" for a, t in texts.items()}
        chosen: list[Candidate] = []
        supports: list[float] = []
        reasons: list[str] = []
        parts = split_parts(text)
        first: dict[str, Any] = {}
        traced: list[dict[str, Any]] = []
        # A follow-up ("How much is he paid?") is about the article the conversation is on: the
        # one retrieval ranks first with the earlier question's context.
        focus = conversation_article(follow_up, docs, texts)
        for part in parts:
            query = self._query(part)
            # What the conversation adds to the question, as data: the article it is about, ...
            changes: dict[str, Any] = {"focus": focus}
            if focus and follow_up:
                # "What's his real name?" means nothing alone: lean its vector towards the
                # conversation it follows.
                context = self.embedder.query_vector(follow_up)
                v = query.vector + 0.5 * context
                changes["vector"] = v / (np.linalg.norm(v) or 1.0)
                # "Which race is she getting ready for?": she is the person the conversation
                # named whom its article mentions most.
                if (
                    not query.name_groups
                    and PERSONAL.search(part)
                    and (who := conversation_person(follow_up, texts.get(focus, "")))
                ):
                    changes["name_groups"] = [who]
            if "? " in part:
                # The names borrowed from the first part pick the article; within it, every
                # sentence is about them, so they must not outweigh the part's own words.
                changes["name_groups"] = []
                if chosen and not focus:
                    changes["focus"] = chosen[0].article_id  # the story the first part is from
                own = list(dict.fromkeys(tokenize(part.split("? ", 1)[0])))
                changes["tokens"] = own
                changes["weights"] = idf(self.retriever.lexical(), own) if own else np.zeros(0)
            query = replace(query, **changes)
            query = replace(query, said_by=self._score(query, cands, docs))
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
        missing = mentions.missing_names(query, chosen, texts, headlines)
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
        if len(parts) == 1 and query.wants == "date" and not WANTS_TIME_OF_DAY.search(text):
            # "On what date did the sinkhole open?" answered "on Tuesday": the day it was,
            # from the article's date or a weekday the article dates, as editors add it, in
            # every sentence quoted; the best one's is the short answer.
            for i, c in enumerate(chosen):
                meta = docs[c.doc_index].metadata
                if found := dates.relative_day(c.text, texts.get(c.article_id, ""), meta):
                    start, end, day = found
                    said = f"{day.day} {day:%B}"
                    chosen[i] = replace(c, text=f"{c.text[:end]} [{said}]{c.text[end:]}")
                    if c is best:
                        short = f"{c.text[start:end].removeprefix('on ').strip()}, {said}"
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
        return analyse(text, self.retriever.lexical(), self.embedder)

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
    def _score(self, q: Query, cands: list[Candidate], docs: list[Document]) -> set[str]:
        """Score every candidate (its features and ``score``, set on it) for ``q``; returns the
        asked speaker as the articles name them (``Query.said_by``), empty if none is found."""
        word_sets = [set(tokenize(c.text)) for c in cands]
        # "Who is the CFO?": a sentence saying "chief financial officer" holds the word.
        for short in _question_acronyms(q):
            spelled = mentions.initials(short)
            for words, c in zip(word_sets, cands, strict=True):
                if spelled.search(c.text.lower()):
                    words.add(short)
        forms = _word_forms(q.tokens, word_sets)
        weights = dict(zip(q.tokens, _local_weights(q, word_sets, forms), strict=True))
        total = sum(weights.values()) or 1.0
        speaker = set(q.speaker)
        roles = speaker & ROLE_WORDS
        if roles:
            # "the spokesman": whoever the articles call that, by name ("Magpies manager Graeme
            # Souness"); failing that, whoever is quoted in a sentence naming the role.
            holders = _role_holders(
                roles,
                q.descriptors | _role_qualifiers(q.text, roles),
                cands,
                set(q.text.lower().split()),
            )
            speaker |= holders
            if not holders:
                for c in cands:
                    if c.attribution.how == "named" and any(r in c.text.lower() for r in roles):
                        speaker |= c.attribution.speakers
        speaker_found = any(speaker & c.attribution.speakers for c in cands)
        said_by = speaker if speaker_found else set()
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
        own_runs = [_name_runs(c.text) + [{s} for s in c.attribution.speakers] for c in cands]
        story_runs: dict[str, list[set[str]]] = {}
        for c, runs in zip(cands, own_runs, strict=True):
            got = story_runs.setdefault(
                c.article_id, _name_runs(docs[c.doc_index].metadata.get("title") or "")
            )
            got += runs
        for c, words, runs in zip(cands, word_sets, own_runs, strict=True):
            dense = float(c.vector @ q.vector)
            runs = list(runs)
            for short, group in q.acronyms.items():
                if re.search(rf"\b{short}\b", c.text):
                    runs.append(group)
            groups_hit = [g for g in q.name_groups if _names_group(g, runs, q.name_heads)]
            story = runs + story_runs[c.article_id]
            story_hit = [g for g in q.name_groups if _names_group(g, story, q.name_heads)]
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
        return said_by

    def _select(self, q: Query, cands: list[Candidate]) -> list[Candidate]:
        """The best sentence; then sentences nearly as good, or that add question words the
        others lack (two-fact questions); for "say" questions, the speaker's next sentence when
        it goes on ("According to him, ...")."""
        ranked = sorted(cands, key=lambda c: c.score, reverse=True)
        best = ranked[0]
        if q.wants in ("number", "duration", "term") and not type_bonus(q, best.text):
            # "How much ...?" wants a figure: a nearly-as-good sentence with one beats the best
            # without, and so does one further down in the best sentence's own story.
            typed = [c for c in ranked[1:10] if type_bonus(q, c.text) and _nearly(c, best)]
            if typed:
                best = typed[0]
                ranked = [best, *(c for c in ranked if c is not best)]
        elif q.wants in ("number", "amount") and WANTS_MONEY.search(q.text):
            # "How much is she paid?": a sum of money, not the best sentence with any figure.
            paid = [c for c in ranked[:10] if MONEY.search(c.text) and new_number(q, c.text)]
            if paid and paid[0] is not best and paid[0].score >= best.score - 0.12:
                best = paid[0]
                ranked = [best, *(c for c in ranked if c is not best)]
        elif (
            q.wants == "date"
            and (said := asked_event(q))
            and not (said.search(best.text) and type_bonus(q, best.text))
        ):
            # "When did Raskin die?": not "Raskin ... has died" nor "joined Apple in 1978",
            # but a nearly-as-good sentence that reports the death and dates it. (A date
            # alone is not enough: tried, it answered with the year he joined.)
            dated = [
                c
                for c in ranked[1:10]
                if said.search(c.text) and type_bonus(q, c.text) and _nearly(c, best)
            ]
            if dated:
                best = dated[0]
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
            prev = _prev_sentence(best, cands)
            if (
                prev is not None
                and prev.attribution.how == "quote"
                and prev.attribution.speakers & best.attribution.speakers
                and best.text.lstrip()[:1] not in '"“«„‘'
            ):
                # '"... a long-term owner. That is a difference," Mr Zürcher said': the quote
                # began in the sentence before; its start says what it is about.
                chosen.append(prev)
            nxt = _next_sentence(best, cands)
            if (
                nxt is not None
                and nxt.attribution.how in ("pronoun", "quote", "named")
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
            # The asked speaker as the articles name them ("the chief economist": Shaw).
            own_words = (
                q.speaker
                and c.article_id == best.article_id
                and (q.said_by or q.speaker) & c.attribution.speakers
                and c.score >= best.score - 0.35
            )
            near = c.score >= best.score - NEAR_TIE
            if near or (adds and c.score >= best.score - ADDS_MARGIN) or own_words:
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
                PAY.search(c.text)
                and not mentions.unmentioned(q, texts.get(c.article_id, ""), False)
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
        if q.wants in ("number", "amount", "duration") and mentions.figure_elsewhere(
            q, chosen, texts
        ):
            return "figure from another story"
        around = [
            *chosen,
            *(p for c in chosen if (p := _prev_sentence(c, cands))),
            *(n for c in chosen if (n := _next_sentence(c, cands))),
        ]
        if event_unreported(q, around) or role_unreported(q, around):
            return "event not reported"
        best = chosen[0]
        lead = [best, *([p] if (p := _prev_sentence(best, cands)) else [])]
        if another_year(q, lead):
            return "another year"
        if another_period(q, best):
            return "another period"
        if another_place(q, lead):
            return "another place"
        around_best = [c.text for c in lead]
        if contrast.another_day(q.text, around_best):
            return "another day"
        if contrast.another_figure(q.text, best.text):
            return "another figure"
        if q.wants in ("number", "amount") and contrast.aim_not_fact(
            q.text, best.text, _figures(q, best.text)
        ):
            return "an aim, not a fact"

        # A negative asked may be said in the next sentence ("This was denied by ...").
        near = [c.text for c in around]
        if contrast.negation_flipped(q.text, best.text, near) or contrast.opposite_word(
            q.text, best.text, around_best
        ):
            return "the opposite reported"
        if q.wants == "duration" and not any(
            DURATION.search(c.text) or new_number(q, c.text) for c in chosen
        ):
            return "no duration"
        if (NAME_ASKED.search(q.text) or _WHICH_NOUN.match(q.text)) and not any(
            gives_a_name(q, c.text) for c in chosen
        ):
            return "no name given"  # "What was the title of her play ...?"
        if WANTS_CLOCK.search(q.text) and not any(CLOCK.search(c.text) for c in chosen):
            return "no time given"  # "What was her winning time?": "beat Byrne by 40 metres"
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


def _question_acronyms(q: Query) -> list[str]:
    """The question's tokens written as an acronym of three to five letters ("CFO", "NHS"; two
    letters would find too many word pairs: "MP", "many people"), as tokenized."""
    caps = {w.lower() for w in re.findall(r"\b[A-Z]{3,5}\b", q.text)}
    return [t for t in q.tokens if t in caps]


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


# Words that make a role another one: the shadow minister is not the minister.
_OTHER_HOLDER = {"shadow", "former", "deputy", "assistant", "acting", "junior", "vice", "ex"}


def _role_holders(
    roles: set[str], descriptors: set[str], cands: list[Candidate], asked: set[str] | None = None
) -> set[str]:
    """Surnames the passages give a role ("England captain Jason Robinson", "Fiat chairman Luca
    di Montezemolo", "Minister of Energy and Mines Bounthavy Keomanivong"); where the question
    qualifies the role ("the England rugby captain", "its energy minister": ``descriptors``, in
    lower case), only the holders so qualified, if any are."""
    roles = roles | {w for r in roles for w in _ROLE_SYNONYMS.get(r, ())}
    rx = regex.compile(
        rf"(?:^|\s)(?P<before>(?:[\w'’&-]+\s+){{0,4}})(?i:{'|'.join(map(re.escape, roles))}),?\s+"
        r"(?P<of>(?:of|for)\s+(?:the\s+)?\p{Lu}[\w'’-]+(?:\s+(?:and|&)\s+\p{Lu}[\w'’-]+)?\s+)?"
        r"(?P<name>\p{Lu}[\w'’-]+(?:\s+(?:(?:de|di|da|van|von|le|la|den|der|del|du)\s+)?"
        r"\p{Lu}[\w'’-]+){0,3})"
        # "analyst Nick Van den Brul of BNP Paribas": where the holder works qualifies the role.
        r"(?P<at>\s+(?:of|at|from)\s+(?:the\s+)?\p{Lu}[\w'’&-]+(?:\s+\p{Lu}[\w'’&-]+){0,3})?"
    )
    # "Geoff Ellis, CEO of festival organisers Big Day Out": the name before the role.
    appositive = regex.compile(
        r"(?P<name>\p{Lu}[\w'’-]+(?:\s+\p{Lu}[\w'’-]+){0,3}),\s+(?:the\s+)?(?:[\w'’-]+\s+){0,3}?"
        rf"(?i:{'|'.join(map(re.escape, roles))})\b(?P<after>[^,.;]{{0,60}})"
    )
    plain: set[str] = set()
    qualified: set[str] = set()
    for c in cands:
        for m in rx.finditer(c.text):
            surname = name_words(m.group("name").split()[-1])
            plain |= surname
            said = f"{m.group('before')} {m.group('of') or ''} {m.group('at') or ''}"
            words = set(said.lower().split())
            # "the shadow transport secretary" does not answer for "the Transport Secretary".
            other = (words & _OTHER_HOLDER) - (asked or set())
            if descriptors & (name_words(said) | words) and not other:
                qualified |= surname
        for m in appositive.finditer(c.text):
            surname = name_words(m.group("name").split()[-1])
            plain |= surname
            if descriptors & (name_words(m.group("after")) | set(m.group("after").lower().split())):
                qualified |= surname
    return qualified or plain


def _role_qualifiers(question: str, roles: set[str]) -> set[str]:
    """The words a question puts before the role it asks about, in lower case ("its energy
    minister": energy; "the club's finance director": finance; "the Transport Secretary":
    transport)."""
    out: set[str] = set()
    for role in roles:
        # Any case: "the Transport Secretary" is qualified as "the transport secretary" is.
        for m in re.finditer(rf"((?:[a-z][\w-]*\s+){{1,2}}){re.escape(role)}\b", question, re.I):
            words = {w.lower() for w in m.group(1).split()}
            out |= {w for w in words if not is_function_word(w)} - contrast.DETERMINERS
    return out


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


def _name_runs(text: str) -> list[set[str]]:
    """The name words of each run of capitalised words in ``text`` ("Bellahouston Park")."""
    return [w for m in NAME_RUN_RX.finditer(text) if (w := name_words(m.group(0)))]


def _names_group(group: set[str], runs: list[set[str]], heads: set[str]) -> bool:
    """Some run of a sentence names what the question's ``group`` names: all of it, more of it
    ("Tallis Copper Corp"), or its last word (``heads``: "Mr Raskin" or "Alice Raskin" for "Jef
    Raskin", "United" for "Manchester United"); not another word of it alone ("Sir Nicholas"
    for "Nicholas Negroponte", "Manchester City" for "Manchester United"). Any word did before
    (2026-12-03): family names keep counting, so "Harper Lee's sister" still finds "Alice Lee"
    (stricter, a run adding a name of its own named something else: it lost those on SQuAD)."""
    return any(r & group and (group <= r or r & heads or not group & heads) for r in runs)


# "Which publisher brought out ...?", "Which club ...?": a name is the answer.
_WHICH_NOUN = re.compile(
    r"\s*which\s+(?!(?:of|is|was|are|were|did|does|do|has|have|had|kind|sort|type|year|day|"
    r"date|time|month|way|part|side|one|ones|two|three)\b)[a-z]+\b",
    re.IGNORECASE,
)


_FIGURE = re.compile(
    r"\d[\d,.]*|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
    r"thirty|forty|fifty|hundred|thousand|million|billion|dozens?|hundreds|thousands|millions)\b",
    re.IGNORECASE,
)


def _figures(q: Query, text: str) -> list[tuple[int, int]]:
    """Spans of the figures in ``text`` that could answer "how many / how much" (not a year,
    not one of the question's own)."""
    return [
        m.span()
        for m in _FIGURE.finditer(text)
        if not YEAR.match(m.group(0).strip(",.")) and m.group(0).strip(",.") not in q.numbers
    ]


def _nearly(c: Candidate, best: Candidate) -> bool:
    """``c`` scores nearly as well as ``best`` (0.12 below), or less nearly in the best
    sentence's own story (0.25): close enough to answer instead when it holds what ``best``
    lacks."""
    return c.score >= best.score - 0.12 or (
        c.article_id == best.article_id and c.score >= best.score - 0.25
    )


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
