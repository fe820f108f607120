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


def test_context_features_compare_a_sentence_with_its_rivals_and_neighbours() -> None:
    X = np.zeros((4, len(SENTENCE_FEATURES)))
    dense, lex, kind = (SENTENCE_FEATURES.index(f) for f in ("dense", "lexical", "type"))
    X[:, dense] = [0.2, 0.5, 0.4, 0.1]
    X[:, lex] = [0.3, 0.0, 0.6, 0.9]
    X[1, kind] = 1.0  # the answer's kind is in sentence 1 only
    # Sentences 0, 1, 2 of article "a" (in text order 0, 2, 1); sentence 3 alone in "b".
    ctx = scorer.context_features(X, ["a", "a", "a", "b"], [0, 200, 100, 0])
    col = {f: ctx[:, i] for i, f in enumerate(scorer.CONTEXT_FEATURES)}
    assert np.allclose(col["dense_gap"], [-0.3, 0.0, -0.1, -0.4])
    assert np.allclose(col["dense_rank"], [1 / 3, 1, 1 / 2, 1 / 4])
    assert np.allclose(col["lexical_rank"], [1 / 3, 1 / 4, 1 / 2, 1])
    # In text order 0, 2, 1: sentence 2's neighbours are 0 (before) and 1 (after).
    assert col["prev_lexical"][2] == 0.3 and col["next_lexical"][2] == 0.0
    assert col["next_type"][2] == 1.0 and col["prev_type"][1] == 0.0
    assert np.allclose(col["article_type"], [1, 1, 1, 0])
    assert np.allclose(col["article_lexical"], [0.6, 0.6, 0.6, 0.9])
    # Without positions every sentence is an article of its own.
    alone = scorer.context_features(X)
    assert not alone[:, scorer.CONTEXT_FEATURES.index("next_lexical")].any()


def _tiny_trees() -> scorer.Trees:
    # One tree: dense <= 0.5 ? (lexical <= 0.2 ? -1 : 1) : 2; a second one-leaf tree: 0.5.
    dense, lex = SENTENCE_FEATURES.index("dense"), SENTENCE_FEATURES.index("lexical")
    return scorer.Trees(
        feature=np.array([dense, lex, 0, 0, 0, 0]),
        threshold=np.array([0.5, 0.2, np.inf, np.inf, np.inf, np.inf]),
        left=np.array([1, 3, -1, -1, -1, -1]),
        right=np.array([2, 4, -1, -1, -1, -1]),
        value=np.array([0.0, 0.0, 2.0, -1.0, 1.0, 0.5]),
        missing_left=np.array([True, False, False, False, False, False]),
        roots=np.array([0, 5]),
        baseline=0.25,
        depth=2,
    )


def test_trees_walk_every_row_to_its_leaves() -> None:
    trees = _tiny_trees()
    X = np.zeros((4, len(scorer.SCORER_COLUMNS)))
    dense, lex = SENTENCE_FEATURES.index("dense"), SENTENCE_FEATURES.index("lexical")
    X[:, dense] = [0.1, 0.1, 0.9, np.nan]
    X[:, lex] = [0.1, 0.3, 0.0, 0.3]
    assert np.allclose(trees.raw(X), 0.25 + 0.5 + np.array([-1.0, 1.0, 2.0, 1.0]))


def test_tree_model_round_trips_by_feature_name(tmp_path: Path) -> None:
    trees = _tiny_trees()
    s = scorer.SentenceScorer(np.zeros(len(SENTENCE_FEATURES)), 0.0, 0.5, 0.1, trees)
    a = Abstention(np.zeros(len(QUESTION_FEATURES)), 0.0, 1.0, 0.0, 0.4, trees=trees)
    save_model(AnswererModel(s, a, {}), tmp_path / "m.json")
    back = load_model(tmp_path / "m.json")
    X = np.random.default_rng(0).random((5, len(SENTENCE_FEATURES)))
    assert np.allclose(back.scorer.score(X), s.score(X))
    x = np.random.default_rng(1).random(len(QUESTION_FEATURES))
    assert back.abstention is not None
    assert back.abstention.confidence(x) == pytest_approx(a.confidence(x))
    data = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert "dense" in data["scorer"]["trees"]["feature"]
    data["scorer"]["trees"]["feature"][0] = "from_the_future"
    with pytest.raises(ValueError, match="newsqa train"):
        from_json(data)


