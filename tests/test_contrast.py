"""Near misses that report the opposite (assistant/contrast.py), on SQuAD-style and news text."""

from __future__ import annotations

import json
import re
from pathlib import Path

from newsqa.assistant.contrast import (
    ANTONYMS_PATH,
    aim_not_fact,
    another_day,
    antonyms,
    build,
    negation_flipped,
    opposite_word,
)


def test_an_opposite_reported_instead_of_the_word_asked() -> None:
    old = "Monica Bellucci became, at fifty, the oldest actress to be cast as a Bond girl."
    assert opposite_word("Who was the youngest actress to be a Bond girl?", old, [old]) == "old"
    car = "Aston Martin unveiled the DB10 as the official car for the film."
    assert opposite_word("The unofficial car of the film was what?", car, [car]) == "official"
    # Nouns when a determiner leads them: "a sister company", not "filming started".
    sister = "Danjaq is a sister company of Eon Productions."
    assert opposite_word("Who is a brother company to Eon?", sister, [sister]) == "sister"
    started = "Filming started in Austria in December 2014 and ended in February."
    assert opposite_word("When did the Austrian filming finish?", started, [started]) == ""
    # The word asked is there after all, or the question holds both, or a name holds the other.
    both = "The youngest and the oldest members were both there."
    assert opposite_word("Who was the youngest member?", both, [both]) == ""
    poor = "The Ewells are poor, and so are the Cunninghams."
    assert opposite_word("Are the Ewells considered rich or poor?", poor, [poor]) == ""
    named = "The National Union of Journalists received the complaints."
    assert opposite_word("Which local paper received complaints?", named, [named]) == ""
    # "How many", "the first", "the new manager": grammar and order, no contrast.
    first = "It is the first time the Greens have won a by-election."
    assert opposite_word("And who came second?", first, [first]) == ""


def test_a_negative_asked_or_answered() -> None:
    used = "Satisfied with the quality, the demo was used in the final release."
    assert negation_flipped("What was not used in the final release?", used, [used])
    denied = "This was denied by producer Michael G. Wilson."
    assert not negation_flipped("Which producer would not confirm it?", used, [used, denied])
    ret = "Sam Mendes has stated he will not return to direct the next 007 film."
    assert negation_flipped("Who will return to direct the next 007 film?", ret, [ret])
    # A noun of the question is no verb the sentence negates.
    imax = "It became the second Bond film screened in IMAX, although it was not filmed in IMAX."
    assert not negation_flipped("What was the first Bond film screened at IMAX?", imax, [imax])
    # Yes/no questions and "what did X say" may be answered no.
    sell = "Steve Bruce insists he does not want to sell Savage."
    assert not negation_flipped("Does he want to sell Robbie Savage?", sell, [sell])
    assert not negation_flipped("What did Bruce say about wanting to sell Savage?", sell, [sell])


def test_a_month_or_weekday_asked_and_another_reported() -> None:
    march = ["The first teaser trailer was released worldwide in March 2015."]
    assert another_day("Which teaser trailer was released in February 2015?", march)
    assert not another_day("Which teaser trailer was released in March 2015?", march)
    # Not a date: a name ("Black Friday"), the verb "may"; nothing dated: nothing to compare.
    court = ["The court postponed the film's launch until 3 February."]
    assert not another_day("Until what date was the release of Black Friday postponed?", court)
    assert not another_day("Who may replace him in June?", ["He may be replaced soon."])
    assert not another_day("What may happen to the fund?", march)


def test_the_antonym_file_is_derived_from_wordnet_and_keeps_its_licence(tmp_path: Path) -> None:
    data = json.loads(ANTONYMS_PATH.read_text(encoding="utf-8"))
    assert "Princeton University" in data["attribution"]
    table = antonyms()
    assert "old" in table["modifiers"]["young"] and "sister" in table["nouns"]["brother"]
    # The parser on two adjective synsets that point at each other (WordNet's data format).
    (tmp_path / "data.adj").write_text(
        "  1 This is a licence header line\n"
        "00001740 00 a 01 able 0 001 ! 00002098 a 0101 | having the means\n"
        "00002098 00 a 01 unable 0 001 ! 00001740 a 0101 | not having the means\n",
        encoding="utf-8",
    )
    for pos in ("adv", "noun"):
        (tmp_path / f"data.{pos}").write_text("", encoding="utf-8")
    built = build(tmp_path, tmp_path / "antonyms.json")
    assert built["modifiers"] == {"able": ["unable"], "unable": ["able"]}
    assert built["nouns"] == {}


def test_another_figure_for_the_same_thing() -> None:
    from newsqa.assistant.contrast import another_figure

    two = "Mendes became the first director to oversee two consecutive Bond films since Glen."
    assert another_figure("Who was the first to oversee three consecutive Bond films?", two)
    assert not another_figure("Who was the first to oversee 2 consecutive Bond films?", two)
    bond = "Spectre (2015) is the twenty-fourth James Bond film produced by Eon."
    assert another_figure("What is the name of the thirty-fourth James Bond film?", bond)
    assert another_figure("Whose hall was used on 8 April 2015?", "It was filmed on 18 April 2015.")
    # "one thousand" is a figure, "one of" is none.
    crew = "The combined crew of Spectre numbered over one thousand."
    assert another_figure("The crew of what movie numbered over three thousand?", crew)
    # Other figures for other things, or "one"/"first", are no swap.
    assert not another_figure("How many goals did he score in 3 games?", "He scored 5 goals.")
    assert not another_figure("Who was the first to win?", "She was the second to win it.")


def test_words_in_any_script_stay_whole() -> None:
    from newsqa.assistant.contrast import _asked_words

    # "Zürcher" is a name, not the lower-case word "rcher"; "jüngste" stays one word.
    assert _asked_words("Who was the youngest Zürcher on the jüngste list?") == {
        "youngest",
        "young",
        "list",
        "jüngste",
    }


def test_an_aim_or_forecast_is_no_answer_to_what_happened() -> None:
    def figures(text: str) -> tuple[str, list[tuple[int, int]]]:
        return text, [(m.start(), m.end()) for m in re.finditer(r"\d[\d,]*|one million", text)]

    aim = figures("The company is aiming to sell one million pairs by the end of 2026.")
    assert aim_not_fact("How many pairs has Lumora sold so far?", *aim)
    assert aim_not_fact("How many turbines did Nordhavn order?", *figures("It plans to buy 40."))
    # Asked as an aim, or asked what one has to pay: the aim answers.
    assert not aim_not_fact("How many pairs does Lumora hope to sell?", *aim)
    # A question about a reported possibility is answered by one.
    bid = figures("Parry moved to scotch claims that Chelsea could launch a £35m bid.")
    assert not aim_not_fact("How much were Chelsea supposedly ready to bid?", *bid)
    assert aim_not_fact("How much did Chelsea bid?", *bid)
    # What is done now is not what one side proposed.
    offer = figures("Turkey had proposed to release at least 420 cubic metres a second.")
    assert aim_not_fact("How much water does Turkey release at present?", *offer)
    # A question about the offer itself is answered by it.
    routes = figures("It rejected Hallam's offer to sell 112 routes to a rival.")
    assert not aim_not_fact("How many routes did Hallam offer to sell?", *routes)
    assert not aim_not_fact(
        "How much does a singer have to pay for a visa?",
        *figures("A singer can expect to pay $1,300 for a visa."),
    )
    # A figure of what happened, in its own clause, answers.
    sold = figures("It has sold 410,000 pairs, and aims to sell one million by 2026.")
    assert not aim_not_fact("How many pairs has Lumora sold so far?", *sold)
