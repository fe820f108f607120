"""Question analysis: what a question asks, as a value (``Query``).

``analyse`` reads a question once: its words and their idf weights, the names it gives (and
those that only describe: "the Turin car maker"), its numbers, the speaker of a "what did X say"
question and its topic, the kind of answer it wants, its initials ("Internet Explorer" -> IE).
``split_parts`` splits a two-part question; ``conversation_person`` finds whom a follow-up's
pronoun means. The answerer (assistant/answerer.py) scores sentences against the ``Query``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from newsqa.assistant.answer_types import NAME_RUN, asked_kind, question_wants
from newsqa.assistant.condense import people
from newsqa.index.attribution import ROLES, SAY_QUESTION, name_words, question_speaker
from newsqa.index.lexical import idf, tokenize
from newsqa.index.names import fold, name_key

# A figure of the question: not the digits of a name ("U2", "G8", "MP3", the "A69").
QUESTION_NUMBER = re.compile(r"(?<!\w)\d+(?:[.,]\d+)*")
WHEN_AND = re.compile(r"\s*when\s+and\s+(?:where|how|why|what|who|which)\b", re.IGNORECASE)


# Roles a "what did the <role> say" question may name: attribution's, and a few it does not need
# to find speakers by ("the office of Italian Prime Minister Giorgia Meloni").
ROLE_WORDS = set(ROLES.split("|")) | {
    "office",
    "chairwoman",
    "head",
    "owner",
    "frontman",
    "champion",
}


# Words that start questions: capitalised only because they come first, never names.
QUESTION_STARTS = {
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


@dataclass(frozen=True)
class Query:
    """A question as the answerer reads it; built by ``analyse``, never changed after: what a
    follow-up or a second part adds (the conversation's article, its vector, the names it
    borrows) makes a new one (``dataclasses.replace``)."""

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
    topic_head: str = ""  # the head noun of that topic (topic_head)
    focus: str | None = None  # the article a follow-up question is about
    # Names used to describe ("the Detroit motor giant", "the Italian car maker's boss"): the
    # article may say "GM" and "Fiat" instead, so their absence proves nothing.
    descriptors: set[str] = field(default_factory=set)
    noun: list[str] = field(default_factory=list)  # "what kind of fund ...": its words
    # The asked speaker as the articles name them ("the doctor": "Osborne"), found in scoring.
    said_by: set[str] = field(default_factory=set)
    # "Internet Explorer" -> "IE": the article may name it by its initials.
    acronyms: dict[str, set[str]] = field(default_factory=dict)
    # The last name word of each run ("Raskin" of "Jef Raskin", "United" of "Manchester
    # United"): a sentence naming part of a run names it with this word ("Mr Raskin", not "Jef").
    name_heads: set[str] = field(default_factory=set)


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


PERSONAL = re.compile(r"\b(he|she|him|her|his|hers)\b", re.IGNORECASE)


_REFERS_BACK = re.compile(r"\b(he|she|it|they|him|her|his|its|their|them)\b", re.IGNORECASE)


def split_parts(text: str) -> list[str]:
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


def descriptor_names(text: str) -> set[str]:
    """Name words that only qualify a description: "the Turin car maker", "an American firm"."""
    out: set[str] = set()
    for m in _DESCRIBED.finditer(text):
        out |= name_words(m.group("names") or m.group("demonym") or m.group("owner"))
    return out


_TOPIC = re.compile(
    r"\b(?:about|regarding)\s+(?P<np>.+?)(?:\s+(?:when|after|before|while|since|during|in|at|"
    r"on|following|for|to|with|from|as|and|if)\b|[,?]|$)"
)


def topic_head(text: str, shown: set[str]) -> str:
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


def conversation_person(context: str, article: str) -> set[str]:
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


def acronyms(runs: list[str]) -> dict[str, set[str]]:
    """Initials of the question's multi-word names ("Internet Explorer" -> "IE") and the
    name's words; initials of two to four letters only."""
    out = {}
    for run in runs:
        words = [w for w in run.split() if name_words(w)]
        if 2 <= len(words) <= 4:
            out["".join(w[0].upper() for w in words)] = name_words(run)
    return out


def analyse(text: str, lexical: Any, embedder: Any) -> Query:
    """The question as a value: its words and their idf weights in ``lexical`` (the store's
    lexical index), its names, numbers, speaker, topic and the kind of answer it wants, and
    its vector from ``embedder``."""
    tokens = list(dict.fromkeys(tokenize(text)))
    weights = idf(lexical, tokens) if tokens else np.zeros(0)
    words = re.findall(r"[A-Za-z][\w'’-]*", text)
    names: set[str] = set()
    shown: dict[str, str] = {}
    for i, w in enumerate(words):
        bare = re.sub(r"['’]s$", "", w)
        if not any(ch.isupper() for ch in w) or bare.lower() in QUESTION_STARTS:
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
    groups = [g for g in (name_words(r) - QUESTION_STARTS for r in runs) if g]
    descriptors = descriptor_names(text)
    if speaker & ROLE_WORDS and descriptors:
        # "What did the Hopman Cup doctor say ...?": "Hopman Cup" only says which doctor;
        # a sentence about the Hopman Cup is no more his for naming it.
        groups = [g for g in groups if not g <= descriptors]
        described = set(tokenize(" ".join(descriptors)))
        kept = [i for i, t in enumerate(tokens) if t not in described]
        tokens = [tokens[i] for i in kept]
        weights = weights[kept] if len(weights) else weights
    return Query(
        text=text,
        vector=embedder.query_vector(text),
        tokens=tokens,
        weights=weights,
        names=names,
        numbers=set(QUESTION_NUMBER.findall(text)),
        speaker=speaker,
        names_shown=shown,
        descriptors=descriptors,
        wants=wants,
        noun=asked_kind(text),
        topic_head=topic_head(text, set(shown.values())) if speaker else "",
        topic=topic,
        name_groups=groups,
        acronyms=acronyms(runs),
        name_heads={h for r in runs for h in name_words(r.split()[-1])},
    )
