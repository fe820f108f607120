"""A store whose vectors live on a Chroma server (``NEWSQA_CHROMA_URL``), against a real
``chroma run``. CI (.ci/run) starts one on loopback and sets ``NEWSQA_TEST_CHROMA_URL``; without
it these tests skip, saying so. Each test uses databases of its own on that server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from newsqa.index.settings import Settings

from tests import test_faults

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


def _replica_state(store: Any) -> dict[str, Any]:
    """What two replicas of one server must agree on: articles, chunks with their sentences,
    statements and the lexical index."""
    records = sorted(
        (r["key"], r["id"], r["generation"], r["title"], r["date"], r["chunks"])
        for r in store.article_records()
    )
    ids = [r[1] for r in records]
    chunks = store.article_chunks(ids)
    sentences = store.sentences([c.id for c in chunks])
    return {
        "articles": records,
        "chunks": [(c.id, c.start, c.end, c.text) for c in chunks],
        "sentences": {k: (s.tolist(), v.round(3).tolist()) for k, (s, v) in sentences.items()},
        "statements": [(s["article_id"], s["speaker"], s["text"], s["date"])
                       for s in store.statements()],
        "lexical": store.lexical.rows(),
    }  # fmt: skip


def _place(chunk_id: str) -> tuple[str, str]:
    """A chunk's article and position, whatever its generation."""
    article, _, position = chunk_id.split(":")
    return article, position


def _by_place(state: dict[str, Any]) -> dict[str, Any]:
    """``_replica_state`` without generations: what a store holds, however it was written."""
    return {
        "articles": [(k, i, t, d, n) for k, i, _, t, d, n in state["articles"]],
        "chunks": [(_place(c), *rest) for c, *rest in state["chunks"]],
        "sentences": {_place(c): v for c, v in state["sentences"].items()},
        "statements": state["statements"],
        "lexical": {_place(c): v for c, v in state["lexical"].items()},
    }


def test_store_directories_on_one_database_are_replicas(tmp_path: Path, embedder: Any) -> None:
    """Two store directories on one server database (two machines) share one store: each
    sees the other's additions, edits and removals, with the same chunks, statements and
    lexical index; a reader in a third, empty directory fills itself from the server."""
    from newsqa.index.indexer import Indexer

    from tests.store_helpers import check_consistent

    url = database_url()
    first = Settings(store=tmp_path / "first", sample_dir=None, chroma_url=url)
    second = first.model_copy(update={"store": tmp_path / "second"})
    files = seed_files()
    a = open_store(first.store, url, write=True)
    try:
        Indexer(a, embedder, first).index_paths(files[:3])
        b = open_store(second.store, url, write=True)
        try:
            assert b.count() == 3 and _replica_state(b) == _replica_state(a)
            Indexer(b, embedder, second).index_paths(files[3:5])
            Indexer(b, embedder, second).index_text("Tram line opens", TRAM)
            Indexer(b, embedder, second).remove(str(files[1]))
            Indexer(b, embedder, second).index_text("Tram line opens", TRAM + " It runs at night.")
            # two files, the paste (its last version only) and the removal
            assert a.count() == 3 and a.sync() == 4
            state = _replica_state(a)
            assert state == _replica_state(b)
            assert {r["source"] for r in a.article_records()} == {
                *(str(f) for f in files[:5] if f != files[1]),
                "pasted:Tram line opens",
            }
            [tram] = [r for r in a.article_records() if r["source"] == "pasted:Tram line opens"]
            assert "runs at night" in a.article_texts([tram["id"]])[tram["id"]]
            check_consistent(a)
            check_consistent(b)
        finally:
            b.close()
    finally:
        a.close()
    reader = open_store(tmp_path / "third", url, write=False)
    try:
        assert _replica_state(reader) == state
        hits = reader.lexical.search("Lindqvist kronor night", 3)
        assert hits and hits[0][0].startswith(tram["id"])
    finally:
        reader.close()


