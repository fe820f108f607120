"""How newsqa schedules OpenVINO's forward passes while indexing: streams and batch sizes.

Two comparisons over the same real chunks (BBC articles through newsqa's own chunker, with their
headline prefixes), each variant timed in interleaved rounds (the table gives medians):

1. One stream over every core (OpenVINO's LATENCY hint, one pass at a time) against several
   single-threaded streams (THROUGHPUT hint, every pass queued at once), idle and beside a
   process that keeps one core busy, as a Chroma write does while the indexer embeds.
2. Batch sizes of 2 to 32 chunks, batched by character length (the old way) and by token count
   (newsqa's), with the share of padding tokens each leaves.

Usage (from the repo root)::

    python benchmarks/openvino_scheduling.py [--corpus ../shared/corpus/bbc] [--articles 150]

Results: a table on stdout, ``benchmarks/results/openvino_scheduling.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
from newsqa.index.settings import apply_process_defaults  # noqa: E402

apply_process_defaults()  # as the newsqa command does: before torch or OpenVINO load
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "bbc"
DEFAULT_OUT_DIR = REPO_ROOT / "benchmarks" / "results"


def busy(stop: Any) -> None:
    """Keep one core busy until told to stop."""
    while not stop.is_set():
        sum(range(10_000))


def chunk_texts(corpus: Path, articles: int) -> list[str]:
    """Headline prefix + text of every chunk of ``articles`` BBC articles, spread over the
    categories, exactly as the indexer feeds them to the model."""
    from newsqa.index.chunking import SentenceChunker
    from newsqa.index.embedding import Embedder
    from newsqa.index.indexer import Indexer
    from newsqa.index.loaders import load
    from newsqa.index.settings import Settings

    files = sorted(corpus.rglob("*.txt"))
    step = max(1, len(files) // articles)
    loaded = [a for a in load(files[::step][:articles], 10**7) if hasattr(a, "text")]
    settings = Settings()
    embedder = Embedder.from_settings(settings)
    indexer = Indexer.__new__(Indexer)  # only its chunking: no store needed
    indexer.embedder, indexer.settings = embedder, settings
    indexer.chunker = SentenceChunker(
        embedder.count_tokens, settings.chunk_tokens, settings.chunk_overlap_tokens
    )
    texts = []
    for article in loaded:
        prefix = indexer._prefix(article.title)
        texts += [
            prefix + article.text[c.start : c.end] for c in indexer.chunker.chunk(article.text)
        ]
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--articles", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    args = parser.parse_args()

    import openvino as ov
    from newsqa.index.embedding import (
        MAX_TOKENS,
        OPENVINO_INPUTS,
        Embedder,
        _conversion_key,
        choose_precision,
        cpu_description,
    )

    texts = chunk_texts(args.corpus, args.articles)
    cache = Path(tempfile.mkdtemp(prefix="newsqa-ov-"))
    embedder = Embedder(backend="openvino", cache_dir=cache)  # converts and saves the model
    tokenizer = embedder.tokenizer
    precision = "bf16" if str(choose_precision()).endswith("bfloat16") else "f32"
    core = ov.Core()
    model = core.read_model(cache / "openvino" / _conversion_key() / "model.xml")
    compiled = {
        "one stream, all cores (LATENCY)": core.compile_model(
            model, "CPU", {"INFERENCE_PRECISION_HINT": precision, "PERFORMANCE_HINT": "LATENCY"}
        ),
        "streams (THROUGHPUT, newsqa)": core.compile_model(
            model, "CPU", {"INFERENCE_PRECISION_HINT": precision, "PERFORMANCE_HINT": "THROUGHPUT"}
        ),
    }
    streams = {k: int(c.get_property("NUM_STREAMS")) for k, c in compiled.items()}

    def batches(size: int, by: str, group: int = 160) -> list[dict[str, Any]]:
        """Batches as the indexer builds them: sorted within groups of about 160 chunks."""
        out = []
        for g in range(0, len(texts), group):
            part = texts[g : g + group]
            if by == "chars":
                part = sorted(part, key=len)
            else:
                ids = tokenizer(part, truncation=True, max_length=MAX_TOKENS)["input_ids"]
                part = [t for _, t in sorted(zip(map(len, ids), part, strict=True))]
            for b in range(0, len(part), size):
                enc = tokenizer(
                    part[b : b + size],
                    padding=True,
                    truncation=True,
                    max_length=MAX_TOKENS,
                    return_tensors="np",
                )
                out.append({n: enc[n] for n in OPENVINO_INPUTS})
        return out

    def run_sync(c: Any, inputs: list[dict[str, Any]]) -> None:
        request = c.create_infer_request()
        for x in inputs:
            request.infer(x)

    def run_queued(c: Any, inputs: list[dict[str, Any]]) -> None:
        requests = [c.create_infer_request() for _ in inputs]
        for request, x in zip(requests, inputs, strict=True):
            request.start_async(x)
        for request in requests:
            request.wait()

    def timed(fn: Callable[[], None], loaded: bool) -> float:
        stop, proc = mp.Event(), None
        if loaded:
            proc = mp.Process(target=busy, args=(stop,))
            proc.start()
            time.sleep(0.2)
        t = time.perf_counter()
        fn()
        seconds = time.perf_counter() - t
        if proc is not None:
            stop.set()
            proc.join()
        return seconds

    real = sum(
        len(x) for x in tokenizer(texts, truncation=True, max_length=MAX_TOKENS)["input_ids"]
    )
    b32 = batches(32, "chars")
    run_queued(compiled["streams (THROUGHPUT, newsqa)"], b32)  # warm-up
    sched: dict[tuple[str, bool], list[float]] = {}
    variants = {
        "one stream, all cores (LATENCY)": lambda: run_sync(
            compiled["one stream, all cores (LATENCY)"], b32
        ),
        "streams (THROUGHPUT, newsqa)": lambda: run_queued(
            compiled["streams (THROUGHPUT, newsqa)"], b32
        ),
    }
    for _ in range(args.rounds):
        for loaded in (False, True):
            for name, fn in variants.items():
                sched.setdefault((name, loaded), []).append(timed(fn, loaded))
                print(f"  {name}, {'one core busy' if loaded else 'idle'}: done", file=sys.stderr)

    sizes = [
        (2, "tokens"),
        (4, "tokens"),
        (8, "tokens"),
        (32, "tokens"),
        (4, "chars"),
        (32, "chars"),
    ]
    inputs = {k: batches(*k) for k in sizes}
    padding = {k: sum(x["input_ids"].size for x in v) / real - 1 for k, v in inputs.items()}
    sizing: dict[tuple[int, str], list[float]] = {}
    queued = compiled["streams (THROUGHPUT, newsqa)"]
    for _ in range(args.rounds):
        for k in sizes:
            sizing.setdefault(k, []).append(timed(lambda k=k: run_queued(queued, inputs[k]), False))
        print("  batch sizes: round done", file=sys.stderr)

    base_sched = statistics.median(sched[("streams (THROUGHPUT, newsqa)", False)])
    base_size = statistics.median(sizing[(32, "chars")])
    lines = [
        "# OpenVINO scheduling while indexing",
        "",
        f"- date: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}",
        f"- command: `python benchmarks/openvino_scheduling.py --articles {args.articles}"
        f" --rounds {args.rounds}`",
        f"- CPU: {cpu_description()}",
        f"- precision: {precision}; streams: " + ", ".join(f"{k} {v}" for k, v in streams.items()),
        f"- workload: {len(texts)} chunks of {args.articles} BBC articles ({real} tokens), medians"
        f" of {args.rounds} interleaved rounds; load average now {os.getloadavg()}",
        "",
        "## One stream or several (batches of 32 by characters)",
        "",
        "| scheduling | CPU | seconds | ratio to streams, idle |",
        "|---|---|---:|---:|",
    ]
    for (name, loaded), runs in sched.items():
        m = statistics.median(runs)
        load = "one core busy" if loaded else "idle"
        lines.append(f"| {name} | {load} | {m:.2f} | {m / base_sched:.2f} |")
    lines += [
        "",
        "## Batch size (streams, every pass queued)",
        "",
        "| chunks per batch | sorted by | padding tokens | seconds | ratio to 32 by characters |",
        "|---:|---|---:|---:|---:|",
    ]
    for k, runs in sizing.items():
        m = statistics.median(runs)
        lines.append(f"| {k[0]} | {k[1]} | {padding[k]:.1%} | {m:.2f} | {m / base_size:.2f} |")
    report = "\n".join(lines) + "\n"
    print(report)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "openvino_scheduling.md").write_text(report, encoding="utf-8")
    data = {
        "cpu": cpu_description(),
        "precision": precision,
        "streams": streams,
        "chunks": len(texts),
        "tokens": real,
        "scheduling": [
            {"variant": n, "one_core_busy": b, "seconds": r} for (n, b), r in sched.items()
        ],
        "batch_sizes": [
            {"size": k[0], "sorted_by": k[1], "padding": padding[k], "seconds": r}
            for k, r in sizing.items()
        ],
    }
    (args.out_dir / "openvino_scheduling.json").write_text(json.dumps(data, indent=2) + "\n")
    print(f"wrote {args.out_dir / 'openvino_scheduling.md'} and .json")


if __name__ == "__main__":
    main()
