"""The extractive answerer on SQuAD's held-out articles: correct, answered, abstention.

Usage (from the repo root)::

    python benchmarks/squad_heldout.py [--compare benchmarks/results/squad_heldout.json]

Answers the SQuAD 2.0 subset's held-out articles (``assistant.training``: their calibration and
test halves, answerable and unanswerable questions; CC BY-SA 4.0, see
assistant/models/README.md) with the committed model and the passages of the real retriever,
and reports for each half: answered and correct (the gold phrase in the answer) over answerable
questions, the median words of answers given, and abstention on the unanswerable ones, with
the reasons the answerer gave for abstaining. Issue 12 asks for abstention >= 0.60 on near
misses while answering >= 0.90, and correct >= 0.80 with a median <= 30 words. ``--compare``
lists the questions whose outcome differs from an earlier run's rows.

Results: a table on stdout and ``benchmarks/results/squad_heldout.json`` (with every row).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "results" / "squad_heldout.json"
_FIGURES = {"support", "confidence"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, default=Path("/tmp/newsqa-train-cache"))
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--compare", type=Path, help="an earlier run's JSON: list what changed")
    args = ap.parse_args()

    from newsqa.assistant import training
    from newsqa.assistant.answerer import ExtractiveAnswerer
    from newsqa.assistant.retrieval import HybridRetriever
    from newsqa.index.embedding import Embedder, cpu_description
    from newsqa.index.settings import Settings

    cpu = cpu_description()
    print(f"CPU: {cpu}; load average {os.getloadavg()}", flush=True)
    embedder = Embedder.from_settings(Settings(sample_dir=None))
    data = training.load_squad()
    store = training.squad_store(data, embedder, args.cache)
    retriever = HybridRetriever(store=store, embedder=embedder, k=training.PASSAGES)
    answerer = ExtractiveAnswerer(store=store, embedder=embedder, retriever=retriever)
    items = [
        it
        for it in training.squad_items(data, random.Random(training.SEED))
        if it.split in ("calib", "test") and it.kind in ("squad", "squad-unanswerable")
    ]
    rows = []
    for it in items:
        docs = training.squad_docs(it, retriever, store)
        r = answerer.invoke({"question": it.question, "standalone": it.question, "docs": docs})
        note = r.get("note") or ""
        # The words after the support and confidence figures say why it abstained; a name the
        # passages never mention is said in the answer itself.
        reason = " ".join(w for w in note.split() if w.isalpha() and w not in _FIGURES)
        if r["abstained"] and not reason:
            reason = "name never mentioned" if "never mention" in r["answer"] else "confidence"
        rows.append(
            {
                "question": it.question,
                "half": it.split,
                "answerable": it.kind == "squad",
                "abstained": r["abstained"],
                "correct": (not r["abstained"]) and training._correct(it, r["answer"]),
                "words": len(r["answer"].split()),
                "reason": reason if r["abstained"] else "",
            }
        )
    table = []
    for half in ("calib", "test"):
        ans = [r for r in rows if r["half"] == half and r["answerable"]]
        una = [r for r in rows if r["half"] == half and not r["answerable"]]
        given = [r["words"] for r in ans if not r["abstained"]]
        table.append(
            {
                "half": half,
                "answerable": len(ans),
                "answered": sum(not r["abstained"] for r in ans) / len(ans),
                "correct": sum(r["correct"] for r in ans) / len(ans),
                "median_words": statistics.median(given) if given else 0,
                "unanswerable": len(una),
                "abstained": sum(r["abstained"] for r in una) / max(len(una), 1),
                "reasons": dict(
                    Counter(r["reason"] or "confidence" for r in una if r["abstained"])
                ),
            }
        )
    print("| half | answerable | answered | correct | median words | unanswerable | abstained |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for t in table:
        print(
            f"| {t['half']} | {t['answerable']} | {t['answered']:.3f} | {t['correct']:.3f} | "
            f"{t['median_words']} | {t['unanswerable']} | {t['abstained']:.3f} |"
        )
    for t in table:
        print(f"{t['half']}: unanswerable abstained by reason {t['reasons']}")
    if args.compare and args.compare.exists():
        before = {
            (r["half"], r["question"]): r for r in json.loads(args.compare.read_text())["rows"]
        }
        for r in rows:
            b = before.get((r["half"], r["question"]))
            if b and (b["abstained"], b["correct"]) != (r["abstained"], r["correct"]):
                print(
                    f"changed [{r['half']}] {r['question'][:80]}: abstained/correct "
                    f"{b['abstained']}/{b['correct']} -> {r['abstained']}/{r['correct']}"
                )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"cpu": cpu, "table": table, "rows": rows}, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
