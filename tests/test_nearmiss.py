"""The near-miss detector: does this sentence answer this question?

The shipped weights are fitted on the SQuAD 2.0 training subset (CC BY-SA 4.0, Rajpurkar et al.
2018). The sentence pairs below are written for these tests, in several news styles; none is taken
from an evaluation set.
"""

from __future__ import annotations

import json

import pytest
from newsqa.assistant import nearmiss

# (question, a sentence that answers it, a near miss: the same story, a span of the asked kind,
# not the answer). Written once and all kept: 7 of 7 pass with the shipped weights.
PAIRS = [
    # US wire
    (
        "How many people were killed when the bus overturned near Flagstaff?",
        "FLAGSTAFF, Ariz. (AP) — Four people were killed and 19 hurt when a tour bus overturned "
        "on Interstate 40 near Flagstaff on Sunday, police said.",
        "FLAGSTAFF, Ariz. (AP) — Nineteen people were hurt when a tour bus overturned on "
        "Interstate 40 near Flagstaff on Sunday, police said.",
    ),
    (
        "Who chairs the House Transportation Committee?",
        "Rep. Dana Whitfield, who chairs the House Transportation Committee, said hearings would "
        "begin in March.",
        "Rep. Dana Whitfield, the committee's ranking Democrat, said hearings would begin in "
        "March.",
    ),
    # Indian business
    (
        "How much will Meridian Steel invest in the Odisha plant?",
        "Meridian Steel Ltd on Monday said it will invest Rs 3,200 crore in its Odisha plant over "
        "four years.",
        "Meridian Steel Ltd on Monday said its Odisha plant employs 3,200 people and ran at full "
        "capacity last quarter.",
    ),
    (
        "Who is the managing director of Kaveri Foods?",
        '"We are not chasing volume," Kaveri Foods managing director S. Ramanathan told '
        "reporters in Bengaluru.",
        '"We are not chasing volume," Kaveri Foods chief financial officer Priya Menon told '
        "reporters in Bengaluru.",
    ),
    # A translated European story
    (
        "When will the new tram line in Graz open?",
        "The new tram line in Graz will open in September 2027, the city's transport councillor "
        "said on Tuesday.",
        "The old tram line in Graz was closed in September 2019 after a derailment, the city's "
        "transport councillor said on Tuesday.",
    ),
    (
        "How many jobs will the Bordeaux shipyard cut?",
        "The Bordeaux shipyard will cut 240 jobs by the end of next year, its management told "
        "unions on Thursday.",
        "The Bordeaux shipyard, which employs 1,400 people, told unions on Thursday that it had "
        "lost two orders.",
    ),
    # UK regional
    (
        "How long was the A66 closed after the crash?",
        "The A66 was closed for six hours after the crash while investigators examined the scene.",
        "The A66 crash happened six miles west of Penrith, police said.",
    ),
]


def test_the_shipped_model_loads_with_its_attribution() -> None:
    model = json.loads(nearmiss.MODEL_PATH.read_text(encoding="utf-8"))
    assert set(model["weights"]) == set(nearmiss.FEATURES)
    assert 0.0 < model["threshold"] < 1.0
    assert "CC BY-SA 4.0" in model["attribution"]
    assert "" in model["idf"]
    p = nearmiss.answers_probability("Who won?", "Smith won the race.")
    assert 0.0 <= p <= 1.0


@pytest.mark.parametrize(("question", "answer", "near_miss"), PAIRS)
def test_an_answering_sentence_scores_above_a_near_miss(
    question: str, answer: str, near_miss: str
) -> None:
    assert nearmiss.answers_probability(question, answer) > nearmiss.answers_probability(
        question, near_miss
    )


def test_context_can_supply_the_figure_the_sentence_leaves_out() -> None:
    question = "How many jobs will the Bordeaux shipyard cut in 2026?"
    sentence = "It will cut 240 jobs by the end of the year, management told unions."
    context = "The Bordeaux shipyard said its 2026 order book was half empty."
    assert nearmiss.answers_probability(question, sentence, context) > (
        nearmiss.answers_probability(question, sentence)
    )


def test_auc() -> None:
    assert nearmiss.auc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert nearmiss.auc([0.5], [0.5]) == 0.5
    assert nearmiss.auc([0.1], [0.9]) == 0.0


@pytest.mark.slow  # builds the SQuAD pairs and fits a model on a sample of them (~15 s)
def test_training_on_a_sample_beats_a_trivial_baseline_on_held_out_articles() -> None:
    if not nearmiss.SQUAD_PATH.exists():
        pytest.skip("the SQuAD 2.0 training subset is not in ../shared/train/squad2")
    model = nearmiss.train(out=None, sample=150, corpus=None)
    held = model["report"]["held_out"]
    assert held["n_answer"] > 50
    # A constant score ranks answering sentences above the others half the time (AUC 0.5).
    assert held["other"]["auc"] > 0.7
    again = nearmiss.train(out=None, sample=150, corpus=None)
    assert again["weights"] == model["weights"]
