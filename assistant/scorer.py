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
from itertools import pairwise
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
    "attribute",  # share of the weight of the question's words other than its names it covers
)

# Signals of a sentence among the others of the same question, computed here from the vectors
# above and where each sentence is (context_features): a sentence is judged against its rivals
# and its neighbours, which one vector alone cannot tell a fitted model.
CONTEXT_FEATURES = (
    "dense_gap",  # its cosine minus the best cosine among the candidates
    "lexical_gap",  # its question-word coverage minus the best
    "dense_rank",  # 1 / (1 + rank) by cosine
    "lexical_rank",  # 1 / (1 + rank) by coverage
    "prev_lexical",  # the coverage of the sentence before it (same article)
    "next_lexical",  # ... and after it
    "prev_type",  # the asked kind of answer is in the sentence before it
    "next_type",  # ... or after it
    "article_type",  # ... or anywhere among the article's candidate sentences
    "article_lexical",  # the best coverage of any sentence of its article
    "article_dense",  # the best cosine of any sentence of its article
    "hand",  # the former hand-set score (HAND_WEIGHTS . x): the trees refine it
    "hand_gap",  # ... minus the best hand-set score among the candidates
    "hand_rank",  # 1 / (1 + rank) by the hand-set score
)
# The columns a tree scorer reads: the sentence's own signals, then those among the others.
SCORER_COLUMNS = SENTENCE_FEATURES + CONTEXT_FEATURES

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
    "attribute": 0.0,
}
_HAND = np.array([HAND_WEIGHTS[f] for f in SENTENCE_FEATURES])
# The hand-set score below which the rules abstained (calibrated on tests/eval/qa.json).
HAND_THRESHOLD = 0.42

# Signals of one question's best answer, for the abstention policy (answerer._question_features).
QUESTION_FEATURES = (
    "support",  # the chosen sentence's score
    "margin",  # how far it leads the best sentence of another article
    "dense",  # its cosine to the question
    "lexical",  # the question's idf weight it covers
    "names",  # the question's name groups it names
    "attribute",  # the weight of the question's words other than names it covers
    "wants",  # the question asks for a kind of answer (figure, date, name ...)
    "type_found",  # ... and the chosen sentences hold one
    "missing",  # the question names a person or number the chosen articles never mention
    "rule",  # a rule says the chosen sentences cannot answer (no figure, no pay, no topic ...)
    "speaker",  # a "what did X say" question
    "speaker_found",  # ... and the chosen sentence is X's
    "parts",  # a two-part question
    "followup",  # a follow-up question
)


def context_features(
    X: np.ndarray, article_ids: list[str] | None = None, starts: list[int] | None = None
) -> np.ndarray:
    """CONTEXT_FEATURES of every candidate (rows of ``X``, the SENTENCE_FEATURES of one
    question's candidates); ``article_ids`` and ``starts`` say where each sentence is (without
    them every sentence counts as an article of its own)."""
    n = len(X)
    out = np.zeros((n, len(CONTEXT_FEATURES)))
    if not n:
        return out
    col = {f: X[:, i] for i, f in enumerate(SENTENCE_FEATURES)}
    dense, lexical, kind = col["dense"], col["lexical"], (col["type"] > 0).astype(float)
    ctx = dict.fromkeys(CONTEXT_FEATURES)
    ctx["dense_gap"] = dense - dense.max()
    ctx["lexical_gap"] = lexical - lexical.max()
    ctx["dense_rank"] = 1.0 / (1.0 + _rank(dense))
    ctx["lexical_rank"] = 1.0 / (1.0 + _rank(lexical))
    ids = list(article_ids) if article_ids is not None else [str(i) for i in range(n)]
    at = list(starts) if starts is not None else [0] * n
    prev_lex, next_lex, prev_type, next_type = (np.zeros(n) for _ in range(4))
    art_type, art_lex, art_dense = kind.copy(), lexical.copy(), dense.copy()
    by_article: dict[str, list[int]] = {}
    for i in sorted(range(n), key=lambda i: (ids[i], at[i])):
        by_article.setdefault(ids[i], []).append(i)
    for members in by_article.values():
        idx = np.array(members)
        art_type[idx] = kind[idx].max()
        art_lex[idx] = lexical[idx].max()
        art_dense[idx] = dense[idx].max()
        for a, b in pairwise(members):
            next_lex[a], prev_lex[b] = lexical[b], lexical[a]
            next_type[a], prev_type[b] = kind[b], kind[a]
    ctx.update(prev_lexical=prev_lex, next_lexical=next_lex, prev_type=prev_type)
    ctx.update(next_type=next_type, article_type=art_type, article_lexical=art_lex)
    ctx["article_dense"] = art_dense
    hand = X @ _HAND
    ctx.update(hand=hand, hand_gap=hand - hand.max(), hand_rank=1.0 / (1.0 + _rank(hand)))
    for j, f in enumerate(CONTEXT_FEATURES):
        out[:, j] = ctx[f]
    return out


def _rank(v: np.ndarray) -> np.ndarray:
    """0 for the largest value, 1 for the next ... (ties share the better rank)."""
    return (len(v) - np.searchsorted(np.sort(v), v, side="right")).astype(float)


