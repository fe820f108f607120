"""What the retrieved articles mention: the checks that keep an answer from a story that is
not about what the question names.

"What did Scholz say about China?" must not be answered from a Scholz story that never mentions
China (``missing_names``); "What was Electrolux's net profit?" not by GM's net income in another
story (``figure_elsewhere``); "What did Florian Hamm say?" not by Mia Hamm's words
(``drop_namesakes``). Names match loosely (accents, a shared stem, initials, a few spelled-out
abbreviations), since questions misspell names and articles spell out acronyms.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import regex
from newsqa.assistant.answer_types import MONEY, NAME_RUN, NUMBER, type_bonus, wants_sum
from newsqa.assistant.question import QUESTION_STARTS, Query
from newsqa.index.attribution import Attribution, name_words, question_speaker
from newsqa.index.entries import entries, entry_of
from newsqa.index.names import fold

if TYPE_CHECKING:
    from newsqa.assistant.answerer import Candidate


def drop_namesakes(question: str, cands: list[Candidate], texts: dict[str, str]) -> None:
    """ "What did Florian Hamm say ...?": the Hamm quoted in a story that never names Florian
    is someone else (Mia Hamm), so that story's sentences are not his words."""
    speaker = question_speaker(question)
    runs = [name_words(m.group(0)) for m in NAME_RUN.finditer(question)]
    given = {w for run in runs if run & speaker for w in run - speaker - QUESTION_STARTS}
    if not given:
        return
    for aid, text in texts.items():
        blob = fold(text)
        if all(re.search(rf"\b{re.escape(fold(w))}\b", blob) for w in given):
            continue
        for c in cands:
            if c.article_id == aid and c.attribution.speakers & speaker:
                rest = c.attribution.speakers - speaker
                c.attribution = Attribution(rest, c.attribution.how if rest else "")


def missing_names(
    q: Query,
    chosen: list[Candidate],
    texts: dict[str, str],
    headlines: dict[str, str] | None = None,
) -> list[str]:
    """Names and numbers of the question that the articles of the chosen sentences (with their
    ``headlines``) never mention: "What did Scholz say about China?" must not be answered from a
    Scholz story that never mentions China. In a live blog or a roundup, the entry of each
    chosen sentence stands for its article: "rest centres in Northumberland" are not the three
    an entry about Cumbria reports because another entry names Northumberland."""
    if not q.names and not q.numbers:
        return []
    heads = headlines or {}
    pieces = []
    for aid in sorted({c.article_id for c in chosen}):
        text = texts.get(aid, "")
        spans = entries(text)
        if len(spans) > 1:
            own = {entry_of(spans, c.start) for c in chosen if c.article_id == aid}
            text = "\n".join(text[a:b] for i, (a, b) in enumerate(spans) if i in own)
        pieces += [heads.get(aid, ""), text]
    blob = "\n".join(pieces)
    missing = unmentioned(q, blob)
    return missing or unnamed_together(q, blob)


def unnamed_together(q: Query, text: str) -> list[str]:
    """A name of several words the question gives that ``text`` mentions only word by word,
    never as one name: "Australia Twilight" in a story of "Twilight Princess" released in
    "Japan, Europe, and Australia", "Clawshot Princess" in one of "Twilight Princess" and its
    "Clawshot". Each word is found by
    ``unmentioned``; together they are someone or something else. A name whose last word the
    text uses alone ("Lee was 25" for Harper Lee) is a person it calls by their family name."""
    runs = [
        {fold(w).strip(".,'’-").removesuffix("'s").removesuffix("’s") for w in m.group(0).split()}
        for m in _TITLE_RUN.finditer(text)
    ]
    missing = []
    for m in NAME_RUN.finditer(q.text):
        # "PC Pro's Paul Trotter": the owner and the person are two names.
        for piece in re.split(r"(?<=['’]s)\s+", m.group(0)):
            words = name_words(piece) - QUESTION_STARTS - q.descriptors
            asked = {fold(w) for w in words}
            if len(asked) < 2 or any(all(_loosely_in(w, r) for w in asked) for r in runs):
                continue
            heads = {fold(h) for h in name_words(piece.split()[-1])}
            if any(len(r - _JOINERS) == 1 and r & heads for r in runs):
                continue
            missing.append(re.sub(r"['’]s$", "", piece))
    return missing


# A name as titles are written, small words inside ("Go Set a Watchman", "Ocarina of Time").
_JOINERS = frozenset(
    "a an the of and de del della den der des di da das do dos du la le les von van ter ten el al "
    "bin y in on for to at".split()
)
# A particle joined by a hyphen or apostrophe starts a name in lower case: "al-Tamimi", "d'Estaing".
_CAP = r"(?:\p{Ll}{1,3}[-'’])?\p{Lu}[\p{L}\p{M}\d'’.-]*"
_TITLE_RUN = regex.compile(rf"{_CAP}(?:[ \t]+(?:(?:{'|'.join(sorted(_JOINERS))})[ \t]+)*{_CAP})*")


def _loosely_in(word: str, run: set[str]) -> bool:
    stem = word[: max(5, len(word) - 3)]
    return word in run or (len(word) >= 5 and any(w.startswith(stem) for w in run))


def figure_elsewhere(q: Query, chosen: list[Candidate], texts: dict[str, str]) -> bool:
    """True when every chosen sentence holding the figure the question asks for comes from an
    article that never names what the question is about: "What was Electrolux's net profit?"
    is not answered by GM's net income, however alike the sentences."""
    if not (q.names - q.descriptors):
        return False
    has_figure = MONEY.search if wants_sum(q) else (lambda text: type_bonus(q, text) > 0)
    stories = {c.article_id for c in chosen if has_figure(c.text)}
    return bool(stories) and all(unmentioned(q, texts.get(a, ""), numbers=False) for a in stories)


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


def initials(acronym: str) -> re.Pattern[str]:
    """Words whose initials spell ``acronym`` (folded): "ev" finds "electric vehicle", "cfo"
    "chief financial officer"; written out, an acronym of any story is mentioned."""
    words = [re.escape(ch) + r"[\w'’]{2,}" for ch in acronym]
    return re.compile(r"\b" + r"[\s-]+".join(words) + r"\b")


def unmentioned(q: Query, text: str, numbers: bool = True) -> list[str]:
    """The question's names (and numbers) that ``text`` never mentions. Names match loosely
    (accents, a shared stem), since questions misspell names. The stem is all but the last
    three letters, and at least five: "Ukraine" matches "Ukrainian", but "Electrolux" does not
    match "Electric"."""
    blob = fold(text)
    words = set(re.findall(r"[\w'’-]+", blob))
    words |= {re.sub(r"['’]s$", "", w) for w in words}
    missing = []

    def seen(n: str) -> bool:
        stem = n[: max(5, len(n) - 3)]
        return n in words or (len(n) >= 5 and any(w.startswith(stem) for w in words))

    for name in sorted(q.names - q.descriptors):
        n = fold(name)
        # "Polish-Danish turbines" in a story of Poland's and Denmark's: each part, loosely.
        parts = [x for x in n.split("-") if x]
        mentioned = seen(n) or (len(parts) > 1 and all(seen(x) for x in parts))
        if not mentioned and not any(re.search(rf"\b{x}\b", blob) for x in _SPELLED_OUT.get(n, ())):
            shown = q.names_shown.get(name, name)
            if not (_is_acronym(shown) and initials(n).search(blob)):
                missing.append(shown)
    if numbers:
        found = set(NUMBER.findall(blob))
        missing += [n for n in sorted(q.numbers) if n not in found]
    return missing
