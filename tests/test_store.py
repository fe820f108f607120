"""The store: each edit touches only its article, statements live and die with their article,
readers beside a writer (two real processes), a second writer waits and says why, old stores
are refused with a message. Fast: no model (``CountingEmbedder``), Chroma on temp dirs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from newsqa.index import indexer as indexer_module
from newsqa.index.indexer import Indexer
from newsqa.index.settings import Settings
from newsqa.index.statements import Statement
from newsqa.index.store import MANIFEST, Store, StoreBusyError, StoreError
from typer.testing import CliRunner

from newsqa import cli
from tests.store_helpers import CountingEmbedder, check_consistent

REPO = Path(__file__).resolve().parents[1]
PLACES = ["Aarhus", "Bergen", "Cork", "Dundee", "Essen", "Faro", "Graz", "Hull", "Izmir", "Jena"]


def story(place: str, extra: str = "") -> str:
    return (
        f"{place} opens new tram line\n\n"
        f"The city of {place} opened its new tram line on Monday after four years of works. "
        f'"Today {place} moves forward," said transport chief Lena Vogt of {place}. '
        f"The line carries {len(place) * 1000} passengers a day and cost 90 million euros. "
        f"Shop owners in {place} said the works had cost them customers for years. {extra}"
    )


def make_folder(root: Path, n: int) -> Path:
    folder = root / "articles"
    folder.mkdir()
    for place in PLACES[:n]:
        (folder / f"{place.lower()}.txt").write_text(story(place), encoding="utf-8")
    return folder


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(store=tmp_path / "store", sample_dir=None)


def _rows(store: Store, article_id: str) -> dict[str, list[tuple]]:
    """Every catalogue row of one article (chunk rowids included), and its vectors' ids."""
    conn = store._conn()
    chunks = conn.execute(
        "SELECT rowid, id, text, spans, vectors FROM chunks WHERE article_id = ? ORDER BY rowid",
        (article_id,),
    ).fetchall()
    fts = [
        conn.execute("SELECT rowid, body FROM chunks_fts WHERE rowid = ?", (r[0],)).fetchone()
        for r in chunks
    ]
    return {
        "article": conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchall(),
        "chunks": chunks,
        "fts": fts,
        "statements": conn.execute(
            "SELECT * FROM statements WHERE article_id = ?", (article_id,)
        ).fetchall(),
    }


