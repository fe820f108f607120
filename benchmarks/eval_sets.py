"""Every evaluation set in one run: the figures the README's evaluation tables quote.

Usage (from the repo root)::

    python benchmarks/eval_sets.py [--store DIR] [--sets qa,check,...] [--out-dir DIR]

``--store`` names a store of the whole corpus and ``tests/eval/articles`` (the articles of
``styles.json`` and ``news2.json``); when it is missing or empty one is built there first with
the bundled model, through the indexer the CLI uses. Each set is answered by the extractive
answerer exactly as ``newsqa eval`` does (``assistant.evaluation.run``). Results: a table on
stdout (overall figures per set, then correct per kind, then the speakers measures), and in
``--out-dir`` (default ``benchmarks/results/eval``) ``eval.json``, ``eval.md`` and one
``<set>.rows.jsonl`` per set, so a reader can diff answers question by question between two runs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
EVAL = REPO / "tests" / "eval"
SETS = (
    "qa",
    "check",
    "fresh",
    "multi",
    "blind",
    "holdout",
    "unseen",
    "styles",
    "speakers",
    "speakers2",
    "speakers3",
    "speakers4",
    "news2",
    "news3",
    "news4",
    "news5",
    "news6",
    "news7",
)
KINDS = ("seed", "fact", "say", "multi", "followup", "speakers", "when")
OVERALL = ("hit@5", "cited", "correct", "answered", "abstained_unanswerable", "planted", "ece")


def _fmt(v: float, digits: int = 2) -> str:
    return "-" if v != v else f"{v:.{digits}f}"


def _commit() -> str:
    out = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return out.stdout.strip() or "unknown"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, default=Path("/tmp/newsqa-eval-store"))
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--out-dir", type=Path, default=REPO / "benchmarks" / "results" / "eval")
    args = ap.parse_args()

    from newsqa.index.settings import apply_process_defaults

    apply_process_defaults()
    from newsqa.assistant import evaluation
    from newsqa.index.embedding import cpu_description
    from newsqa.index.settings import load_settings

    from newsqa.services import Services

    print(f"CPU: {cpu_description()}", flush=True)
    settings = load_settings(store=args.store, sample_dir=None)
    with Services(settings, write=True) as services:
        if services.store.count() == 0:
            started = time.perf_counter()
            print(f"building {args.store} from {CORPUS} and {EVAL / 'articles'} ...", flush=True)
            report = services.indexer.index_paths([CORPUS, EVAL / "articles"])
            print(report.summary(), flush=True)
            print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "cpu": cpu_description(),
        "commit": _commit(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "store": str(args.store),
        "sets": {},
    }
    with Services(settings, write=False) as services:
        results["articles"] = services.store.count()
        for name in args.sets.split(","):
            items = evaluation.load_set(EVAL / f"{name}.json")
            rows, summary, retrieval = evaluation.run(services.assistant, items)
            with (args.out_dir / f"{name}.rows.jsonl").open("w", encoding="utf-8") as sink:
                for row in rows:
                    sink.write(json.dumps(row, ensure_ascii=False) + "\n")
            results["sets"][name] = {"summary": summary, "retrieval_hit@5": retrieval}
            o = summary["overall"]
            print(f"{name:9} n={o['n']:<4} correct {_fmt(o['correct'])}", flush=True)
    (args.out_dir / "eval.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    md = _markdown(results)
    (args.out_dir / "eval.md").write_text(md, encoding="utf-8")
    print(md)


def _markdown(results: dict[str, Any]) -> str:
    sets = results["sets"]
    lines = [
        "# Evaluation sets",
        "",
        f"- CPU: {results['cpu']}",
        f"- commit {results['commit']}, {results['date']}; store {results['store']} "
        f"({results['articles']} articles)",
        "- command: `python benchmarks/eval_sets.py --store STORE`",
        "",
        "| set | n | hit@5 | cited | correct | answered | abstain (unans.) | planted | ece "
        "| median words | p50 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in sets.items():
        o = r["summary"]["overall"]
        cells = [_fmt(o[c]) for c in OVERALL]
        cells += [_fmt(o["median_words"], 0), _fmt(o["p50_ms"], 0)]
        lines.append(f"| {name} | {o['n']} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Correct per kind (unanswerable and near-miss questions are in the abstention column):",
        "",
        "| set | " + " | ".join(KINDS) + " |",
        "|---|" + "---:|" * len(KINDS),
    ]
    for name, r in sets.items():
        s = r["summary"]
        lines.append(
            f"| {name} | "
            + " | ".join(_fmt(s[k]["correct"]) if k in s else "-" for k in KINDS)
            + " |"
        )
    spk = {n: r["summary"] for n, r in sets.items() if "speakers" in r["summary"]}
    if spk:
        lines += [
            "",
            "| set | share of required speakers named | answers naming no wrong speaker |",
            "|---|---:|---:|",
        ]
        for name, s in spk.items():
            m = s["speakers"]
            lines.append(
                f"| {name} | {_fmt(m['speakers_share'])} | {_fmt(m['no_wrong_speaker'])} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
