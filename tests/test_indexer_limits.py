"""The indexer's refusals and shortcuts, without a model: the chunk limit per article on every
path, the same text under two titles as a duplicate, and unchanged files never read."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from newsqa.index import loaders
from newsqa.index.indexer import Indexer
from newsqa.index.settings import Settings
from newsqa.index.store import Store

from newsqa.cli import failures
from tests.store_helpers import CountingEmbedder, check_consistent

BODY = (
    "The council of Bergen voted on Tuesday to expand the harbour by twelve berths. "
    '"This is the largest investment in a generation," said mayor Anna Berg. '
    "Critics said the plan would cost 120 million euros and take a decade.\n"
)
# Three hundred different sentences: many chunks at any chunk size the settings allow.
LONG = " ".join(
    f"Sentence {i} of the long report names the harbour works in berth number {i}."
    for i in range(300)
)


def _indexer(store: Store, settings: Settings) -> tuple[Indexer, CountingEmbedder]:
    embedder = CountingEmbedder()
    return Indexer(store, embedder, settings), embedder  # type: ignore[arg-type]


@pytest.fixture()
def limited(tmp_path: Path) -> Settings:
    return Settings(store=tmp_path / "store", sample_dir=None, max_article_chunks=2)


def test_article_over_the_chunk_limit_is_skipped_on_every_path(
    tmp_path: Path, limited: Settings
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "short.txt").write_text("Harbour plan approved\n" + BODY, encoding="utf-8")
    (folder / "long.txt").write_text("The long report\n" + LONG, encoding="utf-8")
    with Store(limited.store, write=True) as store:
        indexer, embedder = _indexer(store, limited)
        report = indexer.index_paths([folder])
        assert report.added == [str(folder / "short.txt")]
        ((skip,),) = [report.skipped]
        assert skip.source == str(folder / "long.txt")
        assert skip.reason.startswith("article makes ")
        assert skip.reason.endswith("chunks; the limit is NEWSQA_MAX_ARTICLE_CHUNKS=2")
        # Refused before any forward pass: only the short article's chunks were embedded.
        assert embedder.forward_passes == report.chunks == store.chunk_count() <= 2
        assert [r["source"] for r in store.article_records()] == [str(folder / "short.txt")]
        assert failures(report.skipped) == report.skipped  # a refusal is a failure: exit 1

        # Re-index: refused again, the rest unchanged.
        again = indexer.index_paths([folder])
        assert [s.source for s in again.skipped] == [str(folder / "long.txt")]
        assert again.unchanged == [str(folder / "short.txt")] and not again.changed

        # An edit that makes an indexed article too long: refused, the old version kept.
        before = store.article_records()
        (folder / "short.txt").write_text("Harbour plan approved\n" + LONG, encoding="utf-8")
        edit = indexer.index_paths([folder])
        assert sorted(s.source for s in edit.skipped) == sorted(
            str(folder / n) for n in ("long.txt", "short.txt")
        )
        assert not edit.changed and store.article_records() == before

        # Paste and upload: the same message, nothing stored.
        pasted = indexer.index_text("The long report", LONG)
        assert [s.reason for s in pasted.skipped] == [skip.reason]
        uploaded = indexer.index_uploads([("long.txt", ("The long report\n" + LONG).encode())])
        assert [(s.source, s.reason) for s in uploaded.skipped] == [
            ("upload:long.txt", skip.reason)
        ]
        assert not pasted.changed and not uploaded.changed
        assert store.count() == 1
        check_consistent(store)


def test_same_text_under_two_titles_is_a_duplicate(tmp_path: Path) -> None:
    settings = Settings(store=tmp_path / "store", sample_dir=None)
    folder = tmp_path / "in"
    folder.mkdir()
    a, b = folder / "a.txt", folder / "b.txt"
    a.write_text("Harbour plan approved\n" + BODY, encoding="utf-8")
    b.write_text("Bergen votes for a bigger harbour\n" + BODY, encoding="utf-8")
    with Store(settings.store, write=True) as store:
        indexer, _ = _indexer(store, settings)
        first = indexer.index_paths([folder])
        assert first.added == [str(a)]
        assert [(s.source, s.reason) for s in first.skipped] == [(str(b), f"same text as {a}")]
        assert failures(first.skipped) == []  # listed as a duplicate, exit 0

        # Again, and in a run of its own: a duplicate of the indexed article.
        for paths in ([folder], [b]):
            again = indexer.index_paths(paths)
            assert [(s.source, s.reason) for s in again.skipped] == [
                (str(b), f"same text as {a}, already indexed")
            ]
            assert not again.changed and failures(again.skipped) == []

        # A paste of the same text under a third title says which article it duplicates.
        pasted = indexer.index_text("Harbour: the vote", BODY)
        assert [(s.source, s.reason) for s in pasted.skipped] == [
            ("pasted:Harbour: the vote", f"same text as {a}, already indexed")
        ]
        # An upload too.
        up = indexer.index_uploads([("c.txt", ("Third title\n" + BODY).encode())])
        assert [s.reason for s in up.skipped] == [f"same text as {a}, already indexed"]
        assert [r["source"] for r in store.article_records()] == [str(a)]

        # A new title for the same file's text is an edit of that article, no duplicate.
        a.write_text("Harbour plan approved by the council\n" + BODY, encoding="utf-8")
        retitled = indexer.index_paths([a])
        assert retitled.updated == [str(a)] and not retitled.skipped
        ((record,),) = [store.article_records()]
        assert record["title"] == "Harbour plan approved by the council"

        # The indexed copy's file gone: the other title is indexed, not refused.
        a.unlink()
        moved = indexer.index_paths([b], prune=True)
        assert moved.added == [str(b)] and moved.removed == [str(a)]
        check_consistent(store)


def test_unchanged_files_are_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(store=tmp_path / "store", sample_dir=None)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Harbour plan approved\n" + BODY, encoding="utf-8")
    feed = [
        {"title": f"Story {i}", "text": BODY.replace("Bergen", place)}
        for i, place in enumerate(["Cork", "Dundee"])
    ]
    (folder / "feed.json").write_text(json.dumps(feed), encoding="utf-8")
    read: list[str] = []
    real = loaders.load_file

    def counting(path: Path, max_bytes: int) -> list:
        read.append(path.name)
        return real(path, max_bytes)

    monkeypatch.setattr(loaders, "load_file", counting)
    monkeypatch.chdir(tmp_path)  # sources as given, relative
    with Store(settings.store, write=True) as store:
        indexer, embedder = _indexer(store, settings)
        first = indexer.index_paths(["in"])
        assert sorted(first.added) == ["in/a.txt", "in/feed.json#1", "in/feed.json#2"]
        assert sorted(read) == ["a.txt", "feed.json"]

        read.clear()
        again = indexer.index_paths(["in"])
        assert read == [] and not again.changed and not again.skipped
        assert sorted(again.unchanged) == sorted(first.added)

        # Touched, not changed: read once, unchanged, its new fingerprint kept.
        stamp = 1_700_000_000_000_000_000
        os.utime(folder / "feed.json", ns=(stamp, stamp))
        passes = embedder.forward_passes
        touched = indexer.index_paths(["in"])
        assert read == ["feed.json"] and sorted(touched.unchanged) == sorted(first.added)
        assert embedder.forward_passes == passes and not touched.changed
        read.clear()
        assert sorted(indexer.index_paths(["in"]).unchanged) == sorted(first.added)
        assert read == []

        # Changed (another size): read and updated.
        (folder / "a.txt").write_text("Harbour plan approved\n" + BODY + "More.\n", "utf-8")
        changed = indexer.index_paths(["in"])
        assert read == ["a.txt"] and changed.updated == ["in/a.txt"]

        # The same file by another path (absolute): still unchanged, not read.
        read.clear()
        absolute = indexer.index_paths([folder / "feed.json"])
        assert read == [] and sorted(absolute.unchanged) == [
            f"{folder / 'feed.json'}#1",
            f"{folder / 'feed.json'}#2",
        ]
        check_consistent(store)


def test_two_copies_indexed_before_stay_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store that holds the same text under two titles from before such copies were refused:
    both are unchanged on every run (not reported as duplicates of each other)."""
    settings = Settings(store=tmp_path / "store", sample_dir=None)
    folder = tmp_path / "in"
    folder.mkdir()
    a, b = folder / "a.txt", folder / "b.txt"
    a.write_text("Harbour plan approved\n" + BODY, encoding="utf-8")
    b.write_text("Bergen votes for a bigger harbour\n" + BODY, encoding="utf-8")
    with Store(settings.store, write=True) as store:
        indexer, _ = _indexer(store, settings)
        indexer.index_paths([a])
        # The second copy as an older newsqa stored it, beside the first.
        with monkeypatch.context() as m:  # as before: no lookup by text hash
            m.setattr(store, "by_text_hash", lambda hashes: {})
            assert indexer.index_paths([b]).added == [str(b)]
        assert store.count() == 2
    with Store(settings.store, write=True) as store:
        indexer, _ = _indexer(store, settings)
        for i in range(2):  # touched, so that both are read and compared
            for f in (a, b):
                os.utime(f, ns=(1_700_000_000_000_000_000 + i, 1_700_000_000_000_000_000 + i))
            report = indexer.index_paths([folder])
            assert sorted(report.unchanged) == [str(a), str(b)] and not report.skipped
