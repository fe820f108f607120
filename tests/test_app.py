"""The Gradio app, driven through gradio_client: the real app in-process on a free port, a store
in a temp dir holding the shipped sample, and the real embedding model.

Unit tests of app.py's helpers come first (no server); the rest are marked ``integration``.
"""

from __future__ import annotations

import html
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from newsqa.index.articles import Skip
from newsqa.index.indexer import IndexReport
from newsqa.index.settings import Settings

from newsqa import app

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "articles"
SCHOLZ = "What did Scholz say about ground troops?"
SEED_TITLE = "Stoltenberg: NATO has no plans to send troops to Ukraine"

TRAM = """Glimmerton trams return after eight years

Trams returned to the streets of Glimmerton on Saturday after an eight-year absence. The city
council said the new line cost 96 million pounds and would carry 20,000 passengers a day.
"""

FERRY = """Ferry crews strike in Port Zorbex

Ferry workers in the harbour town of Port Zorbex walked out on Monday in a dispute over pay.
The Zorbex Maritime Union said 312 crew members joined the strike, halting all crossings to the
islands. Harbour master Ilse Vanterpool said the port would stay open for cargo ships.
"""

HOSTILE = """The Quillon regatta was cancelled on Sunday <script>window.__pwned = 1</script> after
storms. Organisers said 47 boats <img src=x onerror="window.__pwned = 2"> had entered the Quillon
regatta ![tracker](http://example.com/t.png) and [click](javascript:alert(1)) this year.
"""


# Unit tests (no server) ---------------------------------------------------------------------


def test_answerer_choices_offer_extractive_as_second_answerer() -> None:
    assert app.answerer_choices(Settings(llm="extractive")) == ["extractive"]
    assert app.answerer_choices(Settings(llm="ollama:llama3")) == ["ollama:llama3", "extractive"]


def test_article_rows_filter_and_sort() -> None:
    records = [
        {"title": "b story", "date": "2005-01-02", "source": "x/b.txt", "chunks": 2},
        {"title": "A story", "date": "", "source": "upload:a.txt", "chunks": 1},
        {"title": "Other", "date": "", "source": "pasted:Other", "chunks": 3},
    ]
    assert app.article_rows(records) == [
        ["A story", "", "upload:a.txt", 1],
        ["b story", "2005-01-02", "x/b.txt", 2],
        ["Other", "", "pasted:Other", 3],
    ]
    assert [r[0] for r in app.article_rows(records, "STORY upload")] == ["A story"]
    assert [r[0] for r in app.article_rows(records, "2005")] == ["b story"]
    assert app.article_rows(records, "nothing-like-this") == []


def test_report_rows_give_each_refusal_its_reason() -> None:
    report = IndexReport(
        added=["upload:a.txt"],
        unchanged=["upload:b.txt"],
        skipped=[Skip("upload:c.txt", "empty file")],
    )
    assert app.report_rows(report) == [
        ["upload:a.txt", "added"],
        ["upload:b.txt", "unchanged (already indexed)"],
        ["upload:c.txt", "refused: empty file"],
    ]


def test_main_and_serve_cmd_build_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from newsqa.serve_cmd import serve_cmd

    seen: list[Settings] = []
    monkeypatch.setattr(app, "serve", seen.append)
    monkeypatch.setattr(app, "configure_logging", lambda: None)
    monkeypatch.setenv("NEWSQA_STORE", str(tmp_path / "env-store"))
    monkeypatch.setenv("NEWSQA_PORT", "8123")
    monkeypatch.delenv("NEWSQA_HOST", raising=False)
    app.main()
    serve_cmd(store=tmp_path / "flag-store", host="0.0.0.0", port=None)
    env, flags = seen
    assert (env.store, env.port, env.host) == (tmp_path / "env-store", 8123, "127.0.0.1")
    assert (flags.store, flags.port, flags.host) == (tmp_path / "flag-store", 8123, "0.0.0.0")


def test_main_reports_a_bad_setting_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    served: list[Settings] = []
    monkeypatch.setattr(app, "serve", served.append)
    monkeypatch.setattr(app, "configure_logging", lambda: None)
    monkeypatch.setenv("NEWSQA_TOP_K", "0")
    with pytest.raises(SystemExit) as exit_info:
        app.main()
    assert exit_info.value.code == 2 and served == []
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: NEWSQA_TOP_K=0: input should be greater than or equal to 1"]


# The app's handlers, called directly (no server): the fake embedder, a real store ------------


