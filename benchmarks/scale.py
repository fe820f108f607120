"""Scale benchmark: the store at 10k, 100k (and 1M) chunks, written through its own write path.

Usage (from the repo root)::

    python benchmarks/scale.py [--sizes 10000,100000] [--out-dir benchmarks/results/scale-NAME]

Embedding a million chunks takes hours on 2 cores, so the corpus is synthetic and deterministic
(benchmarks/synthetic.py): the BBC corpus is chunked and embedded once by the indexer's own steps
(cached as .npy under ``--cache-dir``), and synthetic article ``i`` is one of its articles with
person names swapped, digits permuted and vectors perturbed. Articles are written with
``Store.save`` in groups of 48, as the indexer writes them. Embedding throughput is measured
apart, on a sample of articles, and reported next to the write throughput.

Measured at each size, in a fresh store:

- write throughput (chunks/s through ``Store.save``) and store size on disk;
- the first search after the bulk write, which builds the lexical follower (tantivy) from every
  row: a one-off, timed apart and before every other search;
- adding one article and removing one (``Store.save`` / ``Store.delete_articles``), p50/p95,
  each followed by a lexical search that brings the follower up to date (timed apart);
- retrieval through the real ``HybridRetriever`` (question embedded, as ``newsqa ask`` does),
  its parts (the question's embedding alone; the same search with the vector cached), dense and
  lexical search alone, and the full extractive answer (``Assistant.ask``), p50/p95, over the
  standalone questions of tests/eval/qa.json; then the retrieval again over the same questions
  (``retrieval_repeat``: the pages the first pass read are cached);
- app memory: peak RSS of a fresh process that imports Gradio, opens the store through
  ``Services`` and answers ``--app-questions`` questions;
- cold start: wall time of a fresh ``newsqa ask --json`` process.

Rows are merged into ``<out-dir>/scale.json`` by size (a later run of one size replaces that
row only), then ``scale.md`` and ``scale.png`` are rewritten from all rows. Each row records its
date, git commit and load average: on a shared machine absolute times move with others' load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from newsqa.index.settings import Settings, apply_process_defaults  # noqa: E402

apply_process_defaults()  # as the newsqa command does: before torch or OpenVINO load

import newsqa.index.embedding as embedding_mod  # noqa: E402
from newsqa.assistant.chain import Assistant  # noqa: E402
from newsqa.index.embedding import Embedder, cpu_description  # noqa: E402
from newsqa.index.store import Store  # noqa: E402
from synthetic import SyntheticCorpus, cached_templates, embed_templates  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "bbc"
QUESTIONS = ROOT / "tests" / "eval" / "qa.json"
OUT_DIR = ROOT / "benchmarks" / "results" / "scale-run"
CACHE_DIR = ROOT / "benchmarks" / ".stores" / "scale-cache"
GROUP = 48  # articles per Store.save, as the indexer groups them
TARGETS_1M = {"edit_s": 1.0, "retrieval_p50_ms": 50.0, "app_memory_gib": 4.0}

# A fresh process holding what the app holds (Gradio imported, the store open through
# Services, the model loaded) after answering a few questions: its peak RSS is the app's memory.
APP_PROCESS = """
import json, resource, sys, time
t = time.perf_counter()
from newsqa.index.settings import apply_process_defaults, load_settings
apply_process_defaults()
import gradio  # noqa: F401  the app's UI library, resident in the app
from newsqa.services import Services
with Services(load_settings(store=sys.argv[1], llm="extractive")) as services:
    for q in json.loads(sys.argv[2]):
        services.assistant.ask(q)
        print(f"answered in {time.perf_counter() - t:.2f}s", file=sys.stderr)
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
kb = {k: int(status[k].split()[0]) for k in ("RssAnon", "RssFile") if k in status}
print(json.dumps({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "seconds": time.perf_counter() - t, **{k: v / 1024 for k, v in kb.items()}}))
"""


def parse_sizes(text: str) -> list[int]:
    """``10000,100000`` or ``10k,100k,1m``."""
    out = []
    for part in text.replace(" ", "").split(","):
        mult = {"k": 1_000, "m": 1_000_000}.get(part[-1:].lower(), 1)
        out.append(int(float(part[:-1] if mult > 1 else part) * mult))
    return out


def load_questions(path: Path) -> list[str]:
    """Questions of the evaluation set that stand alone (no chat history)."""
    return [q["question"] for q in json.loads(path.read_text("utf-8")) if not q.get("history")]


def stats(seconds: list[float]) -> dict[str, float]:
    ms = np.array(seconds) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "max_ms": round(float(ms.max()), 2),
        "n": len(ms),
    }


def timed(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def size_of(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def git_commit() -> str:
    proc = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return proc.stdout.strip()


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def run(cmd: list[str], what: str) -> tuple[float, str]:
    """Wall seconds and stdout of a subprocess run from the repo root."""
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{what} failed: {proc.stderr.strip()[-1200:]}")
    return seconds, proc.stdout


def fill(store: Store, corpus: SyntheticCorpus, target: int) -> tuple[int, float]:
    """Write synthetic articles until the store holds ``target`` chunks; (chunks, seconds)."""
    i, chunks, write_s = 0, 0, 0.0
    report = time.perf_counter() + 60
    while chunks < target:
        group = []
        while chunks < target and len(group) < GROUP:
            group.append(corpus.article(i))
            chunks += len(group[-1].chunks)
            i += 1
        write_s += timed(lambda g=group: store.save(g))
        if time.perf_counter() > report:
            print(f"  {chunks:,} chunks, {chunks / write_s:,.0f} chunks/s", flush=True)
            report = time.perf_counter() + 60
    return chunks, write_s


def run_size(
    target: int,
    corpus: SyntheticCorpus,
    embedder: Embedder,
    qs: list[str],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Fill a fresh store to ``target`` chunks and measure it."""
    folder = Path(tempfile.mkdtemp(prefix=f"newsqa-scale-{target}-", dir=args.work_dir))
    path = folder / "store"
    row: dict[str, Any] = {
        "target_chunks": target,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "load_start": load(),
    }
    settings = Settings(store=path, sample_dir=None, llm="extractive")
    try:
        with Store(path, write=True) as store:
            chunks, write_s = fill(store, corpus, target)
            row.update(articles=store.count(), chunks=store.chunk_count())
            row["write_chunks_per_s"] = round(chunks / write_s, 1)
            row["write_s"] = round(write_s, 1)
            print(f"  written: {row['chunks']:,} chunks in {write_s:.0f}s", flush=True)
            # The first search after the bulk write builds the lexical follower (tantivy, from
            # every row): a one-off, timed here and so kept out of every search timing below.
            build_s = timed(lambda: store.lexical.search(qs[0], 30))
            row["follower"] = store.lexical.follower() is not None
            row["follower_build_s"] = round(build_s, 2)
            print(f"  first search (follower build): {build_s:.1f}s", flush=True)
            # Edits as the app sees them after a search: the first write also trims the lexical
            # log the follower now holds. Each edit is followed by a lexical search, which
            # brings the follower up to date (its cost is the edit's, paid by the next search).
            adds, removes, after = [], [], []
            for e in range(args.edits):
                extra = corpus.article(100_000_000 + e)  # never among the filled ones
                q = qs[e % len(qs)]
                adds.append(timed(lambda a=extra: store.save([a])))
                after.append(timed(lambda q=q: store.lexical.search(q, 30)))
                removes.append(timed(lambda a=extra: store.delete_articles([a.id])))
                after.append(timed(lambda q=q: store.lexical.search(q, 30)))
            row["add_one"], row["remove_one"] = stats(adds), stats(removes)
            row["search_after_edit"] = stats(after)
            row["edit_samples_ms"] = {
                "add": [round(x * 1000, 1) for x in adds],
                "remove": [round(x * 1000, 1) for x in removes],
            }
            assistant = Assistant(store, embedder, settings)
            retriever, k = assistant.retriever, settings.top_k
            for q in qs[:3]:  # first kernel shapes, Chroma segments, FTS pages
                assistant.ask(q)
            measures: dict[str, list[float]] = {
                "retrieval": [],
                "question_embedding": [],
                "retrieval_cached": [],
                "dense": [],
                "lexical": [],
                "answer": [],
                "retrieval_repeat": [],
            }
            row["load_searches"] = load()
            for q in qs:
                embedding_mod._cached_query_impl.cache_clear()
                measures["retrieval"].append(timed(lambda q=q: retriever.search(q, k, "hybrid")))
                # The parts: the question's embedding alone, then the same hybrid search with
                # its vector cached (dense + lexical + fusion + the chosen chunks' rows).
                embedding_mod._cached_query_impl.cache_clear()
                measures["question_embedding"].append(timed(lambda q=q: embedder.query_vector(q)))
                measures["retrieval_cached"].append(
                    timed(lambda q=q: retriever.search(q, k, "hybrid"))
                )
                vector = embedder.query_vector(q)
                measures["dense"].append(timed(lambda v=vector: store.dense_search(v, 30)))
                measures["lexical"].append(timed(lambda q=q: store.lexical.search(q, 30)))
                embedding_mod._cached_query_impl.cache_clear()
                measures["answer"].append(timed(lambda q=q: assistant.ask(q)))
            for q in qs:  # a second pass, question embedded again: pages read once are cached
                embedding_mod._cached_query_impl.cache_clear()
                measures["retrieval_repeat"].append(
                    timed(lambda q=q: retriever.search(q, k, "hybrid"))
                )
            row["load_searches_end"] = load()
            for name, xs in measures.items():
                row[name] = stats(xs)
        row["store_mb"] = round(size_of(path) / 1e6, 1)
        print("  app process ...", flush=True)
        _, out = run(
            [
                sys.executable,
                "-c",
                APP_PROCESS,
                str(path),
                json.dumps(qs[: args.app_questions]),
            ],
            "app process",
        )
        app = json.loads(out.strip().splitlines()[-1])
        row["app_rss_mb"] = round(app["peak_rss_mb"], 1)
        # At the end: anonymous memory (heap, HNSW index, model) vs file pages (mapped files).
        row["app_rss_anon_mb"] = round(app.get("RssAnon", float("nan")), 1)
        row["app_rss_file_mb"] = round(app.get("RssFile", float("nan")), 1)
        row["app_questions"] = args.app_questions
        colds = []
        for _ in range(args.cold):
            cmd = [sys.executable, "-m", "newsqa", "ask", qs[0], "--json", "--store", str(path)]
            colds.append(run([*cmd, "--llm", "extractive"], "cold ask")[0])
        row["cold_ask_s"] = round(float(np.median(colds)), 2)
        row["load_end"] = load()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return row


