"""Article dates: a kick-off time is no year, a weekday without a year is not dated in the
future, and an unchanged article that a newer loader dates otherwise gets the new date (and its
statements' days) without being embedded again."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from newsqa.index.dates import article_date
from newsqa.index.indexer import Indexer
from newsqa.index.settings import Settings
from newsqa.index.store import Store

from tests.store_helpers import CountingEmbedder


def test_a_kick_off_time_is_not_a_year() -> None:
    fixture = "Brentford v Southampton\n\nGriffin Park\n\nTuesday, 1 March\n\n1945 GMT\n\nText."
    got = article_date(fixture)
    assert got is not None and got.year != 1945
    assert (got.month, got.day, got.weekday()) == (3, 1, 1)


def test_a_weekday_without_a_year_is_dated_in_the_past() -> None:
    got = article_date("Preview\n\nSaturday, 26 February\n\nMurrayfield. Scotland play Italy.")
    assert got is not None and got <= date.today() and got.weekday() == 5


def test_a_year_the_text_gives_wins() -> None:
    assert article_date("Match\n\nOn Tuesday, 1 March 2005 the club said") == date(2005, 3, 1)


def test_a_yearless_wire_dateline_takes_the_year_its_lead_weekday_fits() -> None:
    lead = "Rates up\n\nHEDELUND, Nov 12 (Reuters) - The bank raised rates on Thursday, "
    # 12 November fell on a Thursday in 2026 (and 2020); the article's years point to 2026.
    assert article_date(lead + "its first rise since 2025.") == date(2026, 11, 12)
    assert article_date(lead + "its first rise since 2019.") == date(2020, 11, 12)
    # No weekday in the lead: no year to be had, so no date rather than a guess.
    assert article_date("Rates up\n\nHEDELUND, Nov 12 (Reuters) - The bank raised rates.") is None


def test_an_unchanged_article_dated_otherwise_gets_the_new_date(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "nato.txt").write_text(
        "Leaders rule out troops\n\nGerman Chancellor Olaf Scholz on Tuesday (27 February) "
        "rejected the idea of sending troops, he told reporters.\n",
        encoding="utf-8",
    )
    settings = Settings(store=tmp_path / "store", sample_dir=None)
    with Store(settings.store, write=True) as store:
        Indexer(store, CountingEmbedder(), settings).index_paths([folder])
        [record] = store.article_records()
        right = record["date"]
        assert right.endswith("-02-27")
    conn = sqlite3.connect(settings.store / "catalog.sqlite")
    with conn:  # as an older loader would have left it
        conn.execute("UPDATE articles SET date = '1999-02-27', fingerprint = ''")
        conn.execute("UPDATE statements SET date = '1999-02-23'")
    conn.close()
    embedder = CountingEmbedder()
    with Store(settings.store, write=True) as store:
        report = Indexer(store, embedder, settings).index_paths([folder])
        assert len(report.unchanged) == 1 and not report.changed
        [record] = store.article_records()
        assert record["date"] == right
        assert {s["date"] for s in store.statements()} == {right}
    assert embedder.forward_passes == 0


def test_a_relative_day_in_a_sentence_is_dated_from_its_article() -> None:
    from newsqa.index.dates import day_said, relative_day

    article = (
        "Sinkhole swallows street\n\nThe hole appeared at 5.40am on Tuesday.\n\n"
        "In an update on Wednesday 10 December, the council said the survey was complete."
    )
    got = day_said("The hole appeared at 5.40am on Tuesday.", article)
    assert got is not None and (got.day, got.month) == (9, 12)
    # The article's own date wins; a sentence that dates itself needs nothing.
    got = day_said("It opened on Tuesday.", "Text.", {"date": "2024-02-29"})
    assert got == date(2024, 2, 27)
    assert day_said("It opened on 3 May.", article) is None
    assert day_said("It opened on Tuesday.", "No date anywhere.") is None
    # A dateline at the sentence's start dates the story, not what the sentence reports.
    filed = "Istanbul (AFP) - Wednesday, November 4, 2026 - The talks ended late on Tuesday."
    got = relative_day(filed, filed)
    assert got is not None and filed[got[0] : got[1]] == "on Tuesday"
    assert got[2] == date(2026, 11, 3)


def test_a_weekday_of_a_clause_about_the_future_is_a_coming_day() -> None:
    from newsqa.index.dates import day_said

    saturday = {"date": "2026-09-26"}
    assert day_said("He will appear before a panel on Tuesday.", "", saturday) == date(2026, 9, 29)
    assert day_said("He said the board would meet on Monday.", "", saturday) == date(2026, 9, 28)
    assert day_said("They are due to fly home on Friday.", "", saturday) == date(2026, 10, 2)
    # The past stays past, and so does a clause of its own that happens to mention the future.
    assert day_said("He appeared before a panel on Tuesday.", "", saturday) == date(2026, 9, 22)
    assert day_said("Ito, who will retire, said on Tuesday.", "", saturday) == date(2026, 9, 22)
    assert day_said("He will say what he did last Tuesday.", "", saturday) == date(2026, 9, 22)
    # A timetable in the present tense looks forward; a past verb or "after" does not.
    assert day_said("Pre-orders open on Tuesday.", "", saturday) == date(2026, 9, 29)
    assert day_said("Shares fell on Tuesday.", "", saturday) == date(2026, 9, 22)
    crash = "He is in hospital after a crash on Tuesday."
    assert day_said(crash, "", saturday) == date(2026, 9, 22)


def test_a_weekday_around_an_event_the_lead_dates_is_the_nearer_one() -> None:
    from newsqa.index.dates import dated_by_event, day_said

    report = (
        "Watchdog blocks merger\n\nThe board blocked the deal. In a report published on "
        "Wednesday, 14 October 2026, it found fares would rise.\n\n"
        "Speaking to investors on Thursday, the chief executive said she would appeal. "
        "Shares had fallen on Monday."
    )
    assert dated_by_event(report)
    assert day_said("Speaking to investors on Thursday, she said so.", report) == date(2026, 10, 15)
    assert day_said("Shares had fallen on Monday.", report) == date(2026, 10, 12)
    # A dateline or a metadata date is when the story was filed: its weekdays are before it.
    filed = "Merger\n\nLONDON, Oct. 14, 2026 (Reuters) - The board blocked the deal on Wednesday."
    assert not dated_by_event(filed)
    assert day_said("She spoke on Thursday.", filed) == date(2026, 10, 8)
    assert not dated_by_event(report, {"date": "2026-10-20"})