@pytest.fixture()
def newsqa_app(tmp_path: Path) -> Iterator[app.NewsqaApp]:
    from fakes import FakeEmbedder

    from newsqa.services import Services

    settings = Settings(store=tmp_path / "store", sample_dir=None)
    with Services(settings, write=True, embedder=FakeEmbedder()) as services:
        yield app.NewsqaApp(services)


TRAM_TITLE = "Glimmerton trams return after eight years"


def test_handlers_add_list_delete(newsqa_app: app.NewsqaApp) -> None:
    import gradio as gr

    assert newsqa_app.add_article(TRAM_TITLE, TRAM) == f"pasted:{TRAM_TITLE}: added"
    rows, stats = newsqa_app.refresh("glimmerton")
    assert [r[0] for r in rows] == [TRAM_TITLE]
    assert stats.startswith("1 articles")
    assert newsqa_app.list_articles("nothing-like-this") == []
    with pytest.raises(gr.Error, match="empty text"):
        newsqa_app.add_article("Nothing", "   ")
    assert newsqa_app.delete_article(f"pasted:{TRAM_TITLE}") == f"removed pasted:{TRAM_TITLE}"
    with pytest.raises(gr.Error, match="not indexed"):
        newsqa_app.delete_article(f"pasted:{TRAM_TITLE}")
    with pytest.raises(gr.Error, match="pick an article"):
        newsqa_app.delete_article("  ")
    with pytest.raises(gr.Error, match="NEWSQA_WATCH_DIR"):
        newsqa_app.reindex()


def test_upload_handler_reports_each_file(newsqa_app: app.NewsqaApp, tmp_path: Path) -> None:
    good = tmp_path / "tram.txt"
    good.write_text(TRAM, encoding="utf-8")
    empty = tmp_path / "empty.md"
    empty.write_text("", encoding="utf-8")
    rows = newsqa_app.upload_articles([str(good), str(empty)])
    assert rows == [["upload:tram.txt", "added"], ["upload:empty.md", "refused: empty file"]]


def test_respond_shows_an_extractive_answer_whole(newsqa_app: app.NewsqaApp) -> None:
    newsqa_app.add_article(TRAM_TITLE, TRAM)
    question = "How much did the Glimmerton tram line cost?"
    _, chat, pending = newsqa_app.user_turn(question, [])
    updates = list(newsqa_app.respond(pending, chat, [], 6, "extractive"))
    assert len(updates) == 1  # no pieces cut from a finished answer
    shown, history = updates[0]
    assert shown[0] == chat[0] and len(shown) >= 2
    assert [m["role"] for m in history] == ["user", "assistant"]
    result, history2 = newsqa_app.ask_api(question, [], 6, "extractive")
    assert history2[1]["content"] == result["answer"] == history[1]["content"]


def test_empty_question_and_empty_store(newsqa_app: app.NewsqaApp) -> None:
    import gradio as gr

    with pytest.raises(gr.Error, match="the question is empty"):
        newsqa_app.ask_api("  ", [], 6, "extractive")
    with pytest.raises(gr.Error, match="no articles are indexed yet"):
        newsqa_app.ask_api("Anything?", [], 6, "extractive")
    ((shown, _),) = newsqa_app.respond("Anything?", [], [], 6, "extractive")
    assert "no articles are indexed yet" in str(shown[-1]["content"])


