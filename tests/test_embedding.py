"""The embedding backends, with the real bundled model: OpenVINO (the default where installed)
must give the vectors torch gives, and must not reach for the network."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from newsqa.index.embedding import Embedder, choose_backend
from newsqa.index.settings import Settings

TEXTS = [
    "What did Scholz say about ground troops?",
    "NATO has no plans to send combat troops to Ukraine, Jens Stoltenberg told the Associated "
    "Press. " * 3,
    "short",
]


@pytest.fixture(scope="module")
def reference() -> Embedder:
    """torch in fp32: the model as its authors run it."""
    return Embedder(precision="fp32", backend="torch")


@pytest.mark.integration
def test_auto_picks_openvino_when_installed(embedder) -> None:
    pytest.importorskip("openvino")
    assert choose_backend("auto") == "openvino"
    assert embedder.backend == "openvino"
    assert choose_backend("torch") == "torch"


def test_settings_choose_the_backend(monkeypatch) -> None:
    monkeypatch.setenv("NEWSQA_EMBED_BACKEND", "torch")
    monkeypatch.setenv("NEWSQA_EMBED_PRECISION", "fp32")
    embedder = Embedder.from_settings(Settings())
    assert embedder.describe() == "torch fp32"
    assert embedder.batch_size == 32  # OpenVINO's default is 4: it runs any shape, unpadded


@pytest.mark.integration
def test_backends_agree_on_texts(embedder, reference) -> None:
    got, want = embedder.encode(TEXTS), reference.encode(TEXTS)
    assert got.shape == want.shape == (3, 384)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert (got * want).sum(axis=1).min() > 0.999
    # A text's vector does not depend on the longer texts padded into its batch.
    alone = embedder.encode([TEXTS[2]])[0]
    assert float(alone @ got[2]) > 0.9999


@pytest.mark.integration
def test_backends_agree_on_chunks_and_sentences(embedder, reference) -> None:
    text = "Scholz ruled out ground troops. He spoke in Freiburg on Tuesday."
    spans = [(0, 31), (32, len(text))]
    got = embedder.embed_chunks(["NATO\n"], [text], [spans])[0]
    want = reference.embed_chunks(["NATO\n"], [text], [spans])[0]
    assert float(got.vector @ want.vector) > 0.999
    assert got.sentences.shape == (2, 384)
    assert (got.sentences * want.sentences).sum(axis=1).min() > 0.999
    # Each sentence vector is its own: the two sentences differ.
    assert float(got.sentences[0] @ got.sentences[1]) < 0.95


@pytest.mark.integration
def test_openvino_telemetry_is_off(embedder) -> None:
    """OpenVINO's converter would report usage over the network; newsqa stubs it out."""
    pytest.importorskip("openvino")
    assert sys.modules.get("openvino_telemetry", None) is None
    with pytest.raises(ImportError):
        import openvino_telemetry  # noqa: F401


@pytest.mark.integration
def test_chunks_come_back_in_input_order(embedder) -> None:
    """Chunks are batched by length; the vectors must still line up with the input."""
    texts = [
        "A much longer chunk about ground troops in Ukraine. " * 4,
        "Short one.",
        "Medium text.",
    ]
    spans = [[(0, len(t))] for t in texts]
    together = embedder.embed_chunks([""] * 3, texts, spans)
    for text, span, got in zip(texts, spans, together, strict=True):
        alone = embedder.embed_chunks([""], [text], [span])[0]
        assert float(alone.vector @ got.vector) > 0.9999


TOPICS = ["ground troops", "the budget", "a football final", "interest rates", "a film award"]


@pytest.mark.integration
def test_jobs_in_flight_together_keep_their_own_vectors(embedder, reference) -> None:
    """The indexer starts one group's forward passes before it collects the last group's, and
    finished infer requests are reused: each job must still get its own vectors, in order."""
    texts = [f"Story {i} is about {TOPICS[i % 5]}. " * (1 + i % 4) for i in range(23)]
    groups = [texts[:9], texts[9:17], texts[17:]]  # several batches each

    def start(group: list[str]):
        spans = [[(0, len(t))] for t in group]
        return embedder.start_batches(embedder.tokenize_chunks([""] * len(group), group, spans))

    first, second = start(groups[0]), start(groups[1])
    got = [first.result()]
    third = start(groups[2])  # takes the requests the first job gave back, while the second runs
    got += [second.result(), third.result()]
    want = reference.encode(texts)
    vectors = np.stack([chunk.vector for job in got for chunk in job])
    assert (vectors * want).sum(axis=1).min() > 0.999
    # encode() over several batches lines up too.
    assert (embedder.encode(texts) * want).sum(axis=1).min() > 0.999


