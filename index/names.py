"""Person-name primitives in general language: Unicode name words, titles and roles, keys.

Shared by index-time statement extraction (``newsqa.index.statements``) and the answerer's
attribution (``newsqa.index.attribution``). Names are found by shape, not by a list of known
people: runs of capitalised words in any script with Latin-style case (Özil, Łukasz, Ørsted,
Ángela, Butler-Sloss, O'Leary, al-Assad), with the particles of family names (de, van, von, bin).
What is not a name is general English: function words (bm25s's English stopword list, copied),
honorifics, weekdays and months, and the role nouns below; a word right before a role ("Slovak
Prime Minister", "NATO Secretary General") describes the role, and the name is what follows it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import regex

# One capitalised word in any cased script, with inner apostrophes and hyphens
# ("O'Leary", "Butler-Sloss", "McKillop"); "al-Assad"/"d'Estaing" start lower-case.
WORD = r"(?:(?:[a-z]{1,3}[-'’])?\p{Lu}[\p{L}\p{M}]*(?:[-'’]\p{L}[\p{L}\p{M}]*)*)"
PARTICLES = frozenset(
    "de del della der den di da das dos du la le van von ten ter bin ibn al el y zu af".split()
)
_PARTICLE = r"(?:" + "|".join(sorted(PARTICLES, key=len, reverse=True)) + r")"
# A run of name words, particles allowed between them ("Ursula von der Leyen").
NAME_RUN = rf"{WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+)*{WORD})*"
NAME_RUN_RX = regex.compile(NAME_RUN)


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> regex.Pattern[str]:
    # The regex module's own cache is small; these patterns are built once per process here.
    return regex.compile(pattern)


def _rx_search(pattern: str, text: str) -> regex.Match[str] | None:
    return _compiled(pattern).search(text)


def _rx_match(pattern: str, text: str) -> regex.Match[str] | None:
    return _compiled(pattern).match(text)


def _rx_sub(pattern: str, repl: str, text: str) -> str:
    return _compiled(pattern).sub(repl, text)


def _rx_finditer(pattern: str, text: str) -> Iterator[regex.Match[str]]:
    return _compiled(pattern).finditer(text)


def _rx_split(pattern: str, text: str) -> list[str]:
    return _compiled(pattern).split(text)


# Honorifics and forms of address, in several languages; they precede a name and are not part of
# its key.
HONORIFICS = frozenset(
    "mr mrs ms miss mx dr sir dame lord lady baroness baron prof sen rep gov rev fr mme mlle m "
    "herr frau sr sra srta pan pani signor signora sig st hon rt mp qc msp mep mla kc cbe obe mbe "
    "jr col gen lt capt sgt maj adm cmdr insp det supt cllr brig cpl pres".split()
)
# Role nouns: what a person is called instead of by name ("the chancellor said").
ROLE_NOUNS = frozenset(
    """
    chancellor minister president premier spokesman spokeswoman spokesperson secretary general
    chief executive chairman chairwoman chair director official officials leader prosecutor
    analyst founder singer actor actress star player striker captain lawyer economist doctor
    surgeon officer adviser advisor professor editor producer agent promoter organiser organizer
    trainer referee researcher scientist governor mayor commissioner ambassador judge manager
    boss coach senator congressman congresswoman representative lawmaker mp chief head deputy
    counterpart king queen prince princess pope cardinal bishop archbishop general admiral
    colonel commander envoy diplomat negotiator sheriff attorney justice speaker whip treasurer
    president-elect vice-president founder owner investor partner executive principal dean
    keeper reporter correspondent journalist historian expert campaigner activist witness
    vice-minister deputy-minister economist strategist consultant police detectives
    investigators source sources residents witnesses campaigners
    skipper defender midfielder winger goalkeeper full-back fly-half scrum-half batsman bowler
    presenter author novelist writer comedian musician designer engineer councillor backbencher
    teenager youngster veteran rookie newcomer debutant
    """.split()
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
PRONOUNS = frozenset("he she they him her them his hers their i we you it".split())


# bm25s's STOPWORDS_EN (0.3.16), copied: importing bm25s for it cost a cold `newsqa ask` about
# 0.1 s (bm25s imports scipy.sparse).
_BM25S_STOPWORDS_EN = (
    "a an and are as at be but by for if in into is it no not of on or such that the their then "
    "there these they this to was will with"
).split()


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    """General English function words (bm25s's list, which the lexical index used before FTS5)."""
    words = set(_BM25S_STOPWORDS_EN)
    # Sentence-opening adverbs and connectives the list lacks.
    words |= set(
        "according following earlier later meanwhile however also after before today yesterday "
        "tomorrow other apart although despite since while when where what who why how yet "
        "still instead indeed moreover nonetheless nevertheless overall elsewhere besides except "
        "aside beyond unlike including excluding amid amidst among within without throughout "
        "regarding concerning considering whereas whether though thus hence therefore otherwise "
        "likewise similarly furthermore additionally".split()
    )
    return frozenset(words)


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Case- and accent-folded form: "Szijjártó" and "Szijjarto" give the same key.

    NFKD strips combining accents; the few Latin letters that do not decompose (ø, ł, æ, ß ...)
    are mapped here, because no kept dependency transliterates them.
    """
    word = unicodedata.normalize("NFKD", word.casefold())
    word = "".join(c for c in word if not unicodedata.combining(c))
    return word.translate(_FOLD)


_FOLD = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "æ": "ae", "œ": "oe", "ß": "ss", "ı": "i", "þ": "th", "’": "'"}
)


@lru_cache(maxsize=65536)
def is_function_word(word: str) -> bool:
    """A capitalised word that starts sentences or names days rather than people."""
    w = fold(word).strip(".")
    return (
        w in _stopwords()
        or w in HONORIFICS
        or w in WEEKDAYS
        or w in MONTHS
        or w in PRONOUNS
        or len(w) < 2
    )


@lru_cache(maxsize=65536)
def is_role_word(word: str) -> bool:
    w = fold(word).strip(".")
    w = w[:-2] if w.endswith("'s") else w
    return w in ROLE_NOUNS


def name_tokens(run: str) -> list[str]:
    """The words of a capitalised run that can belong to a person's name, in order.

    Leading function words, honorifics and anything up to the last role noun go ("Slovak Prime
    Minister Robert Fico" -> Robert Fico; "Mr Brown" -> Brown); a possessive ends the name.
    """
    return list(_name_tokens(run))


_POST_NOMINALS = frozenset("mp qc kc msp mep mla am cbe obe mbe jr sr".split())
# Role nouns that are also common family names.
_SURNAME_TITLES = frozenset("king bishop judge mayor dean cardinal pope baron earl knight".split())


@lru_cache(maxsize=65536)
def _name_tokens(run: str) -> tuple[str, ...]:
    """The body of ``name_tokens``, cached: the same runs recur across an article."""
    words = run.split()
    # Post-nominals ("Andrew Tyrie MP", "Jo Hale QC") follow the name; "MP" is a role noun too,
    # and everything up to a role noun would go.
    while len(words) > 1 and fold(words[-1]).strip(".,") in _POST_NOMINALS:
        words = words[:-1]
    last_role = max((i for i, w in enumerate(words) if is_role_word(w)), default=-1)
    if (
        last_role == len(words) - 1
        and len(words) >= 2
        and fold(words[-1]).strip(".,") in _SURNAME_TITLES
        and not is_role_word(words[-2])
        and not is_function_word(words[-2])
    ):
        # "Mervyn King", "Stephen King": a family name that is also a title, after a given name.
        last_role = max((i for i, w in enumerate(words[:-1]) if is_role_word(w)), default=-1)
    words = words[last_role + 1 :]
    out: list[str] = []
    for i, w in enumerate(words):
        if w.endswith(("'s", "’s")):
            out.append(w[:-2])
            break
        # "Theresa May", "Mrs May": a family name that is also a word ends the run after a
        # given name or a title.
        surname = (
            i == len(words) - 1
            and i > 0
            and w[:1].isupper()
            and is_function_word(w)
            and (fold(words[i - 1]).strip(".") in HONORIFICS or (out and not is_role_word(out[-1])))
        )
        if surname:
            out.append(w)
            break
        if not out and (is_function_word(w) or w.lower() in PARTICLES):
            continue
        if is_function_word(w) and w.lower() not in PARTICLES:
            break
        out.append(w.rstrip("."))
    while out and out[-1].lower() in PARTICLES:
        out.pop()
    return tuple(out)


def person_names(text: str) -> list[tuple[str, int, int]]:
    """Capitalised runs of ``text`` that can be people's names: (name, start, end)."""
    out = []
    for m in NAME_RUN_RX.finditer(text):
        tokens = name_tokens(m.group(0))
        if not tokens:
            continue
        name = " ".join(tokens)
        start = text.find(tokens[0], m.start())
        out.append((name, start, start + len(name)))
    return out


def name_key(name: str, article_text: str = "") -> str:
    """The normalised family-name key of a person's name.

    The family name is the word the article uses on its own for the person ("Xi said" after "Xi
    Jinping": "xi"; "Fico said" after "Robert Fico": "fico"); with no such evidence, a one-word
    name is its own key and a longer one keys on the last word when the name is Western-ordered
    by the article's own usage, else on the whole name: never on a given name alone.
    """
    tokens = name_tokens(name) or name.split()
    if not tokens:
        return ""
    if len(tokens) == 1:
        return fold(tokens[0])
    # "van der Haegen", "de Gaulle": a family name keeps its particles.
    family = [tokens[-1]]
    for t in reversed(tokens[:-1]):
        if t.lower() not in PARTICLES:
            break
        family.insert(0, t)
    if len(family) == len(tokens):
        return " ".join(fold(t) for t in tokens)
    if article_text:
        if _stands_alone(tokens[-1], article_text):
            return " ".join(fold(t) for t in family)
        if _stands_alone(tokens[0], article_text):
            return fold(tokens[0])
        return " ".join(fold(t) for t in tokens)
    return " ".join(fold(t) for t in family)


def _stands_alone(word: str, text: str) -> bool:
    """``word`` occurs in ``text`` with no other capitalised name word right before or after it
    (a title may precede it: "Mr Xi")."""
    # A plain substring scan with the letter boundaries checked by hand: a pattern per word
    # would be compiled once per name.
    at = text.find(word)
    while at >= 0:
        start, end = at, at + len(word)
        at = text.find(word, end)
        if (start and (text[start - 1].isalpha() or text[start - 1] in "'’-")) or (
            end < len(text) and text[end].isalpha()
        ):
            continue
        before = text[max(0, start - 40) : start]
        after = text[end : end + 40]
        prev = _rx_search(rf"({WORD})[ \t]+$", before)
        if prev and not is_function_word(prev.group(1)) and not is_role_word(prev.group(1)):
            continue
        nxt = _rx_match(rf"[ \t]+(?:{_PARTICLE}[ \t]+)*({WORD})", after)
        if nxt and nxt.group(1).lower() not in _stopwords():
            continue
        return True
    return False


def key_words(name: str) -> set[str]:
    """Folded words of a name (titles and roles out): for loose matching of a query."""
    return {fold(t) for t in name_tokens(name)} or {fold(w) for w in name.split()}


def speaker_identities(statements: list[dict[str, str]]) -> list[str]:
    """One identity per statement (dicts with ``speaker``, ``speaker_key``, ``article_id``), so
    that namesakes in different articles do not merge: the family-name key is shared by Tony and
    Cherie Blair. Full names agree or differ; a name written alone (its article never gave it in
    full) joins the one full name with its key, stays with the key when no full name has it, and
    stays within its own article when several full names do."""
    full: dict[str, set[str]] = {}
    for st in statements:
        if len(st["speaker"].split()) > 1:
            name = fold(st["speaker"])
            full.setdefault(st.get("speaker_key") or "", set()).add(name)
            # "Scholz" in one article, "Olaf Scholz" (keyed whole) in another.
            full.setdefault(name.split()[-1], set()).add(name)
    out = []
    for st in statements:
        key = st.get("speaker_key") or fold(st["speaker"])
        names = full.get(key, set())
        if len(st["speaker"].split()) > 1:
            out.append(f"={fold(st['speaker'])}")
        elif len(names) == 1:
            out.append(f"={next(iter(names))}")
        elif names:
            out.append(f"{key}|@{st.get('article_id', '')}")
        else:
            out.append(key)
    return out