def test_chat_date_range_reaches_retrieval(newsqa_app: app.NewsqaApp, tmp_path: Path) -> None:
    from dated_articles import QUESTION, write_dated_articles

    newsqa_app.indexer.index_paths([write_dated_articles(tmp_path / "dated")])
    # The chat's boxes: days as typed (gr.DateTime type="string"), "" or None when empty.
    result, _ = newsqa_app.ask_api(QUESTION, [], 6, "extractive", "2024-03-01", "")
    assert result["range"] == {"since": "2024-03-01", "until": None}
    assert {Path(s["source"]).stem for s in result["sources"]} == {"mar"}
    assert "Anna Berg" not in result["answer"] and "Lisa Holm" not in result["answer"]
    result, _ = newsqa_app.ask_api(QUESTION, [], 6, "extractive", None, "29 February 2024")
    assert result["range"] == {"since": None, "until": "2024-02-29"}
    assert {Path(s["source"]).stem for s in result["sources"]} == {"feb"}
    ((shown, history),) = newsqa_app.respond(QUESTION, [], [], 6, "extractive", "2030-01-01", "")
    assert "Only articles dated on or after 2030-01-01 were searched." in history[-1]["content"]
    assert "on or after 2030-01-01 were searched" in html.unescape(str(shown[-1]["content"]))


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        ("2024-02-30", "", "Articles dated from: '2024-02-30' is not a date (use YYYY-MM-DD)"),
        ("", "soon", "Articles dated to: 'soon' is not a date (use YYYY-MM-DD)"),
        ("2024-03-01", "2024-02-01", "Articles dated from 2024-03-01 is after to 2024-02-01"),
    ],
)
def test_bad_chat_dates_are_a_message_not_a_traceback(
    newsqa_app: app.NewsqaApp, since: str, until: str, message: str
) -> None:
    import gradio as gr

    newsqa_app.add_article(TRAM_TITLE, TRAM)
    ((shown, history),) = newsqa_app.respond("Anything?", [], [], 6, "extractive", since, until)
    assert message in html.unescape(str(shown[-1]["content"])) and history == []
    with pytest.raises(gr.Error, match=message.split(":")[0]):
        newsqa_app.ask_api("Anything?", [], 6, "extractive", since, until)


def test_chat_settings_offer_the_date_range(newsqa_app: app.NewsqaApp) -> None:
    import gradio as gr

    by_id = {getattr(b, "elem_id", None): b for b in newsqa_app.build().blocks.values()}
    for elem in ("nq-since", "nq-until"):
        box = by_id[elem]
        assert isinstance(box, gr.DateTime) and box.type == "string"
        assert not box.include_time


def test_articles_table_columns_have_widths(newsqa_app: app.NewsqaApp) -> None:
    """Wrapped columns without widths shrink to a character each ("d a t e")."""
    demo = newsqa_app.build()
    by_id = {getattr(b, "elem_id", None): b for b in demo.blocks.values()}
    table = by_id["nq-articles"]
    assert table.column_widths == app.ARTICLE_WIDTHS
    assert len(app.ARTICLE_WIDTHS) == len(app.ARTICLE_COLUMNS)
    assert by_id["nq-report"].column_widths == app.REPORT_WIDTHS


def test_app_log_has_no_library_debug() -> None:
    import io
    import logging

    import bm25s  # noqa: F401  (sets its own logger to DEBUG when imported)

    app.configure_logging()
    root = logging.getLogger()
    handler = next(h for h in root.handlers if h.get_name() == "newsqa")
    assert isinstance(handler, logging.StreamHandler)
    shown = io.StringIO()
    handler.setStream(shown)
    try:
        logging.getLogger("bm25s").debug("Building index from tokens")
        logging.getLogger("newsqa.app").info("serving")
    finally:
        root.removeHandler(handler)
    assert "INFO newsqa.app: serving" in shown.getvalue()
    assert "bm25s" not in shown.getvalue()


# The running app --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def running(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Iterator[SimpleNamespace]:
    """The app over a store into which startup indexed the sample; a watched folder too."""
    from newsqa.index.store import Store

    root = tmp_path_factory.mktemp("app")
    watch = root / "watch"
    watch.mkdir()
    (watch / "tram.txt").write_text(TRAM, encoding="utf-8")
    (watch / "broken.json").write_text("{not json", encoding="utf-8")
    settings = Settings(
        store=root / "store",
        sample_dir=SAMPLE,
        watch_dir=watch,
        max_upload_bytes=200_000,
        port=free_port(),
    )
    store = Store(settings.store, write=True)
    report = app.index_sample(store, embedder, settings)
    assert report is not None and not report.skipped
    assert len(report.added) == len(list(SAMPLE.rglob("*.txt"))) == 31
    assert app.index_sample(store, embedder, settings) is None  # not empty any more
    demo = app.build_app(settings, store, embedder)
    _, url, _ = app.launch(demo, settings, prevent_thread_lock=True, quiet=True)
    try:
        yield SimpleNamespace(url=url, store=store, settings=settings, watch=watch, root=root)
    finally:
        demo.close()
        store.close()


def client(running: SimpleNamespace) -> Any:
    from gradio_client import Client

    return Client(running.url, verbose=False)


def cited_sources(result: dict[str, Any]) -> set[str]:
    return {c["source"] for c in result["citations"]}


def all_sources(result: dict[str, Any]) -> set[str]:
    return cited_sources(result) | {s["source"] for s in result["sources"]}


