"""Which speakers of a story answer a "Which leaders ruled out ...?" question: a fitted choice.

assistant/speakers.py finds the story and its statements and describes each statement by the
signals below; a logistic regression over them, fitted by ``python -m
newsqa.assistant.speaker_select train`` on the project's speakers sets (one set held out), says
how likely the statement's speaker is one the question asks for. A speaker is listed when their
best statement clears the fitted threshold. The weights are a small JSON file
(assistant/models/speakers.json), loaded once: answering needs neither scikit-learn nor pickles.
"""

from __future__ import annotations

import argparse
import json
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

MODEL_PATH = Path(__file__).parent / "models" / "speakers.json"

# Signals of one statement among the candidates of one question (assistant/speakers.py).
FEATURES = (
    "topic",  # share of the question's words (its main clause) the statement repeats
    "topic_rel",  # ... over the best share among the candidates
    "title",  # share of the question's words in its story's headline (an entry's opening)
    "lead",  # its story is the first one retrieval ranked
    "dense",  # cosine of the question's vector and the statement's sentence
    "dense_rel",  # ... minus the best among the candidates
    "claim",  # a "Who warned that ...?" question: share of the claim's words here
    "person",  # the speaker is one person (not a body nor a plural)
    "quote",  # a direct quote
    "position",  # a position attributed by a verb ("ruled out", "rejected")
    "role_q",  # the speaker's role or organisation shares a word with the question
    "role_owner",  # ... with whoever owns what the question asks about ("BT's offer")
    "group_in",  # a "Which senators ...?" question, and the speaker is one
    "group_out",  # ... and the speaker is known by another role
    "repeat",  # how often the speaker is quoted in the story (capped at 3, over 3)
)


@dataclass(frozen=True)
class SpeakerModel:
    """Weights over FEATURES, an intercept, and the probability a speaker must reach."""

    weights: np.ndarray
    bias: float
    threshold: float
    report: dict[str, Any]

    def probability(self, rows: np.ndarray) -> np.ndarray:
        """P(the statement's speaker is one the question asks for), per row of FEATURES."""
        if not len(rows):
            return np.zeros(0)
        z = rows @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> SpeakerModel | None:
    """The committed speaker model, or None when the file is missing (the caller answers with
    the sentences then)."""
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        # Fitted on other signals (its training reruns over this code): unusable, and no reason
        # to fail the question; the sentences answer, and tests/test_speaker_select.py fails.
        warnings.warn(f"{path} was fitted on other features; rerun its training", stacklevel=2)
        return None
    return SpeakerModel(
        weights=np.array(data["weights"], dtype=np.float64),
        bias=float(data["bias"]),
        threshold=float(data["threshold"]),
        report=data.get("report", {}),
    )


def row(features: dict[str, float]) -> list[float]:
    """One statement's signals in FEATURES order (missing ones are 0)."""
    return [float(features.get(f, 0.0)) for f in FEATURES]


# Training ------------------------------------------------------------------------------------
TRAIN_SETS = ("speakers", "speakers2", "speakers3")
HELD_OUT_SETS = ("speakers4",)
EVAL_DIR = Path(__file__).resolve().parents[1] / "tests" / "eval"


def _named(name: str, speaker: str) -> bool:
    from newsqa.index.names import fold

    return fold(name).lower() in fold(speaker).lower()


def gather(store_path: Path, sets: Sequence[str], embedder: Any = None) -> list[dict[str, Any]]:
    """Ask every "speakers" question of ``sets`` over the store at ``store_path`` and keep what
    the speaker choice saw: each candidate statement's signals, its speaker, and the gold."""
    from newsqa.assistant.chain import Assistant
    from newsqa.index.embedding import Embedder
    from newsqa.index.settings import Settings
    from newsqa.index.store import Store

    settings = Settings(sample_dir=None, store=store_path)
    embedder = embedder or Embedder.from_settings(settings)
    assistant = Assistant(Store(store_path), embedder, settings)
    out: list[dict[str, Any]] = []
    answerer = assistant.extractive
    for name in sets:
        for item in json.loads((EVAL_DIR / f"{name}.json").read_text(encoding="utf-8")):
            if item.get("kind") != "speakers":
                continue
            answerer.trace = []
            try:
                assistant.ask(item["question"], item.get("history"))
            finally:
                got, answerer.trace = answerer.trace, None
            cands: list[dict[str, Any]] = next((t["speakers"] for t in got if "speakers" in t), [])
            out.append(
                {
                    "set": name,
                    "id": item["id"],
                    "speakers": item.get("speakers") or [],
                    "not_speakers": item.get("not_speakers") or [],
                    "candidates": cands,
                }
            )
    return out


