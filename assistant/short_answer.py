"""The short answer: the shortest span of a sentence that answers a fact question.

"How much did X pay for Y?" -> "$4.5 billion"; "Who ...?" -> the person's name; "When ...?" -> the
date. ``answer_kind`` reads what the question asks for (a name, number, sum, date, duration, place
or term); ``candidates`` finds the spans of that kind in the sentence (sums and dates of any style,
Unicode names); a logistic regression fitted on the SQuAD 2.0 training subset chooses among them
from where they stand relative to the question's words. A span that is part of the question is
never an answer. Questions of other kinds ("What did X say?", "Why ...?") have no short answer.

The weights are in ``short_answer.json`` beside this file, rebuilt by
``python -m newsqa.assistant.short_answer train`` (fixed split by article, deterministic solver).
They are derived from SQuAD 2.0 (Rajpurkar, Jia and Liang, 2018; contexts from English Wikipedia),
licensed CC BY-SA 4.0: the attribution travels in the JSON file.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import json
import math
import re
import string
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import regex
from newsqa.assistant.answer_types import (
    AGE,
    CLOCK,
    DURATION,
    UNIT,
    WANTS_MONEY,
    date_spans,
    money_spans,
    word_key,
)
from newsqa.index.names import NAME_RUN_RX, is_function_word, name_tokens

MODEL_PATH = Path(__file__).with_name("short_answer.json")
SQUAD = Path(__file__).resolve().parents[2] / "shared" / "train" / "squad2"
# Articles of the SQuAD subset never trained or tuned on: the held-out figures are theirs.
HELD_OUT = ("New_York_City", "IPod", "Solar_energy")
ATTRIBUTION = (
    "Weights fitted on the SQuAD 2.0 training subset (first 10 articles of train-v2.0.json): "
    "Pranav Rajpurkar, Robin Jia, Percy Liang. 2018. Know What You Don't Know: Unanswerable "
    "Questions for SQuAD. ACL 2018. Contexts from English Wikipedia. Licence CC BY-SA 4.0 "
    "(https://creativecommons.org/licenses/by-sa/4.0/); this derived file is under the same "
    "licence."
)

# What the question asks for, by its question phrase. Order matters: "how long" is a duration
# before it is a measure, "how much ... pay" a sum before it is a number.
_KINDS: list[tuple[str, re.Pattern[str]]] = [
    # "What was the winning time?": a time on the clock ("1:04:11", "9.58 seconds").
    ("clock", re.compile(r"\b(?:winning|finishing|record|lap|race|qualifying) time\b", re.I)),
    (
        "duration",
        re.compile(
            r"\bhow long\b(?!\s+(?:is|was|are|were)\s+(?:the|a|an|its|his|her)\s+\w+\s*\??$)|"
            r"\bhow many (?:seconds|minutes|hours|days|weeks|months|years|decades|centuries|"
            r"seasons)\b|\bfor how long\b|\bhow much time\b|\bwhat (?:period|length of time)\b",
            re.I,
        ),
    ),
    ("age", re.compile(r"\bhow old\b|\b(?:at )?what age\b", re.I)),
    (
        "percent",
        re.compile(
            r"\bwhat (?:\w+ )?(?:percentage|percent|proportion|share|fraction)\b|\bhow much of\b",
            re.I,
        ),
    ),
    ("sum", re.compile(r"\bhow much\b|\bwhat (?:price|sum|amount|fee|salary|fine)\b", re.I)),
    ("number", re.compile(r"\bhow many\b|\bwhat (?:number|population)\b", re.I)),
    (
        "measure",
        re.compile(r"\bhow (?:far|tall|big|high|fast|heavy|large|deep|wide|long|strong)\b", re.I),
    ),
    (
        "year",
        re.compile(r"\b(?:what|which) year\b|\bwhat (?:decade|century)\b", re.I),
    ),
    (
        "date",
        re.compile(
            r"^\s*(?:and\s+|but\s+|so\s+)?(?:since\s+|until\s+)?when\b|\bwhen (?:did|was|were|"
            r"is|are|will|does|do|has|had)\b|\b(?:what|which|on what|by what) (?:date|day|month|"
            r"time)\b",
            re.I,
        ),
    ),
    ("person", re.compile(r"\bwho(?:m|se)?\b|\bwhat (?:\w+ )?(?:person|man|woman)\b", re.I)),
    (
        "place",
        re.compile(
            r"\bwhere\b|\b(?:what|which) (?:city|country|countries|town|state|place|region|"
            r"continent|island|county|province|location|village|street|nation|area|borough|"
            r"neighbou?rhood|district|capital|venue|stadium)\b",
            re.I,
        ),
    ),
    (
        "term",
        re.compile(
            r"\b(?:called|named|nicknamed|dubbed|known as|termed|referred to as|titled|"
            r"entitled)\s*\??\s*$|\bwhat (?:is|was|are|were) (?:the )?(?:\w+ )?name\b|"
            r"\bwhat name\b|\bwhat (?:title|nickname)\b",
            re.I,
        ),
    ),
    (
        "entity",
        re.compile(
            r"^\s*(?:(?:in|at|from|to|for|on|with|by|of|under|against)\s+)?which\s+\w+|"
            r"\bwhat (?:company|companies|team|club|party|band|group|organi[sz]ation|firm|bank|"
            r"university|college|school|newspaper|album|song|film|movie|book|brand|agency|"
            r"network|channel|airline|league|award|prize|show|programme|program|magazine|"
            r"label|studio|church|language|religion|tribe|ethnicity|nationality)\b",
            re.I,
        ),
    ),
]
KINDS = [k for k, _ in _KINDS]

_TOKEN = regex.compile(r"[\p{L}\p{M}\d]+(?:['’.,][\p{L}\p{M}\d]+)*|[$£€¥₹%]")
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    "hundred|a hundred|a dozen|dozens|hundreds|thousands|millions|a thousand|several|half"
)
_NUM = (
    r"\d{1,3}(?:[,\u00a0\u202f]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|"
    rf"\b(?:{_NUMBER_WORDS})(?:[\s-](?:{_NUMBER_WORDS}))*\b"
)
_SCALE = r"(?:\s?(?:k|m|bn|tn)\b|\s(?:thousand|million|billion|trillion|crores?|lakhs?)\b)"
NUMBER_SPAN = re.compile(rf"(?:{_NUM}){_SCALE}?", re.I)
PERCENT_SPAN = re.compile(rf"(?:{_NUM})\s?(?:%|per ?cent\b|percent\b|percentage points?\b)", re.I)
_UNIT = UNIT.pattern.replace("\\d", "")  # UNIT's units without the digit before them
MEASURE_SPAN = re.compile(rf"(?:{_NUM}){_SCALE}?[\s-]?(?:{_UNIT})", re.I)
# "1:04:11", "2:03:23.5", "58:49": a race time as clocks show it.
_CLOCK_TIME = re.compile(r"\b\d{1,2}(?::[0-5]\d){1,2}(?:\.\d+)?\b")
_LIST_JOIN = re.compile(r"^(?:,\s*|,?\s+and\s+|,?\s+or\s+|\s*&\s*)$")
_RANGE_JOIN = re.compile(r"^\s*(?:and|to|or|-|–|—)\s*$")
_QUOTED = regex.compile(r"[\"“«„‘']([^\"”»“‘’']{2,60})[\"”»“’']")
_NAMING = re.compile(
    r"\b(?:called|named|nicknamed|dubbed|known as|termed|referred to as|titled|entitled)\s+", re.I
)
_PREPOSITIONS = {"in", "at", "on", "from", "to", "by", "of", "near", "into", "for", "during"}


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    source: str
    """How it was found: "money", "date", "year", "name", "quoted", "named", "number" ..."""


def answer_kind(question: str) -> str | None:
    """What a question asks for: one of ``KINDS``, or None (a statement, an explanation)."""
    for kind, pattern in _KINDS:
        if pattern.search(question):
            # "How much rain fell?": a figure, not a sum ("How much did it cost?" is one).
            if (
                kind == "sum"
                and not WANTS_MONEY.search(question)
                and not re.search(
                    r"\bhow much (?:did|does|do|was|is|were|will|would)\b", question, re.I
                )
            ):
                return "number"
            return kind
    return None


def _strip(sentence: str, a: int, b: int) -> tuple[int, int]:
    """The span without surrounding blanks and trailing punctuation."""
    text = sentence[a:b]
    lead = len(text) - len(text.lstrip())
    text = re.sub(r"['’]s?$", "", text.strip().rstrip(",;:"))  # "Cumbria County Council's"
    if text.endswith(".") and not re.search(
        r"\b(?:[A-Z]|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|Jr|Sr|St|Inc|Ltd|Co)\.$", text
    ):
        text = text[:-1]
    return a + lead, a + lead + len(text)


def _names(sentence: str, source: str = "name") -> list[Span]:
    out = []
    for m in NAME_RUN_RX.finditer(sentence):
        words = m.group(0).split()
        # Leading sentence openers and titles go ("The", "Mr"); a run of them only is no name.
        i = 0
        while i < len(words) and is_function_word(words[i]):
            i += 1
        if i == len(words):
            continue
        start = sentence.find(words[i], m.start())
        while start > 0 and sentence[start - 1].isalpha() and sentence[start - 1].islower():
            start -= 1  # "iPod", "eBay": a brand written with a lower-case first letter
        out.append(Span(*_strip(sentence, start, m.end()), source))
        if source == "name":
            # The person without the role before the name ("Chancellor Olaf Scholz" -> "Olaf
            # Scholz"): both offered, the model picks.
            tokens = name_tokens(m.group(0))
            if tokens and tokens[0] != words[i]:
                s = sentence.find(tokens[0], start)
                if s >= 0:
                    out.append(Span(*_strip(sentence, s, m.end()), "person"))
    return out


def _ranges(sentence: str, spans: list[Span]) -> list[Span]:
    """ "£120m and £180m", "between 10 and 12": two figures joined as a range, offered whole."""
    spans = sorted(spans, key=lambda s: s.start)
    out = []
    for x, y in itertools.pairwise(spans):
        if _RANGE_JOIN.match(sentence[x.end : y.start]):
            out.append(Span(x.start, y.end, x.source + "-range"))
    return out


def _lists(sentence: str, spans: list[Span]) -> list[Span]:
    """ "Kendal, Penrith and Workington": names in a list, offered whole."""
    spans = sorted(spans, key=lambda s: s.start)
    out, run = [], spans[:1]
    for x, y in itertools.pairwise(spans):
        if _LIST_JOIN.match(sentence[x.end : y.start]):
            run.append(y)
            continue
        if len(run) > 1:
            out.append(Span(run[0].start, run[-1].end, "name-list"))
        run = [y]
    if len(run) > 1:
        out.append(Span(run[0].start, run[-1].end, "name-list"))
    return out


def candidates(kind: str, sentence: str) -> list[Span]:
    """Spans of ``sentence`` of the kind asked for (before the question's own words are
    removed)."""
    spans: list[Span] = []
    if kind in ("date", "year"):
        for a, b in date_spans(sentence):
            spans.append(Span(a, b, "date"))
            text = sentence[a:b]
            year = re.search(r"\b(?:1\d|20)\d\d(?:s)?\b", text)
            if year and year.group(0) != text:
                spans.append(Span(a + year.start(), a + year.end(), "year"))
        spans += _ranges(sentence, [s for s in spans if s.source in ("date", "year")])
    elif kind == "sum":
        spans = [Span(a, b, "money") for a, b in money_spans(sentence)]
        spans += _ranges(sentence, spans)
        if not spans:
            # "By how much did falls drop?" with no sum in the sentence: a share, else a figure,
            # but not a decade or an age group ("people in their 70s").
            spans = [Span(m.start(), m.end(), "percent") for m in PERCENT_SPAN.finditer(sentence)]
        if not spans:
            # Nor how long something took ("over two years").
            lasting = [m.span() for m in DURATION.finditer(sentence)]
            spans = [
                Span(m.start(), m.end(), "number")
                for m in NUMBER_SPAN.finditer(sentence)
                if not re.match(r"['’]?s\b", sentence[m.end() :])
                and not any(a <= m.start() < b for a, b in lasting)
            ]
    elif kind == "percent":
        spans = [Span(m.start(), m.end(), "percent") for m in PERCENT_SPAN.finditer(sentence)]
        spans += _ranges(sentence, spans)
    elif kind in ("number", "measure", "age"):
        money = money_spans(sentence)
        for m in NUMBER_SPAN.finditer(sentence):
            a, b = m.span()
            if any(x <= a < y for x, y in money) and kind != "number":
                continue
            spans.append(Span(a, b, "number"))
        if kind == "measure":
            spans += [Span(m.start(), m.end(), "measure") for m in MEASURE_SPAN.finditer(sentence)]
        if kind == "age":
            spans += [Span(m.start(), m.end(), "age") for m in AGE.finditer(sentence)]
        spans += [Span(a, b, "money") for a, b in money]
        spans += _ranges(sentence, [s for s in spans if s.source == "number"])
    elif kind == "clock":
        spans = [Span(m.start(), m.end(), "clock") for m in _CLOCK_TIME.finditer(sentence)]
        spans += [Span(m.start(), m.end(), "clock") for m in CLOCK.finditer(sentence)]
    elif kind == "duration":
        spans = [Span(m.start(), m.end(), "duration") for m in DURATION.finditer(sentence)]
        spans += [Span(m.start(), m.end(), "clock") for m in CLOCK.finditer(sentence)]
        spans += [Span(m.start(), m.end(), "clock") for m in _CLOCK_TIME.finditer(sentence)]
        spans += _ranges(sentence, spans)
    elif kind in ("person", "place", "entity"):
        spans = _names(sentence)
        spans += _lists(sentence, [s for s in spans if s.source == "name"])
        spans += [Span(m.start(1), m.end(1), "quoted") for m in _QUOTED.finditer(sentence)]
    elif kind == "term":
        spans = [Span(m.start(1), m.end(1), "quoted") for m in _QUOTED.finditer(sentence)]
        for m in _NAMING.finditer(sentence):
            rest = sentence[m.end() :]
            phrase = re.match(
                r"(?:the |a |an )?[^,;.()\"“”]{1,60}?(?=[,;.()\"“”]|"
                r"\s(?:and|or|by|in|for|after|because|which|who)\s|$)",
                rest,
            )
            if phrase:
                spans.append(Span(*_strip(sentence, m.end(), m.end() + phrase.end()), "named"))
        spans += _names(sentence, "name")
    seen: set[tuple[int, int]] = set()
    out = []
    for s in spans:
        a, b = _strip(sentence, s.start, s.end)
        if b > a and (a, b) not in seen:
            seen.add((a, b))
            out.append(Span(a, b, s.source))
    return out


# Features -------------------------------------------------------------------------------------
SOURCES = [
    "money", "date", "year", "name", "person", "quoted", "named", "number", "percent", "measure",
    "age", "duration", "clock", "range", "list",
]  # fmt: skip
FEATURES = [
    "bias", "dist_log", "near_left", "near_right", "q_overlap", "len_log", "rel_pos", "after_prep",
    "after_by", "after_in", "in_parens", "first_of_kind", "last_of_kind", "n_cands_log",
    "has_digit", "is_year_only", "multi_word", "at_start", "before_comma", "q_share_sentence",
    "asked_after", "asked_before", "asked_inside", "qword_next", "qword_prev",
    *(f"src_{s}" for s in SOURCES),
    *(f"kind_{k}" for k in KINDS),
    *(f"{k}_dist_log" for k in KINDS),
    *(f"{k}_after_prep" for k in KINDS),
    *(f"{k}_src_{s}" for k in KINDS for s in SOURCES),
]  # fmt: skip
_INDEX = {f: i for i, f in enumerate(FEATURES)}


def _tokens(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(text)]


_QUESTION_PHRASE = re.compile(
    r"\bhow (?:much|many|long|old|far|tall|big|high|fast|heavy|large|deep|wide|strong|often)\b|"
    r"\bwhat (?:percentage|percent|proportion|share|fraction|year|date|day|month|age)\b",
    re.I,
)


def question_keys(question: str) -> set[str]:
    """Content words of the question as ``word_key`` forms (UK/US spelling, inflection), without
    its question phrase ("how long", "what percentage")."""
    question = _QUESTION_PHRASE.sub(" ", question)
    return {word_key(w) for _, _, w in _tokens(question) if not is_function_word(w)} | {
        w.lower() for _, _, w in _tokens(question) if any(ch.isdigit() for ch in w)
    }


_ASKED = re.compile(
    r"\b(?:how many|how much|which|what|whose)\s+((?:[\w'’-]+\s+){0,3}?[\w'’-]+?)"
    r"(?=\s+(?:did|does|do|is|was|were|are|has|have|had|will|would|can|could|of|in|on|at|for|"
    r"to|from|by)\b|\s*\?|$)",
    re.I,
)


def asked_words(question: str) -> set[str]:
    """``word_key`` forms of the noun the question asks about ("How many stations ...",
    "Which river ...", "What party ...")."""
    m = _ASKED.search(question)
    if not m:
        return set()
    return {word_key(w) for w in m.group(1).split() if not is_function_word(w)}


def _in_question(text: str, keys: set[str], question: str) -> float:
    """Share of the span's words that the question has (1.0: the span is the question's own)."""
    words = [w for _, _, w in _tokens(text)]
    if not words:
        return 1.0
    low = question.lower()
    initials = "".join(w[0] for w in words if not is_function_word(w) or w[0].isupper()).lower()
    if len(words) > 1 and initials in {w.lower() for _, _, w in _tokens(question)}:
        return 1.0  # "New York City" when the question says "NYC"
    # "Indonesia" is the question's "Indonesian": a name the question holds as an adjective.
    capitalised = [w.lower() for _, _, w in _tokens(question) if w[:1].isupper()]
    hits = sum(
        1
        for w in words
        if word_key(w) in keys
        or (w.lower() in low and (is_function_word(w) or w.isdigit()))
        or (len(w) >= 4 and w[:1].isupper() and any(c.startswith(w.lower()) for c in capitalised))
    )
    return hits / len(words)


def features(question: str, sentence: str, kind: str, spans: list[Span]) -> list[list[float]]:
    """One feature row per candidate span (names in ``FEATURES``)."""
    keys = question_keys(question)
    asked = asked_words(question)
    toks = _tokens(sentence)
    tkeys = [word_key(w) for _, _, w in toks]
    matched = [i for i, k in enumerate(tkeys) if k in keys]
    asked_at = [i for i, k in enumerate(tkeys) if k in asked]
    share = len({word_key(toks[i][2]) for i in matched}) / max(1, len(keys))
    rows = []
    by_source: dict[str, list[Span]] = {}
    for s in spans:
        by_source.setdefault(s.source.split("-")[0], []).append(s)
    for s in spans:
        idx = [i for i, (a, b, _) in enumerate(toks) if a < s.end and s.start < b]
        first = idx[0] if idx else 0
        last = idx[-1] if idx else 0
        outside = [i for i in matched if i < first or i > last]
        dist = min((min(abs(i - first), abs(i - last)) for i in outside), default=40)
        prev = toks[first - 1][2].lower() if first > 0 else ""
        text = sentence[s.start : s.end]
        src = s.source.split("-")[0]
        same = by_source.get(src, [s])
        row = [0.0] * len(FEATURES)
        values = {
            "bias": 1.0,
            "dist_log": math.log1p(dist),
            "near_left": sum(1 for i in outside if first - 6 <= i < first) / 3,
            "near_right": sum(1 for i in outside if last < i <= last + 6) / 3,
            "q_overlap": _in_question(text, keys, question),
            "len_log": math.log1p(len(idx)),
            "rel_pos": first / max(1, len(toks)),
            "after_prep": float(prev in _PREPOSITIONS),
            "after_by": float(prev == "by"),
            "after_in": float(prev in ("in", "at", "on")),
            "in_parens": float("(" in sentence[max(0, s.start - 2) : s.start]),
            "first_of_kind": float(s is same[0]),
            "last_of_kind": float(s is same[-1]),
            "n_cands_log": math.log1p(len(spans)),
            "has_digit": float(any(ch.isdigit() for ch in text)),
            "is_year_only": float(bool(re.fullmatch(r"(?:1\d|20)\d\d", text))),
            "multi_word": float(len(idx) > 1),
            "at_start": float(first <= 1),
            "before_comma": float(sentence[s.end : s.end + 1] in (",", ")")),
            "q_share_sentence": share,
            "asked_after": float(any(last < i <= last + 3 for i in asked_at)),
            "asked_before": float(any(first - 3 <= i < first for i in asked_at)),
            "asked_inside": float(any(first <= i <= last for i in asked_at)),
            "qword_next": float(last + 1 in matched),
            "qword_prev": float(first - 1 in matched),
            f"src_{src}": 1.0,
            "src_range": float(s.source.endswith("range")),
            "src_list": float(s.source.endswith("list")),
            f"kind_{kind}": 1.0,
            f"{kind}_dist_log": math.log1p(dist),
            f"{kind}_after_prep": float(prev in _PREPOSITIONS),
            f"{kind}_src_{src}": 1.0,
        }
        for name, v in values.items():
            if name in _INDEX:
                row[_INDEX[name]] = v
        rows.append(row)
    return rows


@functools.lru_cache(maxsize=1)
def _model() -> dict:
    return json.loads(MODEL_PATH.read_text(encoding="utf-8"))


def _score(row: list[float], weights: list[float]) -> float:
    z = sum(x * w for x, w in zip(row, weights, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def scored(question: str, sentence: str, model: dict | None = None) -> list[tuple[float, str]]:
    """(probability, span text) of every candidate not in the question, best first."""
    kind = answer_kind(question)
    if kind is None:
        return []
    keys = question_keys(question)
    spans = [
        s
        for s in candidates(kind, sentence)
        if _in_question(sentence[s.start : s.end], keys, question) < 1.0
    ]
    if not spans:
        return []
    model = model or _model()
    weights = [model["weights"].get(f, 0.0) for f in FEATURES]
    rows = features(question, sentence, kind, spans)
    out = [
        (_score(r, weights), sentence[s.start : s.end]) for r, s in zip(rows, spans, strict=True)
    ]
    return sorted(out, key=lambda x: -x[0])


def short_answer(question: str, sentence: str) -> str | None:
    """The shortest span of ``sentence`` that answers ``question`` when it asks for a name,
    number, sum, date, duration, place or term; None when it asks for something else, when the
    sentence holds nothing of that kind beyond the question's own words, or when the best span's
    fitted probability is below the model's threshold."""
    best = scored(question, sentence)
    if not best:
        return None
    p, text = best[0]
    return text if p >= _model()["threshold"] else None


