"""Who an answer names: a "he said" sentence answering "who" names its speaker, a headline counts
as a mention, a name ending in "-ly" or holding an adverb ("Kelly", "Snow") stays whole, and an
organisation speaks by its whole name ("the Department for Work and Pensions"). Fast: a real
Chroma store on a temp dir, tests/fakes.py's FakeEmbedder instead of the model."""

from __future__ import annotations

import pytest
from fakes import fake_assistant
from newsqa.assistant.chain import Assistant
from newsqa.index.attribution import attribute
from newsqa.index.statements import extract_statements

LIBRARY = (
    "Council votes to close Dunmore library\n\n"
    "The city council voted on Monday to close the central library in Dunmore. "
    "Opposition leader Mark Snow criticised the vote. "
    "In a speech to residents in Dunmore, he said the closure was a disgrace and promised to "
    "fight it in the courts. "
    "Council leader Anna Brook said savings of 2m pounds had to be made. "
    'She told reporters: "We looked at every budget line. Branch opening hours must be cut '
    'across Dunmore by April."'
)
HEADLINE = (
    "MPs demand answers over harbour dredging\n\n"
    "Members of the Commons transport committee have asked the port authority in Kilbride to "
    "explain why dredging of the harbour was halted in June. "
    "Committee chair Ruth Kelly said the delay had cost fishermen their autumn season."
)

# Roles as titles, a shadow holder of the same role, a union's general secretary, a given name
# with letters outside ASCII, a speaker named with where she works.
RULING = (
    "Watchdog blocks bus merger\n\n"
    "The regulator blocked the takeover of Corvale Travel by Hallam Group on Wednesday. "
    "Tessa Quilby, general secretary of the Road and Transit Workers' Union, said the ruling "
    "had saved depots. "
    "The Transport Secretary, Gideon Walmsby, welcomed the decision. "
    '"Passengers have to come first," he said. '
    "The shadow transport secretary, Lucy Marchant, said the minister had sat on his hands. "
    "The run-off candidate Jędrzej Ożarek endorsed the regulator on Thursday. "
    '"It is honest, and that is enough this time," Mr Ożarek said then. '
    "The lead economist, Professor Marit Ellby of the University of Wrexford, said fares "
    "would have risen by 9%."
)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    # Noise vectors give no confidence: only the rules' vetoes abstain here.
    return fake_assistant(
        tmp_path_factory.mktemp("naming"),
        {"library.txt": LIBRARY, "harbour.txt": HEADLINE, "ruling.txt": RULING},
        threshold=0.0,
    )


def test_a_who_question_answered_by_he_said_names_him(assistant: Assistant) -> None:
    res = assistant.ask("Who is going to fight the Dunmore library closure in the courts?")
    assert not res["abstained"]
    assert "he [Mark Snow] said" in res["answer"]
    assert res["short_answer"] == "Mark Snow"
    # The citation still quotes the article exactly.
    assert "he said the closure" in res["citations"][0]["quote"]


def test_a_who_question_about_a_statement_names_its_one_speaker_first(
    assistant: Assistant,
) -> None:
    # "promised" reports a statement: the statements answer, and one speaker is the short answer.
    res = assistant.ask("Who promised to fight the Dunmore library closure in the courts?")
    assert [s["speaker"] for s in res["statements"]] == ["Mark Snow"]
    assert res["short_answer"] == "Mark Snow"


def test_a_who_question_answered_by_a_quotation_names_its_speaker(assistant: Assistant) -> None:
    res = assistant.ask("Who wants branch opening hours cut across Dunmore by April?")
    assert "[Anna Brook:] Branch opening hours" in res["answer"]
    assert res["short_answer"] == "Anna Brook"


def test_a_role_written_as_a_title_is_its_holder_not_a_shadow_or_another_secretary(
    assistant: Assistant,
) -> None:
    res = assistant.ask("How did the Transport Secretary react to the bus merger ruling?")
    assert res["answer"].startswith("The Transport Secretary, Gideon Walmsby, welcomed")
    assert "Quilby" not in res["answer"] and "Marchant" not in res["answer"]


def test_a_given_name_outside_ascii_keeps_the_speaker_found(assistant: Assistant) -> None:
    res = assistant.ask("What did Jędrzej Ożarek say when he endorsed the regulator?")
    assert '"It is honest, and that is enough this time," Mr Ożarek said then.' in res["answer"]


def test_a_speaker_named_with_where_they_work_is_found() -> None:
    sentence = (
        "The lead economist, Professor Marit Ellby of the University of Wrexford, said fares "
        "would have risen."
    )
    assert attribute([sentence])[0].speakers == {"marit", "ellby"}
    said = "Professor Marit Ellby of the University of Wrexford said fares would have risen."
    assert attribute([said])[0].speakers == {"marit", "ellby"}
    reacted = "French President Jacques Chirac reacted to his warning by saying Europe must unite."
    assert attribute([reacted])[0].speakers == {"jacques", "chirac"}
    assert attribute(["Markets reacted sharply to the news."])[0].speakers == frozenset()


def test_a_word_of_the_headline_is_mentioned(assistant: Assistant) -> None:
    res = assistant.ask("Which MPs asked about the halted harbour dredging in Kilbride?")
    assert "never mention" not in res["answer"]
    assert not res["abstained"]


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        ("Ruth Kelly said the plan was fair.", "Ruth Kelly"),
        ("Opposition leader Mark Snow said the plan was unfair.", "Mark Snow"),
        ("Ally McCoist has also said it was a fair result.", "Ally McCoist"),
        ("Kelly said it was fair.", "Kelly"),
        ("Fico has also categorically rejected it.", "Fico"),
    ],
)
def test_names_are_not_cut_at_an_adverb_look_alike(sentence: str, speaker: str) -> None:
    found = extract_statements(f"Title\n\n{sentence}")
    assert [s.speaker for s in found] == [speaker]
    words = set(speaker.lower().split())
    assert attribute([sentence])[0].speakers == frozenset(words)


@pytest.mark.parametrize(
    ("sentence", "speakers"),
    [
        ("The Bank of England said rates would rise.", ["Bank of England"]),
        ("The Department for Work and Pensions said it would act.",
         ["Department for Work and Pensions"]),
        ("A Department for Work and Pensions spokeswoman said it would act.",
         ["Department for Work and Pensions spokeswoman"]),
        ("The Economist Intelligence Unit said the list could hurt investors.",
         ["Economist Intelligence Unit"]),
        ("Bank of England governor Mervyn King said rates would rise.", ["Mervyn King"]),
        ("Stephen King said the book was finished.", ["Stephen King"]),
        ("Saudi King Abdullah said the talks would go on.", ["Abdullah"]),
        ("Prime Minister Tony Blair and Chancellor Gordon Brown said they agreed.",
         ["Gordon Brown", "Tony Blair"]),
    ],
)  # fmt: skip
def test_organisations_speak_by_their_whole_name(sentence: str, speakers: list[str]) -> None:
    found = extract_statements(f"Title\n\nThe plan was discussed on Monday. {sentence}")
    assert sorted(s.speaker for s in found) == speakers
