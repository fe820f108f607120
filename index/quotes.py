"""Quotation primitives: where the quoted words of a text are, in any common quotation style.

Styles: straight "..." and '...', English “...” and ‘...’, German „...“ and ‚...‘, French and
Russian « ... » (also Swiss/Danish » ... «), CJK 「...」, and the dash that opens a quote at the
start of a paragraph (Spanish, French, Russian and Polish dialogue: "— We will not move," he said).
No library covers the paired-mark scan below (tokenisers treat the marks as punctuation), so it is
written here: a small state machine over the characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Opening mark -> the marks that may close it.
_PAIRS: dict[str, tuple[str, ...]] = {
    "“": ("”", "“"),
    "„": ("“", "”"),
    "«": ("»",),
    "‘": ("’",),
    "‚": ("‘", "’"),
    "「": ("」",),
    "『": ("』",),
}
_SYMMETRIC = {'"'}
# Marks that open only where a word could not continue: never inside a word ("Russia's").
_SINGLE_STRAIGHT = "'"
QUOTE_MARKS = frozenset('"“”„«»‘’‚「」『』')
_DASH_OPEN = re.compile(r"[ \t]*[—–―][ \t]+")
# A dash quote ends at the dash that hands over to the narrator ("— No, — he said — never.").
_DASH_CLOSE = re.compile(r"[ \t][—–―][ \t]|,[ \t]*[—–―][ \t]")


@dataclass(frozen=True)
class Quote:
    """One quotation: ``start``/``end`` are the offsets of the quoted words, marks excluded."""

    start: int
    end: int
    text: str


def _opens(text: str, i: int) -> bool:
    """A straight or curly single mark opens a quote only after a space, bracket or start."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([{—–-:") and not after.isspace()


def _closes(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isspace() and (after.isspace() or not after.isalnum())


def find_quotes(text: str) -> list[Quote]:
    """Every quotation in ``text`` in order, nested quotes inside their outer one.

    A quotation left open at a paragraph break ends there if the next paragraph reopens it (news
    style reopens a quote that runs over paragraphs), else it is no quotation, so one stray mark
    never swallows the rest of the article.
    """
    out: list[Quote] = []
    n = len(text)
    pos = 0
    line_start = True
    while pos <= n:
        if line_start:
            line_start = False
            m = _DASH_OPEN.match(text, pos)
            if m:
                end = text.find("\n", m.end())
                end = n if end < 0 else end
                close = _DASH_CLOSE.search(text, m.end(), end)
                stop = close.start() if close else end
                out.append(Quote(m.end(), stop, text[m.end() : stop]))
        found = _CANDIDATE.search(text, pos)
        if not found:
            break
        i = found.start()
        ch = text[i]
        pos = i + 1
        if ch == "\n":
            line_start = True
            continue
        closers: tuple[str, ...] = ()
        if ch in _SYMMETRIC:
            closers = (ch,)
        elif ch in _PAIRS:
            if ch in "‘‚" and not _opens(text, i):
                continue
            closers = _PAIRS[ch]
        elif ch == "»":
            line_end = text.find("\n", i)
            # Swiss and Danish » ... «: a » with no « after it on the line is no opening mark.
            if "«" not in text[i : n if line_end < 0 else line_end]:
                continue
            closers = ("«",)
        elif ch == _SINGLE_STRAIGHT and _opens(text, i):
            closers = (ch,)
        if not closers:
            continue
        j = _find_close(text, i + 1, closers)
        if j is None:
            continue
        if ch in _SYMMETRIC and text[j] == ch and _opens(text, j) and not _closes(text, j):
            # 'count. "It's not every game ..."': news style reopens a quote at each sentence
            # and closes only the last; a straight mark after a space before a word opens the
            # next quotation, and the one before it ends there.
            end = j
            while end > i + 1 and text[end - 1].isspace():
                end -= 1
            out.append(Quote(i + 1, end, text[i + 1 : end]))
            pos = j
            continue
        out.append(Quote(i + 1, j, text[i + 1 : j]))
        pos = j + 1
    return out


_CANDIDATE = re.compile("[\"“„«»‘‚「『'\n]")


@lru_cache(maxsize=64)
def _closer_rx(closers: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("[" + re.escape("".join(closers)) + "\n]")


def _find_close(text: str, start: int, closers: tuple[str, ...]) -> int | None:
    """Offset of the mark closing a quote opened before ``start``, within its paragraph(s)."""
    single = closers[0] in "'’‘"
    rx = _closer_rx(closers)
    n = len(text)
    pos = start
    while True:
        m = rx.search(text, pos)
        if not m:
            return None
        j = m.start()
        if text[j] == "\n":
            # A new paragraph continues the quote only if it reopens it.
            k = j
            while k < n and text[k].isspace():
                k += 1
            return j if k < n and text[k] in QUOTE_MARKS else None
        if not single or _closes(text, j):
            return j
        pos = j + 1


def quoted_share(sentence: str) -> float:
    """Share of a sentence's letters that are inside quotation marks (0..1)."""
    letters = sum(c.isalpha() for c in sentence)
    if not letters:
        return 0.0
    inside = sum(sum(c.isalpha() for c in q.text) for q in find_quotes(sentence))
    return inside / letters


def strip_marks(text: str) -> str:
    """``text`` without surrounding quotation marks, dashes and spaces."""
    return text.strip().strip("".join(QUOTE_MARKS) + "'—–― ").strip()