# Training -------------------------------------------------------------------------------------
def _normalise(text: str) -> str:
    """SQuAD's answer normalisation: lower case, no punctuation, articles or extra spaces."""
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation) | {"’", "‘"})
    return " ".join(re.sub(r"\b(a|an|the)\b", " ", text).split())


def _f1(pred: str, gold: str) -> float:
    p, g = _normalise(pred).split(), _normalise(gold).split()
    common = sum((Counter(p) & Counter(g)).values())
    if not common:
        return 0.0
    prec, rec = common / len(p), common / len(g)
    return 2 * prec * rec / (prec + rec)


def squad_examples(path: Path | None = None) -> list[dict]:
    """Answerable SQuAD questions of a kind ``answer_kind`` reads, each with the sentence that
    holds its answer: {"title", "question", "sentence", "answer", "start", "end"} (offsets of the
    answer in the sentence)."""
    from newsqa.index.chunking import split_sentences

    path = path or SQUAD / "train-v2.0-subset.json.gz"
    with gzip.open(path) as f:
        data = json.loads(f.read())["data"]
    out = []
    for art in data:
        for para in art["paragraphs"]:
            ctx = para["context"]
            sents = [(s.start, s.end) for s in split_sentences(ctx)]
            for qa in para["qas"]:
                if qa.get("is_impossible") or not qa["answers"]:
                    continue
                if answer_kind(qa["question"]) is None:
                    continue
                ans = qa["answers"][0]
                a = ans["answer_start"]
                b = a + len(ans["text"])
                for x, y in sents:
                    if x <= a and b <= y:
                        out.append(
                            {
                                "title": art["title"],
                                "question": qa["question"],
                                "sentence": ctx[x:y],
                                "answer": ans["text"],
                                "start": a - x,
                                "end": b - x,
                            }
                        )
                        break
    return out


