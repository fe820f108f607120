"""Crash safety: a fault at every named step of index, update, remove, paste and move, then a
re-run. After it: no article lost, none twice, none stale, Chroma holding exactly the committed
chunks, the lexical index equal to one built from scratch. Faults raise in process, or kill a
real process at the step (``os._exit`` from the hook: no cleanup, like SIGKILL)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from newsqa.index import faults
from newsqa.index.indexer import Indexer
from newsqa.index.settings import Settings
from newsqa.index.store import Store

from tests.store_helpers import CountingEmbedder, check_consistent

REPO = Path(__file__).resolve().parents[1]

STORY = (
    "{title}\n\n"
    "The council of {place} voted on Tuesday to expand the harbour by {n} berths. "
    '"This is the largest investment in a generation," said mayor Anna {name}. '
    "Critics said the plan would cost {n}0 million euros and take a decade. "
    "Fishermen from {place} warned that the works would drive away the cod. "
    "A final decision is expected in {month}, after a public consultation."
)
PLACES = ["Aarhus", "Bergen", "Cork", "Dundee"]


class Fault(Exception):
    pass


def _write(folder: Path, i: int, edited: bool = False) -> Path:
    place = PLACES[i]
    path = folder / f"{place.lower()}.txt"
    text = STORY.format(
        title=f"{place} harbour plan approved",
        place=place,
        n=12 + i,
        name=f"Berg{i}",
        month="March",
    )
    if edited:
        text += f"\nUpdate: the vote in {place} was postponed to May after a legal challenge.\n"
    path.write_text(text, encoding="utf-8")
    return path


def _open(settings: Settings) -> Store:
    return Store(settings.store, write=True, chroma_url=settings.chroma_url)


def _setup(tmp_path: Path, scenario: str, chroma_url: str | None = None) -> tuple[Settings, Path]:
    """A store holding three articles (none for "index"), and their folder; with
    ``chroma_url`` the store of a Chroma server database."""
    folder = tmp_path / "articles"
    folder.mkdir()
    settings = Settings(store=tmp_path / "store", sample_dir=None, chroma_url=chroma_url)
    for i in range(3):
        _write(folder, i)
    if scenario != "index":
        with _open(settings) as store:
            Indexer(store, CountingEmbedder(), settings).index_paths([folder])
            if scenario == "paste":
                Indexer(store, CountingEmbedder(), settings).index_text("Pasted", "First text.")
    return settings, folder


def _operate(store: Store, settings: Settings, folder: Path, scenario: str) -> None:
    """The operation under test; idempotent, so a re-run completes what a crash interrupted."""
    embedder = CountingEmbedder()
    indexer = Indexer(store, embedder, settings)
    if scenario == "index":
        indexer.index_paths([folder])
    elif scenario == "update":
        for i in (0, 2):
            _write(folder, i, edited=True)
        _write(folder, 3)  # and one new article in the same run
        indexer.index_paths([folder])
    elif scenario == "remove":
        indexer.remove(str(folder / "bergen.txt"))
    elif scenario == "paste":
        indexer.index_text("Pasted", "Second text, replacing the first one.")
    elif scenario == "move":
        src = folder / "cork.txt"
        if src.exists():
            src.rename(folder / "cork-moved.txt")
        indexer.index_paths([folder])
    elif scenario == "prune":  # one file moved, one deleted, then index --prune
        src = folder / "cork.txt"
        if src.exists():
            src.rename(folder / "cork-moved.txt")
        (folder / "bergen.txt").unlink(missing_ok=True)
        indexer.index_paths([folder], prune=True)
        # The move is recognised before the prune, on a re-run after a crash too.
        assert embedder.forward_passes == 0, "a moved file was embedded again"
    elif scenario == "touch":  # files touched, not changed: read again, new fingerprints kept
        for path in folder.glob("*.txt"):
            os.utime(path, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
        report = indexer.index_paths([folder])
        assert len(report.unchanged) == 3 and not report.changed


def _expected(folder: Path, scenario: str) -> set[str]:
    files = {str(p) for p in folder.glob("*.txt")}
    if scenario == "remove":
        files.discard(str(folder / "bergen.txt"))
    if scenario == "paste":
        files.add("pasted:Pasted")
    return files


def _check(settings: Settings, folder: Path, scenario: str) -> None:
    with _open(settings) as store:
        sources = check_consistent(store)
        assert set(sources) == _expected(folder, scenario)
        records = {r["source"]: r for r in store.article_records()}
        texts = store.article_texts([r["id"] for r in records.values()])
        for source, record in records.items():
            if source.startswith("pasted:"):
                assert texts[record["id"]].startswith("Second text"), "a stale paste"
            else:
                body = Path(source).read_text(encoding="utf-8").split("\n", 2)[2].strip()
                assert texts[record["id"]].strip() == body, f"a stale version of {source}"


# Which points each scenario passes (the others are never reached, so never injected).
PASSES = {
    "index": [p for p in faults.POINTS if p.startswith("save.")],
    "update": [p for p in faults.POINTS if p.startswith("save.")],
    "paste": [p for p in faults.POINTS if p.startswith("save.")],
    "remove": [p for p in faults.POINTS if p.startswith("remove.")],
    "move": ["move.transaction"],
    # The move commits before the prune starts: a crash between them, or at any step of
    # either, leaves a store the re-run finishes without embedding anything.
    "prune": ["move.transaction", "remove.transaction", "remove.committed", "remove.cleaned"],
    "touch": ["fingerprint.transaction"],
}
CASES = [(s, p) for s, points in PASSES.items() for p in points]
# The default loop injects at every point once (the first scenario to pass it); the other
# scenarios at the same point are `slow` (`pytest -m ""`, CI).
FIRST = {p: s for s, p in reversed(CASES)}
RAISED = [pytest.param(s, p, marks=() if FIRST[p] == s else pytest.mark.slow) for s, p in CASES]


@pytest.mark.parametrize(("scenario", "point"), RAISED)
def test_fault_raised_at_every_step_then_rerun(tmp_path: Path, scenario: str, point: str) -> None:
    settings, folder = _setup(tmp_path, scenario)
    raise_then_rerun(settings, folder, scenario, point)


def raise_then_rerun(settings: Settings, folder: Path, scenario: str, point: str) -> None:
    """Fail ``scenario`` at ``point``, check the store at once, re-run it, check again."""
    hit = []

    def handler(name: str) -> None:
        if name == point and not hit:
            hit.append(name)
            raise Fault(name)

    with _open(settings) as store, faults.installed(handler):
        with pytest.raises(Fault):
            _operate(store, settings, folder, scenario)
        assert hit == [point]
        # The failed write was repaired in place: the store is whole before any re-run.
        check_consistent(store)
    with _open(settings) as store:
        _operate(store, settings, folder, scenario)
    _check(settings, folder, scenario)


KILL = """
import os, sys
from pathlib import Path
from newsqa.index import faults
from newsqa.index.settings import Settings
from newsqa.index.store import Store
from tests.test_faults import _operate

