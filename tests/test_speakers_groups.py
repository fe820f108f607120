"""Who answers a question about a group, a position for something, or one story of a roundup:
statements of fictional articles (not the evaluation sets' own) in a real temp store (Chroma +
SQLite on a tmp dir) with the real embedding model: which speakers answer is a fitted choice over
signals that include the vectors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.documents import Document
from newsqa.assistant.speakers import _group, _is_set_aside, _set_aside, _sole_group, answer
from newsqa.index.indexer import Indexer
from newsqa.index.settings import load_settings
from newsqa.index.store import Store, open_store

pytestmark = pytest.mark.integration  # the real embedding model

RAIL = """House panel approves $2 billion commuter rail bill

SACRAMENTO (AP) — A state Assembly committee on Wednesday approved a $2 billion plan to extend \
commuter rail to the Central Valley, sending the bill to the full Assembly.

Rep. Ana Ortiz, who wrote the bill, said the commuter rail extension was "the most important \
vote for the valley in a generation." Rep. Daniel Osei said he backed the rail bill because it \
would bring trains to Fresno within eight years.

Rep. John Park voted against the bill. Park said the rail plan relied on fares that would never \
cover its costs.

Mayor Lucia Brandt of Merced said the rail bill was forty years overdue. The Transit Workers \
Union said the bill protected existing jobs.
"""

ROUNDUP = """Morning briefing: the day's other stories

GHENT — Floodwater closed the old town's main bridge on Monday after two days of rain. \
"The river rose faster than any forecast said it would," said Pieter Claes, the city's flood \
officer. Shopkeeper Marie Wouters said her cellar had filled in an hour.

LYON — A new tram line opened on Monday, two years late. "It was worth the wait," said Henri \
Dubois, the transport councillor. Commuter Sophie Martin said the first trams were packed.
"""

ANALYSTS = """Brightwell agrees to buy Norsk Kabel for NOK 40bn

Brightwell Group said on Monday it had agreed to buy the Norwegian cable maker Norsk Kabel for \
NOK 40bn. Chairman Oliver Grant said the deal gave the group "a foothold in offshore wind".

Chief financial officer Helen Moss said the company would pay with cash and new debt.

Ingrid Solberg, an analyst at Fjord Securities, said the price was "generous but defensible". \
Tomas Berg, an analyst at Nordic Equity, said investors would want proof the savings were real.
"""

FORECAST = """Harlow Metals cuts its copper forecast

Harlow Metals cut its copper production forecast for the year on Tuesday, blaming a slow start \
at its new mill. "We cut the forecast because the new mill is running slowly, and we would \
rather cut the forecast once," said chief executive Anna Reyes. Finance director Paul Kerr said \
the forecast cut would not change the dividend.

