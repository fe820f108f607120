"""Run an evaluation set (tests/eval/qa.json format) and compute the issue's metrics.

Per kind and overall: hit@5 (an evidence article among the first 5 sources), cited (an evidence
article among the citations), correct (every gold group has a phrase in the answer), abstention
accuracy, answered rate on answerable questions, and latency p50/p95; plus hit@5 of dense-only,
BM25-only and hybrid retrieval over the same questions. Also: the expected calibration error of
the answers' ``confidence``, the median answer length in words, and on unanswerable questions
(kind "nearmiss" included) the share answered with a "planted" wrong-but-plausible phrase.
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from newsqa.assistant.condense import Condensed

if TYPE_CHECKING:  # the metrics import without the chain (training.py uses them)
    from newsqa.assistant.chain import Assistant


def load_set(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"cannot read evaluation set {path}: {exc}") from exc
    if not isinstance(data, list) or not all(isinstance(q, dict) and "question" in q for q in data):
        raise ValueError(f"{path}: expected a JSON list of objects with a question field")
    return data


def _matches(source: str, evidence: list[str]) -> bool:
    source = source.split("#")[0].replace("\\", "/")
    return any(source.endswith(e.replace("\\", "/")) for e in evidence)


def _correct(answer: str, groups: list[list[str]]) -> bool:
    low = " ".join(answer.lower().split())
    return bool(groups) and all(any(" ".join(a.lower().split()) in low for a in g) for g in groups)


_MARKERS = re.compile(r"\s*\[\d+\]")


def answer_words(answer: str) -> int:
    """Words of an answer without its [n] markers."""
    return len(_MARKERS.sub("", answer).split())


def score_one(item: dict[str, Any], res: dict[str, Any]) -> dict[str, Any]:
    evidence = item.get("evidence") or []
    answerable = bool(evidence) and item.get("kind") != "nearmiss"
    row = {
        "id": item.get("id"),
        "kind": item.get("kind", "?"),
        "question": item["question"],
        "answerable": answerable,
        "abstained": res["abstained"],
        "answer": res["answer"],
        "sources": [s["source"] for s in res["sources"]],
        "citations": [c["source"] for c in res["citations"]],
        "note": res.get("note", ""),
        "confidence": res.get("confidence"),
        "short_answer": res.get("short_answer"),
        "words": answer_words(res["answer"]),
    }
    if not answerable and item.get("planted"):
        # Answered with the plausible wrong answer the question was written around.
        row["planted"] = not res["abstained"] and _correct(res["answer"], [item["planted"]])
    if answerable:
        row["hit5"] = any(_matches(s["source"], evidence) for s in res["sources"][:5])
        row["cited"] = any(_matches(c["source"], evidence) for c in res["citations"])
        row["correct"] = _correct(res["answer"], item.get("answers") or [])
    row["abstention_ok"] = res["abstained"] != answerable
    if item.get("speakers") is not None:
        # "speakers" questions: the share of required speakers named, and whether no speaker
        # that must not be named is (names matched as whole words, case- and accent-folded).
        named = _speaker_named(res["answer"])
        want = item.get("speakers") or []
        row["speakers_share"] = mean([named(s) for s in want]) if want else float("nan")
        row["no_wrong_speaker"] = not any(named(s) for s in item.get("not_speakers") or [])
    return row


def _speaker_named(answer: str) -> Callable[[str], bool]:
    from newsqa.index.names import fold

    words = set(re.findall(r"[\w'-]+", fold(answer)))
    return lambda name: all(w in words for w in re.findall(r"[\w'-]+", fold(name)))


def summarise(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[r["kind"]].append(r)
    groups["overall"] = rows
    out = {}
    for kind, rs in groups.items():
        ans = [r for r in rs if r["answerable"]]
        unans = [r for r in rs if not r["answerable"]]
        lat = np.array([r["latency_ms"] for r in rs])
        answered = [r for r in rs if not r["abstained"] and r.get("confidence") is not None]
        out[kind] = {
            "n": len(rs),
            "hit@5": mean([r["hit5"] for r in ans]),
            "cited": mean([r["cited"] for r in ans]),
            "correct": mean([r["correct"] for r in ans]),
            "answered": mean([not r["abstained"] for r in ans]),
            "abstained_unanswerable": mean([r["abstained"] for r in unans]),
            "planted": mean([r["planted"] for r in unans if "planted" in r]),
            "median_words": _median([r["words"] for r in ans if not r["abstained"]]),
            # Calibration of the answers given: confidence against being right.
            "ece": ece(
                [r["confidence"] for r in answered],
                [bool(r["answerable"] and r.get("correct")) for r in answered],
            ),
            "p50_ms": float(np.percentile(lat, 50)) if len(lat) else float("nan"),
            "p95_ms": float(np.percentile(lat, 95)) if len(lat) else float("nan"),
        }
        spk = [r for r in rs if "speakers_share" in r]
        if spk:
            out[kind]["speakers_share"] = float(np.nanmean([r["speakers_share"] for r in spk]))
            out[kind]["no_wrong_speaker"] = mean([r["no_wrong_speaker"] for r in spk])
    return out


def mean(xs: list[bool]) -> float:
    """The share of true values; NaN for none."""
    return float(np.mean(xs)) if xs else float("nan")


def _median(xs: list[int]) -> float:
    return float(np.median(xs)) if xs else float("nan")


def ece(confidence: list[float], correct: list[bool], bins: int = 10) -> float:
    """Expected calibration error: the gap between confidence and accuracy over equal-width
    bins of confidence, weighted by the share of answers in each bin."""
    c = np.asarray(confidence, dtype=float)
    y = np.asarray(correct, dtype=float)
    if not len(c):
        return float("nan")
    idx = np.minimum((c * bins).astype(int), bins - 1)
    return float(
        sum(
            abs(c[idx == b].mean() - y[idx == b].mean()) * (idx == b).mean()
            for b in range(bins)
            if (idx == b).any()
        )
    )


def run(
    assistant: Assistant,
    items: list[dict[str, Any]],
    *,
    llm: str | None = None,
    on_row: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, dict[str, float]], dict[str, float]]:
    """Answer every question; returns (rows, summary by kind, retrieval hit@5 by mode)."""
    rows = []
    for item in items:
        started = time.perf_counter()
        res = assistant.ask(item["question"], item.get("history"), llm=llm)
        row = score_one(item, res)
        row["latency_ms"] = (time.perf_counter() - started) * 1000
        row["standalone"] = res["standalone_question"]
        rows.append(row)
        if on_row:
            on_row(row)
    retrieval = retrieval_hits(assistant, items)
    return rows, summarise(rows), retrieval


def retrieval_hits(
    assistant: Assistant,
    items: list[dict[str, Any]],
    modes: tuple[str, ...] = ("dense", "lexical", "hybrid"),
) -> dict[str, float]:
    """hit@5 per retrieval mode: the share of questions with evidence for which one of the
    first five passages comes from an evidence file (the question condensed as the chain does)."""
    answerable = [i for i in items if i.get("evidence")]
    standalone = [
        Condensed.of(
            assistant.condenser.invoke(
                {"question": i["question"], "history": i.get("history") or []}
            )
        ).retrieval_query()
        for i in answerable
    ]
    out = {}
    for mode in modes:
        hits = []
        for item, question in zip(answerable, standalone, strict=True):
            docs = assistant.retriever.search(question, 5, mode)
            hits.append(any(_matches(d.metadata["source"], item["evidence"]) for d in docs))
        out[mode] = mean(hits)
    return out