def test_a_moved_file_reaches_another_replica_without_a_fetch(
    tmp_path: Path, embedder: Any
) -> None:
    """A file moved and re-indexed in one replica is the same article under a new source in
    the other: its row changes in place (same id and generation), nothing is fetched again."""
    from newsqa.index.indexer import Indexer

    url = database_url()
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "tram.txt").write_text("Tram line opens\n\n" + TRAM, encoding="utf-8")
    first = Settings(store=tmp_path / "first", sample_dir=None, chroma_url=url)
    a = open_store(first.store, url, write=True)
    b = open_store(tmp_path / "second", url, write=True)
    try:
        Indexer(a, embedder, first).index_paths([folder])
        assert b.sync() == 1
        [before] = b.article_records()
        (folder / "tram.txt").rename(folder / "tram-moved.txt")
        report = Indexer(a, embedder, first).index_paths([folder])
        assert report.moved and not report.added

        def no_fetch(records: Any) -> Any:
            raise AssertionError(f"fetched {len(records)} articles for a move")

        b._server_catalog().articles = no_fetch
        assert b.sync() == 1
        [after] = b.article_records()
        assert after["source"] == str(folder / "tram-moved.txt")
        assert (after["id"], after["generation"]) == (before["id"], before["generation"])
        assert b.lexical.rows() == a.lexical.rows()
    finally:
        b.close()
        a.close()


def test_a_redated_article_reaches_another_replica_without_embedding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unchanged article that a newer loader dates otherwise (tests/test_dates.py's case,
    here through a server): the writer commits the new date to the server, and another replica
    takes it, with its statements' days, on its next sync; nothing is embedded or fetched."""
    from newsqa.index import loaders
    from newsqa.index.indexer import Indexer

    from tests.store_helpers import CountingEmbedder, check_consistent

    url = database_url()
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "nato.txt").write_text(
        "Leaders rule out troops\n\nGerman Chancellor Olaf Scholz on Tuesday (27 February) "
        "rejected the idea of sending troops, he told reporters.\n",
        encoding="utf-8",
    )
    first = Settings(store=tmp_path / "first", sample_dir=None, chroma_url=url)
    a = open_store(first.store, url, write=True)
    b = open_store(tmp_path / "second", url, write=True)
    try:
        with monkeypatch.context() as older:  # an older loader: another day, another digest
            older.setattr(loaders, "_text_date", lambda text: "1999-02-27")
            older.setattr(loaders, "_code_digest", lambda: "older-loader")
            Indexer(a, CountingEmbedder(), first).index_paths([folder])
        assert b.sync() == 1
        [before] = b.article_records()
        assert before["date"] == "1999-02-27"
        stale = b.statements()
        assert stale, "the article quotes nobody"

        embedder = CountingEmbedder()
        report = Indexer(a, embedder, first).index_paths([folder])
        assert len(report.unchanged) == 1 and not report.changed
        [record] = a.article_records()
        right = record["date"]
        assert right != before["date"] and right.endswith("-02-27")
        assert embedder.calls == 0, "a redated article was embedded again"

        def no_fetch(records: Any) -> Any:
            raise AssertionError(f"fetched {len(records)} articles for a new date")

        b._server_catalog().articles = no_fetch
        assert b.sync() == 1
        [after] = b.article_records()
        assert after["date"] == right
        assert (after["id"], after["generation"]) == (before["id"], before["generation"])
        assert b.statements() == a.statements() != stale
        assert _replica_state(b) == _replica_state(a)
        [live] = [r for r in a._server_catalog().records() if not r["deleted"]]
        assert live["date"] == right
        check_consistent(a)
        check_consistent(b)
    finally:
        b.close()
        a.close()