def _rows(examples: list[dict]) -> tuple[list[list[float]], list[int], list[int]]:
    """Feature rows, labels and the example each row belongs to. A candidate is positive when it
    overlaps the gold span and its token F1 with it is at least 0.5."""
    X, y, group = [], [], []
    for i, ex in enumerate(examples):
        q, sent = ex["question"], ex["sentence"]
        kind = answer_kind(q)
        keys = question_keys(q)
        spans = [
            s
            for s in candidates(kind, sent)  # type: ignore[arg-type]
            if _in_question(sent[s.start : s.end], keys, q) < 1.0
        ]
        for s, row in zip(
            spans,
            features(q, sent, kind, spans),  # type: ignore[arg-type]
            strict=True,
        ):
            overlaps = s.start < ex["end"] and ex["start"] < s.end
            X.append(row)
            y.append(int(overlaps and _f1(sent[s.start : s.end], ex["answer"]) >= 0.5))
            group.append(i)
    return X, y, group


def fit(examples: list[dict], c: float = 1.0) -> dict:
    """Logistic regression weights (liblinear is deterministic: no seed needed beyond 0)."""
    from sklearn.linear_model import LogisticRegression

    X, y, _ = _rows(examples)
    clf = LogisticRegression(C=c, solver="liblinear", fit_intercept=False, random_state=0)
    clf.fit(X, y)
    return {"weights": dict(zip(FEATURES, (round(float(w), 5) for w in clf.coef_[0]), strict=True))}


