"""What statement extraction adds to ingestion: the whole index with and without it, side by side.

Usage (from the repo root)::

    python benchmarks/statements_cost.py [--corpus ../shared/corpus/bbc] [--repeat 2]

Each run indexes the corpus into a fresh temporary store in its own interpreter (the model
loaded before the clock starts), alternately with statements (as shipped) and without them
(``index.indexer.extract_statements`` set to None, which the indexer treats as "no extractor").
Issue 13's target: extraction adds at most 10% to the ingestion time. The share from the
ingestion benchmark's own timer (benchmarks/ingest.py) overstates it on 2 cores, where the
extraction's Python and the model's threads wait for each other; this compares whole runs.

Results: a table on stdout and ``benchmarks/results/statements_cost.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "results" / "statements_cost.json"
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "bbc"


def child(corpus: Path, store: Path, statements: bool) -> None:
    """Index ``corpus`` into ``store``; print the seconds from the first file to the last write."""
    from newsqa.index import indexer as indexer_mod
    from newsqa.index.embedding import Embedder
    from newsqa.index.settings import Settings, apply_process_defaults
    from newsqa.index.store import Store

    apply_process_defaults()
    settings = Settings(store=store, sample_dir=None)
    embedder = Embedder.from_settings(settings)
    embedder.embed_documents(["warm up"])
    if not statements:
        indexer_mod.extract_statements = None  # type: ignore[assignment]
    with Store(store, write=True) as s:
        start = time.perf_counter()
        report = indexer_mod.Indexer(s, embedder, settings).index_paths([corpus])
        seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "added": len(report.added)}))


def run(corpus: Path, statements: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="statements-cost-") as tmp:
        cmd = [sys.executable, __file__, "--child", "yes" if statements else "no"]
        cmd += ["--corpus", str(corpus), "--store", str(Path(tmp) / "store")]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=os.environ)
        return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--child", choices=("yes", "no"))
    ap.add_argument("--store", type=Path)
    args = ap.parse_args()
    if args.child:
        child(args.corpus, args.store, args.child == "yes")
        return
    from newsqa.index.embedding import cpu_description

    print(f"CPU: {cpu_description()}; load average {os.getloadavg()}", flush=True)
    runs: dict[str, list[float]] = {"with": [], "without": []}
    for rep in range(args.repeat):
        for name in ("without", "with"):
            got = run(args.corpus, name == "with")
            runs[name].append(got["seconds"])
            print(f"  {name} statements, run {rep + 1}: {got['seconds']:.1f} s", flush=True)
    med = {k: statistics.median(v) for k, v in runs.items()}
    added = med["with"] / med["without"] - 1
    result = {
        "cpu": cpu_description(),
        "load_average_end": os.getloadavg(),
        "corpus": str(args.corpus),
        "runs_s": runs,
        "median_s": med,
        "added_share": round(added, 4),
        "target": "<= 0.10",
    }
    OUT.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print("| index | median s | runs |\n|---|---:|---|")
    for k in ("without", "with"):
        print(f"| {k} statements | {med[k]:.1f} | {', '.join(f'{s:.1f}' for s in runs[k])} |")
    print(f"statement extraction adds {added:.1%} (target <= 10%); wrote {OUT}")


if __name__ == "__main__":
    main()