def test_a_store_directory_follows_one_server_or_none(tmp_path: Path, embedder: Any) -> None:
    """A replica is not opened without its server nor pointed at another database, and a
    directory of its own articles is not mixed into a server that holds another store: each
    refusal names the way out."""
    from newsqa.index.indexer import Indexer
    from newsqa.index.store import Store, StoreError

    url = database_url()
    settings = Settings(store=tmp_path / "replica", sample_dir=None, chroma_url=url)
    with open_store(settings.store, url, write=True) as store:
        Indexer(store, embedder, settings).index_text("Tram line opens", TRAM)
    with pytest.raises(StoreError, match=r"replica of the Chroma server.*NEWSQA_CHROMA_URL"):
        Store(settings.store, write=False)
    with pytest.raises(StoreError, match=r"not of .*new directory"):
        open_store(settings.store, database_url(), write=True)
    local = Settings(store=tmp_path / "local", sample_dir=None)
    with Store(local.store, write=True) as store:
        Indexer(store, embedder, local).index_text("Ferry resumes", TRAM.replace("tram", "ferry"))
    with pytest.raises(StoreError, match=r"another store's: give this store a database"):
        open_store(local.store, url, write=True)
    with pytest.raises(StoreError, match=r"open it once for writing"):
        open_store(local.store, database_url(), write=False)


def test_a_local_store_is_published_to_an_empty_server_without_embedding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store indexed without a server, then opened with NEWSQA_CHROMA_URL pointing at an
    empty database, publishes its articles there with the vectors it already has (no model
    is involved), resumes after a fault between two groups, and is then that server's replica
    (its own Chroma directory gone), equal to a new replica."""
    from newsqa.index import faults
    from newsqa.index import store as store_mod
    from newsqa.index.indexer import Indexer
    from newsqa.index.store import Store

    from tests.store_helpers import CountingEmbedder, check_consistent

    local = Settings(store=tmp_path / "local", sample_dir=None)
    embedder = CountingEmbedder()
    with Store(local.store, write=True) as store:
        Indexer(store, embedder, local).index_paths(seed_files()[:3])
        before = _replica_state(store)
        vectors = {c: store._chroma().get(ids=[c], include=["embeddings"])["embeddings"][0]
                   for c, *_ in before["chunks"]}  # fmt: skip
    calls = embedder.calls
    url = database_url()
    monkeypatch.setattr(store_mod, "PUBLISH_BATCH", 1)

    def fail_once(name: str, hit: list[str] = []) -> None:  # noqa: B006
        if name == "publish.batch" and not hit:
            hit.append(name)
            raise RuntimeError("fault after the first group")

    with faults.installed(fail_once), pytest.raises(RuntimeError, match="first group"):
        open_store(local.store, url, write=True)
    with open_store(local.store, url, write=True) as store:
        check_consistent(store)
        after = _replica_state(store)
        server = store._server_catalog()
        assert len([r for r in server.records() if not r["deleted"]]) == 3
        for cid, *_ in after["chunks"]:  # the same vectors, under the new generation's ids
            old = next(c for c, *_ in before["chunks"] if _place(c) == _place(cid))
            got = store._chroma().get(ids=[cid], include=["embeddings"])["embeddings"][0]
            assert np.allclose(got, vectors[old], atol=1e-6)
    assert embedder.calls == calls, "publishing embedded something"
    assert not (local.store / "chroma").exists()
    assert _by_place(after) == _by_place(before)
    fresh = open_store(tmp_path / "fresh", url, write=False)
    try:
        assert _replica_state(fresh) == after
    finally:
        fresh.close()


@pytest.mark.parametrize(("scenario", "point"), test_faults.CASES)
def test_server_fault_raised_at_every_step_then_rerun(
    tmp_path: Path, scenario: str, point: str
) -> None:
    """The crash-safety census of tests/test_faults.py on a server: after a fault at each
    step and a re-run, nothing lost, twice or stale, the server holding exactly the committed
    chunks and no log entry, and a new replica equal to the writer's."""
    url = database_url()
    settings, folder = test_faults._setup(tmp_path, scenario, url)
    test_faults.raise_then_rerun(settings, folder, scenario, point)
    _fresh_replica_agrees(tmp_path, settings)


