"""Which questions are about several speakers, and what they ask: fast, no store."""

from __future__ import annotations

from newsqa.assistant.speakers import (
    _NEGATIVE_Q,
    _excluded,
    _is_person,
    _predicate_names,
    _subject_names,
    _taking_position,
    is_multi_speaker_question,
)


def test_reporting_and_stance_verbs_ask_for_speakers_and_acts_do_not() -> None:
    for q in (
        "Who attacked Labour's record at the spring conference?",
        "Who doubted the forecasts in the pre-Budget report?",
        "Who called for the full legal advice to be published?",
        "Which musicians and songwriters are backing the anti-piracy lessons?",
        "Which Conservatives said the party should look sympathetically on him?",
        "What did the lawyers for the four Britons say about their arrest?",
        "Who is quoted about the plan to reopen the theatre?",
        "Which of the candidates are quoted in the live coverage?",
        "Who at Tallis Copper explained the production cut?",
        "Who at Ørsted explained the delay?",
        "Which Conservative MPs criticised the leader for withdrawing the whip?",
        "Which MPs demanded a statement about the Budget leak?",
        "Who thought the referee got it wrong?",
        "Who stood up for the leader's decision?",
        "Which opposition politicians poured scorn on the reshuffle?",
    ):
        assert is_multi_speaker_question(q), q
    for q in (
        "Who called the police?",
        "Who announced the merger?",
        "Who won the race?",
        "Who is the chairman of the club?",
        "What did Moyes say about the dismissal?",  # a name ending in s is no group
        "Which BBC programmes did he present?",  # capitals, but no plural of them
    ):
        assert not is_multi_speaker_question(q), q


def test_a_possessive_names_whose_side_not_the_speaker() -> None:
    q = "How did Robert Napier's lawyer and the SNP react to the ruling?"
    assert _subject_names(q) == {"snp"}
    assert _subject_names("What did Liam Fox and Charles Clarke say about it?") == {
        "liam",
        "fox",
        "charles",
        "clarke",
    }
    # Whose criticism it is: not one of the answers.
    assert _excluded("Who backed Lord Butler's criticism of the government?") == {"butler"}


def test_the_people_a_who_question_asks_about_are_not_its_answers() -> None:
    assert _predicate_names("Which critics doubted that Chris Rock would host well?") == {"rock"}
    assert _predicate_names("Who criticised Tony Blair and Gordon Brown's feud?") == {
        "blair",
        "brown",
    }
    assert _predicate_names("Who said Özil should apologise?") == {"ozil"}  # folded, as keys are
    # The group asked for, before the verb, is no one spoken about.
    assert _predicate_names("Which Labour MPs rounded on the plan?") == set()
    assert _predicate_names("What did Scholz say about ground troops?") == set()


def test_a_refusal_is_asked_by_a_verb_not_by_a_noun() -> None:
    assert _NEGATIVE_Q.search("Who opposed the plan?")
    assert _NEGATIVE_Q.search("Who criticised the closure?")
    assert not _NEGATIVE_Q.search("Who backed Lord Butler's criticism of the government?")
    assert not _NEGATIVE_Q.search("How did the opposition parties respond to the report?")


def test_one_person_as_the_article_names_them() -> None:
    text = (
        "Labour MPs met a Labour MP. The Liberal Democrat chairman Matthew Taylor spoke, and Al "
        "Breach, an economist, said it was understandable. Mr Dear agreed. Ofcom said nothing. "
        "The PM left."
    )
    assert _is_person("Matthew Taylor", text)
    assert _is_person("Breach", text) and _is_person("Dear", text)
    for body in ("Labour MPs", "Liberal Democrats", "Ofcom", "PM"):
        assert not _is_person(body, text), body


def test_a_story_that_turns_to_the_other_camp() -> None:
    from types import SimpleNamespace

    from newsqa.assistant.speakers import _in_camp, _turn

    assert _turn("But Castell's allies insisted she had no choice.") == "support"
    assert _turn("However, critics said the plan was a purge.") == "critic"
    # The camp must open the sentence: here the critics are whom he answers.
    assert _turn("But Mr Pande said that if the critics were to see the film they would not.") == ""
    assert _turn("Castell's allies insisted she had no choice.") == ""
    text = (
        'Sir Neville Crabtree said the move was "a purge". '
        "But Castell's allies insisted she had no choice. "
        'Imran Qadir said the leader had "drawn a line".'
    )
    store = SimpleNamespace(article_texts=lambda ids: {"a": text})
    crabtree = (1.0, {"article_id": "a", "start": 0, "speaker": "Neville Crabtree"})
    qadir = (1.0, {"article_id": "a", "start": text.index("Imran"), "speaker": "Imran Qadir"})
    assert _in_camp("Who criticised Castell?", [crabtree, qadir], store) == [crabtree]
    assert _in_camp("Who stood up for Castell?", [crabtree, qadir], store) == [qadir]
    # A question that asks for no camp, or a story that never turns: unchanged.
    assert _in_camp("Who commented on Castell?", [crabtree, qadir], store) == [crabtree, qadir]
    flat = SimpleNamespace(article_texts=lambda ids: {"a": "Crabtree spoke. Qadir spoke."})
    assert _in_camp("Who criticised Castell?", [crabtree, qadir], flat) == [crabtree, qadir]


def test_a_follow_up_pronoun_is_the_person_named_in_full() -> None:
    from newsqa.assistant.speakers import _resolve_follow_up

    context = (
        "Who suggested that Western ground forces could be deployed in Ukraine? "
        "French President Emmanuel Macron, after a summit in Paris."
    )
    got = _resolve_follow_up("Did other countries back his position?", context)
    assert "Macron's position" in got and "Western" not in got
    # A surname alone still answers when no one is named in full.
    assert "Macron" in _resolve_follow_up("Who disagreed with him?", "What did Macron say?")


def test_a_case_argued_against_needs_no_word_of_refusal() -> None:
    # "Who argued against new rules?": the case against is made in any words, not "no".
    st = {
        "_id": "reddy",
        "_neg": False,
        "text": 'new federal rules would raise prices and "punish responsible manufacturers"',
        "verb": "said",
        "speaker": "Marcus Reddy",
    }
    q = "Who argued against new federal safety rules for e-bike batteries?"
    kept, _ = _taking_position(q, [(0.5, st)], [], bool(_NEGATIVE_Q.search(q)), False, False)
    assert [s["_id"] for _, s in kept] == ["reddy"]
    refusal = "Who ruled out new federal safety rules for e-bike batteries?"
    kept, _ = _taking_position(refusal, [(0.5, st)], [], True, False, False)
    assert kept == []
