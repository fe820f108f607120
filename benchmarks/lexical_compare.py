"""Retrieval quality of the lexical index: SQLite FTS5 ``bm25()`` (the store's) against bm25s
(the index it replaced), over the same chunks and the same stemmed tokens.

    python benchmarks/lexical_compare.py --store STORE [tests/eval/qa.json ...]

For each evaluation set: hit@5 (an evidence article among the first five sources) in lexical
and hybrid mode, once with the store's FTS5 index and once with bm25s built in memory from the
FTS5 rows (so only the ranking function differs). Writes benchmarks/results/lexical-compare.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsqa.index.settings import apply_process_defaults  # noqa: E402

apply_process_defaults()

import bm25s  # noqa: E402
from newsqa.assistant.chain import Assistant  # noqa: E402
from newsqa.assistant.evaluation import retrieval_hits  # noqa: E402
from newsqa.index.embedding import Embedder  # noqa: E402
from newsqa.index.lexical import tokenize  # noqa: E402
from newsqa.index.settings import Settings  # noqa: E402
from newsqa.index.store import Store  # noqa: E402


class Bm25sIndex:
    """The replaced index: bm25s (Lucene BM25, k1=1.5, b=0.75) over the same token rows."""

    def __init__(self, rows: dict[str, str]) -> None:
        self.ids = list(rows)
        self.model = bm25s.BM25()
        self.model.index([rows[i].split() or ["\x00"] for i in self.ids], show_progress=False)

    def search(
        self, query: str, k: int, *, since: str | None = None, until: str | None = None
    ) -> list[tuple[str, float]]:
        # The comparison runs without a date range; the retriever passes one anyway.
        assert since is None and until is None, "bm25s baseline has no date filter"
        vocab = self.model.vocab_dict
        tokens = [t for t in tokenize(query) if t in vocab]
        if not tokens:
            return []
        docs, scores = self.model.retrieve(
            [tokens], k=min(k, len(self.ids)), show_progress=False, n_threads=1
        )
        return [
            (self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0
        ]


def hit_rates(assistant: Assistant, items: list[dict]) -> dict[str, float]:
    hits = retrieval_hits(assistant, items, ("lexical", "hybrid"))
    return {mode: round(rate, 3) for mode, rate in hits.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", type=Path, default=[ROOT / "tests/eval/qa.json"])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks/results/lexical-compare.json"
    )
    args = parser.parse_args()
    settings = Settings(store=args.store, sample_dir=None)
    with Store(args.store) as store:
        fts5 = store.lexical
        started = time.perf_counter()
        rows = fts5.rows()
        alt = Bm25sIndex(rows)
        build_s = time.perf_counter() - started
        assistant = Assistant(store, Embedder.from_settings(settings), settings)
        results = {
            "store": str(args.store),
            "chunks": len(rows),
            "bm25s_build_s": round(build_s, 1),
        }
        for path in args.sets:
            items = json.loads(path.read_text(encoding="utf-8"))
            store.lexical = fts5
            got = {"fts5": hit_rates(assistant, items)}
            store.lexical = alt  # type: ignore[assignment]
            got["bm25s"] = hit_rates(assistant, items)
            store.lexical = fts5
            results[path.name] = got
            print(path.name, json.dumps(got), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