@dataclass(frozen=True)
class Trees:
    """Gradient-boosted regression trees (scikit-learn's HistGradientBoostingClassifier),
    flattened into arrays so that answering needs neither scikit-learn nor pickles:
    raw = baseline + the sum over trees of the leaf each row reaches. A node goes left when
    x[feature] <= threshold (NaN: as ``missing_left`` says); a leaf has left == -1."""

    feature: np.ndarray  # int, per node
    threshold: np.ndarray  # float, per node
    left: np.ndarray  # int, per node (-1 for a leaf)
    right: np.ndarray  # int, per node
    value: np.ndarray  # float, per node (leaves)
    missing_left: np.ndarray  # bool, per node
    roots: np.ndarray  # int, per tree
    baseline: float
    depth: int  # the deepest leaf's depth

    def raw(self, X: np.ndarray) -> np.ndarray:
        X = np.atleast_2d(X)
        node = np.broadcast_to(self.roots, (len(X), len(self.roots))).copy()
        rows = np.arange(len(X))[:, None]
        for _ in range(self.depth):
            x = X[rows, self.feature[node]]
            go_left = (x <= self.threshold[node]) | (np.isnan(x) & self.missing_left[node])
            step = np.where(go_left, self.left[node], self.right[node])
            node = np.where(self.left[node] < 0, node, step)
        return self.baseline + self.value[node].sum(axis=1)

    def to_json(self, names: tuple[str, ...]) -> dict[str, Any]:
        """As JSON, each node's feature by name (``names``: the columns it was fitted on)."""
        return {
            "feature": [names[f] for f in self.feature],
            "threshold": [float(f"{t:.9g}") for t in self.threshold],
            "left": self.left.tolist(),
            "right": self.right.tolist(),
            "value": [float(f"{v:.7g}") for v in self.value],
            "missing_left": [int(m) for m in self.missing_left],
            "roots": self.roots.tolist(),
            "baseline": self.baseline,
            "depth": self.depth,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any], names: tuple[str, ...]) -> Trees:
        """The trees in ``d``, their features found by name among ``names`` (the columns they
        will be given); a feature ``names`` lacks is an error: the model needs refitting."""
        missing = sorted(set(d["feature"]) - set(names))
        if missing:
            raise ValueError(f"model file: unknown features {missing}; run `newsqa train`")
        return cls(
            np.array([names.index(f) for f in d["feature"]], dtype=np.intp),
            np.array(d["threshold"], dtype=np.float64),
            np.array(d["left"], dtype=np.intp),
            np.array(d["right"], dtype=np.intp),
            np.array(d["value"], dtype=np.float64),
            np.array(d["missing_left"], dtype=bool),
            np.array(d["roots"], dtype=np.intp),
            float(d["baseline"]),
            int(d["depth"]),
        )


@dataclass(frozen=True)
class SentenceScorer:
    """score = scale * raw + offset, where raw is the log-odds of "holds the answer": w . x + b
    for a linear model, the trees' sum for boosted trees (which also read CONTEXT_FEATURES).
    The line maps it onto the scale of the former hand-set score, so the answerer's selection
    margins keep their meaning."""

    weights: np.ndarray
    bias: float = 0.0
    scale: float = 1.0
    offset: float = 0.0
    trees: Trees | None = None

    def score(
        self,
        x: np.ndarray,
        article_ids: list[str] | None = None,
        starts: list[int] | None = None,
    ) -> np.ndarray:
        if self.trees is None:
            return self.scale * (x @ self.weights + self.bias) + self.offset
        X = np.atleast_2d(x)
        full = np.hstack([X, context_features(X, article_ids, starts)])
        raw = self.trees.raw(full)
        return self.scale * (raw if np.ndim(x) > 1 else raw[0]) + self.offset


@dataclass(frozen=True)
class Abstention:
    """confidence = Platt(raw), raw = w . x + b (or the trees' sum); abstain when it is below
    ``threshold``, or, with ``veto``, when the rules find the question names something the
    articles never mention or the chosen sentences lack what it asks for (chosen on the fitting
    sets, see training)."""

    weights: np.ndarray
    bias: float
    platt_a: float
    platt_b: float
    threshold: float
    veto: bool = False
    trees: Trees | None = None

    def raw(self, x: np.ndarray) -> float:
        if self.trees is not None:
            return float(self.trees.raw(np.asarray(x, dtype=np.float64)[None, :])[0])
        return float(x @ self.weights + self.bias)

    def confidence(self, x: np.ndarray) -> float:
        z = self.raw(x)
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
            **({"trees": s.trees.to_json(SCORER_COLUMNS)} if s.trees is not None else {}),
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
            **({"trees": a.trees.to_json(QUESTION_FEATURES)} if a.trees is not None else {}),
        }
    return out


def from_json(data: dict[str, Any]) -> AnswererModel:
    """The model in ``data``; features it does not know weigh nothing, missing ones 0."""

    def vector(part: dict[str, Any], names: tuple[str, ...]) -> np.ndarray:
        got = dict(zip(part["features"], part["weights"], strict=True))
        return np.array([float(got.get(f, 0.0)) for f in names])

    s = data["scorer"]
    scorer = SentenceScorer(
        vector(s, SENTENCE_FEATURES),
        float(s["bias"]),
        float(s["scale"]),
        float(s["offset"]),
        Trees.from_json(s["trees"], SCORER_COLUMNS) if "trees" in s else None,
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
            Trees.from_json(a["trees"], QUESTION_FEATURES) if "trees" in a else None,
        )
    return AnswererModel(scorer, abstention, data.get("info", {}))


@lru_cache(maxsize=4)
def load_model(path: Path | None = None) -> AnswererModel:
    """The model in ``path`` (the settings' ``answerer_model``), else the committed one, loaded
    once per process; the hand weights if there is none."""
    path = path or MODEL_PATH
    if not path.exists():
        return AnswererModel(hand_scorer(), None, {"source": "hand-set weights"})
    return from_json(json.loads(path.read_text(encoding="utf-8")))


def save_model(model: AnswererModel, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_json(model), indent=1) + "\n", encoding="utf-8")
