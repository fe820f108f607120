"""Integration: the real model and a real persistent Chroma store in a temp dir."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from newsqa.index.indexer import Indexer
from newsqa.index.store import Store, StoreBusyError, StoreError

from tests.conftest import CORPUS, SAMPLE
from tests.store_helpers import check_consistent

pytestmark = pytest.mark.integration


def _bbc_sample(n_per_category: int = 6) -> list[Path]:
    root = CORPUS / "bbc" if (CORPUS / "bbc").is_dir() else SAMPLE / "bbc"
    if not root.is_dir():
        pytest.skip("no BBC articles available")
    files = []
    for category in sorted(p for p in root.iterdir() if p.is_dir()):
        files += sorted(category.glob("*.txt"))[:n_per_category]
    return files


@pytest.fixture()
def folder(tmp_path: Path, seed_copy: Path) -> Path:
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(seed_copy, articles / seed_copy.name)
    for f in _bbc_sample():
        shutil.copy(f, articles / f"{f.parent.name}-{f.name}")
    return articles


def _state(store: Store) -> dict[str, tuple[str, int]]:
    """source -> (article id, chunks), checked against the chunks and their sentence vectors
    (and the whole store against Chroma and a lexical rebuild)."""
    check_consistent(store)
    records = store.article_records()
    chunks = store.article_chunks([r["id"] for r in records])
    sentences = store.sentences([c.id for c in chunks])
    for c in chunks:
        spans, vectors = sentences[c.id]
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-2)
        # The sentences tile the passage: its first starts it, its last ends it.
        assert spans[0][0] == c.start and spans[-1][1] == c.end == c.start + len(c.text)
    return {r["source"]: (r["id"], r["chunks"]) for r in records}


def test_incremental_indexing(folder: Path, settings, embedder) -> None:
    with Store(settings.store, write=True) as store:
        indexer = Indexer(store, embedder, settings)
        files = sorted(folder.iterdir())
        first = indexer.index_paths([folder])
        assert len(first.added) == len(files) and not first.skipped
        state = _state(store)
        assert set(state) == {str(f) for f in files}

        # Unchanged: no forward pass at all.
        passes = embedder.forward_passes
        again = indexer.index_paths([folder])
        assert embedder.forward_passes == passes
        assert again.chunks == 0 and len(again.unchanged) == len(files)
        assert _state(store) == state

        # Changed: old chunks replaced, none left behind.
        changed = files[1]
        changed.write_text(changed.read_text() + "\nA brand new closing paragraph was added.\n")
        report = indexer.index_paths([folder])
        assert report.updated == [str(changed)] and len(report.unchanged) == len(files) - 1
        new_state = _state(store)
        assert new_state[str(changed)][0] != state[str(changed)][0]
        assert store.article_chunks([state[str(changed)][0]]) == []

        # Duplicate content under another path: stored once, reported.
        dup = folder / "copy-of-seed.txt"
        shutil.copy(files[0], dup)
        report = indexer.index_paths([folder])
        assert [s.source for s in report.skipped] == [str(dup)]
        assert "same text as" in report.skipped[0].reason
        assert str(dup) not in _state(store)
        dup.unlink()

        # Deleted file: --prune removes it, and only it.
        gone = files[2]
        gone.unlink()
        report = indexer.index_paths([folder], prune=True)
        assert report.removed == [str(gone)]
        final = _state(store)
        assert str(gone) not in final and len(final) == len(files) - 1

        # Remove by source.
        assert indexer.remove(str(files[3])) == [str(files[3])]
        assert str(files[3]) not in _state(store)

        # The lexical index follows every change (checked against a rebuild by _state).
        assert len(store.lexical.rows()) == store.chunk_count()


def test_moved_file_is_not_embedded_again(tmp_path: Path, seed_copy: Path, settings, embedder):
    a = tmp_path / "a"
    a.mkdir()
    shutil.copy(seed_copy, a / "x.txt")
    with Store(settings.store, write=True) as store:
        indexer = Indexer(store, embedder, settings)
        indexer.index_paths([a])
        (a / "x.txt").rename(a / "y.txt")
        passes = embedder.forward_passes
        report = indexer.index_paths([a])
        assert embedder.forward_passes == passes
        assert report.moved and list(_state(store)) == [str(a / "y.txt")]


def test_scholz_nearest_neighbour(folder: Path, settings, embedder) -> None:
    with Store(settings.store, write=True) as store:
        Indexer(store, embedder, settings).index_paths([folder])
        ((cid, _),) = store.dense_search(embedder.query_vector("Scholz ground troops"), 1)
        (chunk,) = store.chunks_by_ids([cid])
        meta, doc = chunk.metadata(), chunk.text
        assert meta["source"].endswith("nato-no-plans-to-send-troops-to-ukraine.txt")
        assert "There will be no ground troops on Ukrainian soil" in doc
        # Offsets map back to the stored article text exactly.
        text = store.article_texts([meta["article_id"]])[meta["article_id"]]
        assert text[meta["start"] : meta["end"]] == doc
        assert "subscriber" not in text
        # Cosine space, as configured.
        with store._reading() as collection:
            assert collection.configuration["hnsw"]["space"] == "cosine"


def test_bad_files_are_reported_and_the_rest_indexed(
    tmp_path: Path, seed_copy, settings, embedder
) -> None:
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(seed_copy, d / "good.txt")
    (d / "empty.txt").write_text("")
    (d / "bad.json").write_text("{oops")
    (d / "bin.txt").write_bytes(b"\x00\x01\x02")
    with Store(settings.store, write=True) as store:
        report = Indexer(store, embedder, settings).index_paths([d, tmp_path / "missing"])
        assert report.added == [str(d / "good.txt")]
        assert sorted(Path(s.source).name for s in report.skipped) == [
            "bad.json",
            "bin.txt",
            "empty.txt",
            "missing",
        ]


def test_second_writer_process_gets_a_clear_error(settings) -> None:
    with Store(settings.store, write=True):
        code = (
            "from newsqa.index.store import Store, StoreBusyError\n"
            f"try:\n    Store({str(settings.store)!r}, write=True)\n"
            "except StoreBusyError as e:\n    print('BUSY', e)\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
        )
        assert "BUSY" in out.stdout and "another newsqa process" in out.stdout, out
        assert "pid " in out.stdout


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no newsqa store"):
        Store(tmp_path / "nothing", write=False)
    assert StoreBusyError.__mro__[1] is StoreError


def test_cli_index_and_list(tmp_path: Path, seed_copy: Path) -> None:
    store = tmp_path / "cli-store"
    run = [sys.executable, "-m", "newsqa"]
    bad = tmp_path / "bad.json"
    bad.write_text("[")
    out = subprocess.run(
        [*run, "index", str(seed_copy), str(bad), "--store", str(store), "-q"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 1, out.stderr
    assert "malformed JSON" in out.stderr and "1 added" in out.stdout
    listed = subprocess.run(
        [*run, "list", "--store", str(store), "--json"], capture_output=True, text=True, timeout=300
    )
    assert listed.returncode == 0 and "Stoltenberg" in listed.stdout
    out = subprocess.run(
        [*run, "index", str(seed_copy), "--store", str(store), "-q"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0 and "1 unchanged" in out.stdout
