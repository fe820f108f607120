"""Integration: ``newsqa train`` on a small sample fits a model that loads and beats trivial
baselines on held-out SQuAD articles."""

from __future__ import annotations

from pathlib import Path

import pytest
from newsqa.assistant.scorer import load_model, save_model
from newsqa.assistant.training import SQUAD, run_training

pytestmark = pytest.mark.integration


def test_training_on_a_sample_beats_the_baselines(tmp_path: Path) -> None:
    if not SQUAD.exists():
        pytest.skip(f"no SQuAD subset at {SQUAD}")
    model, report = run_training(sample=60, cache=tmp_path, log=lambda _: None)
    save_model(model, tmp_path / "m.json")
    loaded = load_model(tmp_path / "m.json")
    assert loaded.abstention is not None
    held = report["squad-test"]
    # The fitted scorer picks the answer's sentence more often than the dense cosine alone.
    assert held["top1_fitted"] > held["top1_dense"]
    # Its confidence ranks right answers above wrong ones better than a coin.
    assert held["fitted"]["auc"] > 0.6
    assert 0.0 <= held["fitted"]["ece"] <= 0.3
    # Every kind of scorer was tried and the choice is recorded (kept only if it beat the
    # hand-set weights on the calibration half).
    assert set(model.info["scorer_top1_squad"]["test"]) == {"hand-set", "linear", "trees"}
    assert model.info["abstention"].startswith(("linear", "trees"))