def test_an_edit_touches_only_its_article_and_scans_nothing(tmp_path: Path, settings) -> None:
    folder = make_folder(tmp_path, 4)
    embedder = CountingEmbedder()
    with Store(settings.store, write=True) as store:
        indexer = Indexer(store, embedder, settings)
        indexer.index_paths([folder])
        before = {r["source"]: _rows(store, r["id"]) for r in store.article_records()}
        vectors_before = store.dense_ids()

        statements: list[str] = []
        conn = store._conn()
        conn.set_trace_callback(statements.append)
        edited = folder / "bergen.txt"
        edited.write_text(story("Bergen", "The mayor promised a second line."), encoding="utf-8")
        # The write runs on this thread's connection: index one file, remove another.
        report = indexer.index_paths([edited])
        assert report.updated == [str(edited)]
        assert indexer.remove(str(folder / "cork.txt")) == [str(folder / "cork.txt")]
        conn.set_trace_callback(None)

        after = {r["source"]: _rows(store, r["id"]) for r in store.article_records()}
        untouched = {str(folder / "aarhus.txt"), str(folder / "dundee.txt")}
        assert set(after) == untouched | {str(edited)}
        for source in untouched:
            assert after[source] == before[source], f"{source} was rewritten by another's edit"
        gone = {i for i in vectors_before - store.dense_ids()}
        assert {cid.rsplit(":", 2)[0] for cid in gone} == {
            before[str(edited)]["article"][0][0],
            before[str(folder / "cork.txt")]["article"][0][0],
        }
        check_consistent(store)

    # No statement of the write path reads a whole table (the catalogue's tables by index).
    writes = [s for s in statements if s.split()[0].upper() in ("SELECT", "DELETE", "UPDATE")]
    assert writes, "the trace saw no statements"
    with Store(settings.store, write=True) as store:
        conn = store._conn()
        for sql in writes:
            plan = " | ".join(row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
            # "SCAN chunks_fts VIRTUAL TABLE INDEX 0:=" is FTS5's lookup by rowid.
            assert not re.search(r"SCAN (articles|chunks|statements|pending)\b", plan), (
                f"full scan: {sql} -> {plan}"
            )


def test_unchanged_reindex_remove_and_move_never_touch_the_embedder(
    tmp_path: Path, settings
) -> None:
    folder = make_folder(tmp_path, 3)
    embedder = CountingEmbedder()
    with Store(settings.store, write=True) as store:
        indexer = Indexer(store, embedder, settings)
        indexer.index_paths([folder])
        calls = embedder.calls
        fresh = Indexer(store, embedder, settings)  # a new process's indexer: nothing cached
        assert len(fresh.index_paths([folder]).unchanged) == 3
        (folder / "cork.txt").rename(folder / "cork2.txt")
        assert fresh.index_paths([folder]).moved
        assert fresh.remove(str(folder / "aarhus.txt")) == [str(folder / "aarhus.txt")]
        assert embedder.calls == calls
        assert set(check_consistent(store)) == {
            str(folder / "bergen.txt"),
            str(folder / "cork2.txt"),
        }


def test_statements_are_stored_replaced_and_removed_with_their_article(
    tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def extract(text: str, *, title: str = "", published=None) -> list[Statement]:
        if "BROKEN" in text:
            raise RuntimeError("extractor bug")
        start = text.index('"')
        quote = text[start : text.index('"', start + 1) + 1]
        version = "v2" if "second line" in text else "v1"
        return [
            Statement(
                "", "Lena Vogt", "lena vogt", "transport chief", "", "quote", "said", quote,
                start, start + len(quote), date=str(published) if published else version,
            )
        ]  # fmt: skip

    monkeypatch.setattr(indexer_module, "extract_statements", extract)
    folder = make_folder(tmp_path, 2)
    with Store(settings.store, write=True) as store:
        indexer = Indexer(store, CountingEmbedder(), settings)
        indexer.index_paths([folder])
        got = store.statements(speaker="lena vogt")
        assert len(got) == 2 and {g["date"] for g in got} == {"v1"}
        assert all(g["text"].startswith('"Today') and g["source"] for g in got)
        assert store.statements(speaker="Lena Vogt") == got  # the name works as well as the key
        bergen = folder / "bergen.txt"
        bergen.write_text(story("Bergen", "The mayor promised a second line."), encoding="utf-8")
        indexer.index_paths([folder])
        assert sorted(g["date"] for g in store.statements(speaker="lena vogt")) == ["v1", "v2"]
        assert len(store.statements(since="v2", until="v2")) == 1
        aarhus = next(r["id"] for r in store.article_records() if "aarhus" in r["source"])
        assert [g["article_id"] for g in store.statements(article_ids=[aarhus])] == [aarhus]
        indexer.remove(str(bergen))
        assert [g["date"] for g in store.statements()] == ["v1"]
        # An extractor failure costs the statements, never the article.
        (folder / "broken.txt").write_text(story("Cork", "BROKEN"), encoding="utf-8")
        broken = folder / "broken.txt"
        assert indexer.index_paths([broken]).added == [str(broken)]
        check_consistent(store)


def _schema2_store(root: Path, folder: Path) -> Path:
    """A store as newsqa wrote it before the catalogue (schema 2): Chroma collections with the
    sentence spans and base64 float16 vectors in chunk metadata, and a bm25s directory."""
    import base64

    import chromadb
    from newsqa.index.chunking import SentenceChunker
    from newsqa.index.loaders import load

    old = root / "old"
    old.mkdir()
    (old / MANIFEST).write_text(
        json.dumps({"schema": 2, "model": "sentence-transformers/all-MiniLM-L6-v2", "version": 1})
    )
    (old / "lexical").mkdir()
    client = chromadb.PersistentClient(path=str(old / "chroma"))
    config = {"hnsw": {"space": "cosine"}}
    chunks = client.create_collection(
        "newsqa_chunks", configuration=config, embedding_function=None
    )
    articles = client.create_collection(
        "newsqa_articles", configuration=config, embedding_function=None
    )
    embedder = CountingEmbedder()
    chunker = SentenceChunker(embedder.count_tokens, 40, 8)
    for a in load([folder], 1_000_000):
        origin = {"source": a.source, "key": a.key, "path": a.path, "title": a.title,
                  "date": a.date, "url": a.url}  # fmt: skip
        cs = chunker.chunk(a.text)
        spans = [[(s.start - c.start, s.end - c.start) for s in c.sentences] for c in cs]
        texts = [a.text[c.start : c.end] for c in cs]
        embedded = embedder.embed_batches([([""] * len(cs), texts, spans)])
        chunks.add(
            ids=[f"{a.article_id}:{i}" for i in range(len(cs))],
            embeddings=[e.vector for e in embedded],
            documents=texts,
            metadatas=[
                {**origin, "article_id": a.article_id, "position": i, "chunks": len(cs),
                 "start": c.start, "end": c.end,
                 "sentence_spans": json.dumps([[s.start, s.end] for s in c.sentences]),
                 "sentence_vectors": base64.b64encode(
                     e.sentences.astype("<f2").tobytes()).decode("ascii")}
                for i, (c, e) in enumerate(zip(cs, embedded, strict=True))
            ],
        )  # fmt: skip
        articles.add(
            ids=[a.article_id],
            embeddings=[embedded[0].vector],
            documents=[a.text],
            metadatas=[{**origin, "chunks": len(cs), "chars": len(a.text), "dropped": 0,
                        "indexed_at": "2026-11-30T10:00:00"}],
        )  # fmt: skip
    return old


def test_an_old_store_is_upgraded_in_place_when_opened_for_writing(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, 3)
    old = _schema2_store(tmp_path, folder)
    with pytest.raises(StoreError, match=r"older newsqa .* Open it once for writing to upgrade"):
        Store(old)
    out = CliRunner().invoke(cli.app, ["list", "--store", str(old)])
    assert out.exit_code == 2 and isinstance(out.exception, SystemExit)  # a message, no error
    assert "Traceback" not in out.stderr and "older newsqa" in out.stderr
    said: list[str] = []
    embedder = CountingEmbedder()
    with Store(old, write=True, on_wait=said.append) as store:
        assert "upgrading" in said[0] and "3 articles" in said[-1]
        sources = check_consistent(store)
        assert set(sources) == {str(p) for p in folder.glob("*.txt")}
        assert not (old / "lexical").exists()
        # Nothing was embedded, and a re-index finds every article unchanged.
        settings = Settings(store=old, sample_dir=None)
        report = Indexer(store, embedder, settings).index_paths([folder])
        assert len(report.unchanged) == 3 and embedder.calls == 0
    with Store(old) as store:
        assert store.count() == 3 and store.lexical.search("tram passengers", 5)


def test_a_store_of_an_unknown_schema_is_refused_with_a_message(tmp_path: Path) -> None:
    odd = tmp_path / "odd"
    odd.mkdir()
    (odd / MANIFEST).write_text(
        json.dumps({"schema": 1, "model": "sentence-transformers/all-MiniLM-L6-v2"})
    )
    for write in (False, True):
        with pytest.raises(StoreError, match=r"another newsqa version .* Rebuild it"):
            Store(odd, write=write)


WAITER = """
import sys, time
from newsqa.index.store import Store, StoreBusyError
started = time.monotonic()
try:
    with Store(sys.argv[1], write=True, wait=float(sys.argv[2]), on_wait=print):
        print("GOT after", round(time.monotonic() - started, 1), flush=True)
except StoreBusyError as exc:
    print("BUSY", exc, flush=True)
"""


@pytest.mark.slow  # processes side by side: `pytest -m slow`, and CI
def test_a_second_writer_waits_says_why_then_gives_up_or_proceeds(settings) -> None:
    run = [sys.executable, "-c", textwrap.dedent(WAITER), str(settings.store)]
    with Store(settings.store, write=True):
        out = subprocess.run([*run, "1"], capture_output=True, text=True, timeout=300, cwd=REPO)
        assert "another newsqa process (pid " in out.stdout, out.stderr[-2000:]
        assert "waiting up to 1s" in out.stdout
        assert "BUSY" in out.stdout and "Articles tab" in out.stdout
        waiter = subprocess.Popen(
            [*run, "60"], stdout=subprocess.PIPE, text=True, cwd=REPO
        )  # fmt: skip
        assert "waiting up to 60s" in (waiter.stdout.readline() if waiter.stdout else "")
    # The first writer closed: the waiting one proceeds.
    stdout, _ = waiter.communicate(timeout=120)
    assert "GOT after" in stdout


WRITER = """
import sys, time
from pathlib import Path
from newsqa.index.indexer import Indexer
from newsqa.index.settings import Settings
from newsqa.index.store import Store
from tests.store_helpers import CountingEmbedder

store_dir, folder = Path(sys.argv[1]), Path(sys.argv[2])
settings = Settings(store=store_dir, sample_dir=None)
with Store(store_dir, write=True) as store:
    indexer = Indexer(store, CountingEmbedder(), settings)
    print("open", flush=True)
    for path in sorted(folder.glob("*.txt")):
        indexer.index_paths([path])
        print("committed", path.name, flush=True)
        time.sleep(0.3)
    sys.stdin.readline()  # stays open (like the app) until the test is done reading
"""

READER = """
import sys, json
from pathlib import Path
from newsqa.assistant.chain import Assistant
from newsqa.index.settings import Settings
from newsqa.index.store import Store
from tests.store_helpers import CountingEmbedder

store_dir = Path(sys.argv[1])
settings = Settings(store=store_dir, sample_dir=None)
embedder = CountingEmbedder()
with Store(store_dir) as store:
    assistant = Assistant(store, embedder, settings)
    for line in sys.stdin:
        res = assistant.ask("What did Lena Vogt say about the tram line?")
        before = {r["title"].split()[0] for r in store.article_records()}
        dense = {c.title.split()[0] for c in store.chunks_by_ids(
            [i for i, _ in store.dense_search(embedder.query_vector("tram"), 100)])}
        lexical = {c.title.split()[0] for c in store.chunks_by_ids(
            [i for i, _ in store.lexical.search("tram line passengers", 100)])}
        after = {r["title"].split()[0] for r in store.article_records()}
        print(json.dumps({"n": len(after), "dense": sorted(dense), "lexical": sorted(lexical),
                          "before": sorted(before), "after": sorted(after),
                          "sources": len(res["sources"])}), flush=True)
"""


@pytest.mark.slow  # processes side by side: `pytest -m slow`, and CI
def test_readers_beside_a_writer_process_see_each_commit(tmp_path: Path, settings) -> None:
    folder = make_folder(tmp_path, 6)
    first = folder / "aarhus.txt"
    with Store(settings.store, write=True) as store:  # one committed article to start from
        Indexer(store, CountingEmbedder(), settings).index_paths([first])
    writer = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(WRITER), str(settings.store), str(folder)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=REPO,
    )  # fmt: skip
    reader = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(READER), str(settings.store)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=REPO,
    )  # fmt: skip
    assert writer.stdout and writer.stdin and reader.stdin and reader.stdout
    try:
        assert writer.stdout.readline().strip() == "open"
        seen: list[dict] = []
        committed = 0
        deadline = time.monotonic() + 240
        while committed < 6 and time.monotonic() < deadline:
            reader.stdin.write("ask\n")
            reader.stdin.flush()
            line = reader.stdout.readline()
            assert line, reader.stderr.read() if reader.stderr else ""
            seen.append(json.loads(line))
            # Both retrievers find every article committed before they ran (the search is deep
            # enough for all), and nothing not committed by the time they finished.
            got = {k: set(v) for k, v in seen[-1].items() if isinstance(v, list)}
            assert got["before"] <= got["dense"] <= got["after"], seen[-1]
            assert got["before"] <= got["lexical"] <= got["after"], seen[-1]
            assert seen[-1]["sources"] > 0
            if len(seen) > 1:
                assert seen[-1]["n"] >= seen[-2]["n"]
            committed = seen[-1]["n"]
        assert committed == 6, seen
        assert len({s["n"] for s in seen}) > 2, "the reader never ran beside the writer"
        # `newsqa list` in a third process while the writer is still open.
        listed = subprocess.run(
            [sys.executable, "-m", "newsqa", "list", "--json", "--store", str(settings.store)],
            capture_output=True, text=True, timeout=300, cwd=REPO,
        )  # fmt: skip
        assert listed.returncode == 0, listed.stderr
        assert len(json.loads(listed.stdout)) == 6
    finally:
        reader.stdin.close()
        writer.stdin.write("\n")
        writer.stdin.flush()
        assert reader.wait(timeout=120) == 0, reader.stderr.read() if reader.stderr else ""
        assert writer.wait(timeout=120) == 0, writer.stderr.read() if writer.stderr else ""
    with Store(settings.store, write=True) as store:
        assert len(check_consistent(store)) == 6


