"""The date range of ``ask`` and the chat (``since``/``until``) in retrieval: the store's dense
(Chroma) and lexical (FTS5) searches, the hybrid retriever, the per-speaker answer built from
stored statements, and the result's ``range``. Real Chroma and SQLite on a temp dir, the fake
embedder (its vectors are noise, so every article is a dense candidate: only the filter keeps
one out)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dated_articles import FEB, MAR, QUESTION, SPEAKERS, write_dated_articles
from fakes import FakeEmbedder
from newsqa.assistant.chain import check_range
from newsqa.index.dates import parse_day
from newsqa.index.settings import Settings

from newsqa.services import Services


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    root = tmp_path_factory.mktemp("dated")
    folder = write_dated_articles(root / "articles")
    settings = Settings(store=root / "store", sample_dir=None)
    with Services(settings, write=True, embedder=FakeEmbedder()) as svc:
        report = svc.indexer.index_paths([folder])
        assert len(report.added) == 3, report.summary()
        yield svc


def _names(services: Services) -> dict[str, str]:
    """article id -> "feb" / "mar" / "undated" (the file name)."""
    return {r["id"]: Path(r["source"]).stem for r in services.store.article_records()}


def _articles(services: Services, chunk_ids: list[str]) -> set[str]:
    names = _names(services)
    return {names[cid.rsplit(":", 2)[0]] for cid in chunk_ids}


RANGES = [
    ((None, None), {"feb", "mar", "undated"}),
    (("2024-02-01", "2024-02-29"), {"feb"}),
    ((FEB, FEB), {"feb"}),
    (("2024-03-01", None), {"mar"}),
    ((None, "2024-03-14"), {"feb"}),
    ((None, MAR), {"feb", "mar"}),
    (("2025-01-01", None), set()),
]


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "chroma-where"])
@pytest.mark.parametrize(("days", "want"), RANGES)
def test_dense_and_lexical_searches_keep_to_the_range(
    services: Services,
    days: tuple[str | None, str | None],
    want: set[str],
    exact: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both ways of the dense search (a narrow range's chunks compared here, a wider one
    through Chroma's filtered query) and the lexical one."""
    from newsqa.index import store as store_module

    monkeypatch.setattr(store_module, "EXACT_SEARCH_CHUNKS", 100 if exact else 0)
    since, until = days
    store = services.store
    assert {_names(services)[a] for a in store.articles_dated(since, until)} == (
        want if since or until else {"feb", "mar"}  # no range: every dated article
    )
    vector = services.embedder.query_vector("tram fares")
    dense = store.dense_search(vector, 10, since=since, until=until)
    lexical = store.lexical.search("Glimmerton tram fares", 10, since=since, until=until)
    assert _articles(services, [c for c, _ in dense]) == want
    assert _articles(services, [c for c, _ in lexical]) == want
    assert all(score > 0 for _, score in lexical)


def test_exact_and_chroma_dense_searches_agree(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsqa.index import store as store_module

    vector = services.embedder.query_vector("Glimmerton tram fares")
    got = {}
    for limit in (100, 0):
        monkeypatch.setattr(store_module, "EXACT_SEARCH_CHUNKS", limit)
        got[limit] = services.store.dense_search(vector, 10, until=MAR)
    assert [c for c, _ in got[100]] == [c for c, _ in got[0]] and len(got[0]) == 2
    assert [round(s, 4) for _, s in got[100]] == [round(s, 4) for _, s in got[0]]


@pytest.mark.parametrize(("days", "want"), RANGES)
def test_retriever_and_per_speaker_answer_keep_to_the_range(
    services: Services, days: tuple[str | None, str | None], want: set[str]
) -> None:
    since, until = days
    for mode in ("hybrid", "dense", "lexical"):
        docs = services.assistant.retriever.search(QUESTION, 6, mode, since=since, until=until)
        assert _articles(services, [d.metadata["chunk_id"] for d in docs]) == want, mode
    res = services.assistant.ask(QUESTION, since=since, until=until)
    assert res["range"] == (None if not (since or until) else {"since": since, "until": until})
    assert {Path(s["source"]).stem for s in res["sources"]} == want
    if not want:
        assert res["abstained"]
        assert "Only articles dated on or after 2025-01-01 were searched." in res["answer"]
        return
    # The per-speaker answer lists officials of articles in range only (which of them is the
    # answerer's choice: with noise vectors, not this test's).
    named = {" ".join(st["speaker"].split()[-2:]) for st in res["statements"]}
    assert named and named <= {SPEAKERS[a] for a in want}, res["answer"]
    for name in set(SPEAKERS.values()) - {SPEAKERS[a] for a in want}:
        assert name not in res["answer"]


def test_stream_final_result_carries_the_range(services: Services) -> None:
    events = list(services.assistant.stream(QUESTION, since=MAR, until=MAR))
    final = events[-1]
    assert final["type"] == "final"
    assert final["result"]["range"] == {"since": MAR, "until": MAR}
    assert {Path(s["source"]).stem for s in final["result"]["sources"]} == {"mar"}


def test_an_empty_or_malformed_range_is_refused(services: Services) -> None:
    with pytest.raises(ValueError, match="after until"):
        services.assistant.ask(QUESTION, since=MAR, until=FEB)
    with pytest.raises(ValueError):
        services.assistant.ask(QUESTION, since="27 Feb 2024")  # the assistant takes ISO days
    assert check_range("", None) == (None, None)


@pytest.mark.parametrize(
    ("typed", "day"),
    [("2024-02-27", FEB), ("27 February 2024", FEB), ("Feb. 27, 2024", FEB), (" 2024-03-15 ", MAR)],
)
def test_days_read_as_newsqa_quotes_reads_them(typed: str, day: str) -> None:
    assert parse_day(typed) == day


@pytest.mark.parametrize("typed", ["2024-13-01", "2024-02-30", "soon", "Tuesday", ""])
def test_what_is_not_a_day_is_refused(typed: Any) -> None:
    with pytest.raises(ValueError, match="is not a date"):
        parse_day(typed)