def text_of(message: dict[str, Any]) -> str:
    content = message["content"]
    return "".join(p.get("text", "") for p in content) if isinstance(content, list) else content


@pytest.mark.integration
def test_chat_endpoint_returns_the_cited_answer_text(running: SimpleNamespace) -> None:
    answer = client(running).predict(SCHOLZ, api_name="/chat")
    assert isinstance(answer, str)
    assert "no ground troops on Ukrainian soil" in answer
    assert "[1]" in answer


PER_SPEAKER = "Which European leaders ruled out sending troops to Ukraine?"


def stance_lines(answer: str, heading: str) -> list[str]:
    """The lines of a per-speaker answer under ``heading`` ("Ruled it out"), up to the next
    heading (a line ending in a colon)."""
    lines, inside = [], False
    for line in answer.splitlines():
        if line.strip().endswith(":") and "[" not in line:
            inside = line.strip().rstrip(":") == heading
        elif inside and line.strip():
            lines.append(line)
    return lines


def check_ruled_out(result: dict[str, Any]) -> None:
    """Scholz, Fiala and Tusk each on a line of their own under "Ruled it out", citing the
    passage that names them and quoting their statement; Fico's "some countries are
    *considering* it" not under it (his "sending Slovak troops there was impossible" may be)."""
    lines = stance_lines(result["answer"], "Ruled it out")
    cites = {c["n"]: c for c in result["citations"]}
    for name in ("Scholz", "Fiala", "Tusk"):
        mine = [line for line in lines if name in line.split(" (")[0]]
        assert len(mine) == 1, (name, result["answer"])
        (n,) = (int(m) for m in re.findall(r"\[(\d+)\]", mine[0]))
        (st,) = (st for st in result["statements"] if st["speaker"].endswith(name))
        assert st["n"] == n and st["text"] in cites[n]["quote"], (st, cites[n])
        assert name in cites[n]["passage"] and cites[n]["title"] == SEED_TITLE
    assert not any("considering" in line for line in lines), result["answer"]
    fico = [line for line in lines if "Fico" in line]
    assert all("impossible" in line for line in fico), result["answer"]


@pytest.mark.integration
def test_per_speaker_answer_through_gradio_client(running: SimpleNamespace) -> None:
    c = client(running)
    result = c.predict(PER_SPEAKER, api_name="/ask")
    check_ruled_out(result)
    assert result["range"] is None
    assert SEED_TITLE in {s["title"] for s in result["citations"]}
    # The chat endpoint's text is the same answer.
    assert client(running).predict(PER_SPEAKER, api_name="/chat") == result["answer"]
    # The settings' date range: the seed's day keeps the answer; a later one leaves nothing.
    day = c.predict(PER_SPEAKER, 6, "extractive", "2024-02-27", "2024-02-27", api_name="/ask")
    check_ruled_out(day)
    assert day["range"] == {"since": "2024-02-27", "until": "2024-02-27"}
    assert {s["date"] for s in day["sources"]} == {"2024-02-27"}
    later = c.predict(PER_SPEAKER, 6, "extractive", "2024-03-01", "", api_name="/ask")
    assert later["abstained"] and "2024-03-01" in later["answer"]
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="is not a date"):
        c.predict(PER_SPEAKER, 6, "extractive", "2024-02-31", "", api_name="/ask")


@pytest.mark.integration
def test_chat_tab_shows_answer_and_sources_block(running: SimpleNamespace) -> None:
    c = client(running)
    box, chat = c.predict(SCHOLZ, [], api_name="/user_turn")
    assert box == ""
    assert [m["role"] for m in chat] == ["user"]
    chat = c.predict(chat, 6, "extractive", "", "", api_name="/respond")
    user, answer, sources = chat
    assert SCHOLZ in text_of(user)
    assert answer["role"] == sources["role"] == "assistant"
    assert not answer.get("metadata")
    answer_html = text_of(answer)
    assert "no ground troops on Ukrainian soil" in answer_html
    assert '<span class="nq-cite">[1]</span>' in answer_html
    assert "nq-abstain" not in answer_html
    assert sources["metadata"]["title"] == "Sources"
    block = text_of(sources)
    assert f"<b>{SEED_TITLE}</b>" in block
    assert "nato-no-plans-to-send-troops-to-ukraine.txt" in block
    marked = block.split("<mark>", 1)[1].split("</mark>", 1)[0]
    assert "Scholz" in marked or "ground troops" in marked


