"""What a sentence needs around it: a quotation introduced by "X said:" comes with the words that
follow, the topic of "What did X say about Y?" may be named a few lines up in a roundup entry,
"Polish-Danish" is mentioned by a story of Poland's and Denmark's, a sentence that calls the
story's subject "the town" is about it, and "EV" in a question is mentioned by a story whose
headline says "EV" or whose text says "electric vehicle". Fast: a real Chroma
store on a temp dir, tests/fakes.py's FakeEmbedder instead of the model."""

from __future__ import annotations

import pytest
from fakes import fake_assistant
from newsqa.assistant.chain import Assistant

ROUNDUP = (
    "Tuesday briefing\n\n"
    "MELBOURNE — The Greendale Wildlife Park has announced the birth of a pygmy hippopotamus, "
    "the first born there in 11 years. The calf weighed 6.2kg at birth. Visitors will see her "
    "from March. Keeper Tom Ashworth said:\n"
    "\"She's tiny, she's loud and she already runs the place.\"\n\n"
    "NAIROBI — Kenya's central bank left its main rate at 12.5% on Tuesday."
)
WIND = (
    "Baltic wind pact signed\n\n"
    "Poland and Denmark on Monday signed an agreement to build a shared offshore wind hub. "
    "The first Polish turbines and the Danish cable should feed power to the grid in 2031."
)

TOWN = (
    "Port Ardlow\n\n"
    "Port Ardlow is a town in Tamsin County on the east bank of the Carrow River. "
    "Port Ardlow was incorporated in 1851 and took its name from a village in Cornwall. "
    "The Carrow Valley Railroad reached the town in 1869, and a cotton mill opened in 1872."
)

PLANT = (
    "Sahyadri Motors to build EV plant in Tamil Nadu\n\n"
    "CHENNAI: Pune-based Sahyadri Motors on Wednesday announced an investment of ₹4,200 crore to "
    "set up a plant in Krishnagiri district of Tamil Nadu. The plant will have a capacity of "
    "250,000 vehicles a year."
)
PICKUP = (
    "Kaveri Auto pickups sell well\n\n"
    "Kaveri Auto sold 41,000 diesel pickups in the quarter. It will spend ₹900 crore on a new "
    "electric vehicle range, which goes on sale in Pune next year."
)

BRIDGE = (
    "Kestrel Harbour bridge reopens after repairs\n\n"
    "The Kestrel Harbour bridge reopened to traffic on Monday after a summer of repairs. "
    "Engineers replaced 1,200 rusted bolts on the bridge's steel arch. "
    "The harbour master thanked the bridge crews for their patience with the repairs."
)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    # Noise vectors give no confidence: only the rules' vetoes abstain here.
    return fake_assistant(
        tmp_path_factory.mktemp("context"),
        {
            "roundup.txt": ROUNDUP,
            "wind.txt": WIND,
            "town.txt": TOWN,
            "plant.txt": PLANT,
            "pickup.txt": PICKUP,
            "bridge.txt": BRIDGE,
        },
        threshold=0.0,
    )


def test_a_quotation_introduced_by_said_comes_with_its_words(assistant: Assistant) -> None:
    res = assistant.ask("What did keeper Tom Ashworth say about the newborn pygmy hippo?")
    assert not res["abstained"], res["note"]
    assert "runs the place" in res["answer"]


def test_a_hyphenated_pair_is_mentioned_by_its_parts(assistant: Assistant) -> None:
    res = assistant.ask("When should the first Polish-Danish turbines feed power to the grid?")
    assert "never mention" not in res["answer"]
    assert "2031" in res["answer"]


def test_a_sentence_of_the_story_is_about_its_subject_without_naming_it(
    assistant: Assistant,
) -> None:
    # "the town" is Port Ardlow: the railroad decides, not the sentence that repeats the name.
    res = assistant.ask("What year did the railroad first arrive in Port Ardlow?")
    assert not res["abstained"], res["note"]
    assert "1869" in res["answer"] and "1851" not in res["answer"], res["answer"]


@pytest.mark.parametrize(
    "question, answer",
    [
        # "EV" only in the headline: the sum in the text is this story's, not another's.
        ("How much is Sahyadri Motors investing in its EV plant in Tamil Nadu?", "4,200 crore"),
        # "EV" written out: the story mentions it, and the sum is its own.
        ("How much will Kaveri Auto spend on its EV range?", "900 crore"),
    ],
)
def test_an_acronym_is_mentioned_by_the_headline_or_written_out(
    assistant: Assistant, question: str, answer: str
) -> None:
    res = assistant.ask(question)
    assert not res["abstained"], res["note"]
    assert answer in res["answer"]


def test_a_sentence_without_the_kind_asked_for_is_left_out(assistant: Assistant) -> None:
    # "How many": of the story's sentences about the repairs, only one holds a figure.
    res = assistant.ask("How many bolts did engineers replace during the Kestrel Harbour repairs?")
    assert not res["abstained"], res["note"]
    assert "1,200" in res["answer"]
    assert "thanked" not in res["answer"] and "reopened" not in res["answer"], res["answer"]
