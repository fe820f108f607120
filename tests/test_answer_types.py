"""Answer types in general language: sums of money, dates and lengths of time as news of any style
writes them, and words matched across British and American spellings."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from newsqa.assistant.answer_types import (
    DURATION,
    FULL_DATE,
    HAS_DATE,
    MONEY,
    date_spans,
    money_spans,
    parse_date,
    word_key,
    word_keys,
)


def _found(spans: list[tuple[int, int]], text: str) -> list[str]:
    return [text[a:b] for a, b in spans]


@pytest.mark.parametrize(
    "sum_",
    [
        "$4.5 billion", "USD 5m", "EUR 300 million", "Rs 500 crore", "CHF 2bn", "R$ 10bn",
        "£5.35", "€2.3 million", "¥3,000", "₹40 lakh", "US$5.2 billion", "300 million euros",
        "50p", "1,200 rupees",
    ],
)  # fmt: skip
def test_sums_by_symbol_code_and_name(sum_: str) -> None:
    text = f"The company said it would pay {sum_} for the stake."
    assert _found(money_spans(text), text) == [sum_]
    assert MONEY.search(text)


def test_figures_that_are_no_money() -> None:
    text = "About 22,000 runners took part, 40 cameras were checked and 2024 was a record year."
    assert money_spans(text) == []


@pytest.mark.parametrize(
    "date",
    [
        "27 February 2024", "February 27, 2024", "Feb. 27", "Sept. 3", "27/02/2024",
        "2024-02-27", "Tuesday, Feb. 27", "the 27th of February", "March 2024",
        "the late 1990s",
    ],
)  # fmt: skip
def test_dates_in_british_us_ap_and_iso_styles(date: str) -> None:
    text = f"The deal was announced on {date} in Brussels."
    assert _found(date_spans(text), text) == [date]
    assert HAS_DATE.search(text)


def test_full_date_reads_ap_and_numeric_forms() -> None:
    for text in ("on Feb. 27", "on February 27", "on 27 February", "on 2024-02-27", "on 27/02/24"):
        assert FULL_DATE.search(text), text
    assert not FULL_DATE.search("in February")
    assert not FULL_DATE.search("he may come")


def test_amounts_are_not_years() -> None:
    text = "It paid $2024 million and 2,024 shares in 2023."
    assert _found(date_spans(text), text) == ["2023"]


def test_parse_date_reads_the_styles_found() -> None:
    assert parse_date("February 27, 2024").date() == dt.date(2024, 2, 27)
    assert parse_date("27/02/2024").date() == dt.date(2024, 2, 27)
    assert parse_date("Feb. 27", dt.datetime(2024, 3, 1)).date() == dt.date(2024, 2, 27)


def test_word_key_joins_british_and_american_spellings_and_inflections() -> None:
    assert word_key("organisations") == word_key("organization") == "organization"
    assert word_key("defence") == word_key("defense")
    assert word_key("travelled") == word_key("traveled")
    assert word_key("Colours") == word_key("color")
    assert word_keys("The centre's programmes") >= {word_key("center"), word_key("program")}


def test_spans_are_fast_enough_for_the_answer_path() -> None:
    text = " ".join(["The deal, worth USD 5m, closed on Feb. 27 after EUR 300 million."] * 10)
    money_spans(text), date_spans(text)
    start = time.perf_counter()
    for _ in range(20):
        money_spans(text), date_spans(text)
    # Not a speed claim: a guard against a pathological (backtracking) pattern.
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize(
    "question",
    [
        "What was the attendance at the final?",
        "What was the turnout in the 2005 election?",
        "What is the death toll from the earthquake?",
        "What was the population of Gdańsk in 2020?",
        "What is the total number of votes cast?",
    ],
)
def test_a_count_asked_by_its_noun_wants_a_number(question: str) -> None:
    from newsqa.assistant.answer_types import question_wants

    assert question_wants(question) == "number"


def test_a_name_is_no_count() -> None:
    from newsqa.assistant.answer_types import question_wants

    assert question_wants("What was the name of the film?") != "number"


@pytest.mark.parametrize(
    "text, found",
    [
        ("followed for an average of 9.4 years", ["9.4 years"]),
        ("he spent a year in jail", ["a year"]),
        ("out for six weeks, then two to three months more", ["six weeks", "two to three months"]),
        ("walked at least 7,000 steps a day", []),  # a rate
        ("earning about $1.8m a week, or £50,000 a year", []),
        ("trained 20 hours a week", ["20 hours"]),
    ],
)
def test_a_length_of_time_is_no_rate(text: str, found: list[str]) -> None:
    assert [m.group(0) for m in DURATION.finditer(text)] == found
