"""Unit tests of the extractive answerer's question analysis (no model, no store)."""

from __future__ import annotations

import re

from assistant.answerer import _DURATION, _descriptors, _split_parts
from assistant.condense import condense


def test_descriptive_names_are_not_required_in_the_articles() -> None:
    assert _descriptors("How much is the Detroit motor giant paying the Turin car maker?") == {
        "detroit",
        "turin",
    }
    assert _descriptors("What did an American firm pay?") == {"american"}
    assert _descriptors("What did Scholz say about China?") == set()


def test_two_part_questions_split_and_carry_the_subject() -> None:
    parts = _split_parts(
        "How much did Lufthansa lose in 2003, and what dividend did its board recommend?"
    )
    assert parts[0] == "How much did Lufthansa lose in 2003?"
    assert parts[1].startswith("what dividend did its board recommend?") and "Lufthansa" in parts[1]
    # A part with names of its own stands alone.
    parts = _split_parts("Who did Radcliffe beat, and which champion heads the Edinburgh field?")
    assert parts[1] == "which champion heads the Edinburgh field?"
    assert _split_parts("What did Scholz say?") == ["What did Scholz say?"]


def test_durations() -> None:
    assert _DURATION.search("He will be out for four to six weeks.")
    assert _DURATION.search("She must serve 15 days in prison.")
    assert not _DURATION.search("He is on a season-long loan.")


def test_follow_up_carries_the_previous_answer_for_retrieval() -> None:
    history = [
        {"role": "user", "content": "Which reggae star was jailed in Jamaica?"},
        {"role": "assistant", "content": "Reggae star Sizzla has been jailed in Jamaica. [1]"},
    ]
    out = condense("What's his real name?", history)
    assert out.startswith("What's his real name?")
    assert "Sizzla" in out and not re.search(r"\[\d\]", out)
    abstained = [history[0], {"role": "assistant", "content": "The indexed articles don't say."}]
    assert "don't say" not in condense("What's his real name?", abstained)
