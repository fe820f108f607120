"""A store whose vectors live on a Chroma server (``NEWSQA_CHROMA_URL``), against a real
``chroma run``. CI (.ci/run) starts one on loopback and sets ``NEWSQA_TEST_CHROMA_URL``; without
it these tests skip, saying so. Each test uses databases of its own on that server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from newsqa.index.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "articles"
SERVER = os.environ.get("NEWSQA_TEST_CHROMA_URL", "")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not SERVER,
        reason="no Chroma server: set NEWSQA_TEST_CHROMA_URL=http://127.0.0.1:PORT "
        "(.ci/run starts one with .ci/chroma-server.sh)",
    ),
]

QUESTION = "What did Scholz say about ground troops?"
TRAM = (
    "The new tram line to Oakfield opened on Monday with 14 stops, the mayor said.\n"
    "Mayor Lindqvist said the line cost 212 million kronor and carried 9,000 riders."
)


def database_url() -> str:
    """The server with a database nobody else uses."""
    return f"{SERVER.rstrip('/')}/newsqa-test-{uuid.uuid4().hex[:12]}"


def server_collection(url: str) -> Any:
    from newsqa.index.store import CHUNKS, _make_client

    return _make_client(Path("/nonexistent"), url).get_collection(CHUNKS)


def seed_files() -> list[Path]:
    """The Scholz article first, then four BBC articles."""
    files = sorted(SAMPLE.rglob("*.txt"))
    seed = [f for f in files if f.name == "nato-no-plans-to-send-troops-to-ukraine.txt"]
    assert seed, f"the seed article is missing from {SAMPLE}"
    return seed + [f for f in files if f not in seed][:4]


def open_store(path: Path, url: str, write: bool) -> Any:
    from newsqa.index.store import Store

    return Store(path, write=write, chroma_url=url)


def test_index_ask_and_remove_through_the_server(tmp_path: Path, embedder: Any) -> None:
    from newsqa.assistant.chain import Assistant
    from newsqa.index.indexer import Indexer

    url = database_url()
    settings = Settings(store=tmp_path / "store", sample_dir=None, chroma_url=url)
    store = open_store(settings.store, url, write=True)
    try:
        report = Indexer(store, embedder, settings).index_paths(seed_files())
        assert len(report.added) == 5 and not report.skipped
        assert not (settings.store / "chroma").exists()  # the vectors are on the server
        assert server_collection(url).count() == store.chunk_count() == report.chunks
        result = Assistant(store, embedder, settings).ask(QUESTION)
        assert not result["abstained"] and "ground troops" in result["answer"]
        assert result["citations"][0]["source"].endswith(
            "nato-no-plans-to-send-troops-to-ukraine.txt"
        )
        gone = Indexer(store, embedder, settings).remove(result["citations"][0]["source"])
        assert len(gone) == 1
        assert server_collection(url).count() == store.chunk_count() < report.chunks
    finally:
        store.close()


def test_a_reader_sees_the_writers_edits_on_the_server(tmp_path: Path, embedder: Any) -> None:
    """A reader opened before an edit sees it after, with dense and lexical search agreeing."""
    from newsqa.index.indexer import Indexer

    url = database_url()
    settings = Settings(store=tmp_path / "store", sample_dir=None, chroma_url=url)
    writer = open_store(settings.store, url, write=True)
    try:
        Indexer(writer, embedder, settings).index_paths(seed_files()[1:3])
        reader = open_store(settings.store, url, write=False)
        try:
            before = reader.count()
            Indexer(writer, embedder, settings).index_text("Tram line opens", TRAM)
            assert reader.count() == before + 1
            [tram] = [
                r for r in reader.article_records() if r["source"] == "pasted:Tram line opens"
            ]
            dense = [cid for cid, _ in reader.dense_search(embedder.query_vector(TRAM), 3)]
            lexical = [cid for cid, *_ in reader.lexical.search("Lindqvist kronor Oakfield", 3)]
            assert dense[0].startswith(tram["id"]) and lexical[0].startswith(tram["id"])
        finally:
            reader.close()
    finally:
        writer.close()


def test_two_stores_on_one_server_stay_apart(tmp_path: Path, embedder: Any) -> None:
    from newsqa.index.indexer import Indexer

    urls = [database_url(), database_url()]
    counts = []
    for n, url in enumerate(urls, start=1):
        settings = Settings(store=tmp_path / f"s{n}", sample_dir=None, chroma_url=url)
        store = open_store(settings.store, url, write=True)
        try:
            Indexer(store, embedder, settings).index_paths(seed_files()[:n])
            counts.append(store.chunk_count())
        finally:
            store.close()
    assert [server_collection(u).count() for u in urls] == counts and counts[0] < counts[1]


def test_a_second_store_on_the_same_database_is_refused(tmp_path: Path, embedder: Any) -> None:
    """Two store directories pointed at one server database would share article ids: the
    second is refused with a message that names the fix, and the first keeps every vector."""
    from newsqa.index.indexer import Indexer
    from newsqa.index.store import StoreError

    url = database_url()
    first = Settings(store=tmp_path / "first", sample_dir=None, chroma_url=url)
    store = open_store(first.store, url, write=True)
    try:
        Indexer(store, embedder, first).index_paths(seed_files()[:2])
        count = store.chunk_count()
    finally:
        store.close()
    other = open_store(tmp_path / "other", url, write=True)
    try:
        indexer = Indexer(other, embedder, first.model_copy(update={"store": tmp_path / "other"}))
        with pytest.raises(StoreError, match=r"another newsqa store.*database of its own"):
            indexer.index_paths(seed_files()[2:3])
    finally:
        other.close()
    assert server_collection(url).count() == count
    again = open_store(first.store, url, write=True)
    try:  # the store the database belongs to opens it as before
        assert again.dense_search(embedder.query_vector(QUESTION), 3)
    finally:
        again.close()


def test_the_cli_uses_the_server_from_the_setting(tmp_path: Path) -> None:
    """NEWSQA_CHROMA_URL reaches every command: index, list, ask, remove."""
    url = database_url()
    env = {**os.environ, "NEWSQA_CHROMA_URL": url, "NEWSQA_STORE": str(tmp_path / "store")}

    def newsqa(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "newsqa", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
            timeout=600,
        )

    indexed = newsqa("index", "-q", *map(str, seed_files()[:2]))
    assert indexed.returncode == 0, indexed.stderr[-2000:]
    assert not (tmp_path / "store" / "chroma").exists()
    chunks = server_collection(url).count()
    listed = json.loads(newsqa("list", "--json").stdout)
    assert len(listed) == 2 and sum(r["chunks"] for r in listed) == chunks
    asked = newsqa("ask", QUESTION, "--json")
    assert asked.returncode == 0, asked.stderr[-2000:]
    assert json.loads(asked.stdout)["citations"]
    removed = newsqa("remove", listed[0]["source"])
    assert removed.returncode == 0, removed.stderr[-2000:]
    assert server_collection(url).count() == chunks - listed[0]["chunks"]
    down = {**env, "NEWSQA_CHROMA_URL": "http://127.0.0.1:9"}
    refused = subprocess.run(
        [sys.executable, "-m", "newsqa", "ask", QUESTION],
        capture_output=True,
        text=True,
        env=down,
        cwd=REPO,
        timeout=300,
    )
    assert refused.returncode == 2 and "NEWSQA_CHROMA_URL" in refused.stderr


def test_the_app_writes_to_the_server_and_a_reader_process_sees_it(
    tmp_path: Path, embedder: Any
) -> None:
    """The app (through Services, as `newsqa serve` builds it) writes an article's vectors to the
    server; a `newsqa ask` process beside it answers from that article."""
    import socket

    from gradio_client import Client

    from newsqa import app
    from newsqa.services import Services

    url = database_url()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(store=tmp_path / "store", sample_dir=None, chroma_url=url, port=port)
    with Services(settings, write=True, embedder=embedder) as services:
        demo = app.build_app(settings, services.store, embedder)
        _, local, _ = app.launch(demo, settings, prevent_thread_lock=True, quiet=True)
        try:
            Client(local, verbose=False).predict("Tram line opens", TRAM, api_name="/add_article")
            assert server_collection(url).count() == services.store.chunk_count() > 0
            env = {**os.environ, "NEWSQA_CHROMA_URL": url, "NEWSQA_STORE": str(settings.store)}
            asked = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "newsqa",
                    "ask",
                    "How much did the tram line cost?",
                    "--json",
                ],
                capture_output=True,
                text=True,
                env=env,
                cwd=REPO,
                timeout=600,
            )
            assert asked.returncode == 0, asked.stderr[-2000:]
            result = json.loads(asked.stdout)
            assert result["sources"][0]["source"] == "pasted:Tram line opens"
            assert "212 million" in result["answer"]
        finally:
            demo.close()
