"""Entries of an article that tells several stories: a live blog or a news roundup.

In a live blog ("07:15 GMT — ...", "Updated 3:15 p.m. ET") or a roundup ("ANTWERP — ...",
"1. ..."), a speaker, a figure or a name belongs to its own entry: "he said" in one entry is not
the person another entry names, and a figure asked about must come from the entry that names the
question's subject. ``entries`` gives the spans of those entries so that callers (the answerer's
"names nothing in the article" checks, statement extraction) can work per entry.

No kept library splits live blogs into entries (the HTML extractors drop the timestamps), so the
markers are matched here: an entry starts at the beginning of a line with a time stamp or a
dateline; an article with fewer than two such lines is one entry.
"""

from __future__ import annotations

import bisect
import re

# "07:15 GMT —", "09:32", "9.32am", "Updated 3:15 p.m. ET", "[14:05]", "14h05" (French style).
_TIME = (
    r"(?:(?:updated|update|posted|published)\s*:?\s*(?:at\s+)?)?[\[(]?"
    r"(?:[01]?\d|2[0-3])(?:[:.h][0-5]\d)(?:\s*[ap]\.?\s?m\.?)?"
    r"(?:\s+(?:GMT|BST|UTC|CET|CEST|EET|ET|EST|EDT|CT|CST|CDT|PT|PST|PDT|IST|JST|AEST|AEDT|"
    r"local(?:\s+time)?))?[\])]?"
)
_TIME_LINE = re.compile(rf"^[ \t]*{_TIME}(?=\s*(?:[—–:|-]|\s*$|\s+[A-Z\"“‘'])|[ \t]*\n)", re.I)
# "ANTWERP —", "SAN FRANCISCO –", "NEW DELHI, Feb. 27 (Reuters) -": a dateline in capitals.
_DATELINE = re.compile(
    r"^[ \t]*[^\W\d_a-z](?:[^\W\d_a-z]|[ '’.-]){1,40}(?:\s*\([^)\n]{1,30}\))?"
    r"(?:,[^\n—–]{0,40})?\s*[—–-]\s+(?=\S)",
    re.M,
)
# "1. ...", "2) ...": numbered items of a briefing.
_NUMBERED = re.compile(r"^[ \t]*\d{1,2}[.)]\s+(?=[^\W\d_])", re.M)


def _line_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in re.finditer(r"\n", text))]


def _marked(text: str) -> list[int]:
    """Offsets of the lines that open an entry, by the kind of marker most lines use."""
    starts = _line_starts(text)
    kinds: dict[str, list[int]] = {"time": [], "dateline": [], "numbered": []}
    for s in starts:
        line = text[s : text.find("\n", s) if "\n" in text[s:] else len(text)]
        if not line.strip():
            continue
        if _TIME_LINE.match(line):
            kinds["time"].append(s)
        elif _DATELINE.match(line) and _is_caps_dateline(line):
            kinds["dateline"].append(s)
        elif _NUMBERED.match(line):
            kinds["numbered"].append(s)
    best = max(kinds.values(), key=len)
    return best if len(best) >= 2 else []


def _is_caps_dateline(line: str) -> bool:
    """The words before the dash are all in capitals ("SAN FRANCISCO"), not a sentence's opening
    ("Ireland's court - ...")."""
    head = re.split(r"\s*[—–-]\s+", line.strip(), maxsplit=1)[0].split(",")[0].split("(")[0]
    letters = [ch for ch in head if ch.isalpha()]
    return len(letters) >= 3 and all(ch.isupper() for ch in letters)


def entries(text: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of the entries of ``text``, in order, covering its non-blank text.

    The text before the first marked entry (headline, introduction) is an entry of its own when it
    holds anything. An article with fewer than two marked entries is one entry,
    ``[(0, len(text))]`` (``[]`` for blank text).
    """
    if not text.strip():
        return []
    marks = _marked(text)
    if not marks:
        return [(0, len(text))]
    bounds = [0, *marks] if text[: marks[0]].strip() else marks
    spans = []
    for a, b in zip(bounds, [*bounds[1:], len(text)], strict=True):
        end = a + len(text[a:b].rstrip())
        if end > a:
            spans.append((a, end))
    return spans


def entry_of(spans: list[tuple[int, int]], offset: int) -> int | None:
    """Index of the entry holding ``offset`` (an offset in the article), or None when it falls
    outside them (blank text between entries)."""
    i = bisect.bisect_right([a for a, _ in spans], offset) - 1
    if i >= 0 and spans[i][0] <= offset < spans[i][1]:
        return i
    return None
