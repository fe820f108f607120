"""Unit tests: speaker attribution, question parsing, follow-up condensing, fusion."""

from __future__ import annotations

from newsqa.assistant.condense import Condensed, condense
from newsqa.assistant.retrieval import _diversify, _promote_leaders
from newsqa.index.attribution import attribute, question_speaker

SENTENCES = [
    "Earlier, Slovak Prime Minister Robert Fico said that some countries are considering it.",
    'According to him, these are "several NATO and EU member states".',
    "Other countries have not yet supported Macron's position.",
    '"There will be no ground troops," Scholz told reporters in Freiburg on Tuesday.',
    "At the same time, he reminded that many servicemen are trained in the UK.",
    "Czech Prime Minister Peter Fiala and his Polish counterpart Donald Tusk also ruled out "
    "sending troops.",
    "A similar position was expressed by Hungarian Foreign Minister Peter Szijjarto.",
    '"We will not move," the chancellor said.',
]


def test_named_pronoun_and_role_attribution() -> None:
    got = attribute(SENTENCES)
    assert {"fico"} <= got[0].speakers and got[0].how == "named"
    assert {"fico"} <= got[1].speakers and got[1].how == "pronoun"
    assert got[2].speakers == frozenset()
    assert got[3].speakers == {"scholz"}
    assert got[4].speakers == {"scholz"} and got[4].how == "pronoun"
    assert {"fiala", "tusk"} <= got[5].speakers
    assert "szijjarto" in got[6].speakers
    assert got[7].speakers == got[6].speakers  # "the chancellor said" inherits the last speaker


def test_question_speaker() -> None:
    assert question_speaker("What did Scholz say about ground troops?") == {"scholz"}
    assert question_speaker("What did Olaf Scholz tell reporters?") == {"scholz"}
    # "Sunak's spokesman" is the spokesman (the answerer finds who the article calls that).
    assert question_speaker("What did Sunak's spokesman say?") == {"spokesman"}
    assert question_speaker("How much did Shell pay?") == set()


def test_condense_resolves_pronouns_from_history() -> None:
    history = [
        {"role": "user", "content": "What did Gordon Brown say about the economy?"},
        {"role": "assistant", "content": "He said it was strong [1]."},
    ]
    got = condense("What did he say about the budget?", history)
    assert got.question == "What did Gordon Brown say about the budget?"
    # A question that stands alone follows nothing: no earlier turn goes along.
    assert condense("Who is Jens Stoltenberg?", history) == Condensed("Who is Jens Stoltenberg?")
    deficit = condense("And the deficit?", history)
    assert deficit.question == "And the deficit?" and "Gordon Brown" in deficit.follow_up
    assert "Gordon Brown" in deficit.retrieval_query()
    assert condense("What did he say?", None) == Condensed("What did he say?")


def test_condense_uses_the_answer_when_the_question_names_nobody() -> None:
    history = [
        {"role": "user", "content": "Who is the NATO Secretary General?"},
        {"role": "assistant", "content": "NATO Secretary General Jens Stoltenberg [1]."},
    ]
    assert (
        "Jens Stoltenberg" in condense("What did he tell the Associated Press?", history).question
    )


def test_diversify_caps_passages_per_article() -> None:
    ordered = ["a:0", "a:1", "a:2", "b:0", "a:3", "c:0"]
    assert _diversify(ordered, 4, lambda c: c.split(":")[0]) == ["a:0", "a:1", "b:0", "c:0"]
    # Fill from the rest when there are not enough articles.
    assert _diversify(["a:0", "a:1", "a:2"], 3, lambda c: c.split(":")[0]) == ["a:0", "a:1", "a:2"]


def test_quote_with_its_speaker_after_it() -> None:
    got = attribute(
        [
            "AstraZeneca has appointed John Patterson, the company said.",
            '"I am determined to restore confidence," said chief executive Tom McKillop.',
            '"Why build your own grid when you can use ours?"',
            "he asked in a webcast, said Sun's Jonathan Schwartz.",
        ]
    )
    assert "mckillop" in got[1].speakers and "patterson" not in got[1].speakers
    assert "schwartz" in got[2].speakers and got[2].how == "quote"