point, scenario, store_dir, folder, url = sys.argv[1:]
faults.install(lambda name: os._exit(9) if name == point else None)
settings = Settings(store=Path(store_dir), sample_dir=None, chroma_url=url or None)
with Store(settings.store, write=True, chroma_url=settings.chroma_url) as store:
    _operate(store, settings, Path(folder), scenario)
print("not killed")
"""


@pytest.mark.slow  # one process per step; the in-process faults above run in the default loop
@pytest.mark.parametrize(("scenario", "point"), CASES)
def test_process_killed_at_every_step_then_rerun(tmp_path: Path, scenario: str, point: str) -> None:
    settings, folder = _setup(tmp_path, scenario)
    kill_then_rerun(settings, folder, scenario, point)


def kill_then_rerun(settings: Settings, folder: Path, scenario: str, point: str) -> None:
    """Kill a process running ``scenario`` at ``point``, re-run it, check the store."""
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILL), point, scenario, str(settings.store),
         str(folder), settings.chroma_url or ""],
        capture_output=True, text=True, timeout=300, cwd=REPO,
    )  # fmt: skip
    assert out.returncode == 9 and "not killed" not in out.stdout, out.stderr[-2000:]
    with _open(settings) as store:  # opening for writing repairs
        check_consistent(store)
        _operate(store, settings, folder, scenario)
    _check(settings, folder, scenario)


def _make_old(store_dir: Path) -> None:
    """Turn a store into one made before articles had text_hash and fingerprint columns."""
    conn = sqlite3.connect(store_dir / "catalog.sqlite")
    conn.executescript(
        "DROP INDEX IF EXISTS articles_text; DROP INDEX IF EXISTS articles_path;"
        "ALTER TABLE articles DROP COLUMN text_hash; ALTER TABLE articles DROP COLUMN fingerprint;"
    )
    conn.close()


def _columns(store_dir: Path) -> set[str]:
    conn = sqlite3.connect(store_dir / "catalog.sqlite")
    try:
        return {row[1] for row in conn.execute("PRAGMA table_info(articles)")}
    finally:
        conn.close()


COLUMNS = """
import os, sys
from newsqa.index import faults
from newsqa.index.store import Store