@pytest.mark.integration
def test_abstention_in_the_chat_tab_looks_different(running: SimpleNamespace) -> None:
    c = client(running)
    _, chat = c.predict("What is the population of Mars City?", [], api_name="/user_turn")
    chat = c.predict(chat, 6, "extractive", "", "", api_name="/respond")
    answer = text_of(chat[1])
    assert "nq-abstain" in answer and "no answer" in answer
    assert not any((m.get("metadata") or {}).get("title") == "Sources" for m in chat)


@pytest.mark.integration
def test_follow_up_uses_the_session_history(running: SimpleNamespace) -> None:
    first_q = "Who was appointed as England's first children's commissioner?"
    follow_q = "How much is he paid?"
    article = "england-children-s-tsar-appointed"
    # Alone, the follow-up is too vague to find the article...
    alone = client(running).predict(follow_q, api_name="/ask")
    assert article not in alone["sources"][0]["source"]
    # ...after the first question, the session's history makes it find it.
    c = client(running)
    first = c.predict(first_q, api_name="/ask")
    assert any(article in s for s in cited_sources(first))
    follow = c.predict(follow_q, api_name="/ask")
    assert follow["standalone_question"] == follow_q
    assert follow["follow_up"].startswith(first_q)  # the earlier turn, as data
    assert article in follow["sources"][0]["source"]
    history = c.predict(api_name="/history")
    assert [m["role"] for m in history] == ["user", "assistant"] * 2
    assert [history[0]["content"], history[2]["content"]] == [first_q, follow_q]
    assert history[3]["content"] == follow["answer"]
    c.predict(api_name="/clear")
    assert c.predict(api_name="/history") == []


@pytest.mark.integration
def test_empty_question_is_refused_with_a_reason(running: SimpleNamespace) -> None:
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="the question is empty"):
        client(running).predict("   ", api_name="/chat")


@pytest.mark.integration
def test_upload_ask_delete(running: SimpleNamespace, tmp_path: Path) -> None:
    from gradio_client import handle_file

    path = tmp_path / "zorbex-ferry.txt"
    path.write_text(FERRY, encoding="utf-8")
    c = client(running)
    report = c.predict([handle_file(str(path))], api_name="/upload_articles")
    assert report["data"] == [["upload:zorbex-ferry.txt", "added"]]
    listed = c.predict("zorbex", api_name="/list_articles")["data"]
    assert [row[2] for row in listed] == ["upload:zorbex-ferry.txt"]

    question = "How many crew members joined the Port Zorbex ferry strike?"
    result = c.predict(question, api_name="/ask")
    assert "312" in result["answer"]
    assert "upload:zorbex-ferry.txt" in cited_sources(result)

    assert c.predict("upload:zorbex-ferry.txt", api_name="/delete_article") == (
        "removed upload:zorbex-ferry.txt"
    )
    assert c.predict("zorbex", api_name="/list_articles")["data"] in ([], [["", "", "", ""]])
    c.predict(api_name="/clear")
    again = c.predict(question, api_name="/ask")
    assert "upload:zorbex-ferry.txt" not in all_sources(again)
    assert "312" not in again["answer"]


@pytest.mark.integration
def test_refused_uploads_get_their_reasons(running: SimpleNamespace, tmp_path: Path) -> None:
    from gradio_client import handle_file

    latin = tmp_path / "latin.txt"
    latin.write_bytes("Café story\n\nSome text in Latin-1: café.".encode("latin-1"))
    empty = tmp_path / "empty.md"
    empty.write_text("", encoding="utf-8")
    good = tmp_path / "good.md"
    good.write_text("# Gloxin bakery opens\n\nThe Gloxin bakery opened on Friday.\n", "utf-8")
    c = client(running)
    files = [handle_file(str(p)) for p in (latin, empty, good)]
    rows = dict(map(tuple, c.predict(files, api_name="/upload_articles")["data"]))
    assert rows["upload:good.md"] == "added"
    assert rows["upload:latin.txt"].startswith("refused: not UTF-8 text")
    assert rows["upload:empty.md"] == "refused: empty file"
    assert c.predict("upload:good.md", api_name="/delete_article") == "removed upload:good.md"

    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.4 not an article")
    with pytest.raises(Exception, match="Invalid file type"):
        c.predict([handle_file(str(pdf))], api_name="/upload_articles")
    big = tmp_path / "big.txt"
    big.write_text("Big\n\n" + "word " * 60_000, encoding="utf-8")
    with pytest.raises(Exception, match="maximum file size"):
        c.predict([handle_file(str(big))], api_name="/upload_articles")