def evaluate(examples: list[dict], model: dict, threshold: float = 0.0) -> dict:
    """Coverage (share given a short answer), exact match, F1 and containment (the answer holds
    the gold phrase, or the gold phrase holds it) over the given examples, by kind and overall;
    exact/F1/contain are averaged over the answered ones."""
    rows: dict[str, list[tuple[bool, float, float, bool]]] = {}
    for ex in examples:
        best = scored(ex["question"], ex["sentence"], model)
        kind = answer_kind(ex["question"]) or ""
        answered = bool(best) and best[0][0] >= threshold
        pred = best[0][1] if answered else ""
        gold = _normalise(ex["answer"])
        got = _normalise(pred)
        contain = answered and bool(got) and (gold in got or got in gold)
        em = answered and got == gold
        f1 = _f1(pred, ex["answer"]) if answered else 0.0
        for key in (kind, "all"):
            rows.setdefault(key, []).append((answered, float(em), f1, contain))
    out = {}
    for key, vals in rows.items():
        done = [v for v in vals if v[0]]
        n = max(1, len(done))
        out[key] = {
            "n": len(vals),
            "answered": round(len(done) / len(vals), 3),
            "exact": round(sum(v[1] for v in done) / n, 3),
            "f1": round(sum(v[2] for v in done) / n, 3),
            "contain": round(sum(v[3] for v in done) / n, 3),
        }
    return out