def embedding_rate(files: list[Path], embedder: Embedder, settings: Settings) -> dict[str, Any]:
    """Chunks/s of the indexer's chunk-and-embed steps on a sample of articles."""
    t = time.perf_counter()
    sample = embed_templates(files, embedder, settings)
    seconds = time.perf_counter() - t
    n = sum(len(s.chunks) for s in sample)
    return {"articles": len(sample), "chunks": n, "chunks_per_s": round(n / seconds, 1)}


def pair(d: dict[str, float]) -> str:
    return f"{d['p50_ms']:,.1f} / {d['p95_ms']:,.1f}"


def opt(row: dict[str, Any], key: str) -> str:
    """``pair`` of a measure that older rows lack."""
    return pair(row[key]) if key in row else "-"


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| chunks | articles | write chunks/s | store MB | add one p50/p95 ms | "
        "remove one p50/p95 ms | retrieval p50/p95 ms | question embedding p50/p95 ms | "
        "retrieval, vector cached p50/p95 ms | dense k=30 p50/p95 ms | "
        "lexical k=30 p50/p95 ms | answer p50/p95 ms | app RSS MB | cold ask s | "
        "follower build s | search after edit p50/p95 ms | load |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['chunks']:,} | {r['articles']:,} | {r['write_chunks_per_s']:,.0f} | "
            f"{r['store_mb']:,} | {pair(r['add_one'])} | {pair(r['remove_one'])} | "
            f"{pair(r['retrieval'])} | {opt(r, 'question_embedding')} | "
            f"{opt(r, 'retrieval_cached')} | "
            f"{pair(r['dense'])} | {pair(r['lexical'])} | "
            f"{pair(r['answer'])} | {r['app_rss_mb']:,.0f} | {r['cold_ask_s']} | "
            f"{r.get('follower_build_s', '-')} | {opt(r, 'search_after_edit')} | "
            f"{r['load_start'][0]} -> {r['load_end'][0]} |"
        )
    return "\n".join(lines)


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    """Six panels against chunks (log axes); dashed lines are the 1M-chunk targets."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = [r["chunks"] for r in rows]
    fig, axes = plt.subplots(2, 3, figsize=(12, 6.5), dpi=80)

    def panel(ax: Any, title: str, series: dict[str, list[float]], target: float | None = None):
        for name, ys in series.items():
            ax.plot(x, ys, marker="o", label=name)
        if target is not None:
            ax.axhline(target, color="grey", linestyle="--", linewidth=1, label="target at 1M")
        ax.set_xscale("log")
        ax.set_title(title, fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)

    p50 = lambda key: [r[key]["p50_ms"] for r in rows]  # noqa: E731
    p95 = lambda key: [r[key]["p95_ms"] for r in rows]  # noqa: E731
    panel(
        axes[0][0],
        "write throughput (chunks/s)",
        {"Store.save": [r["write_chunks_per_s"] for r in rows]},
    )
    panel(axes[0][1], "store on disk (MB)", {"store": [r["store_mb"] for r in rows]})
    panel(
        axes[0][2],
        "one edit (ms)",
        {
            "add p50": p50("add_one"),
            "add p95": p95("add_one"),
            "remove p50": p50("remove_one"),
            "search after edit p50": [
                r.get("search_after_edit", {}).get("p50_ms", float("nan")) for r in rows
            ],
        },
        TARGETS_1M["edit_s"] * 1000,
    )
    panel(
        axes[1][0],
        "retrieval (ms)",
        {"hybrid p50": p50("retrieval"), "hybrid p95": p95("retrieval"), "dense p50": p50("dense"),
         "lexical p50": p50("lexical"),
         "hybrid, vector cached p50": [r.get("retrieval_cached", {}).get("p50_ms", float("nan"))
                                       for r in rows]},
        TARGETS_1M["retrieval_p50_ms"],
    )  # fmt: skip
    panel(axes[1][1], "extractive answer (ms)", {"p50": p50("answer"), "p95": p95("answer")})
    panel(
        axes[1][2],
        "app memory (MB) and cold ask (s x 100)",
        {"app RSS MB": [r["app_rss_mb"] for r in rows],
         "cold ask s x 100": [r["cold_ask_s"] * 100 for r in rows]},
        TARGETS_1M["app_memory_gib"] * 1024,
    )  # fmt: skip
    for ax in axes[1]:
        ax.set_xlabel("chunks in the store")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=parse_sizes, default=[10_000, 100_000])
    parser.add_argument("--edits", type=int, default=10, help="single adds and removes timed")
    parser.add_argument("--questions", type=int, default=40, help="timed questions per size")
    parser.add_argument("--app-questions", type=int, default=5)
    parser.add_argument("--cold", type=int, default=3, help="cold `newsqa ask` runs (median)")
    parser.add_argument("--embed-sample", type=int, default=60, help="articles embedded for rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    parser.add_argument("--work-dir", type=Path, default=None, help="where stores are built")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = parser.parse_args()
    command = "python benchmarks/scale.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    settings = Settings(sample_dir=None)
    embedder = Embedder.from_settings(settings)
    print(f"CPU: {cpu_description()}; load average {load()}", flush=True)
    files = sorted(args.corpus.rglob("*.txt"))
    templates, embed_s = cached_templates(files, embedder, settings, args.cache_dir)
    n_chunks = sum(len(t.chunks) for t in templates)
    print(
        f"{len(templates)} templates, {n_chunks:,} chunks "
        + (f"embedded in {embed_s:.0f}s" if embed_s else "from the cache")
        + f" ({embedder.describe()})",
        flush=True,
    )
    rate = embedding_rate(files[:: max(1, len(files) // args.embed_sample)], embedder, settings)
    print(f"embedding: {rate['chunks_per_s']} chunks/s on {rate['chunks']} chunks", flush=True)
    corpus = SyntheticCorpus(templates, seed=args.seed)
    qs = load_questions(QUESTIONS)[: args.questions]

    out = args.out_dir / "scale.json"
    old = json.loads(out.read_text("utf-8")) if out.exists() else {"rows": []}
    rows = {r["target_chunks"]: r for r in old["rows"]}
    for target in args.sizes:
        print(f"size {target:,} chunks ...", flush=True)
        row = run_size(target, corpus, embedder, qs, args)
        row["embedding"] = rate
        row["command"] = command
        rows[target] = row
        print(json.dumps(row), flush=True)
        write(args.out_dir, sorted(rows.values(), key=lambda r: r["chunks"]), embedder, templates)
    print(table(sorted(rows.values(), key=lambda r: r["chunks"])))


def write(out_dir: Path, rows: list[dict[str, Any]], embedder: Embedder, templates: list) -> None:
    """scale.json, scale.md and scale.png from every row measured so far."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result = {
        "cpu": cpu_description(),
        "embedding_backend": embedder.describe(),
        "templates": {"articles": len(templates), "chunks": sum(len(t.chunks) for t in templates)},
        "targets_at_1m_chunks": TARGETS_1M,
        "rows": rows,
    }
    (out_dir / "scale.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    commands = sorted({r["command"] for r in rows})
    embed = ", ".join(f"{r['embedding']['chunks_per_s']:,.0f}" for r in rows)
    (out_dir / "scale.md").write_text(
        f"# Scale benchmark\n\n- CPU: {result['cpu']}\n- embedding: {result['embedding_backend']}, "
        f"{embed} chunks/s (per row, measured apart on a sample)\n- commands: "
        + "; ".join(f"`{c}`" for c in commands)
        + "\n- rows: "
        + "; ".join(f"{r['chunks']:,} at {r['date']} ({r['commit']})" for r in rows)
        + f"\n\n{table(rows)}\n",
        encoding="utf-8",
    )
    plot(rows, out_dir / "scale.png")


if __name__ == "__main__":
    main()