@pytest.mark.slow  # fits with scikit-learn (seconds to import)
def test_flattened_trees_give_scikit_learns_log_odds() -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    X = rng.random((400, 5))
    X[::17, 2] = np.nan
    y = (X[:, 0] + np.nan_to_num(X[:, 2]) > 0.9) ^ (rng.random(400) < 0.1)
    clf = HistGradientBoostingClassifier(max_iter=20, max_leaf_nodes=6, random_state=0).fit(X, y)
    trees = training.trees_from_sklearn(clf)
    assert np.allclose(trees.raw(X), clf.decision_function(X), atol=1e-9)


@pytest.mark.slow  # fits with scikit-learn (seconds to import)
def test_tree_scorer_learns_a_signal_only_the_neighbour_carries() -> None:
    # The answer is the sentence after the one that covers the question: a pattern no weight
    # of the sentence's own signals can express, and the tree scorer's context columns can.
    rng = np.random.default_rng(0)
    lex = SENTENCE_FEATURES.index("lexical")
    rows = []
    for _ in range(150):
        x = rng.random((8, len(SENTENCE_FEATURES))) * 0.2
        cue = int(rng.integers(7))
        x[cue, lex] += 0.6
        y = np.zeros(8, dtype=bool)
        y[cue + 1] = True
        r = _row(x, y, True)
        r.ids, r.starts = ["a"] * 8, [100 * i for i in range(8)]
        rows.append(r)
    fitted = training.fit_scorer(rows, "trees")
    assert training.top1(rows, fitted) > 0.9
    assert training.top1(rows, training.fit_scorer(rows)) < 0.3


def test_dropped_near_misses_ask_answerable_questions_without_their_paragraph() -> None:
    data = [
        {
            "title": "Tower",
            "paragraphs": [
                {
                    "context": "The tower was finished in 1931 by Smith.",
                    "qas": [
                        {
                            "question": "Who finished the tower?",
                            "answers": [{"text": "Smith", "answer_start": 34}],
                        }
                    ],
                },
                {"context": "A fire in 1975 closed it.", "qas": []},
            ],
        }
    ]
    items = training.squad_items(data, rng(), dropped=1.0)
    dropped = [it for it in items if it.kind == "dropped"]
    assert len(dropped) == 1 and dropped[0].answers == [] and dropped[0].absent == ("Smith",)
    assert dropped[0].article_id == items[0].article_id  # the paragraph the retriever must skip
    assert not [it for it in training.squad_items(data, rng(), dropped=0.0) if it.kind == "dropped"]


def test_a_model_file_named_in_the_settings_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsqa.assistant.chain import Assistant
    from newsqa.index.settings import SettingsError, load_settings
    from newsqa.index.store import open_store

    from tests.fakes import FakeEmbedder

    a = Abstention(np.zeros(len(QUESTION_FEATURES)), 0.0, 1.0, 0.0, 0.77)
    save_model(AnswererModel(hand_scorer(), a, {}), tmp_path / "other.json")
    monkeypatch.setenv("NEWSQA_ANSWERER_MODEL", str(tmp_path / "other.json"))
    settings = load_settings(store=str(tmp_path / "store"), sample_dir=None)
    with open_store(tmp_path / "store", write=True) as store:
        extractive = Assistant(store, FakeEmbedder(), settings).extractive
    assert extractive.model is not None and extractive.model.abstention is not None
    assert extractive.model.abstention.threshold == 0.77
    # A file that is not there is a clear error, not the committed model in its place.
    monkeypatch.setenv("NEWSQA_ANSWERER_MODEL", str(tmp_path / "absent.json"))
    with pytest.raises(SettingsError, match="NEWSQA_ANSWERER_MODEL"):
        load_settings(store=str(tmp_path / "store"))