Jonas Weber, an analyst at Castle Bank, said the cut was "bigger than anyone expected". Mei Tan, \
an analyst at Orchid Capital, said the shares had already priced in a weaker year.
"""


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Path:
    folder = tmp_path_factory.mktemp("articles")
    for name, text in (
        ("rail.txt", RAIL),
        ("roundup.txt", ROUNDUP),
        ("deal.txt", ANALYSTS),
        ("forecast.txt", FORECAST),
    ):
        (folder / name).write_text(text, encoding="utf-8")
    dest = tmp_path_factory.mktemp("store")
    with open_store(dest, write=True) as store:
        Indexer(store, embedder, load_settings(store=str(dest))).index_paths([folder])
    return dest


@pytest.fixture()
def store(store_dir: Path) -> Iterator[Store]:
    with open_store(store_dir) as s:
        yield s


def _docs(store: Store, source_part: str) -> list[Document]:
    aid = next(r["id"] for r in store.article_records() if source_part in r["source"])
    return [
        Document(page_content=c.text, metadata={**c.metadata(), "chunk_id": c.id}, id=c.id)
        for c in store.article_chunks([aid])
    ]


def _speakers(result: dict | None) -> set[str]:
    assert result is not None
    return {s["speaker"].split()[-1] for s in result["statements"]}


def test_the_group_asked_about_is_read_off_roles_and_titles() -> None:
    assert _group("Which senators backed the bill?") == "senator"
    assert _group("How did analysts react to the price?") == "analyst"
    assert _group("Which law lords ruled against the government?") == "lord"
    # Too broad to read off a role: a prime minister is a "leader", a chairman an "executive".
    assert _group("Which European leaders ruled out sending troops?") == ""
    assert _group("Which executives said the offer should be rejected?") == ""
    assert _group("Which politicians reacted to the verdict?") == ""


def test_a_group_question_lists_its_members_and_not_who_voted_against(
    store: Store, embedder: Any
) -> None:
    q = "Which representatives backed the commuter rail bill?"
    got = _speakers(answer(q, q, _docs(store, "rail"), store, embedder=embedder))
    assert {"Ortiz", "Osei"} <= got
    # Park voted against it; the mayor and the union are not representatives.
    assert not got & {"Park", "Brandt", "Union"}


def test_a_question_without_a_group_keeps_everyone_who_took_the_position(
    store: Store, embedder: Any
) -> None:
    q = "Who backed the commuter rail bill?"
    got = _speakers(answer(q, q, _docs(store, "rail"), store, embedder=embedder))
    assert "Park" not in got
    assert {"Ortiz", "Osei"} <= got


def test_analysts_are_those_the_article_calls_analysts(store: Store, embedder: Any) -> None:
    q = "How did analysts react to the price Brightwell is paying for Norsk Kabel?"
    got = _speakers(answer(q, q, _docs(store, "deal"), store, embedder=embedder))
    assert got == {"Solberg", "Berg"}


def test_a_roundup_answers_from_the_entry_the_question_is_about(
    store: Store, embedder: Any
) -> None:
    q = "Who commented on the flood in Ghent?"
    got = _speakers(answer(q, q, _docs(store, "roundup"), store, embedder=embedder))
    assert "Claes" in got
    assert not got & {"Dubois", "Martin"}


def test_one_group_asked_for_keeps_out_those_known_by_another_role() -> None:
    assert _sole_group("Which analysts reacted to the deal?")
    assert _sole_group("How did analysts react to the price?")
    # Two groups, or a word before the group's noun read as the group: no such constraint.
    assert not _sole_group("How did company officials and economists react to the ban?")
    assert not _sole_group("Which prime ministers, or their offices, ruled it out?")
    assert not _sole_group("Which games executives said storytelling matters?")
    assert not _sole_group("Who backed the commuter rail bill?")


def test_which_analysts_leaves_out_the_executives_who_spoke_of_the_same_cut(
    store: Store, embedder: Any
) -> None:
    q = "Which analysts reacted to Harlow Metals' forecast cut?"
    got = _speakers(answer(q, q, _docs(store, "forecast"), store, embedder=embedder))
    assert got and got <= {"Weber", "Tan"}


def test_whoever_the_question_sets_aside_is_not_listed() -> None:
    aside = _set_aside("Who outside the central bank complained that the rise would hurt?")
    assert aside == {"central", "bank"}
    assert _set_aside("Who, apart from the Turkish delegation itself, spoke up for it?") == {
        "turkish",
        "delegation",
    }
    assert not _set_aside("Who backed the commuter rail bill?")
    governor = {"speaker": "Annika Sorvik", "role": "governor of the central bank"}
    minister = {"speaker": "Jonas Eberhardt", "role": "Finance Minister"}
    assert _is_set_aside(aside, governor) and not _is_set_aside(aside, minister)
    # Words match by their first letters: the "Turkish" delegation, "Turkey's" minister.
    turkish = _set_aside("Who, apart from the Turkish side, backed it?")
    assert _is_set_aside(turkish, {"speaker": "Mehmet Ozdaglar", "role": "Turkey's minister"})
