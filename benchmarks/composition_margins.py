"""How many sentences an answer quotes: the composition margins against correct and length.

Usage (from the repo root)::

    python benchmarks/composition_margins.py [--grid 0.06/0.15,0.03/0.10,...]

The extractive answerer quotes its best sentence and any other scoring within ``NEAR_TIE`` of
it, or within ``ADDS_MARGIN`` when it covers question words the chosen ones lack
(``assistant/answerer.py``). This runs the answerer (the committed model) over the SQuAD 2.0
subset's held-out articles (``assistant.training``: calibration and test halves, answerable and
unanswerable questions; CC BY-SA 4.0, see assistant/models/README.md), with the passages of the
real retriever, once per pair of margins, and reports for each half: correct (the gold phrase
in the answer, over answerable questions), answered, abstention on unanswerable questions and
the median words of answers given. Issue 12 asks for correct >= 0.80 with a median <= 30 words.

Results: a table on stdout and ``benchmarks/results/composition_margins.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "results" / "composition_margins.json"
GRID = (
    "0/0,0.02/0.15,0.03/0.06,0.03/0.10,0.04/0.15,0.06/0.06,0.06/0.10,0.06/0.15,0.06/0.20,"
    "0.08/0.15,0.08/0.20,0.10/0.25"
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--grid", default=GRID, help="NEAR_TIE/ADDS_MARGIN pairs, comma-separated")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/newsqa-train-cache"))
    args = ap.parse_args()

    from newsqa.assistant import answerer as answerer_mod
    from newsqa.assistant import training
    from newsqa.assistant.answerer import ExtractiveAnswerer
    from newsqa.assistant.retrieval import HybridRetriever
    from newsqa.index.embedding import Embedder, cpu_description
    from newsqa.index.settings import Settings

    print(f"CPU: {cpu_description()}; load average {os.getloadavg()}", flush=True)
    shipped = (answerer_mod.NEAR_TIE, answerer_mod.ADDS_MARGIN)
    embedder = Embedder.from_settings(Settings(sample_dir=None))
    data = training.load_squad()
    store = training.squad_store(data, embedder, args.cache)
    retriever = HybridRetriever(store=store, embedder=embedder, k=training.PASSAGES)
    items = [
        it
        for it in training.squad_items(data, random.Random(training.SEED))
        if it.split in ("calib", "test") and it.kind in ("squad", "squad-unanswerable")
    ]
    docs = [training.squad_docs(it, retriever, store) for it in items]
    answer = ExtractiveAnswerer(store=store, embedder=embedder, retriever=retriever)
    results: dict[str, dict[str, dict[str, float]]] = {}
    try:
        for pair in args.grid.split(","):
            near, adds = (float(x) for x in pair.split("/"))
            answerer_mod.NEAR_TIE, answerer_mod.ADDS_MARGIN = near, adds
            by_half: dict[str, list[tuple[str, bool, bool, int]]] = {"calib": [], "test": []}
            for it, d in zip(items, docs, strict=True):
                r = answer.invoke({"question": it.question, "standalone": it.question, "docs": d})
                right = bool(it.answers) and training._correct(it, r["answer"])
                by_half[it.split].append(
                    (it.kind, bool(r.get("abstained")), right, len(r["answer"].split()))
                )
            row = {}
            for half, got in by_half.items():
                answerable = [g for g in got if g[0] == "squad"]
                given = [g for g in answerable if not g[1]]
                unanswerable = [g for g in got if g[0] != "squad"]
                row[half] = {
                    "answerable": len(answerable),
                    "correct": round(sum(g[2] for g in answerable) / len(answerable), 3),
                    "answered": round(len(given) / len(answerable), 3),
                    "abstain_unanswerable": round(
                        sum(g[1] for g in unanswerable) / max(1, len(unanswerable)), 3
                    ),
                    "median_words": float(statistics.median(g[3] for g in given)),
                }
            results[f"{near:g}/{adds:g}"] = row
            print(f"  {near:g}/{adds:g}: {json.dumps(row)}", flush=True)
    finally:
        answerer_mod.NEAR_TIE, answerer_mod.ADDS_MARGIN = shipped
    OUT.write_text(
        json.dumps(
            {"cpu": cpu_description(), "shipped": f"{shipped[0]:g}/{shipped[1]:g}",
             "results": results}, indent=1,
        ) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    print("\n| NEAR_TIE / ADDS_MARGIN | correct calib / test | median words calib / test |")
    print("|---|---|---|")
    for key, row in results.items():
        mark = " (shipped)" if key == f"{shipped[0]:g}/{shipped[1]:g}" else ""
        c, t = row["calib"], row["test"]
        print(f"| {key}{mark} | {c['correct']:.3f} / {t['correct']:.3f} | "
              f"{c['median_words']:g} / {t['median_words']:g} |")  # fmt: skip
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
