"""The near-miss detector (assistant/nearmiss.py) read on the answerer's answers to our sets.

Usage (from the repo root)::

    python benchmarks/eval_sets.py --out-dir /tmp/ev-base          # the answers, once
    python benchmarks/nearmiss_eval.py /tmp/ev-base [--model PATH] [--thresholds 0.2,0.3]
        [--all]

For each answered question the answer's first sentence is scored, with the rest of the answer as
its context. A correct answer to an answerable question is *kept* when it scores at or above the
threshold; a question of kind "nearmiss" or "unanswerable" is *caught* when the answerer abstained
or its answer scores below it. By default the detector is applied as the answerer would apply it:
only to single-part, non-follow-up questions asking for a name, number, sum, date, duration, place
or term (``short_answer.answer_kind``); other answers are kept as they are. ``--all`` scores every
answer. The threshold chosen on the fitting sets (qa, check, fresh, multi) is the highest at which
they keep at least 0.95 of their correct answers, pooled; the model file's own threshold is the
one chosen on SQuAD (cross-fitted by article, 0.90 of the answering sentences kept).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from newsqa.assistant import nearmiss
from newsqa.assistant.short_answer import answer_kind

FITTING = ("qa", "check", "fresh", "multi")
SETS = (*FITTING, "blind", "holdout", "unseen", "styles", "news2")
_MARK = re.compile(r"\s*\[\d+\]")


def score(rows: list[dict], model: dict, every: bool) -> list[dict]:
    out = []
    for r in rows:
        neg = r["kind"] in ("nearmiss", "unanswerable")
        p = None
        if not r["abstained"]:
            question = r.get("standalone") or r["question"]
            sents = [s.strip() for s in _MARK.split(r["answer"]) if s.strip()] or [r["answer"]]
            applies = every or (
                r["kind"] not in ("multi", "followup") and answer_kind(question) is not None
            )
            p = (
                nearmiss.answers_probability(question, sents[0], " ".join(sents[1:]), model)
                if applies
                else 1.0
            )
        out.append({"neg": neg, "kind": r["kind"], "correct": bool(r.get("correct")), "p": p})
    return out


def figures(res: list[dict], thr: float) -> dict:
    pos = [x for x in res if not x["neg"] and x["correct"] and x["p"] is not None]
    answerable = [x for x in res if not x["neg"]]
    negs = [x for x in res if x["neg"]]
    near = [x for x in negs if x["kind"] == "nearmiss"]

    def caught(xs: list[dict]) -> float | None:
        return sum(x["p"] is None or x["p"] < thr for x in xs) / len(xs) if xs else None

    return {
        "correct_answered": len(pos),
        "kept": sum(x["p"] >= thr for x in pos) / max(1, len(pos)),
        "answered": sum(x["p"] is not None and x["p"] >= thr for x in answerable)
        / max(1, len(answerable)),
        "negatives": len(negs),
        "caught": caught(negs),
        "nearmiss": len(near),
        "nearmiss_caught": caught(near),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("rows", type=Path, help="folder of <set>.rows.jsonl (benchmarks/eval_sets.py)")
    ap.add_argument("--news2", type=Path, help="folder holding news2.rows.jsonl, if elsewhere")
    ap.add_argument("--model", type=Path, default=nearmiss.MODEL_PATH)
    ap.add_argument("--thresholds", default="")
    ap.add_argument("--all", action="store_true", help="score every answer")
    args = ap.parse_args()
    model = json.loads(args.model.read_text(encoding="utf-8"))
    scored = {}
    for s in SETS:
        folder = args.news2 if s == "news2" and args.news2 else args.rows
        path = folder / f"{s}.rows.jsonl"
        if path.exists():
            rows = [json.loads(line) for line in path.open(encoding="utf-8")]
            scored[s] = score(rows, model, args.all)
    pooled = [x for s in FITTING for x in scored.get(s, [])]
    grid = [i / 100 for i in range(5, 96)]
    chosen = max((t for t in grid if figures(pooled, t)["kept"] >= 0.95), default=0.05)
    thresholds = [float(t) for t in args.thresholds.split(",") if t] or [
        0.0,
        round(model["threshold"], 4),
        chosen,
    ]
    print(
        f"model threshold (SQuAD) {model['threshold']:.4f}; chosen on {'/'.join(FITTING)} {chosen}"
    )
    for thr in thresholds:
        print(f"\nthreshold {thr}")
        print(
            "| set | correct answered | kept | answered | caught (nearmiss+unans.) "
            "| nearmiss caught |"
        )
        print("|---|---:|---:|---:|---|---|")
        for s, res in scored.items():
            f = figures(res, thr)
            c = "-" if f["caught"] is None else f"{f['caught']:.2f} of {f['negatives']}"
            n = (
                "-"
                if f["nearmiss_caught"] is None
                else f"{f['nearmiss_caught']:.2f} of {f['nearmiss']}"
            )
            print(
                f"| {s} | {f['correct_answered']} | {f['kept']:.2f} | {f['answered']:.2f} "
                f"| {c} | {n} |"
            )


if __name__ == "__main__":
    main()
