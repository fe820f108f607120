"""Entries of live blogs and roundups (index/entries.py)."""

from __future__ import annotations

from pathlib import Path

from newsqa.index.entries import entries, entry_of

ARTICLES = Path(__file__).parent / "eval" / "articles"


def test_a_live_blog_splits_at_its_time_stamps() -> None:
    text = (ARTICLES / "live-storm-ingrid.txt").read_text(encoding="utf-8")
    spans = entries(text)
    assert text[spans[0][0] : spans[0][1]].startswith("Storm Ingrid live")
    assert len(spans) == 1 + text.count(" GMT —")
    assert all(text[a:b].startswith(("0", "1")) for a, b in spans[1:])
    offset = text.index("Dev Anand")
    i = entry_of(spans, offset)
    assert i is not None and text[spans[i][0] :].startswith("10:47 GMT")


def test_a_roundup_splits_at_its_datelines() -> None:
    text = (ARTICLES / "roundup-tuesday-briefing.txt").read_text(encoding="utf-8")
    heads = [text[a:b].split(" —")[0] for a, b in entries(text)[1:]]
    assert heads[:5] == ["ANTWERP", "VALENCIA", "DUBLIN", "SAN FRANCISCO", "MELBOURNE"]


def test_us_time_stamps_and_wire_datelines() -> None:
    text = (
        "Markets live\n\nUpdated 3:15 p.m. ET\nStocks fell.\n\nUpdated 2:40 p.m. ET\nOil rose.\n\n"
        "9.32am: Bonds rallied."
    )
    assert [text[a:b] for a, b in entries(text)] == [
        "Markets live",
        "Updated 3:15 p.m. ET\nStocks fell.",
        "Updated 2:40 p.m. ET\nOil rose.",
        "9.32am: Bonds rallied.",
    ]
    wire = "LONDON (Reuters) - Shares fell.\nNEW DELHI, Feb. 27 (Reuters) – The rupee rose."
    assert len(entries(wire)) == 2


def test_an_ordinary_story_is_one_entry() -> None:
    text = (ARTICLES / "ap-senate-wildfire-aid.txt").read_text(encoding="utf-8")
    assert entries(text) == [(0, len(text))]
    assert entries("  \n") == []
    # A single time in the text is no live blog.
    assert len(entries("Intro.\n14:05 GMT — One entry only.\nMore text.")) == 1