def _arrays(questions: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X, y, q = [], [], []
    for i, question in enumerate(questions):
        for c in question["candidates"]:
            X.append(c["x"])
            y.append(any(_named(g, c["speaker"]) for g in question["speakers"]))
            q.append(i)
    return np.array(X, dtype=np.float64).reshape(-1, len(FEATURES)), np.array(y), np.array(q)


def choose(speakers: list[str], probs: Sequence[float], threshold: float) -> list[str]:
    """The speakers listed: each whose best statement clears ``threshold``; at least the best."""
    best: dict[str, float] = {}
    for s, p in zip(speakers, probs, strict=True):
        best[s] = max(best.get(s, 0.0), float(p))
    chosen = [s for s, p in best.items() if p >= threshold]
    if not chosen and best:
        chosen = [max(best, key=lambda s: best[s])]
    return chosen


def score(questions: list[dict[str, Any]], probs_of: Any, threshold: float) -> dict[str, float]:
    """The evaluation's measures of the choice: share of required speakers named, and share of
    answers naming no wrong one, over the questions the choice made (a question whose subject
    names its speakers, or one no statement answers, is answered otherwise)."""
    shares, clean = [], []
    for question in questions:
        cands = question["candidates"]
        if not cands:
            continue
        names = [c["speaker"] for c in cands]
        chosen = choose(names, probs_of(question), threshold) if cands else []
        want = question["speakers"]
        if want:
            shares.append(np.mean([any(_named(g, s) for s in chosen) for g in want]))
        clean.append(not any(_named(b, s) for b in question["not_speakers"] for s in chosen))
    return {
        "n": float(len(clean)),
        "share": float(np.mean(shares)) if shares else math.nan,
        "no_wrong": float(np.mean(clean)) if clean else math.nan,
    }


def fit(questions: list[dict[str, Any]], seed: int = 0) -> tuple[np.ndarray, float]:
    """Logistic regression ("this statement's speaker is asked for"), balanced classes."""
    from sklearn.linear_model import LogisticRegression

    X, y, _ = _arrays(questions)
    lr = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000, random_state=seed)
    lr.fit(X, y)
    return lr.coef_[0], float(lr.intercept_[0])


def pick_threshold(questions: list[dict[str, Any]], probs_of: Any) -> float:
    """The threshold with the largest sum of the two measures (share of required speakers
    named, answers naming no wrong speaker: the issue sets a target for each); on a tie the
    higher threshold."""
    best_t, best = 0.5, -1.0
    for t in np.round(np.arange(0.05, 0.96, 0.05), 2):
        m = score(questions, probs_of, float(t))
        if m["share"] + m["no_wrong"] >= best:
            best, best_t = m["share"] + m["no_wrong"], float(t)
    return best_t


def train(
    store_path: Path,
    out: Path = MODEL_PATH,
    seed: int = 0,
    fit_sets: Sequence[str] = TRAIN_SETS,
    held_sets: Sequence[str] = HELD_OUT_SETS,
    embedder: Any = None,
) -> dict[str, Any]:
    """Fit on ``fit_sets``, pick the threshold on them, report ``held_sets`` beside two trivial
    choices (every candidate speaker; only the best one); write ``out``."""
    fit_q = gather(store_path, fit_sets, embedder)
    held_q = gather(store_path, held_sets, embedder)
    w, b = fit(fit_q, seed)

    def probs_of(question: dict[str, Any]) -> np.ndarray:
        rows = np.array([c["x"] for c in question["candidates"]], dtype=np.float64)
        return SpeakerModel(w, b, 0.5, {}).probability(rows.reshape(-1, len(FEATURES)))

    def topic_of(question: dict[str, Any]) -> np.ndarray:
        return np.array([c["x"][FEATURES.index("topic")] for c in question["candidates"]])

    threshold = pick_threshold(fit_q, probs_of)
    report = {
        "fitted_on": list(fit_sets),
        "held_out": list(held_sets),
        "threshold": threshold,
        "fit": score(fit_q, probs_of, threshold),
        "held_out_scores": score(held_q, probs_of, threshold),
        # The trivial choices on the same held-out questions: every candidate, and only the
        # one repeating most of the question's words.
        "held_out_every": score(held_q, probs_of, 0.0),
        "held_out_best_only": score(held_q, topic_of, math.inf),
        "seed": seed,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "features": list(FEATURES),
                "weights": [round(float(v), 6) for v in w],
                "bias": round(b, 6),
                "threshold": threshold,
                "report": report,
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    load_model.cache_clear()
    return report


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m newsqa.assistant.speaker_select")
    sub = ap.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="fit the speaker choice on the speakers sets")
    t.add_argument(
        "--store", type=Path, required=True, help="a store of the corpus and eval articles"
    )
    t.add_argument("--out", type=Path, default=MODEL_PATH)
    args = ap.parse_args(argv)
    report = train(args.store, args.out)
    print(json.dumps(report, indent=1))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