def test_roles_and_the_protagonist_resolve_unnamed_speakers() -> None:
    got = attribute(
        [
            "Gordon Brown has called on rich nations to fund a vaccine.",
            "Mr Brown is on a tour of Africa.",
            "Charity Actionaid criticised the plan, Simon Wright said.",
            "The UK chancellor predicted a vaccine could be found by 2012.",
            "German Chancellor Olaf Scholz spoke later.",
            "The chancellor said no troops would go.",
        ]
    )
    assert got[3].speakers == {"brown"}  # no one was called chancellor yet: the protagonist
    assert got[5].speakers == {"scholz"}  # the last person the article called chancellor


def test_promote_leaders_keeps_each_retrievers_best() -> None:
    fused = ["a", "b", "c", "d", "e"]
    assert _promote_leaders(fused, ["d", "a"]) == ["a", "d", "b", "c", "e"]
    assert _promote_leaders([], ["x"]) == []


def test_a_person_introduced_by_the_story_owns_the_next_he_said() -> None:
    got = attribute(
        [
            '"It is all about extending the idea of search," said Julian Smith, an analyst.',
            "Alexander Linden, vice president at analyst firm Gartner, downloaded the Google "
            "product but has since removed it.",
            '"It was just not very interesting," he said.',
        ]
    )
    assert "smith" in got[0].speakers
    assert got[1].speakers == frozenset()  # he says nothing there
    assert got[2].speakers == {"linden"} and got[2].how == "pronoun"
    # A capitalised phrase that is no name does not move the story.
    got = attribute(
        [
            '"We are pleased," said Julian Smith.',
            "In March, sales rose.",
            '"It was good," he said.',
        ]
    )
    assert "smith" in got[2].speakers


def test_a_passive_question_names_no_speaker() -> None:
    assert (
        question_speaker("What is the trojan spread by the fake David Beckham pictures called?")
        == set()
    )
    assert question_speaker("What did David Beckham call the trojan?") == {"beckham"}


def test_unicode_names_in_questions_and_sentences() -> None:
    assert question_speaker("What did Özil say about Arsenal?") == {"özil"}
    assert question_speaker("What did Łukasz Brzeziński say about the offer?") == {"brzeziński"}
    got = attribute(["Mette Ørsted Lund said the company was ready."])[0]
    assert {"ørsted", "lund"} <= got.speakers


def test_what_was_said_is_no_speaker() -> None:
    # "Xi said China ...": China is what Xi said, not a second speaker.
    assert attribute(["Xi said China would act."])[0].speakers == {"xi"}


def test_quote_styles_attribute_the_inverted_speaker() -> None:
    got = attribute(
        [
            "« We stay », said Ángela Ruiz.",
            "„We stay“, said Jürgen Müller.",
            "‘We stay,’ said Łukasz Brzeziński.",
        ]
    )
    assert "ruiz" in got[0].speakers
    assert "müller" in got[1].speakers
    assert "brzeziński" in got[2].speakers


def test_role_descriptors_are_not_names() -> None:
    from newsqa.index.attribution import name_words

    words = name_words(
        "Slovak Prime Minister Robert Fico and his Polish counterpart Donald Tusk met "
        "Presidential spokesman Dmitry Peskov."
    )
    assert {"fico", "tusk", "peskov"} <= words
    assert not words & {"slovak", "polish", "presidential", "prime", "minister"}


def test_a_described_subject_is_decided_by_the_article_not_a_list() -> None:
    said = attribute(["Marie Curie arrived in Paris.", "The Frenchwoman said she would stay."])
    assert said[1].speakers == {"curie"}
    # An organisation the article names in full is no description of a person.
    said = attribute(
        [
            "Jan Novak spoke first.",
            "The European Commission met later.",
            "The Commission said it would wait.",
        ]
    )
    assert "novak" not in said[2].speakers


def test_a_name_set_off_by_commas_after_its_role_speaks() -> None:
    got = attribute(
        [
            "Orrin's head of product, Grant Maddox, said the company welcomed competition.",
            '"The more good glasses there are, the better," he said.',
            "In Paris, France, prices rose.",
            "The study by US researchers, Pew Internet, suggests musicians disagree.",
        ]
    )
    assert got[0].speakers == {"grant", "maddox"}
    assert got[1].speakers == {"grant", "maddox"}
    # A place in commas, or a body after a description that names no role, is no speaker.
    assert not got[2].speakers
    assert not got[3].speakers
