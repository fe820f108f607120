"""``index --prune`` (and the app's Re-index, which prunes) after files were moved and deleted,
without a model: a moved file is recognised as a move and keeps its vectors, and only the
articles whose files are really gone are pruned, in the same run."""

from __future__ import annotations

from pathlib import Path

from newsqa.index.indexer import Indexer
from newsqa.index.settings import Settings
from newsqa.index.store import Store

from tests.store_helpers import CountingEmbedder, check_consistent
from tests.test_faults import _write


def test_prune_keeps_a_moved_file_and_removes_a_deleted_one(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(3):
        _write(folder, i)
    settings = Settings(store=tmp_path / "store", sample_dir=None)
    with Store(settings.store, write=True) as store:
        Indexer(store, CountingEmbedder(), settings).index_paths([folder])
        before = {r["source"]: r for r in store.article_records()}
        chunks = store.dense_ids()
        moved_from, moved_to = folder / "cork.txt", folder / "sub" / "cork-moved.txt"
        moved_to.parent.mkdir()
        moved_from.rename(moved_to)
        (folder / "bergen.txt").unlink()

        embedder = CountingEmbedder()
        report = Indexer(store, embedder, settings).index_paths([folder], prune=True)

        assert embedder.forward_passes == 0, "the moved file was embedded again"
        assert report.chunks == 0 and not report.added and not report.updated
        assert report.moved == [f"{moved_from} -> {moved_to}"]
        assert report.removed == [str(folder / "bergen.txt")]
        assert report.unchanged == [str(folder / "aarhus.txt")]
        sources = check_consistent(store)
        assert set(sources) == {str(folder / "aarhus.txt"), str(moved_to)}
        # The same article, generation and vectors, under its new source.
        after = {r["source"]: r for r in store.article_records()}
        old, new = before[str(moved_from)], after[str(moved_to)]
        assert (new["id"], new["generation"]) == (old["id"], old["generation"])
        assert store.dense_ids() <= chunks

        # The next run finds everything as it is.
        again = Indexer(store, embedder, settings).index_paths([folder], prune=True)
        assert not again.changed and len(again.unchanged) == 2 and embedder.calls == 0
