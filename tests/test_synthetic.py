"""The scale benchmark's synthetic corpus (benchmarks/synthetic.py): deterministic, and it
perturbs names, numbers and vectors while keeping every offset exact."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from newsqa.index.statements import Statement
from newsqa.index.store import NewChunk
from synthetic import SyntheticCorpus, Template, load_templates, save_templates

TEXT = (
    "Tony Blair said on Tuesday that 1,250 jobs would go. "
    "Gordon Brown said the budget of 34 million pounds stood. "
    "Blair later met Howard in London in 2004."
)


def _statement(text: str, speaker: str, quote: str) -> Statement:
    start = text.index(quote)
    return Statement(
        "", speaker, speaker.split()[-1].lower(), "", "", "reported", "said", quote,
        start, start + len(quote),
    )  # fmt: skip


def _template(text: str = TEXT) -> Template:
    rng = np.random.default_rng(7)
    vector = rng.normal(size=384).astype(np.float32)
    sentences = rng.normal(size=(3, 384)).astype(np.float32)
    first = text.index(".") + 1
    spans = [
        (0, first),
        (first + 1, text.index(".", first) + 1),
        (text.index("Blair later"), len(text)),
    ]
    chunk = NewChunk(0, len(text), vector / np.linalg.norm(vector), spans, sentences)
    statements = [
        _statement(text, "Tony Blair", "that 1,250 jobs would go"),
        _statement(text, "Gordon Brown", "the budget of 34 million pounds stood"),
        _statement(text, "Michael Howard", "Blair later met Howard"),
    ]
    return Template(
        "bbc/politics/001.txt", "Blair and Brown in 2004", text, "", "", [chunk], statements
    )


def test_same_seed_and_index_give_the_same_article() -> None:
    a = SyntheticCorpus([_template()], seed=3).article(5)
    b = SyntheticCorpus([_template()], seed=3).article(5)
    assert (a.id, a.title, a.text, a.key) == (b.id, b.title, b.text, b.key)
    np.testing.assert_array_equal(a.chunks[0].vector, b.chunks[0].vector)
    np.testing.assert_array_equal(a.chunks[0].sentence_vectors, b.chunks[0].sentence_vectors)
    assert a.statements == b.statements


def test_articles_differ_by_index_and_seed() -> None:
    corpus = SyntheticCorpus([_template()], seed=0)
    texts = {corpus.article(i).text for i in range(20)}
    assert len(texts) > 10
    assert len({corpus.article(i).id for i in range(20)}) == 20
    assert SyntheticCorpus([_template()], seed=1).article(0).text != corpus.article(0).text


def test_names_and_numbers_are_perturbed_and_offsets_kept() -> None:
    corpus = SyntheticCorpus([_template()], seed=0)
    pool = {w for ws in corpus.pool.values() for w in ws}
    assert {"Blair", "Brown", "Howard", "Tony", "Gordon", "Michael"} <= pool
    changed_names = changed_numbers = 0
    for i in range(30):
        a = corpus.article(i)
        assert len(a.text) == len(TEXT)
        swap, _ = corpus.perturbation(i)
        assert all(len(k) == len(v) and v in pool for k, v in swap.items())
        # Not a name: kept.
        assert "Tuesday" in a.text and "London" in a.text
        changed_names += a.text[5:10] != "Blair" and a.text[5:10] in pool
        changed_numbers += "1,250" not in a.text
        # The same swap everywhere: the statements still point at their text.
        for s in a.statements:
            assert a.text[s.start : s.end] == s.text
            assert s.speaker_key == s.speaker.split()[-1].lower()
    assert changed_names > 15 and changed_numbers > 15


def test_vectors_are_perturbed_slightly_and_stay_unit_length() -> None:
    template = _template()
    a = SyntheticCorpus([template], seed=0).article(1)
    v, real = a.chunks[0].vector, template.chunks[0].vector
    assert np.linalg.norm(v) == pytest.approx(1.0, abs=1e-5)
    assert 0.9 < float(v @ real) < 0.9999
    sv = a.chunks[0].sentence_vectors
    assert np.linalg.norm(sv, axis=1) == pytest.approx(np.ones(3), abs=1e-5)


def test_templates_round_trip_through_the_cache(tmp_path: Path) -> None:
    template = _template()
    save_templates([template, template], tmp_path)
    loaded = load_templates(tmp_path)
    assert [t.text for t in loaded] == [TEXT, TEXT]
    assert loaded[1].statements == template.statements
    np.testing.assert_array_equal(
        loaded[1].chunks[0].sentence_vectors, template.chunks[0].sentence_vectors
    )
    assert SyntheticCorpus(loaded).article(4).text == SyntheticCorpus([template]).article(4).text


def test_templates_come_from_the_indexers_own_steps(tmp_path: Path) -> None:
    """embed_templates runs Indexer._start/_rows as `newsqa index` does: a change of their
    signatures breaks the scale benchmarks on a fresh cache, so it must break here."""
    from newsqa.index.settings import Settings
    from synthetic import embed_templates

    from tests.store_helpers import CountingEmbedder

    for i in range(2):
        (tmp_path / f"a{i}.txt").write_text(f"Headline {i}\n\n{TEXT}\n", encoding="utf-8")
    settings = Settings(store=tmp_path / "store", sample_dir=None)
    got = embed_templates(sorted(tmp_path.glob("*.txt")), CountingEmbedder(), settings)
    assert [t.title for t in got] == ["Headline 0", "Headline 1"]
    assert all(t.chunks and t.text.startswith("Tony Blair") for t in got)
    assert any(s.speaker == "Tony Blair" for t in got for s in t.statements)