@pytest.mark.integration
def test_the_converted_model_is_kept_between_runs(embedder, tmp_path) -> None:
    pytest.importorskip("openvino")
    first = Embedder(backend="openvino", cache_dir=tmp_path)
    assert not (tmp_path / "openvino").exists()  # nothing loads before the first embedding
    first.encode(TEXTS)
    saved = list((tmp_path / "openvino").glob("*/model.xml"))
    assert len(saved) == 1 and saved[0].with_suffix(".bin").stat().st_size > 10_000_000
    assert not [p for p in (tmp_path / "openvino").iterdir() if p != saved[0].parent]  # no temp
    second = Embedder(backend="openvino", cache_dir=tmp_path)
    want = embedder.encode(TEXTS)
    for e in (first, second):
        assert (e.encode(TEXTS) * want).sum(axis=1).min() > 0.99999
    # A damaged entry is converted again, not trusted.
    saved[0].write_text("not a model")
    third = Embedder(backend="openvino", cache_dir=tmp_path)
    assert (third.encode(TEXTS) * want).sum(axis=1).min() > 0.99999
    assert saved[0].read_text().startswith("<?xml")


def test_asking_for_openvino_without_it_is_a_clear_error(monkeypatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "openvino" else real(name, *a)
    )
    assert choose_backend("auto") == "torch"
    with pytest.raises(RuntimeError, match="NEWSQA_EMBED_BACKEND=torch"):
        choose_backend("openvino")


def test_nothing_loads_until_something_is_embedded(tmp_path) -> None:
    e = Embedder(cache_dir=tmp_path)
    assert not e.loaded and e.describe() and e.batch_size > 0
    assert not (tmp_path / "openvino").exists()
    assert e.encode([]).shape == (0, 384) and not e.loaded


QUESTION_PROCESS = """
import json, sys
from newsqa.index.settings import apply_process_defaults
apply_process_defaults()
from newsqa.index.embedding import Embedder
e = Embedder(backend="openvino", cache_dir=sys.argv[1])
v = e.query_vector(sys.argv[2])
print(json.dumps({"torch": "torch" in sys.modules, "transformers": "transformers" in sys.modules,
                  "vector": v.tolist()}))
"""


@pytest.mark.integration
def test_a_question_is_embedded_without_torch(embedder, reference, tmp_path) -> None:
    """With OpenVINO and the converted model cached, the question path imports neither torch
    nor transformers (a cold `newsqa ask` would pay seconds for them), and its vector is
    torch's; the second start finds OpenVINO's compiled model in the cache too."""
    import json
    import subprocess

    pytest.importorskip("openvino")
    Embedder(backend="openvino", cache_dir=tmp_path).encode(TEXTS[:1])  # converts, caches
    for _ in range(2):
        proc = subprocess.run(
            [sys.executable, "-c", QUESTION_PROCESS, str(tmp_path), TEXTS[1]],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        got = json.loads(proc.stdout.strip().splitlines()[-1])
        assert not got["torch"] and not got["transformers"]
        assert float(np.asarray(got["vector"]) @ reference.encode([TEXTS[1]])[0]) > 0.999
    assert list((tmp_path / "openvino").glob("*/compiled/*.blob"))
    # In process too: the numpy question path gives what the chunk path (torch pooling) gives.
    chunk = embedder.embed_chunks([""], [TEXTS[0]], [[(0, len(TEXTS[0]))]])[0]
    assert float(embedder.query_vector(TEXTS[0]) @ chunk.vector) > 0.9999


@pytest.mark.integration
def test_an_unchanged_reindex_and_a_remove_never_load_the_model(embedder, tmp_path) -> None:
    """The first run embeds; a second run over the same files, and a removal, in a process with
    a fresh embedder, never load any part of the model."""
    from newsqa.index.indexer import Indexer
    from newsqa.index.store import Store

    for n in range(3):
        (tmp_path / f"a{n}.txt").write_text(f"Story {n}\n\n{TEXTS[1]} Part {n}.", encoding="utf-8")
    settings = Settings(store=tmp_path / "store", sample_dir=None, cache_dir=tmp_path / "cache")
    with Store(settings.store, write=True) as store:
        first = Indexer(store, embedder, settings).index_paths([tmp_path])
        assert len(first.added) == 3
        fresh = Embedder.from_settings(settings)
        again = Indexer(store, fresh, settings).index_paths([tmp_path])
        assert len(again.unchanged) == 3 and not again.added and not again.updated
        assert Indexer(store, fresh, settings).remove(str(tmp_path / "a0.txt"))
        assert not fresh.loaded and fresh.forward_passes == 0
        assert not (tmp_path / "cache").exists()


@pytest.mark.integration
def test_prefetch_embeds_in_the_background_into_the_cache(tmp_path) -> None:
    import threading

    e = Embedder(cache_dir=tmp_path)
    done = threading.Event()
    got: list[np.ndarray] = []
    e.prefetch(TEXTS[0], lambda v: (got.append(v), done.set()))
    assert done.wait(300) and e.loaded
    passes = e.forward_passes
    assert np.array_equal(e.query_vector(TEXTS[0]), got[0])  # from the cache: no new pass
    assert e.forward_passes == passes
