"""Article dates and the days statements were made.

An article's date comes from its metadata (the JSON ``date`` field or the HTML page's date, which
the loaders read through trafilatura/htmldate), else from a dateline ("GDAŃSK, Feb. 27 (Reuters)
-", "Published 27 February 2024") or a weekday the lead itself dates ("on Tuesday (27 February)").
Relative days in a statement ("on Tuesday", "yesterday", "last Friday") resolve against that
date. Parsing an explicit date is python-dateutil's job (AP "Feb. 27", US "February 27, 2024", UK
"27 February 2024", ISO); weekday arithmetic is dateutil's relativedelta. Finding the date
phrases in running text is a regex here: dateparser's ``search_dates`` takes tens of
milliseconds per article and reads ordinary words ("may", "march", "second") as dates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from dateutil import parser as dateutil_parser
from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RD = (MO, TU, WE, TH, FR, SA, SU)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|2[01]\d\d)"
# "Tuesday, 1 March 1945 GMT" in a fixture list is a kick-off time, not a year.
_NOT_A_TIME = r"(?![ \t]*(?:GMT|BST|UTC|CET|CEST|EST|EDT|PST|PDT|ET|PT|hrs?)\b)"
# "27 February", "27 February 2024", "27th of Feb.", "Feb. 27", "February 27, 2024", ISO.
EXPLICIT = re.compile(
    rf"\b(?:{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?[ \t]+{_YEAR}{_NOT_A_TIME})?|"
    rf"{_MONTH}\s+{_DAY}(?:,?[ \t]+{_YEAR}{_NOT_A_TIME})?|"
    rf"{_YEAR}-[01]\d-[0-3]\d)\b",
    re.IGNORECASE,
)
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
# "on Tuesday (27 February)", "Tuesday, 27 February", "Tuesday, Feb. 27": a weekday the text dates.
DATED_WEEKDAY = re.compile(
    rf"\b(?P<wd>{_WEEKDAY})\s*(?:\(\s*|,\s*|\s+)(?P<date>{EXPLICIT.pattern})\s*\)?",
    re.IGNORECASE,
)
RELATIVE = re.compile(
    rf"\b(?P<phrase>(?:(?:last|next|this|on|this\s+past|this\s+coming)\s+)?{_WEEKDAY}"
    r"(?:\s+(?:morning|afternoon|evening|night))?|yesterday|today|tomorrow|"
    r"(?:last|this)\s+(?:night|week|month))\b",
    re.IGNORECASE,
)
# Datelines: "WASHINGTON, Feb. 27 (AP) --", "Published: 27 February 2024", "Updated 27/02/2024".
_DATELINE = re.compile(
    rf"^\s*(?:[\w .,'’()-]{{0,60}}?[,—–-]\s*)?(?:(?:published|updated|posted)\s*:?\s*)?"
    rf"(?:{_WEEKDAY},?\s+)?(?P<date>{EXPLICIT.pattern})",
    re.IGNORECASE,
)
_YEAR_IN_TEXT = re.compile(rf"\b{_YEAR}\b{_NOT_A_TIME}")
_WEEKDAY_RX = re.compile(_WEEKDAY, re.IGNORECASE)
_NEXT = re.compile(r"\bnext\b|\bcoming\b")
_LAST = re.compile(r"\blast\b|\bpast\b")


def parse_explicit(phrase: str, reference: date | None = None) -> date | None:
    """An explicit date phrase as a date; a missing year comes from ``reference`` (the same or
    previous year for news reporting the past), else None when no year can be had."""
    text = re.sub(r"(?i)\bof\b", " ", phrase).replace(".", " ")
    has_year = bool(_YEAR_IN_TEXT.search(text))
    base = datetime(reference.year if reference else 1900, 1, 1)
    try:
        got = dateutil_parser.parse(text, default=base, dayfirst=True, fuzzy=True).date()
    except (ValueError, OverflowError):
        return None
    if has_year:
        return got
    if reference is None:
        return None
    # "27 December" in an article of 3 January is last year's.
    if got > reference + relativedelta(months=2):
        got = got - relativedelta(years=1)
    return got


def year_for_weekday(weekday: str, day_month: date, years: list[int]) -> date | None:
    """The year in which ``day_month`` fell on ``weekday``: the candidate nearest the years the
    article mentions (a dated weekday without a year, as in "on Tuesday (27 February)")."""
    want = _WEEKDAYS.index(weekday.lower())
    latest = max(years) if years else date.today().year
    # With no year in the article, news reports the past: this year, then earlier ones first.
    order = (
        [(latest + d, latest - d) if d else (latest,) for d in range(12)]
        if years
        else [(latest - d,) for d in range(12)] + [(latest + d,) for d in range(1, 12)]
    )
    for candidates in order:
        for year in candidates:
            try:
                d = day_month.replace(year=year)
            except ValueError:  # 29 February
                continue
            if d.weekday() == want:
                return d
    return None


def dated_weekdays(text: str, reference: date | None = None) -> list[tuple[int, int, date]]:
    """Weekdays the text itself dates: (start, end, date) for "Tuesday (27 February)"."""
    years = [int(y) for y in _YEAR_IN_TEXT.findall(text)]
    out = []
    for m in DATED_WEEKDAY.finditer(text):
        d = parse_explicit(m.group("date"), reference or date(2000, 1, 1))
        if d is None:
            continue
        if not _YEAR_IN_TEXT.search(m.group("date")) and reference is None:
            d = year_for_weekday(m.group("wd"), d, years)
        if d is not None:
            out.append((m.start(), m.end(), d))
    return out


def article_date(text: str, metadata: Mapping[str, Any] | None = None) -> date | None:
    """The date of an article: its metadata's date, else a dateline, else a weekday its lead
    dates ("on Tuesday (27 February)"); None for an undated article."""
    for key in ("date", "published", "published_at", "publish_date", "pubDate"):
        value = (metadata or {}).get(key)
        if not value:
            continue
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return dateutil_parser.parse(str(value)).date()
        except (ValueError, OverflowError):
            continue
    if got := _dateline(text):
        return got
    dated = dated_weekdays(text[:1500])
    return dated[0][2] if dated else None


# Where a dateline's date ends: "(AP) —", "(Reuters) -", " - ", the end of its line.
_DATELINE_END = re.compile(r"\s*(?:\([^)]{1,30}\)\s*)?(?:[-—–]|$)")


def _dateline(text: str, strict: bool = False) -> date | None:
    """The date of a dateline in the article's first lines, if it has one; ``strict``: only
    a date that ends its dateline, not "a report published on Wednesday, 14 October, found"."""
    for line in text[:600].splitlines()[:3]:
        m = _DATELINE.match(line)
        if not m or (strict and not _DATELINE_END.match(line[m.end() :])):
            continue
        got = (
            parse_explicit(m.group("date"))
            if _YEAR_IN_TEXT.search(m.group("date"))
            else _yearless_dateline(m.group("date"), line[m.end() :], text)
        )
        if got:
            return got
    return None


def dated_by_event(text: str, metadata: Mapping[str, Any] | None = None) -> bool:
    """True when the article's date is the day of an event its lead dates ("a report published
    on Wednesday, 14 October"), not a publication date from metadata or a dateline: the story
    was written that day or after it, so its bare weekdays may fall either side."""
    event = dated_weekdays(text[:1500])
    if not event or _dateline(text, strict=True):
        return False
    given = article_date("", metadata) if metadata else None
    return given is None or given == event[0][2]


def _yearless_dateline(phrase: str, lead: str, text: str) -> date | None:
    """A wire dateline without a year ("HEDELUND, Nov 12 (Reuters) - ... on Thursday"): the
    year in which that day falls on the weekday the lead reports, nearest the years the
    article mentions; None when the lead names no weekday (the year would be a guess)."""
    day_month = parse_explicit(phrase, date(2000, 12, 31))
    found = RELATIVE.search(lead[:400])
    if day_month is None or found is None or re.search(r"(?i)last|next|past", found.group(0)):
        return None
    weekday = _WEEKDAY_RX.search(found.group(0))
    if weekday is None:
        return None
    years = [int(y) for y in _YEAR_IN_TEXT.findall(text)]
    return year_for_weekday(weekday.group(0), day_month, years)


def resolve_relative(
    phrase: str, reference: date, forward: bool = False, around: bool = False
) -> date | None:
    """The day a phrase such as "on Tuesday", "last Friday", "yesterday" or "on Tuesday (27
    February)" means, said in an article of date ``reference``.

    A bare weekday in news copy is the latest such day on or before the article's date ("said on
    Tuesday"); "next"/"this coming" look forward, and so does a bare weekday of a sentence about
    the future (``forward``: "will appear before a panel on Tuesday"). An explicit date in the
    phrase wins. When ``reference`` is the day of an event the story reports (``around``), a
    bare weekday is the nearer of the two such days around it ("the report was published on
    Wednesday, 14 October ... Speaking to investors on Thursday": the 15th).
    """
    explicit = EXPLICIT.search(phrase)
    if explicit:
        return parse_explicit(explicit.group(0), reference)
    p = phrase.lower()
    if "yesterday" in p:
        return reference - relativedelta(days=1)
    if "today" in p or "last night" in p:
        return reference - relativedelta(days=1) if "last night" in p else reference
    if "tomorrow" in p:
        return reference + relativedelta(days=1)
    m = _WEEKDAY_RX.search(p)
    if not m:
        return None
    rd = _RD[_WEEKDAYS.index(m.group(0))]
    if _NEXT.search(p) or (forward and not _LAST.search(p)):
        return reference + relativedelta(days=1, weekday=rd(+1))
    if _LAST.search(p):
        return reference + relativedelta(days=-1, weekday=rd(-1))
    back = reference + relativedelta(weekday=rd(-1))
    ahead = reference + relativedelta(days=1, weekday=rd(+1))
    return ahead if around and ahead - reference < reference - back else back


def date_in(
    sentence: str,
    reference: date | None,
    dated: dict[str, date] | None = None,
    around: bool = False,
) -> date | None:
    """The day a sentence says something happened, if it says: an explicit date, else a relative
    day resolved against ``reference`` (or against a weekday the article dated, ``dated``)."""
    for found in DATED_WEEKDAY.finditer(sentence):
        wd = found.group("wd").lower()
        if dated and wd in dated:
            return dated[wd]
        return parse_explicit(found.group("date"), reference)
    explicit = EXPLICIT.search(sentence)
    if explicit and (reference or _YEAR_IN_TEXT.search(explicit.group(0))):
        return parse_explicit(explicit.group(0), reference)
    relative = RELATIVE.search(sentence)
    if relative:
        phrase = relative.group(0)
        day = _WEEKDAY_RX.search(phrase)
        if day and dated and day.group(0).lower() in dated and "next" not in phrase.lower():
            return dated[day.group(0).lower()]
        if reference:
            ahead = _ahead(sentence[: relative.start()])
            return resolve_relative(phrase, reference, forward=ahead, around=around)
    return None


# A clause about what is still to come: "will appear ...", "would meet ...", "is due to ...".
_FUTURE = re.compile(
    r"\b(?:will|would|shall|due\s+to|set\s+to|expected\s+to|scheduled\s+to|plans?\s+to|"
    r"planning\s+to|going\s+to)\b|['’]ll\b",
    re.IGNORECASE,
)


# A timetable in the present tense: "Pre-orders open on Friday", "They travel to Leeds on
# Saturday", "The festival, which opens on Thursday"; not once a verb of the clause is past.
_SCHEDULED = re.compile(
    r"\b(?:opens?|begins?|starts?|travels?|plays?|meets?|faces?|resumes?|returns?|closes?|"
    r"ends?|takes\s+place|take\s+place|goes\s+on|go\s+on|is|are)\b",
    re.IGNORECASE,
)
_PAST = re.compile(
    r"\b(?:\w+ed|said|told|was|were|had|did|made|met|took|gave|went|came|won|lost|held|left|"
    r"saw|began|fell|rose|spoke|wrote|got|became|sent|found|thought|led|struck|broke|chose|"
    r"sold|bought|paid|kept|ran|opened|closed|"
    # "He is in hospital after a crash on Friday": what the day dates is past.
    r"after|since|following)\b",
    re.IGNORECASE,
)


def _ahead(before: str) -> bool:
    """The clause that ends where a relative day starts speaks of the future ("Haasbroek will
    appear before a panel" + "on Tuesday") or of a timetable ("Pre-orders open" + "on
    Friday"); a clause ends at a comma, semicolon or quote mark ("X, who will retire, said on
    Tuesday" is past)."""
    clause = re.split(r"[,;:\"“”«»]", before)[-1]
    if _FUTURE.search(clause):
        return True
    return bool(_SCHEDULED.search(clause)) and not _PAST.search(clause)


def day_said(sentence: str, article: str, metadata: Mapping[str, Any] | None = None) -> date | None:
    """The day a sentence's relative day ("appeared on Tuesday") means in its article: against
    the article's date, else against the latest weekday the article itself dates ("an update on
    Wednesday 10 December"). None when the sentence gives a date of its own, gives no relative
    day, or the article gives nothing to resolve it against. Without a year in the article the
    year is a guess (year_for_weekday): the day and month are what it tells."""
    found = relative_day(sentence, article, metadata)
    return found[2] if found else None


def relative_day(
    sentence: str, article: str, metadata: Mapping[str, Any] | None = None
) -> tuple[int, int, date] | None:
    """``day_said`` with where the sentence says it: (start, end, day) of "on Tuesday"."""
    offset = 0
    if (m := _DATELINE.match(sentence)) and re.match(r"\s*[-—–]+\s", sentence[m.end() :]):
        # "Istanbul (AFP) - Wednesday, November 4, 2026 - Talks ended late on Tuesday": the
        # dateline is when the story was filed, not the day the sentence reports.
        offset = m.end()
    rest = sentence[offset:]
    at = RELATIVE.search(rest)
    if EXPLICIT.search(rest) or not at:
        return None
    years = [int(y) for y in _YEAR_IN_TEXT.findall(article)]
    dated: dict[str, date] = {}
    for m in DATED_WEEKDAY.finditer(article):
        d = parse_explicit(m.group("date"), date(2000, 1, 1))
        if d is not None and not _YEAR_IN_TEXT.search(m.group("date")):
            d = year_for_weekday(m.group("wd"), d, years)
        if d is not None:
            dated.setdefault(m.group("wd").lower(), d)
    reference = article_date(article, metadata) or max(dated.values(), default=None)
    around = dated_by_event(article, metadata)
    day = date_in(rest, reference, dated, around) if reference else None
    return (offset + at.start(), offset + at.end(), day) if day else None


def human(d: date) -> str:
    """ "Tuesday, 27 February 2024": how answers and the Articles tab show a date."""
    return f"{d:%A}, {d.day} {d:%B %Y}"


_ISO_SHAPED = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


def parse_day(value: str) -> str:
    """A day the user typed ("2024-02-27", "27 February 2024", "Feb. 27, 2024") as an ISO day;
    ValueError when it is none. The range of ``newsqa ask`` and of the chat (the forms
    ``newsqa quotes --since`` reads, through the same ``parse_explicit``)."""
    text = value.strip()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        # An ISO-shaped day that is no day ("2025-13-01") is an error, not dateutil's guess.
        got = None if _ISO_SHAPED.match(text) else parse_explicit(text) if text else None
    if got is None:
        raise ValueError(f"{value!r} is not a date (use YYYY-MM-DD)")
    return got.isoformat()