@pytest.mark.integration
def test_pasted_article_is_answerable_at_once_and_shown_as_text(
    running: SimpleNamespace,
) -> None:
    from gradio_client.exceptions import AppError

    c = client(running)
    title = "Quillon <b>regatta</b> cancelled"
    assert c.predict(title, HOSTILE, api_name="/add_article") == f"pasted:{title}: added"
    _, chat = c.predict(
        "How many boats had entered the Quillon regatta?", [], api_name="/user_turn"
    )
    chat = c.predict(chat, 6, "extractive", "", "", api_name="/respond")
    shown = "".join(text_of(m) for m in chat)
    assert "47 boats" in shown
    assert "Quillon &lt;b&gt;regatta&lt;/b&gt; cancelled" in shown
    assert "&lt;img src=x onerror=&quot;window.__pwned = 2&quot;&gt;" in shown
    assert "<script" not in shown and "<img" not in shown and "<a " not in shown
    # Markdown links and images stay literal text: they sit in a raw HTML block.
    assert "![tracker](http://example.com/t.png) and [click](javascript:alert(1))" in shown

    with pytest.raises(AppError, match="empty text"):
        c.predict("Nothing", "   ", api_name="/add_article")
    assert c.predict(f"pasted:{title}", api_name="/delete_article") == f"removed pasted:{title}"
    with pytest.raises(AppError, match="not indexed"):
        c.predict(f"pasted:{title}", api_name="/delete_article")
    result = c.predict("How many boats had entered the Quillon regatta?", api_name="/ask")
    assert f"pasted:{title}" not in all_sources(result)


@pytest.mark.integration
def test_two_clients_in_parallel_keep_separate_histories(running: SimpleNamespace) -> None:
    turns = {
        "a": (
            "Who developed software that turns colours into musical notes?",
            "Which university is he at?",
            "blind-student-hears-in-colour",
        ),
        "b": (
            "Who was appointed as England's first children's commissioner?",
            "How much is he paid?",
            "england-children-s-tsar-appointed",
        ),
    }
    barrier = threading.Barrier(2, timeout=600)

    def converse(key: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        first, follow_up, _ = turns[key]
        c = client(running)
        barrier.wait()
        c.predict(first, api_name="/chat")
        barrier.wait()
        result = c.predict(follow_up, api_name="/ask")
        return result, c.predict(api_name="/history")

    with ThreadPoolExecutor(2) as pool:
        futures = {key: pool.submit(converse, key) for key in turns}
        outcomes = {key: f.result(timeout=600) for key, f in futures.items()}
    for key, (result, history) in outcomes.items():
        first, follow_up, article = turns[key]
        other = turns["b" if key == "a" else "a"]
        assert [m["content"] for m in history if m["role"] == "user"] == [first, follow_up]
        assert other[0] not in result["standalone_question"]
        assert article in result["sources"][0]["source"], key


@pytest.mark.integration
def test_reindex_runs_beside_answering(running: SimpleNamespace) -> None:
    """A re-index that holds the store's write lock does not hold up a question."""
    from gradio_client.utils import Status

    indexer_client, asker = client(running), client(running)
    lock = running.store.write_lock
    lock.acquire()  # as a long write would: the re-index below waits on it
    try:
        job = indexer_client.submit(api_name="/reindex")
        deadline = time.monotonic() + 120
        while job.status().code not in (Status.PROCESSING, Status.PROGRESS):
            assert not job.done() and time.monotonic() < deadline, job.status()
            time.sleep(0.1)
        # A time-out (not a hang) if answering waited for the writer.
        answer = asker.submit(SCHOLZ, api_name="/chat").result(timeout=300)
        assert "no ground troops on Ukrainian soil" in answer
        assert not job.done()
    finally:
        lock.release()
    rows = dict(map(tuple, job.result(timeout=300)["data"]))
    tram = str(running.watch / "tram.txt")
    broken = str(running.watch / "broken.json")
    assert rows[tram] == "added"
    assert rows[broken].startswith("refused:")
    result = asker.predict("How much did the Glimmerton tram line cost?", api_name="/ask")
    assert "96 million" in result["answer"]
    assert tram in cited_sources(result)
    shutil.rmtree(running.watch)
    running.watch.mkdir()
    rows = dict(map(tuple, indexer_client.predict(api_name="/reindex")["data"]))
    assert rows == {tram: "removed (file gone)"}
