"""Unit tests of the fitted parts: the model file, the scorer, the abstention policy, metrics."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from newsqa.assistant import evaluation, scorer, training
from newsqa.assistant.scorer import (
    QUESTION_FEATURES,
    SENTENCE_FEATURES,
    Abstention,
    AnswererModel,
    from_json,
    hand_scorer,
    load_model,
    save_model,
    to_json,
)


def test_hand_scorer_is_the_old_weighted_sum() -> None:
    x = np.zeros(len(SENTENCE_FEATURES))
    x[SENTENCE_FEATURES.index("dense")] = 0.6
    x[SENTENCE_FEATURES.index("lexical")] = 0.5
    x[SENTENCE_FEATURES.index("speaker_own")] = 1.0
    assert hand_scorer().score(x) == pytest_approx(0.5 * 0.6 + 0.3 * 0.5 + 0.25)


def pytest_approx(v: float):
    import pytest

    return pytest.approx(v, abs=1e-9)


def test_model_file_round_trip(tmp_path: Path) -> None:
    a = Abstention(np.arange(len(QUESTION_FEATURES), dtype=float), -1.0, 0.9, 0.1, 0.4)
    model = AnswererModel(hand_scorer(), a, {"seed": 1})
    save_model(model, tmp_path / "m.json")
    back = load_model(tmp_path / "m.json")
    assert np.allclose(back.scorer.weights, model.scorer.weights)
    assert back.abstention is not None and back.abstention.threshold == 0.4
    x = np.ones(len(QUESTION_FEATURES))
    assert back.abstention.confidence(x) == pytest_approx(a.confidence(x))


def test_unknown_features_weigh_nothing_and_missing_ones_zero() -> None:
    data = to_json(AnswererModel(hand_scorer(), None, {}))
    data["scorer"]["features"] = ["dense", "from_the_future"]
    data["scorer"]["weights"] = [2.0, 5.0]
    model = from_json(data)
    assert model.scorer.weights[SENTENCE_FEATURES.index("dense")] == 2.0
    assert np.count_nonzero(model.scorer.weights) == 1


def test_without_a_model_file_the_hand_weights_and_no_policy(tmp_path: Path) -> None:
    model = load_model(tmp_path / "absent.json")
    assert model.abstention is None
    assert np.allclose(model.scorer.weights, hand_scorer().weights)


def test_committed_model_loads_and_has_a_policy() -> None:
    model = load_model()
    assert model.abstention is not None, "assistant/models/answerer.json: run `newsqa train`"
    assert 0.0 < model.abstention.threshold < 1.0
    info = json.loads(scorer.MODEL_PATH.read_text(encoding="utf-8"))["info"]
    assert "CC BY-SA" in info["trained_on"]


def test_confidence_rises_with_support() -> None:
    w = np.zeros(len(QUESTION_FEATURES))
    w[QUESTION_FEATURES.index("support")] = 4.0
    a = Abstention(w, -2.0, 1.0, 0.0, 0.5)
    low, high = np.zeros(len(w)), np.zeros(len(w))
    high[QUESTION_FEATURES.index("support")] = 1.0
    assert a.confidence(low) < 0.5 < a.confidence(high)


def _row(x: np.ndarray, y: np.ndarray, correct: bool, answers: bool = True) -> training.Row:
    item = training.Item("q?", "squad", "train", [["a"]] if answers else [])
    return training.Row(item, x, y, np.zeros(len(QUESTION_FEATURES)), correct, False)


@pytest.mark.slow  # fits with scikit-learn (seconds to import)
def test_fit_scorer_learns_the_signal_that_marks_the_answer() -> None:
    rng = np.random.default_rng(0)
    rows = []
    lex = SENTENCE_FEATURES.index("lexical")
    for _ in range(60):
        x = rng.random((8, len(SENTENCE_FEATURES))) * 0.2
        gold = int(rng.integers(8))
        x[gold, lex] += 0.6
        y = np.zeros(8, dtype=bool)
        y[gold] = True
        rows.append(_row(x, y, True))
    fitted = training.fit_scorer(rows)
    assert int(np.argmax(fitted.weights)) == lex
    assert training.top1(rows, fitted) > 0.9
    # The mapping keeps the old scale: scores of the same order as the hand-set ones.
    assert 0 < fitted.scale < 10


@pytest.mark.slow  # fits with scikit-learn (seconds to import)
def test_fit_abstention_threshold_answers_ninety_percent() -> None:
    rng = random.Random(0)
    sup = QUESTION_FEATURES.index("support")

    def rows(n: int) -> list[training.Row]:
        out = []
        for _ in range(n):
            answerable = rng.random() < 0.8
            s = rng.random() + (0.5 if answerable else 0.0)
            correct = answerable and rng.random() < 0.9
            r = _row(np.zeros((1, len(SENTENCE_FEATURES))), np.zeros(1, bool), correct, answerable)
            r.qx = np.zeros(len(QUESTION_FEATURES))
            r.qx[sup] = s
            out.append(r)
        return out

    a = training.fit_abstention(rows(400), calib := rows(400))
    answered = [a.confidence(r.qx) >= a.threshold for r in calib if r.item.answers]
    assert np.mean(answered) >= 0.9
    assert a.weights[sup] > 0


def test_swap_makes_a_near_miss_from_another_paragraph() -> None:
    para = {"context": "The tower was finished in 1931 by Smith."}
    other = {"context": "A fire in 1975 closed it."}
    got = training._swap("When was the tower finished in 1931?", para, [para, other], rng())
    assert got == "When was the tower finished in 1975?"
    assert training._swap("Who built it?", para, [para, other], rng()) is None


def rng() -> random.Random:
    return random.Random(0)


def test_ece_is_zero_when_confidence_matches_accuracy() -> None:
    assert evaluation.ece([0.75] * 4, [True, True, True, False]) == pytest_approx(0.0)
    assert evaluation.ece([1.0, 1.0], [False, False]) == pytest_approx(1.0)


def test_eval_rows_count_planted_answers_and_words() -> None:
    item = {"question": "Who chairs it?", "kind": "nearmiss", "evidence": [], "planted": ["Okafor"]}
    res = {
        "abstained": False,
        "answer": "Brian Okafor chairs it. [1]",
        "sources": [],
        "citations": [],
        "confidence": 0.7,
    }
    row = evaluation.score_one(item, res)
    assert row["planted"] is True and row["words"] == 4 and not row["answerable"]
    row["latency_ms"] = 1.0
    summary = evaluation.summarise([row])["overall"]
    assert summary["planted"] == 1.0 and summary["abstained_unanswerable"] == 0.0