def test_missing_store_and_read_only_errors(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no newsqa store"):
        Store(tmp_path / "nothing")
    assert issubclass(StoreBusyError, StoreError)


@pytest.mark.slow  # processes side by side: `pytest -m slow`, and CI
def test_cli_index_beside_a_writer_waits_then_exits_2_with_the_reason(
    tmp_path: Path, settings
) -> None:
    article = tmp_path / "a.txt"
    article.write_text(story("Aarhus"), encoding="utf-8")
    with Store(settings.store, write=True):
        out = subprocess.run(
            [sys.executable, "-m", "newsqa", "index", str(article), "--store", str(settings.store)],
            capture_output=True, text=True, timeout=300, cwd=REPO,
            env={**os.environ, "NEWSQA_WRITE_WAIT": "1"},
        )  # fmt: skip
    assert out.returncode == 2, out.stderr
    assert "waiting up to 1s" in out.stderr and "pid " in out.stderr
    assert "NEWSQA_WRITE_WAIT" in out.stderr and "Traceback" not in out.stderr


# --- the lexical follower: tantivy beside the catalogue, following its committed log ---------


def _fts5_rowids(store: Store, term: str | None = None) -> set[int]:
    conn = store._conn()
    if term is None:
        return {r for (r,) in conn.execute("SELECT rowid FROM chunks_fts")}
    got = conn.execute("SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ?", (f'"{term}"',))
    return {r for (r,) in got}


def check_follower(store: Store) -> None:
    """The follower (brought up to date by the call) holds exactly FTS5's rows: the same rowids,
    and each term in the same rows; searches give FTS5's ranking and scores."""
    from newsqa.index import lexical

    follower = store.lexical.follower()
    assert follower is not None, "no follower"
    assert follower.rowids() == _fts5_rowids(store)
    tv = follower.tantivy
    terms = [t for (t,) in store._conn().execute("SELECT term FROM chunks_vocab")]
    for term in terms:
        q = tv.Query.term_query(follower.index.schema, "body", term)
        hits = follower.searcher.search(q, 10_000, count=False).hits
        got = set(follower.searcher.fast_field_values("rid", [a for _, a in hits]))
        assert got == _fts5_rowids(store, term), term
    fts5 = lexical.LexicalIndex(store._conn)
    fts5._follower = False  # today's query alone
    for q in ("tram passengers", "mayor promised second line", "Bergen Cork euros", "shop owners"):
        a, b = store.lexical.search(q, 40), fts5.search(q, 40)
        assert a, q
        # The same chunks with the same scores, in the same order up to ties.
        assert [round(s, 6) for _, s in a] == [round(s, 6) for _, s in b], q
        assert sorted((-round(s, 6), c) for c, s in a) == sorted((-round(s, 6), c) for c, s in b)


def test_the_lexical_follower_answers_as_fts5_and_readers_see_each_commit(
    tmp_path: Path, settings
) -> None:
    pytest.importorskip("tantivy")
    folder = make_folder(tmp_path, 6)
    with Store(settings.store, write=True) as store:
        indexer = Indexer(store, CountingEmbedder(), settings)
        indexer.index_paths([folder])
        check_follower(store)
        assert (settings.store / "lexical-tantivy" / "applied").exists()
        with Store(settings.store) as reader:  # another reader, its own follower handle
            check_follower(reader)
            edited = folder / "bergen.txt"
            edited.write_text(story("Bergen", "The mayor promised a second line."), "utf-8")
            indexer.index_paths([edited])
            indexer.remove(str(folder / "cork.txt"))
            # The reader's next search sees both commits (it brings the follower up to date).
            got = store.chunks_by_ids([c for c, _ in reader.lexical.search("mayor promised", 3)])
            assert got and got[0].title.startswith("Bergen")
            titles = {
                c.title.split()[0]
                for c in reader.chunks_by_ids([c for c, _ in reader.lexical.search("Cork", 40)])
            }
            assert "Cork" not in titles
            check_follower(reader)
            check_follower(store)
        # The log keeps only what the follower does not hold yet.
        (folder / "dundee.txt").write_text(story("Dundee", "Fares fall."), "utf-8")
        indexer.index_paths([folder / "dundee.txt"])
        conn = store._conn()
        applied = int((settings.store / "lexical-tantivy" / "applied").read_text().split()[1])
        assert conn.execute("SELECT min(seq) FROM lexical_log").fetchone()[0] > applied
        check_follower(store)
        check_consistent(store)


@pytest.mark.parametrize("point", ["lexical.follow", "lexical.followed"])
def test_a_failure_while_the_follower_catches_up_costs_nothing(
    tmp_path: Path, settings, point: str
) -> None:
    """Raised before tantivy's commit or after it (before ``applied``): the search is FTS5's,
    and the next one brings the follower up to date (replaying what it held is harmless)."""
    pytest.importorskip("tantivy")
    from newsqa.index import faults

    folder = make_folder(tmp_path, 4)
    with Store(settings.store, write=True) as store:
        indexer = Indexer(store, CountingEmbedder(), settings)
        indexer.index_paths([folder])
        check_follower(store)
        edited = folder / "aarhus.txt"
        edited.write_text(story("Aarhus", "A night tram starts in May."), "utf-8")
        indexer.index_paths([edited])
        indexer.remove(str(folder / "bergen.txt"))

        def handler(name: str) -> None:
            if name == point:
                raise RuntimeError(f"fault at {name}")

        with faults.installed(handler):
            got = store.lexical.search("night tram", 3)  # FTS5's answer, the follower behind
        assert store.chunks_by_ids([got[0][0]])[0].title.startswith("Aarhus")
        check_follower(store)
        check_consistent(store)


def test_a_process_killed_while_the_follower_catches_up_leaves_it_repairable(
    tmp_path: Path, settings
) -> None:
    pytest.importorskip("tantivy")
    folder = make_folder(tmp_path, 4)
    with Store(settings.store, write=True) as store:
        Indexer(store, CountingEmbedder(), settings).index_paths([folder])
    for point in ("lexical.follow", "lexical.followed"):
        script = (
            "import os, sys\n"
            "from newsqa.index import faults\n"
            "from newsqa.index.store import Store\n"
            f"faults.install(lambda name: os._exit(9) if name == {point!r} else None)\n"
            "with Store(sys.argv[1]) as s:\n"
            "    s.lexical.search('tram passengers', 5)\n"
        )
        with Store(settings.store, write=True) as store:  # a commit for the follower to take
            edited = folder / "cork.txt"
            edited.write_text(story("Cork", f"Note {point}."), "utf-8")
            Indexer(store, CountingEmbedder(), settings).index_paths([edited])
        out = subprocess.run(
            [sys.executable, "-c", script, str(settings.store)],
            capture_output=True, text=True, timeout=300, cwd=REPO,
        )  # fmt: skip
        assert out.returncode == 9, out.stderr
        with Store(settings.store) as reader:
            check_follower(reader)


def test_while_another_process_holds_the_follower_a_search_is_fts5s(
    tmp_path: Path, settings
) -> None:
    tantivy = pytest.importorskip("tantivy")
    folder = make_folder(tmp_path, 3)
    with Store(settings.store, write=True) as store:
        indexer = Indexer(store, CountingEmbedder(), settings)
        indexer.index_paths([folder])
        check_follower(store)
        edited = folder / "aarhus.txt"
        edited.write_text(story("Aarhus", "A night tram starts in May."), "utf-8")
        indexer.index_paths([edited])
        held = tantivy.Index.open(str(settings.store / "lexical-tantivy")).writer(15_000_000, 1)
        with Store(settings.store) as reader:
            assert reader.lexical.follower() is None  # behind, and cannot catch up now
            got = reader.lexical.search("night tram", 3)
            assert reader.chunks_by_ids([got[0][0]])[0].title.startswith("Aarhus")
            del held
            check_follower(reader)


def test_two_handles_take_turns_bringing_the_follower_up_to_date(tmp_path: Path, settings) -> None:
    """Each catch-up starts from what is on disk, whoever wrote it (another handle, another
    process), not from what this handle saw last."""
    pytest.importorskip("tantivy")
    folder = make_folder(tmp_path, 5)
    with Store(settings.store, write=True) as store, Store(settings.store) as other:
        indexer = Indexer(store, CountingEmbedder(), settings)
        indexer.index_paths([folder])
        for turn, place in enumerate(["Aarhus", "Bergen", "Cork", "Dundee"]):
            handle = (store, other)[turn % 2]
            path = folder / f"{place.lower()}.txt"
            path.write_text(story(place, f"Turn {turn} brings a ferry."), "utf-8")
            indexer.index_paths([path])
            if turn == 3:
                indexer.remove(str(folder / "essen.txt"))
            check_follower(handle)
        check_follower(store)
        check_follower(other)
        check_consistent(store)


def test_following_a_server_says_once_that_it_fails_and_once_that_it_is_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The app's follower thread (Store._sync_loop) while its server is away: one warning,
    without the URL's token, then one line when following works again; never a crash."""
    import threading

    store = Store(tmp_path / "store", write=True)
    store._chroma_url = "http://secret-token@127.0.0.1:9/db"
    rounds: list[int] = []

    def sync(full: bool = False) -> int:
        rounds.append(1)
        if len(rounds) <= 3:
            raise ConnectionError("server away")
        if len(rounds) >= 6:
            store._stop_sync.set()
        return 0

    store.sync = sync  # type: ignore[method-assign]
    caplog.set_level("WARNING", logger="newsqa.index.store")
    try:
        thread = threading.Thread(target=store._sync_loop, args=(0.01,))
        thread.start()
        thread.join(timeout=30)
        assert not thread.is_alive() and len(rounds) == 6
    finally:
        store._chroma_url = None
        store.close()
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 2, said
    assert said[0].startswith("following http://***@127.0.0.1:9/db failed") and "away" in said[0]
    assert said[1] == "following http://***@127.0.0.1:9/db again"
    assert not any("secret-token" in m for m in said)
