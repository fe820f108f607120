"""Integration: fact answers that give a day or a name, from a real store of articles in other
styles (tests/eval/articles) and the real embedding model."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from newsqa.assistant.chain import Assistant
from newsqa.index.indexer import Indexer
from newsqa.index.settings import Settings
from newsqa.index.store import Store

pytestmark = pytest.mark.integration
ARTICLES = Path(__file__).resolve().parent / "eval" / "articles"
LOCAL = ARTICLES / "local-morwick-green-sinkhole.txt"
OBIT = ARTICLES / "obit-harriet-pruitt.txt"
WIRE = ARTICLES / "afp-tigris-water-talks-collapse.txt"
INTERVIEW = ARTICLES / "interview-brinmouth-festival-director.txt"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Iterator[Assistant]:
    folder = tmp_path_factory.mktemp("articles")
    for src in (LOCAL, OBIT, WIRE, INTERVIEW):
        shutil.copy(src, folder / src.name)
    path = tmp_path_factory.mktemp("store") / "store"
    settings = Settings(store=path, sample_dir=None)
    with Store(path, write=True) as store:
        Indexer(store, embedder, settings).index_paths([folder])
    store = Store(path, write=False)
    yield Assistant(store, embedder, settings)
    store.close()


def test_a_relative_day_is_dated_from_the_article(assistant: Assistant) -> None:
    # The story says "on Tuesday" and, further down, "an update on Wednesday 10 December".
    got = assistant.ask("On what date did the sinkhole open up in Cobb Lane?")
    assert not got["abstained"]
    assert "on Tuesday [9 December]" in got["answer"]
    assert got["short_answer"] == "Tuesday, 9 December"


def test_a_relative_day_after_a_dateline_is_dated_by_it(assistant: Assistant) -> None:
    # "Istanbul (AFP) - Wednesday, November 4, 2026 - ... ended ... late on Tuesday".
    got = assistant.ask("When did the Turkey-Iraq talks on the Tigris end?")
    assert "on Tuesday [3 November]" in got["answer"], got["answer"]
    assert got["short_answer"] == "Tuesday, 3 November"


def test_every_quoted_sentence_has_its_relative_day_dated(assistant: Assistant) -> None:
    # The interview is dated "Saturday 21 November 2026"; she "spoke to Rachel Ebdon ... on
    # Thursday", a sentence quoted after the best one.
    got = assistant.ask("On what date did Cecily Vosper give Rachel Ebdon her interview?")
    assert "on Thursday [19 November]" in got["answer"], got["answer"]


def test_a_title_asked_and_not_given_is_a_near_miss(assistant: Assistant) -> None:
    got = assistant.ask(
        "What was the title of Harriet Pruitt's play about a drowned fisherman that parents "
        "complained about in 1991?"
    )
    assert got["abstained"], got["answer"]
