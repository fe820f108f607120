"""Normalise article text and drop boilerplate that must never be cited.

Publishers end stories with subscription pitches, newsletter sign-ups and copyright lines. They
are dropped here, before chunking, so no passage or citation can contain them.
"""

from __future__ import annotations

import re
import unicodedata

_STRONG = [
    r"\bif you have read this (article|story)\b",
    r"\bsupport us\b",
    r"\bsupport (our|independent) journalism\b",
    r"\bbecome an? ([\w-]+ ){0,2}(subscriber|supporter|patron)\b",
    r"\bbecome an? ([\w-]+ ){0,2}member (today|now|for)\b",
    r"\bsubscribe (to|for) (our|the)\b",
    r"\b(you can )?unsubscribe at any time\b",
    r"\bsign up (for|to) (our|the) [\w\s-]{0,20}newsletter\b",
    r"\bfollow us on\b",
    r"\ball rights reserved\b",
    r"\bshare this (article|story)\b",
    r"\bclick here\b",
    r"\b(read|see) (more|also):",
    r"^\s*advertisement\s*$",
    r"\bdonate (now|today)\b",
    r"\bour (journalistic|journalism|newsroom|reporting) \w+",
    r"\bthis requires financial independence\b",
    r"\[email\s*protected\]",
    r"©\s?\d{4}|\(c\)\s?\d{4}",
]
_STRONG_RE = re.compile("|".join(f"(?:{p})" for p in _STRONG), re.IGNORECASE | re.MULTILINE)
# Text every pattern above needs (lower case): a paragraph with none of them cannot match, and
# checking them first skips the regex, whose search was a quarter of an unchanged re-index.
_NEEDED = (
    "read this", "support", "become a", "subscri", "sign up", "follow us", "rights reserved",
    "share this", "click here", "more:", "also:", "advertisement", "donate", "our journalis",
    "our newsroom", "our reporting", "financial independence", "protected", "©", "(c)",
)  # fmt: skip
# C0 controls but tab, newline, carriage return, vertical tab and form feed, and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_QUOTED_RE = re.compile(r"\"[^\"]*\"|“[^”]*”")

# How far from the end a publisher's pitch may start, in paragraphs.
_TAIL_WINDOW = 8
# Standalone boilerplate lines inside the body are short; real paragraphs that merely mention
# subscribers (a telecoms story, say) are long and are kept.
_SHORT_WORDS = 40


def normalise(text: str) -> str:
    """NFC, unified newlines, no trailing spaces, runs of spaces folded, blank lines removed.

    The result has one paragraph per line: that is the unit the sentence splitter never crosses.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\ufeff", "").replace("\u200b", "")
    text = _CONTROL.sub("", text)  # NULs and other control characters (JSON may carry them)
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def is_boilerplate(paragraph: str) -> bool:
    """A paragraph that addresses the reader on the publisher's behalf rather than reporting.

    Quoted speech is ignored: "support us", said by someone in the story, is news.
    """
    unquoted = _QUOTED_RE.sub(" ", paragraph)
    lower = unquoted.lower()
    return any(k in lower for k in _NEEDED) and bool(_STRONG_RE.search(unquoted))


def strip_boilerplate(text: str) -> tuple[str, list[str]]:
    """Return the text without boilerplate paragraphs, and the paragraphs dropped.

    The trailing run of pitch paragraphs is dropped whole; inside the body only short, strongly
    marked lines are dropped, so a long paragraph that mentions subscribers stays.
    """
    paragraphs = text.split("\n")
    tail_start = len(paragraphs)
    while tail_start > max(1, len(paragraphs) - _TAIL_WINDOW) and is_boilerplate(
        paragraphs[tail_start - 1]
    ):
        tail_start -= 1
    kept: list[str] = []
    dropped: list[str] = paragraphs[tail_start:]
    for p in paragraphs[:tail_start]:
        if len(p.split()) <= _SHORT_WORDS and is_boilerplate(p):
            dropped.append(p)
        else:
            kept.append(p)
    return "\n".join(kept), dropped


def clean(text: str) -> tuple[str, list[str]]:
    """Normalise, then drop boilerplate: the text that is stored, chunked and cited."""
    return strip_boilerplate(normalise(text))
