"""The fitted choice of speakers (assistant/speaker_select.py): the committed model loads and
its pieces behave; fitted on the speakers sets over a real store of their articles (real
embedding model), it beats the trivial choices on the held-out set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from newsqa.assistant import speaker_select as S
from newsqa.index.indexer import Indexer
from newsqa.index.settings import load_settings
from newsqa.index.store import open_store

from tests.conftest import CORPUS, need_corpus

EVAL = Path(__file__).parent / "eval"


def _question(cands: list[tuple[str, float]], want: list[str], wrong: list[str]) -> dict[str, Any]:
    return {
        "speakers": want,
        "not_speakers": wrong,
        "candidates": [{"speaker": s, "x": [x] + [0.0] * (len(S.FEATURES) - 1)} for s, x in cands],
    }


def test_the_committed_model_loads_with_these_features() -> None:
    data = json.loads(S.MODEL_PATH.read_text(encoding="utf-8"))
    assert tuple(data["features"]) == S.FEATURES
    model = S.load_model()
    assert model is not None and 0.0 < model.threshold < 1.0
    p = model.probability(np.zeros((2, len(S.FEATURES))))
    assert p.shape == (2,) and np.all((p > 0) & (p < 1))
    # The choice it makes was checked on a set it was not fitted on, and recorded.
    assert data["report"]["held_out"] and data["report"]["held_out"][0] not in S.TRAIN_SETS


def test_a_model_fitted_on_other_features_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"features": ["topic"], "weights": [1.0], "bias": 0.0,
                                "threshold": 0.5}), encoding="utf-8")  # fmt: skip
    with pytest.warns(UserWarning, match="other features"):
        assert S.load_model(path) is None


def test_choose_keeps_each_speaker_over_the_threshold_and_at_least_the_best() -> None:
    assert S.choose(["A", "B", "A"], [0.2, 0.7, 0.9], 0.5) == ["A", "B"]
    assert S.choose(["A", "B"], [0.2, 0.3], 0.5) == ["B"]
    assert S.choose([], [], 0.5) == []


def test_score_counts_required_speakers_named_and_answers_naming_a_wrong_one() -> None:
    questions = [
        _question([("Olaf Scholz", 0.9), ("Emmanuel Macron", 0.6)], ["Scholz"], ["Macron"]),
        _question([("Petr Fiala", 0.4), ("Donald Tusk", 0.8)], ["Fiala", "Tusk"], []),
        _question([], ["Meloni"], []),  # answered otherwise: not counted
    ]

    def probs(q: dict[str, Any]) -> np.ndarray:
        return np.array([c["x"][0] for c in q["candidates"]])

    assert S.score(questions, probs, 0.5) == {"n": 2.0, "share": 0.75, "no_wrong": 0.5}
    assert S.score(questions, probs, 0.7) == {"n": 2.0, "share": 0.75, "no_wrong": 1.0}
    # From 0.65 up each question keeps its best speaker only: the same sum; the highest wins.
    assert S.pick_threshold(questions, probs) == 0.95


def _evidence(sets: tuple[str, ...]) -> list[Path]:
    paths: set[Path] = set()
    for name in sets:
        for item in json.loads((EVAL / f"{name}.json").read_text(encoding="utf-8")):
            for ev in item.get("evidence") or []:
                ev = ev.removeprefix("eval/articles/")
                path = EVAL / "articles" / ev if "/" not in ev else CORPUS / ev
                if path.exists():
                    paths.add(path)
    return sorted(paths)


@pytest.mark.integration
def test_fitted_on_three_sets_it_beats_the_trivial_choices_on_the_fourth(
    tmp_path: Path, embedder: Any
) -> None:
    need_corpus()
    sets = (*S.TRAIN_SETS, *S.HELD_OUT_SETS)
    store_dir = tmp_path / "store"
    with open_store(store_dir, write=True) as store:
        Indexer(store, embedder, load_settings(store=str(store_dir))).index_paths(_evidence(sets))
    out = tmp_path / "speakers.json"
    report = S.train(store_dir, out, embedder=embedder)
    assert S.load_model(out) is not None
    held, every, best = (
        report["held_out_scores"],
        report["held_out_every"],
        report["held_out_best_only"],
    )
    assert held["n"] >= 20
    total = held["share"] + held["no_wrong"]
    assert total > every["share"] + every["no_wrong"]
    assert total > best["share"] + best["no_wrong"]
