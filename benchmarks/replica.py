"""A store on a Chroma server and its replicas: what sharing one store across machines costs.

Usage (from the repo root)::

    python benchmarks/replica.py [--corpus ../shared/corpus/bbc] [--limit N] [--edits 20]
                                 [--url http://127.0.0.1:PORT]

Without ``--url`` it starts its own ``chroma run`` on loopback (``.ci/chroma-server.sh``) and
stops it at the end. In one process, with one embedding model:
1. the corpus indexed into a local store (the baseline) and into a server store (replica A),
   one after the other: the server's cost as a ratio of the local one;
2. a new replica B in an empty directory filled from the server (its first open);
3. ``--edits`` pasted articles, each into the local store and into A, and B taking each in
   (``Store.sync``): the cost of one edit and of following it, p50/p95, once the bulk index is
   older than ``replica.SKEW`` (before that a sync re-reads its records: timed once, apart);
4. a check that B and A hold the same chunks and lexical rows.

Results: a table on stdout and ``benchmarks/results/replica.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "results" / "replica.json"
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "bbc"

PASTE = (
    "Ferry line {n} resumes\n\n"
    "The night ferry number {n} to Holmvik resumed on Friday after a pause of {n} weeks, the port "
    "said. Harbour master Ingrid Sol{n} said the crossing takes {m} minutes and costs {n}0 kronor. "
    '"We expect {n} thousand passengers this winter," she said.'
)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--limit", type=int, default=0, help="index only the first N files")
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--url", default="")
    args = ap.parse_args()

    from newsqa.index import replica
    from newsqa.index.embedding import Embedder, cpu_description
    from newsqa.index.indexer import Indexer
    from newsqa.index.settings import Settings, apply_process_defaults
    from newsqa.index.store import Store

    print(f"CPU: {cpu_description()}; load average {os.getloadavg()}", flush=True)
    server = None
    url = args.url
    if not url:
        line = subprocess.run(
            [str(REPO / ".ci" / "chroma-server.sh")], check=True, capture_output=True, text=True
        ).stdout.split()
        url, server = line[0], line[1:]
    url = f"{url.rstrip('/')}/replica-bench-{int(time.time())}"
    files = sorted(p for p in args.corpus.rglob("*.txt"))
    if args.limit:
        files = files[: args.limit]
    apply_process_defaults()
    try:
        with tempfile.TemporaryDirectory(prefix="replica-bench-") as tmp:
            base = Settings(store=Path(tmp) / "local", sample_dir=None)
            embedder = Embedder.from_settings(base)
            embedder.embed_documents(["warm up"])
            shared = base.model_copy(update={"store": Path(tmp) / "a", "chroma_url": url})
            timings: dict[str, Any] = {}
            with (
                Store(base.store, write=True) as local,
                Store(shared.store, write=True, chroma_url=url) as a,
            ):
                for name, store, settings in (("local", local, base), ("server", a, shared)):
                    start = time.perf_counter()
                    Indexer(store, embedder, settings).index_paths(files)
                    timings[f"index_{name}_s"] = time.perf_counter() - start
                    print(f"  indexed {len(files)} files, {name}: "
                          f"{timings[f'index_{name}_s']:.1f} s", flush=True)  # fmt: skip
                start = time.perf_counter()
                b = Store(Path(tmp) / "b", chroma_url=url)
                timings["fill_replica_s"] = time.perf_counter() - start
                print(f"  new replica filled: {timings['fill_replica_s']:.1f} s", flush=True)
                edits: dict[str, list[float]] = {"local": [], "server": [], "follow": []}
                try:
                    # Right after a bulk index a sync re-reads every record of the last SKEW
                    # seconds (clock tolerance): one edit then, the others once it has passed.
                    for store, settings in ((local, base), (a, shared)):
                        Indexer(store, embedder, settings).index_text(
                            "Ferry line 0", PASTE.format(n=0, m=0).split("\n\n", 1)[1]
                        )
                    start = time.perf_counter()
                    assert b.sync() == 1
                    timings["follow_after_bulk_ms"] = (time.perf_counter() - start) * 1000
                    time.sleep(replica.SKEW + 1)
                    for n in range(1, args.edits + 1):
                        text = PASTE.format(n=n, m=60 + n)
                        title, body = text.split("\n\n", 1)
                        for name, store, settings in (
                            ("local", local, base),
                            ("server", a, shared),
                        ):
                            start = time.perf_counter()
                            Indexer(store, embedder, settings).index_text(title, body)
                            edits[name].append(time.perf_counter() - start)
                        start = time.perf_counter()
                        assert b.sync() == 1
                        edits["follow"].append(time.perf_counter() - start)
                    same = (
                        b.lexical.rows() == a.lexical.rows()
                        and b.chunk_count() == a.chunk_count() == local.chunk_count()
                    )
                    articles, chunks = b.count(), b.chunk_count()
                finally:
                    b.close()
    finally:
        if server:
            subprocess.run(["kill", server[0]], check=False)
            subprocess.run(["rm", "-rf", server[1], server[1] + ".log"], check=False)

    ms = {k: [v * 1000 for v in vs] for k, vs in edits.items()}
    result = {
        "cpu": cpu_description(),
        "load_average_end": os.getloadavg(),
        "corpus": str(args.corpus),
        "files": len(files),
        "articles": articles,
        "chunks": chunks,
        **{k: round(v, 2) for k, v in timings.items()},
        "index_server_over_local": round(timings["index_server_s"] / timings["index_local_s"], 3),
        "fill_over_index_server": round(timings["fill_replica_s"] / timings["index_server_s"], 3),
        "edit_ms": {
            k: {"p50": round(statistics.median(v), 1), "p95": round(pct(v, 0.95), 1)}
            for k, v in ms.items()
        },
        "replicas_agree": same,
    }
    OUT.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"\n{articles} articles, {chunks} chunks; replicas agree: {same}")
    print("| step | local store | server store (replica A) | ratio |\n|---|---:|---:|---:|")
    print(
        f"| index {len(files)} files (s) | {timings['index_local_s']:.1f} | "
        f"{timings['index_server_s']:.1f} | {result['index_server_over_local']:.2f} |"
    )
    e = result["edit_ms"]
    print(
        f"| paste one article, p50 / p95 (ms) | {e['local']['p50']} / {e['local']['p95']} | "
        f"{e['server']['p50']} / {e['server']['p95']} | "
        f"{e['server']['p50'] / e['local']['p50']:.2f} |"
    )
    print(
        f"| a new replica fills itself (s) | - | {timings['fill_replica_s']:.1f} | "
        f"{result['fill_over_index_server']:.2f} of indexing |"
    )
    print(f"| another replica takes one edit in, p50 / p95 (ms) | - | "
          f"{e['follow']['p50']} / {e['follow']['p95']} | - |")  # fmt: skip
    print(f"| the same within {replica.SKEW:.0f} s of indexing the corpus (ms) | - | "
          f"{timings['follow_after_bulk_ms']:.0f} | - |")  # fmt: skip
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
