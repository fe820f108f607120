"""The short answer: the span of a sentence that answers a fact question, in news of any style.

The fitted weights are checked against SQuAD 2.0 (CC BY-SA 4.0, Rajpurkar et al. 2018) articles
they were not fitted on.
"""

from __future__ import annotations

import functools
import json

import pytest
from newsqa.assistant import short_answer as sa
from newsqa.assistant.short_answer import answer_kind, short_answer

WIRE = (
    "A Senate committee on Tuesday approved a $4.5 billion emergency package to help Western "
    "states recover from last summer's wildfires."
)
DEAL = (
    "Ashoka Industries agreed to pay CHF 2bn (Rs 18,000 crore) for Alpenwerk, the companies said "
    "on Feb. 27."
)


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        ("How much is the wildfire aid package worth?", WIRE, "$4.5 billion"),
        ("How much did Ashoka pay for Alpenwerk?", DEAL, "CHF 2bn"),
        ("When did the companies announce the deal?", DEAL, "Feb. 27"),
        (
            "Who is the NorthGrid spokesman?",
            "A NorthGrid spokesman, Dev Anand, said engineers were working in the dark.",
            "Dev Anand",
        ),
        (
            "Who is the museum's director?",
            "'They knew exactly what they wanted,' said the museum's director, Annelies Peeters.",
            "Annelies Peeters",
        ),
        (
            "Who did the Polish minister meet?",
            "Poland's deputy minister Łukasz Żurek met Mesut Özil in Gdańsk on 3 March.",
            "Mesut Özil",
        ),
        (
            "How many homes are without power?",
            "Updated figure from NorthGrid: 62,000 homes are now without power across its network.",
            "62,000",
        ),
        (
            "How long was the chip plant delayed?",
            "The Dresden chip plant has been delayed by two years, the company said.",
            "two years",
        ),
        (
            "What was the winning time in Valencia?",
            "Faith Chebet won the Valencia Half Marathon on Sunday, finishing in 1:04:11, 22 "
            "seconds inside the previous mark.",
            "1:04:11",
        ),
        (
            "Where were the rest centres opened?",
            "The council's leader, Graham Rushworth, has opened three rest centres, in Kendal, "
            "Penrith and Workington.",
            "Kendal, Penrith and Workington",
        ),
        (
            "What is the scheme known as?",
            'The scheme, known as the "Green Corridor", links the two ports.',
            "Green Corridor",
        ),
        (
            "When was the contract signed?",
            "The contract was signed on February 27, 2024, in Washington.",
            "February 27, 2024",
        ),
    ],
)
def test_short_answers_in_news_styles(question: str, sentence: str, expected: str) -> None:
    assert short_answer(question, sentence) == expected


def test_no_short_answer_for_statements_and_explanations() -> None:
    sentence = '"There will be no ground troops on Ukrainian soil," Scholz told reporters.'
    assert short_answer("What did Scholz say about ground troops?", sentence) is None
    assert short_answer("Why did Scholz rule out troops?", sentence) is None


def test_never_a_span_of_the_question_itself() -> None:
    # The only name in the sentence is the question's own: no answer, not "Olaf Scholz".
    sentence = "Olaf Scholz spoke to reporters in the afternoon."
    assert short_answer("Who did Olaf Scholz speak to?", sentence) is None
    # The only sum is the one the question gives.
    assert short_answer("How much did the $4.5 billion package add?", WIRE) is None
    # Nor the country the question names as an adjective ("Indonesian": "Indonesia").
    sentence = "He paid a bribe to a high-level official in Indonesia's environment ministry."
    assert short_answer("What was the name of the Indonesian official he bribed?", sentence) is None


def test_a_sentence_without_the_kind_asked_gives_none() -> None:
    assert short_answer("When did the committee vote?", "The committee voted 21-8.") in (None,)
    assert short_answer("How much did it cost?", "The plan was widely criticised.") is None
    # "By how much ...?" with no sum: a share; never an age group or how long it took.
    falls = "Aids for people in their 70s and 80s cut falls by a quarter over two years."
    assert short_answer("By how much did hearing aids reduce falls?", falls) is None
    share = "Falls were down 0.2 a year, a reduction of 25%, among people in their 70s."
    assert short_answer("By how much did hearing aids reduce falls?", share) == "25%"


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How much did X pay for Y?", "sum"),
        ("How many people died?", "number"),
        ("When did it open?", "date"),
        ("In what year was it built?", "year"),
        ("How long did the strike last?", "duration"),
        ("Who replaced him?", "person"),
        ("Where is the company based?", "place"),
        ("What is the virus called?", "term"),
        ("Which company won the contract?", "entity"),
        ("What percentage of voters backed it?", "percent"),
        ("What did Scholz say about ground troops?", None),
        ("Why did shares fall?", None),
    ],
)
def test_answer_kind(question: str, kind: str | None) -> None:
    assert answer_kind(question) == kind


@functools.cache
def _squad() -> tuple[dict, ...]:
    """The SQuAD examples, read and split into sentences once for the module."""
    if not (sa.SQUAD / "train-v2.0-subset.json.gz").exists():
        pytest.skip("SQuAD subset not present")
    return tuple(sa.squad_examples())


def _held_out() -> list[dict]:
    return [e for e in _squad() if e["title"] in sa.HELD_OUT]


def _first_candidate(examples: list[dict]) -> float:
    """Containment of the trivial baseline: the first span of the asked kind."""
    hits = 0
    for ex in examples:
        q, s = ex["question"], ex["sentence"]
        keys = sa.question_keys(q)
        spans = [
            c
            for c in sa.candidates(sa.answer_kind(q), s)
            if sa._in_question(s[c.start : c.end], keys, q) < 1.0
        ]
        if spans:
            got, gold = sa._normalise(s[spans[0].start : spans[0].end]), sa._normalise(ex["answer"])
            hits += bool(got) and (gold in got or got in gold)
    return hits / len(examples)


@pytest.mark.slow  # scores the shipped weights on 800 held-out SQuAD questions
def test_the_shipped_weights_beat_the_first_span_on_held_out_articles() -> None:
    examples = _held_out()
    model = json.loads(sa.MODEL_PATH.read_text(encoding="utf-8"))
    assert "CC BY-SA 4.0" in model["attribution"]
    assert not set(model["train_articles"]) & set(sa.HELD_OUT)
    scores = sa.evaluate(examples, model, 0.0)["all"]
    assert scores["contain"] * scores["answered"] > _first_candidate(examples) + 0.05
    kept = sa.evaluate(examples, model, model["threshold"])["all"]
    assert kept["contain"] >= 0.7 and kept["answered"] >= 0.6


@pytest.mark.slow  # fits a model on 400 questions
def test_training_on_a_small_sample_beats_the_baseline() -> None:
    examples = _held_out()
    train = [e for e in _squad() if e["title"] == "Beyoncé"][:400]
    model = sa.fit(train)
    scores = sa.evaluate(examples, model, 0.0)["all"]
    assert scores["contain"] * scores["answered"] > _first_candidate(examples)
