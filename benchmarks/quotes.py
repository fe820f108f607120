"""Quotes benchmark: statement extraction cost per article, and ``newsqa quotes`` latency.

Usage (from the repo root)::

    python benchmarks/quotes.py [--store DIR] [--corpus ../shared/corpus] [--rounds 20]

1. Extraction: ``extract_statements`` over every article of the corpus, alternating with the
   chunker's sentence split of the same article (blingfire, the cheapest step ingestion already
   does) as the side-by-side baseline; reports ms/article of both and their ratio, and the
   extraction's seconds for the whole corpus (the ingestion benchmark's time is the reference
   for the "at most 10% more" target: see docs/benchmarks.md).
2. Quotes: ``newsqa quotes`` run in process (typer's CliRunner, the command's own code: store
   open, statements read, filters, output) on a store of the whole corpus, for a speaker, a
   topic, a date range and everything; p50/p95 per query (target p50 <= 100 ms).

``--store`` names a store of the whole corpus; when it is missing or empty one is built there
with a model-free embedder (statements do not depend on vectors, so the figure is the same).
Results: a table on stdout and ``benchmarks/results/quotes.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))


def _articles(corpus: Path) -> list[str]:
    from newsqa.index.loaders import load

    return [a.text for a in load([corpus], 10_000_000) if hasattr(a, "text")]


def extraction(texts: list[str]) -> dict[str, float]:
    import blingfire
    from newsqa.index.statements import extract_statements

    extract_statements(texts[0])  # compile patterns, load word lists
    ours, base, n, cpu = 0.0, 0.0, 0, 0.0
    for text in texts:
        c0 = time.process_time()
        t0 = time.perf_counter()
        n += len(extract_statements(text))
        t1 = time.perf_counter()
        cpu += time.process_time() - c0
        blingfire.text_to_sentences_and_offsets(text)
        t2 = time.perf_counter()
        ours, base = ours + t1 - t0, base + t2 - t1
    return {
        "articles": len(texts),
        "statements": n,
        "extract_s": round(ours, 2),
        "extract_ms_per_article": round(1000 * ours / len(texts), 2),
        # CPU time moves less than wall time with other processes' load.
        "extract_cpu_ms_per_article": round(1000 * cpu / len(texts), 2),
        "sentence_split_ms_per_article": round(1000 * base / len(texts), 2),
        "ratio_to_sentence_split": round(ours / base, 1) if base else float("nan"),
    }


def build_store(store: Path, corpus: Path) -> None:
    from fakes import FakeEmbedder
    from newsqa.index.indexer import Indexer
    from newsqa.index.settings import load_settings
    from newsqa.index.store import open_store

    settings = load_settings(store=str(store))
    with open_store(store, write=True) as s:
        report = Indexer(s, FakeEmbedder(), settings).index_paths([corpus])
    print(report.summary())


def quotes_latency(store: Path, rounds: int) -> dict[str, dict[str, float]]:
    from typer.testing import CliRunner

    from newsqa.cli import app

    runner = CliRunner()
    queries = {
        "speaker": ["--speaker", "Blair", "--json"],
        "about": ["--about", "interest rates", "--json"],
        "since_until": ["--since", "2024-02-01", "--until", "2024-03-31", "--json"],
        "everything": ["--json"],
    }
    out = {}
    for name, args in queries.items():
        times = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            got = runner.invoke(app, ["quotes", "--store", str(store), *args])
            times.append(1000 * (time.perf_counter() - t0))
            assert got.exit_code == 0, got.output
        out[name] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(sorted(times)[int(0.95 * (len(times) - 1))], 1),
            "groups": len(json.loads(got.output)),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--store", type=Path, default=REPO / "benchmarks" / ".stores" / "quotes")
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    result = {"load_average": os.getloadavg()}
    result["extraction"] = extraction(_articles(args.corpus))
    if not args.store.exists() or not any(args.store.iterdir()):
        args.store.mkdir(parents=True, exist_ok=True)
        build_store(args.store, args.corpus)
    result["quotes"] = quotes_latency(args.store, args.rounds)
    print(json.dumps(result, indent=1))
    dest = REPO / "benchmarks" / "results" / "quotes.json"
    dest.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