@pytest.mark.slow
@pytest.mark.parametrize("point", [p for s, p in test_faults.CASES if s == "update"])
def test_server_process_killed_at_every_step_then_rerun(tmp_path: Path, point: str) -> None:
    url = database_url()
    settings, folder = test_faults._setup(tmp_path, "update", url)
    test_faults.kill_then_rerun(settings, folder, "update", point)
    _fresh_replica_agrees(tmp_path, settings)


def _fresh_replica_agrees(tmp_path: Path, settings: Settings) -> None:
    from newsqa.index.store import Store

    with Store(settings.store, write=True, chroma_url=settings.chroma_url) as writer:
        expected = _replica_state(writer)
    fresh = open_store(tmp_path / "fresh", settings.chroma_url or "", write=False)
    try:
        assert _replica_state(fresh) == expected
    finally:
        fresh.close()


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
    # Every reading command on another machine: a new directory is a replica of the server.
    env["NEWSQA_STORE"] = str(tmp_path / "elsewhere")
    assert len(json.loads(newsqa("list", "--json").stdout)) == 2
    quoted = newsqa("quotes", "--speaker", "Scholz", "--json")
    assert quoted.returncode == 0, quoted.stderr[-2000:]
    assert "ground troops" in quoted.stdout
    asked = newsqa("ask", QUESTION, "--json")
    assert asked.returncode == 0 and json.loads(asked.stdout)["citations"], asked.stderr[-2000:]
    env["NEWSQA_STORE"] = str(tmp_path / "store")
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


FERRY = (
    "The night ferry to Holmvik resumed on Friday after a two-year pause, the port said.\n"
    "Harbour master Ingrid Sol said the crossing takes 95 minutes and costs 310 kronor."
)


def _ask(client: Any, question: str) -> str:
    result = client.predict(question, api_name="/ask")
    return str(result["answer"])


def _until(check: Any, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


def test_two_apps_on_one_server_see_each_others_writes(tmp_path: Path, embedder: Any) -> None:
    """Two app processes, each with its own store directory, on one server database: an
    article pasted into either is answered by the other within seconds, and their lexical
    indexes end equal."""
    import socket

    from gradio_client import Client
    from newsqa.index.store import Store

    from newsqa import app
    from newsqa.services import Services

    def free_port() -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])

    url = database_url()
    ports = free_port(), free_port()
    first = Settings(
        store=tmp_path / "first", sample_dir=None, chroma_url=url, port=ports[0], sync_seconds=0.5
    )
    with Services(first, write=True, embedder=embedder) as services:
        demo = app.build_app(first, services.store, embedder)
        _, local, _ = app.launch(demo, first, prevent_thread_lock=True, quiet=True)
        env = {
            **os.environ,
            "NEWSQA_CHROMA_URL": url,
            "NEWSQA_STORE": str(tmp_path / "second"),
            "NEWSQA_PORT": str(ports[1]),
            "NEWSQA_SYNC_SECONDS": "0.5",
            "NEWSQA_SAMPLE_DIR": str(tmp_path / "no-sample"),
        }
        other = subprocess.Popen(
            [sys.executable, "-m", "newsqa", "serve"],
            env=env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            a = Client(local, verbose=False)
            a.predict("Tram line opens", TRAM, api_name="/add_article")

            def up() -> bool:
                assert other.poll() is None, other.stderr.read()[-2000:] if other.stderr else ""
                with socket.socket() as s:
                    return s.connect_ex(("127.0.0.1", ports[1])) == 0

            assert _until(up, 300), "the second app did not start"
            b = Client(f"http://127.0.0.1:{ports[1]}/", verbose=False)
            assert "212 million" in _ask(b, "How much did the tram line cost?")
            b.predict("Night ferry resumes", FERRY, api_name="/add_article")
            assert _until(lambda: "310 kronor" in _ask(a, "How much does the ferry cost?"))
            with Store(first.store.parent / "second", chroma_url=url) as second:
                assert second.lexical.rows() == services.store.lexical.rows()
                assert len(second.lexical.rows()) == services.store.chunk_count() > 0
        finally:
            other.terminate()
            other.wait(timeout=60)
            demo.close()