def _choose_threshold(examples: list[dict], model: dict, precision: float = 0.8) -> float:
    """The lowest probability at which answered questions contain the gold phrase at least
    ``precision`` of the time, on the training articles (cross-fitted by article)."""
    pairs = []
    for ex in examples:
        best = scored(ex["question"], ex["sentence"], model)
        if best:
            got, gold = _normalise(best[0][1]), _normalise(ex["answer"])
            pairs.append((best[0][0], bool(got) and (gold in got or got in gold)))
    pairs.sort(key=lambda x: -x[0])
    chosen, hits = 1.0, 0
    for i, (p, ok) in enumerate(pairs, start=1):
        hits += ok
        if hits / i >= precision:
            chosen = p
    return round(chosen, 4)


def train(path: Path | None = None, out: Path = MODEL_PATH, precision: float = 0.8) -> dict:
    """Fit on the training articles, choose the threshold on them by cross-fitting (each article's
    questions scored by a model fitted on the others), report on ``HELD_OUT``, write ``out``."""
    examples = squad_examples(path)
    train_ex = [e for e in examples if e["title"] not in HELD_OUT]
    test_ex = [e for e in examples if e["title"] in HELD_OUT]
    titles = sorted({e["title"] for e in train_ex})
    cross = []
    for t in titles:
        part = fit([e for e in train_ex if e["title"] != t])
        cross += [(e, part) for e in train_ex if e["title"] == t]
    thresholds = [
        _choose_threshold([e for e, m in cross if m is part], part, precision)
        for part in {id(m): m for _, m in cross}.values()
    ]
    model = fit(train_ex)
    model["threshold"] = round(sorted(thresholds)[len(thresholds) // 2], 4)
    model["held_out"] = {
        "articles": list(HELD_OUT),
        "with_threshold": evaluate(test_ex, model, model["threshold"]),
        "without_threshold": evaluate(test_ex, model, 0.0),
    }
    model["train_articles"] = titles
    model["attribution"] = ATTRIBUTION
    out.write_text(json.dumps(model, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return model


def main(argv: list[str] | None = None) -> None:
    """``python -m newsqa.assistant.short_answer train [SQUAD_JSON_GZ]``: refit and write the
    weights; ``eval``: print held-out figures of the weights in the repo."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[1]) if len(args) > 1 else None
    if args and args[0] == "train":
        model = train(path)
        print(json.dumps(model["held_out"], indent=1))
    else:
        test_ex = [e for e in squad_examples(path) if e["title"] in HELD_OUT]
        print(json.dumps(evaluate(test_ex, _model(), _model()["threshold"]), indent=1))


if __name__ == "__main__":
    main()
