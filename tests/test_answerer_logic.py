"""Unit tests of the answerer's abstention and attribution logic, fast: a real Chroma store on a
temp dir, tests/fakes.py's FakeEmbedder instead of the model (vectors are noise, so
these tests exercise the rules, not the ranking)."""

from __future__ import annotations

import pytest
from fakes import fake_assistant
from newsqa.assistant import evaluation
from newsqa.assistant.chain import Assistant

ARTICLE = (
    "Leaders rule out troops for Ukraine\n\n"
    "European leaders have ruled out sending troops to Ukraine. "
    '"There will be no ground troops on Ukrainian soil," Scholz told reporters in Freiburg. '
    "Slovak Prime Minister Robert Fico said that sending Slovak troops there was impossible. "
    "He added that some countries were considering bilateral agreements. "
    "The summit in Paris was attended by many European heads of government."
)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return fake_assistant(tmp_path_factory.mktemp("unit"), {"troops.txt": ARTICLE})


def test_a_person_the_articles_never_mention_means_abstention(assistant: Assistant) -> None:
    res = assistant.ask("What did Merkel say about ground troops?")
    assert res["abstained"] and res["citations"] == []
    assert "Merkel" in res["answer"] and "don't say" in res["answer"]
    assert res["sources"], "the closest passages are still offered as related reading"


def test_a_figure_nobody_gives_means_abstention(assistant: Assistant) -> None:
    res = assistant.ask("How many soldiers will Scholz send to Ukraine?")
    assert res["abstained"]


def test_say_questions_quote_the_speaker_not_a_neighbour(assistant: Assistant) -> None:
    res = assistant.ask("What did Fico say about sending troops?")
    assert not res["abstained"]
    assert "Fico" in res["answer"] or "He added" in res["answer"]
    assert "Freiburg" not in res["answer"]  # Scholz's words, in the same article
    res = assistant.ask("What did Scholz say about ground troops?")
    assert "no ground troops" in res["answer"] and "impossible" not in res["answer"]


def test_citations_quote_the_passage_exactly(assistant: Assistant) -> None:
    res = assistant.ask("What did Scholz say about ground troops?")
    cite = res["citations"][0]
    assert cite["quote"] in cite["passage"]
    for a, b in cite["quote_spans"]:
        assert cite["passage"][a:b] in res["answer"]


def test_no_embedding_at_question_time_beyond_the_question(assistant: Assistant) -> None:
    """Sentence vectors come from the store: answering embeds nothing but the question."""
    before = assistant.embedder.forward_passes
    assistant.ask("What did Fico add about bilateral agreements?")
    assert assistant.embedder.forward_passes == before


def test_a_short_answer_two_sentences_disagree_on_is_not_shown() -> None:
    from newsqa.assistant.answerer import _agreed_short

    q = "How much did BMW invest in Mini production?"
    assert _agreed_short(q, "£280m", ["BMW has announced £100m of new investment."]) is None
    assert _agreed_short(q, "£280m", ["The plant is near Oxford."]) == "£280m"
    assert _agreed_short(q, "£280m", ["On top of the £280m, it hired staff."]) == "£280m"


def test_retrieval_hits_counts_questions_whose_evidence_is_in_the_first_five(
    assistant: Assistant,
) -> None:
    items = [
        {"question": "What did Scholz say about troops?", "evidence": ["articles/troops.txt"]},
        {"question": "Who attended the summit?", "evidence": ["elsewhere/other.txt"]},
        {"question": "Who is Fico?", "evidence": []},  # no evidence: not counted
    ]
    hits = evaluation.retrieval_hits(assistant, items)
    assert hits == {"dense": 0.5, "lexical": 0.5, "hybrid": 0.5}
