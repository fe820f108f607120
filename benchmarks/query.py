"""Query benchmark: retrieval and answer latency over an index of the whole corpus.

    python benchmarks/query.py [--store DIR] [--corpus ../shared/corpus] [--rounds 3]

Builds the store first if DIR has none (indexing ../shared/corpus). Reports retrieval p50/p95
(hybrid, dense, BM25), full extractive answer p50/p95 warm, and the wall time of a cold
`newsqa ask` process; prints a table and writes benchmarks/results/query.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.chain import Assistant  # noqa: E402
from index.embedding import Embedder, cpu_description  # noqa: E402
from index.indexer import Indexer  # noqa: E402
from index.settings import Settings  # noqa: E402
from index.store import MANIFEST, Store  # noqa: E402

TARGETS = {"retrieval_p50_ms": 30.0, "answer_p50_ms": 250.0}


def questions() -> list[str]:
    data = json.loads((ROOT / "tests" / "eval" / "qa.json").read_text(encoding="utf-8"))
    return [q["question"] for q in data if not q.get("history")]


def pct(xs: list[float], p: float) -> float:
    return float(np.percentile(xs, p))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=ROOT / "benchmarks" / ".stores" / "full")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    print(f"CPU: {cpu_description()}; torch threads {torch.get_num_threads()}")
    settings = Settings(store=args.store, sample_dir=None)
    embedder = Embedder(settings.embed_precision, settings.embed_batch_size)
    print(f"embedding precision: {embedder.precision}; python {platform.python_version()}")
    if not (args.store / MANIFEST).exists():
        print(f"building the store from {args.corpus} ...", flush=True)
        with Store(args.store, write=True) as store:
            print(Indexer(store, embedder, settings).index_paths([args.corpus]).summary())

    qs = questions()
    with Store(args.store, write=False) as store:
        assistant = Assistant(store, embedder, settings)
        n_articles, n_chunks = store.count(), store.chunks.count()
        assistant.ask(qs[0])  # warm: model, BM25 load, Chroma segments
        retrieval: dict[str, list[float]] = {"hybrid": [], "dense": [], "lexical": []}
        answer: list[float] = []
        for _ in range(args.rounds):
            for q in qs:
                for mode in retrieval:
                    t = time.perf_counter()
                    assistant.retriever.search(q, settings.top_k, mode)
                    retrieval[mode].append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                assistant.ask(q)
                answer.append((time.perf_counter() - t) * 1000)
        # The first retrieval of a question also embeds it; measure that separately.
        fresh = []
        for i, q in enumerate(qs):
            t = time.perf_counter()
            assistant.retriever.search(f"{q} ({i})", settings.top_k, "hybrid")
            fresh.append((time.perf_counter() - t) * 1000)

    cold = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "newsqa", "ask", qs[0], "--json", "--store", str(args.store)],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        cold.append(time.perf_counter() - t)

    rows = {
        "retrieval hybrid, question embedded (ms)": fresh,
        "retrieval hybrid, warm (ms)": retrieval["hybrid"],
        "retrieval dense, warm (ms)": retrieval["dense"],
        "retrieval BM25, warm (ms)": retrieval["lexical"],
        "full extractive answer, warm (ms)": answer,
        "cold `newsqa ask` process (s)": cold,
    }
    print(f"\n{n_articles} articles, {n_chunks} chunks, {len(qs)} questions x {args.rounds}")
    print(f"{'measure':44} {'p50':>9} {'p95':>9}")
    table = []
    for name, xs in rows.items():
        p50, p95 = pct(xs, 50), pct(xs, 95)
        table.append({"measure": name, "p50": round(p50, 2), "p95": round(p95, 2), "n": len(xs)})
        print(f"{name:44} {p50:9.2f} {p95:9.2f}")
    checks = {
        "retrieval p50 <= 30 ms (question embedded)": pct(fresh, 50) <= 30,
        "answer p50 <= 250 ms warm": pct(answer, 50) <= 250,
    }
    for name, ok in checks.items():
        print(f"target {name}: {'PASS' if ok else 'FAIL'}")
    result = {
        "command": "python benchmarks/query.py",
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "cpu": cpu_description(),
        "precision": embedder.precision,
        "articles": n_articles,
        "chunks": n_chunks,
        "load_average": list(__import__("os").getloadavg()),
        "rows": table,
        "targets": checks,
        "mean_answer_ms": statistics.mean(answer),
    }
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "query.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    md = [
        f"CPU: {result['cpu']}; precision {result['precision']}; {n_articles} articles, "
        f"{n_chunks} chunks; `python benchmarks/query.py`, {result['date']}",
        "",
        "| measure | p50 | p95 |",
        "|---|---:|---:|",
    ]
    md += [f"| {r['measure']} | {r['p50']:.1f} | {r['p95']:.1f} |" for r in table]
    (out / "query.md").write_text("\n".join(md) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
