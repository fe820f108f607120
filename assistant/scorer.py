"""The fitted parts of the extractive answerer: the sentence scorer and the abstention policy.

Both are linear models over named features, fitted by ``newsqa train`` (assistant/training.py)
with scikit-learn's logistic regression and kept as a small JSON file (assistant/models/), so
answering needs neither scikit-learn nor pickles: a dot product per sentence, loaded once.

- The sentence scorer predicts "this sentence holds a gold answer". Its log-odds are mapped onto
  the scale of the former hand-set score by a line fitted on the training sentences, so the
  answerer's selection margins (how far below the best a second sentence may score) keep their
  meaning.
- The abstention policy predicts "the composed answer is correct" from question-level features;
  its output, Platt-scaled on held-out data, is the answer's ``confidence``, and the answerer
  abstains below a threshold chosen on held-out data.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

MODEL_PATH = Path(__file__).parent / "models" / "answerer.json"

# Signals of one candidate sentence, un-weighted (assistant/answerer.py computes them).
SENTENCE_FEATURES = (
    "dense",  # cosine of the stored sentence vector and the question vector
    "lexical",  # share of the question's idf weight the sentence covers
    "names",  # share of the question's name groups the sentence names
    "numbers",  # share of the question's numbers the sentence holds
    "retrieval",  # the fused retrieval score of its passage (0 for passages added around them)
    "focus",  # in the article a follow-up is about
    "focus_anaphoric",  # ... and the follow-up names nothing of its own ("how much is he paid?")
    "speaker_own",  # the asked speaker says it
    "speaker_other",  # the asked speaker is found elsewhere; someone else says this
    "speaker_nobody",  # the asked speaker is found elsewhere; nobody says this
    "speaker_quoted",  # the asked speaker is not found; someone is quoted here
    "type",  # the kind of answer asked for is here (answer_types.type_bonus)
    "noun",  # share of a "what kind of <noun>" question's noun words here
    "topic",  # the head of a "say about <topic>" question's topic is here
    "passage_rank",  # 1 / (1 + rank of its passage)
    "lead",  # 1 for an article's first sentences, falling with the offset
)

# The hand-set weights this answerer had before it was fitted (2026-11-30): the fallback when no
# model file is present, and the baseline the training command compares against.
HAND_WEIGHTS = {
    "dense": 0.5,
    "lexical": 0.3,
    "names": 0.05,
    "numbers": 0.1,
    "retrieval": 0.05,
    "focus": 0.15,
    "focus_anaphoric": 0.15,
    "speaker_own": 0.25,
    "speaker_other": -0.2,
    "speaker_nobody": -0.1,
    "speaker_quoted": 0.1,
    "type": 1.0,
    "noun": 0.08,
    "topic": 0.08,
    "passage_rank": 0.0,
    "lead": 0.0,
}
# The hand-set score below which the rules abstained (calibrated on tests/eval/qa.json).
HAND_THRESHOLD = 0.42

# Signals of one question's best answer, for the abstention policy (answerer._question_features).
QUESTION_FEATURES = (
    "support",  # the chosen sentence's score
    "margin",  # how far it leads the best sentence of another article
    "dense",  # its cosine to the question
    "lexical",  # the question's idf weight it covers
    "names",  # the question's name groups it names
    "wants",  # the question asks for a kind of answer (figure, date, name ...)
    "type_found",  # ... and the chosen sentences hold one
    "missing",  # the question names a person or number the chosen articles never mention
    "rule",  # a rule says the chosen sentences cannot answer (no figure, no pay, no topic ...)
    "speaker",  # a "what did X say" question
    "speaker_found",  # ... and the chosen sentence is X's
    "parts",  # a two-part question
    "followup",  # a follow-up question
)


@dataclass(frozen=True)
class SentenceScorer:
    """score = scale * (w . x + b) + offset: log-odds of "holds the answer" on the old scale."""

    weights: np.ndarray
    bias: float = 0.0
    scale: float = 1.0
    offset: float = 0.0

    def score(self, x: np.ndarray) -> np.ndarray:
        return self.scale * (x @ self.weights + self.bias) + self.offset


@dataclass(frozen=True)
class Abstention:
    """confidence = Platt(w . x + b); abstain when it is below ``threshold``, or, with ``veto``,
    when the rules find the question names something the articles never mention or the chosen
    sentences lack what it asks for (chosen on the fitting sets, see training)."""

    weights: np.ndarray
    bias: float
    platt_a: float
    platt_b: float
    threshold: float
    veto: bool = False

    def confidence(self, x: np.ndarray) -> float:
        z = float(x @ self.weights + self.bias)
        return 1.0 / (1.0 + math.exp(-(self.platt_a * z + self.platt_b)))


@dataclass(frozen=True)
class AnswererModel:
    scorer: SentenceScorer
    abstention: Abstention | None
    info: dict[str, Any]


def hand_scorer() -> SentenceScorer:
    return SentenceScorer(np.array([HAND_WEIGHTS[f] for f in SENTENCE_FEATURES]))


def to_json(model: AnswererModel) -> dict[str, Any]:
    s, a = model.scorer, model.abstention
    out: dict[str, Any] = {
        "scorer": {
            "features": list(SENTENCE_FEATURES),
            "weights": [round(float(w), 6) for w in s.weights],
            "bias": s.bias,
            "scale": s.scale,
            "offset": s.offset,
        },
        "info": model.info,
    }
    if a is not None:
        out["abstention"] = {
            "features": list(QUESTION_FEATURES),
            "weights": [round(float(w), 6) for w in a.weights],
            "bias": a.bias,
            "platt_a": a.platt_a,
            "platt_b": a.platt_b,
            "threshold": a.threshold,
            "veto": a.veto,
        }
    return out


def from_json(data: dict[str, Any]) -> AnswererModel:
    """The model in ``data``; features it does not know weigh nothing, missing ones 0."""

    def vector(part: dict[str, Any], names: tuple[str, ...]) -> np.ndarray:
        got = dict(zip(part["features"], part["weights"], strict=True))
        return np.array([float(got.get(f, 0.0)) for f in names])

    s = data["scorer"]
    scorer = SentenceScorer(
        vector(s, SENTENCE_FEATURES), float(s["bias"]), float(s["scale"]), float(s["offset"])
    )
    abstention = None
    if a := data.get("abstention"):
        abstention = Abstention(
            vector(a, QUESTION_FEATURES),
            float(a["bias"]),
            float(a["platt_a"]),
            float(a["platt_b"]),
            float(a["threshold"]),
            bool(a.get("veto", False)),
        )
    return AnswererModel(scorer, abstention, data.get("info", {}))


@lru_cache(maxsize=4)
def load_model(path: Path | None = None) -> AnswererModel:
    """The committed model (loaded once per process); the hand weights if there is none."""
    path = path or MODEL_PATH
    if not path.exists():
        return AnswererModel(hand_scorer(), None, {"source": "hand-set weights"})
    return from_json(json.loads(path.read_text(encoding="utf-8")))


def save_model(model: AnswererModel, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_json(model), indent=1) + "\n", encoding="utf-8")