faults.install(lambda name: os._exit(9) if name == "columns.transaction" else None)
Store(sys.argv[1], write=True).close()
print("not killed")
"""


@pytest.mark.parametrize("how", ["raise", pytest.param("kill", marks=pytest.mark.slow)])
def test_columns_added_to_an_old_store_survive_a_fault(tmp_path: Path, how: str) -> None:
    """The columns.transaction point: opening an older store for writing adds the columns in
    one transaction; a fault there leaves the old store as it was, and the next open adds them
    with every article's text hash, and the run after it finds the duplicates it must."""
    settings, folder = _setup(tmp_path, "update")
    _make_old(settings.store)
    if how == "raise":

        def handler(name: str) -> None:
            if name == "columns.transaction":
                raise Fault(name)

        with faults.installed(handler), pytest.raises(Fault):
            Store(settings.store, write=True)
    else:
        out = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(COLUMNS), str(settings.store)],
            capture_output=True, text=True, timeout=300, cwd=REPO,
        )  # fmt: skip
        assert out.returncode == 9 and "not killed" not in out.stdout, out.stderr[-2000:]
    assert "text_hash" not in _columns(settings.store)
    with Store(settings.store, write=True) as store:
        check_consistent(store)
        assert {"text_hash", "fingerprint"} <= _columns(settings.store)
        # Same text as bergen.txt under another title: a duplicate of the indexed article.
        body = (folder / "bergen.txt").read_text(encoding="utf-8").split("\n", 1)[1]
        (folder / "copy.txt").write_text("Another headline\n" + body, encoding="utf-8")
        report = Indexer(store, CountingEmbedder(), settings).index_paths([folder])
        assert [s.source for s in report.skipped] == [str(folder / "copy.txt")]
        assert report.skipped[0].reason.startswith(f"same text as {folder / 'bergen.txt'}")


def test_every_point_is_reached_by_some_scenario() -> None:
    # publish.batch: tests/test_server_store.py (a store's own articles going to a server).
    tested = {p for _, p in CASES} | {"columns.transaction", "statements.transaction"}
    tested |= {"publish.batch"}
    assert tested == set(faults.POINTS)


def _statement_rows(store_dir: Path) -> list[tuple]:
    conn = sqlite3.connect(store_dir / "catalog.sqlite")
    try:
        return conn.execute("SELECT * FROM statements ORDER BY article_id, seq").fetchall()
    finally:
        conn.close()


def test_statements_of_an_older_extractor_are_redone_after_a_fault(tmp_path: Path) -> None:
    """The statements.transaction point: a store whose statements an older extractor wrote has
    them re-extracted by its next writer, from the stored texts and without the model; a fault
    midway leaves the old statements and version, and the next run redoes them."""
    from newsqa.index.statements import EXTRACTOR_VERSION

    settings, folder = _setup(tmp_path, "update")
    good = _statement_rows(settings.store)
    assert good, "the scenario's articles quote nobody"
    conn = sqlite3.connect(settings.store / "catalog.sqlite")
    with conn:
        conn.execute("UPDATE statements SET speaker = 'Stale'")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'statements_version'")
    conn.close()
    stale = _statement_rows(settings.store)

    def handler(name: str) -> None:
        if name == "statements.transaction":
            raise Fault(name)

    with Store(settings.store, write=True) as store, faults.installed(handler):
        with pytest.raises(Fault):
            Indexer(store, CountingEmbedder(), settings).index_paths([folder])
        assert store.statements_version == 1
    assert _statement_rows(settings.store) == stale
    embedder = CountingEmbedder()
    with Store(settings.store, write=True) as store:
        report = Indexer(store, embedder, settings).index_paths([folder])
        assert report.restated == len(store.article_records()) and not report.changed
        assert "re-extracted" in report.summary()
        assert store.statements_version == EXTRACTOR_VERSION
        check_consistent(store)
    assert embedder.calls == 0
    assert _statement_rows(settings.store) == good
    with Store(settings.store, write=True) as store:
        assert Indexer(store, CountingEmbedder(), settings).index_paths([folder]).restated == 0
