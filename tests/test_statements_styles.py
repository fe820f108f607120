"""Unit tests: statement extraction over sentence shapes of several news styles (wire, sport,
a translated report, a roundup), and namesakes kept apart (fast, no store)."""

from __future__ import annotations

from newsqa.index.names import speaker_identities
from newsqa.index.statements import Statement, extract_statements

from newsqa.quotes_cmd import select


def _said(text: str) -> list[tuple[str, str, str]]:
    return [(st.speaker, st.role, st.kind) for st in extract_statements(text)]


def _as_dict(st: Statement, article: str) -> dict[str, object]:
    return {**st.__dict__, "article_id": article, "source": f"{article}.txt"}


def test_as_did_gives_the_statement_to_each_member_of_the_group() -> None:
    text = (
        "WASHINGTON (AP) — Sen. Maria Lopez praised the agreement as a step forward, as did "
        "Republican leader Tom Harwood and independent Sen. Angus Reid."
    )
    got = extract_statements(text)
    assert {st.speaker for st in got} == {"Maria Lopez", "Tom Harwood", "Angus Reid"}
    assert len({(st.start, st.end) for st in got}) == 1  # one statement, three speakers
    assert next(st.role for st in got if st.speaker == "Tom Harwood") == "Republican leader"


def test_a_participle_reports_what_the_subject_said() -> None:
    text = (
        'Union chief Karin Vogel sent the minister a letter on Monday, saying: "We will not '
        'accept these cuts."'
    )
    assert _said(text) == [("Karin Vogel", "Union chief", "quote")]
    got = extract_statements(text)[0]
    assert got.text == "We will not accept these cuts"


def test_a_subject_shared_by_two_verbs_and_the_words_before_the_role() -> None:
    text = (
        "Bayern coach Sir Thomas Adler thanked the fans and said the title belonged to them. "
        "Earlier club president Uli Brandt told reporters the squad would stay together."
    )
    assert _said(text) == [
        ("Thomas Adler", "Bayern coach", "reported"),
        ("Uli Brandt", "club president", "reported"),
    ]


def test_both_and_all_between_subject_and_verb() -> None:
    text = (
        "The defender and his captain Marco Rossi have both said that the tackle was an accident."
    )
    assert _said(text) == [("Marco Rossi", "his captain", "reported")]


def test_a_given_name_shared_with_another_person_does_not_merge_them() -> None:
    text = (
        'Prince Charles said he was "absolutely delighted". Charles Kennedy said he was pleased '
        "for the couple. Charles said the wedding would be small."
    )
    got = extract_statements(text)
    keys = {st.speaker: st.speaker_key for st in got}
    assert keys["Charles Kennedy"] != keys["Charles"]


def test_namesakes_in_different_articles_group_apart() -> None:
    a = extract_statements("Tony Blair said the vote was close. Mr Blair said he was proud.")
    b = extract_statements("Cherie Blair said the book was finished. Ms Blair said it was fun.")
    c = extract_statements("Blair said the campaign would go on.")
    rows = (
        [_as_dict(st, "a") for st in a]
        + [_as_dict(st, "b") for st in b]
        + [_as_dict(st, "c") for st in c]
    )
    assert {r["speaker_key"] for r in rows} == {"blair"}  # one family-name key ...
    ids = speaker_identities(rows)  # type: ignore[arg-type]
    assert len(set(ids)) == 3  # ... three people: two full names and one unresolved
    groups = select(rows)  # type: ignore[arg-type]
    assert sorted((g["speaker"], g["count"]) for g in groups) == [
        ("Blair", 1),
        ("Cherie Blair", 2),
        ("Tony Blair", 2),
    ]


def test_a_family_name_alone_joins_the_one_full_name_with_its_key() -> None:
    a = extract_statements("Olaf Scholz said Germany would not send troops.")
    b = extract_statements("Scholz said the talks had been useful.")
    rows = [_as_dict(st, "a") for st in a] + [_as_dict(st, "b") for st in b]
    groups = select(rows)  # type: ignore[arg-type]
    assert [(g["speaker"], g["count"]) for g in groups] == [("Olaf Scholz", 2)]


def test_a_post_nominal_after_the_name_keeps_the_name() -> None:
    text = (
        "In the Commons, Tory frontbencher Andrew Tyrie MP demanded an immediate statement. "
        'Defence barrister Jo Hale QC said: "My client will appeal."'
    )
    assert [st.speaker for st in extract_statements(text)] == ["Andrew Tyrie", "Jo Hale"]


def test_they_after_a_group_subject_means_every_member() -> None:
    text = (
        "Former players Eric Cantona and Ole Gunnar Solskjaer, and club manager Sir Alex "
        "Ferguson, have lent their backing to the supporters. They have all spoken out against "
        "the bid."
    )
    got = extract_statements(text)
    assert {st.speaker for st in got} == {"Eric Cantona", "Ole Gunnar Solskjaer", "Alex Ferguson"}
    assert {st.kind for st in got} == {"position"}


def test_a_quote_reopened_at_each_sentence_ends_before_the_narration() -> None:
    from newsqa.index.quotes import find_quotes

    text = (
        'He said: "It was a nice goal. "It is not every game you score from halfway." '
        "City manager Tom Weir sympathised and said the incident showed the need for cameras."
    )
    quotes = [q.text for q in find_quotes(text)]
    assert quotes == ["It was a nice goal.", "It is not every game you score from halfway."]
    weir = [st for st in extract_statements(text) if st.speaker == "Tom Weir"]
    assert [st.text for st in weir] == ["the incident showed the need for cameras"]


def test_a_match_preview_gives_each_quote_to_its_speaker() -> None:
    # A dateline is nobody; a dash-set aside ends before the subject; a person introduced by
    # role is the next sentence's "he"; two people share a family name; "said the Sale
    # full-back" is the person just introduced.
    text = (
        "Preview: Ireland v England\n\nLansdowne Road, Dublin\n\n"
        "Despite England's dip in form - they have lost eight of their last 13 matches - Ireland "
        "coach Eddie O'Sullivan says his side should not underestimate the visitors. \"This is "
        'England we are talking about," he said.\n\n'
        "Ireland have been boosted by the return of star skipper Brian O'Driscoll, who missed "
        'the Scotland game. "The will to play in this game was enormous," he said. The pressure '
        "is on coach Andy Robinson.\n\n"
        'But Robinson was bullish, saying that his side "are going there to get in their faces". '
        'And despite the results, skipper Jason Robinson believes the mood is good. "There is no '
        'lack of confidence in the team," said the Sale full-back.'
    )
    got = {(text[st.start : st.end][:12], st.speaker, st.role) for st in extract_statements(text)}
    assert got == {
        ("his side sho", "Eddie O'Sullivan", "Ireland coach"),
        ("This is Engl", "Eddie O'Sullivan", "Ireland coach"),
        ("The will to ", "Brian O'Driscoll", "star skipper"),
        ('his side "ar', "Andy Robinson", "coach"),
        ("There is no ", "Jason Robinson", "skipper"),
    }


def test_a_person_introduced_in_passing_is_he_for_the_next_sentence_only() -> None:
    text = (
        "Tony Blair gave a speech on Thursday. There was an attempt to end the gossip about his "
        "rift with Chancellor Gordon Brown. There was little in terms of concrete proposals. "
        'Labour is, as he said, more than "an electoral device".'
    )
    assert {st.speaker for st in extract_statements(text)} == {"Tony Blair"}


def test_a_family_name_alone_is_the_person_named_in_full_before() -> None:
    # Named in a sentence that made no statement, then by family name alone.
    text = (
        "She spent six years in Oslo, where she met the structural engineer Tomas Brekke. "
        "Brekke, who retired in 2020, is more protective. 'They were cruelty,' he says.\n\n"
        "Smith has the backing of many pundits, including former Scotland manager Craig Brown. "
        'Brown said: "Walter is an outstanding candidate."'
    )
    got = {(st.speaker, st.role) for st in extract_statements(text)}
    assert got == {("Tomas Brekke", ""), ("Craig Brown", "former Scotland manager")}


def test_the_first_of_two_apposed_names_speaks_and_an_organisation_is_where_from() -> None:
    text = (
        "Russell Ambrose, an attorney for Okafor's widow, Denise Okafor, said the family was "
        "grateful. Linda Foerster, of the nonprofit group SafeCharge America, said there had "
        "been hundreds of fires."
    )
    got = {(st.speaker, st.role, st.organisation) for st in extract_statements(text)}
    assert got == {
        ("Russell Ambrose", "an attorney for Okafor's widow", ""),
        ("Linda Foerster", "", "SafeCharge America"),
    }


def test_a_title_with_a_full_stop_and_a_place_of_work_after_the_verb() -> None:
    # AP style: a title's full stop does not end the sentence; "of the national police" or
    # "at ING" is where the speaker works, not the speaker.
    text = (
        '"We are happy," said Sen. Maria Lopez. "We are not stopping," said Col. Víctor '
        'Sarmiento of the national police. "Results were weak," said analyst Jason Kenney at ING. '
        '"I hit rock bottom," said the 22-year-old, who will make her comeback in the Sydney '
        "International from 10-16 January."
    )
    got = [(st.speaker, st.organisation) for st in extract_statements(text)]
    assert got == [
        ("Maria Lopez", ""),
        ("Víctor Sarmiento", "national police"),
        ("Jason Kenney", "ING"),
    ]


def test_a_body_named_with_and_is_one_speaker_and_a_descriptor_is_no_given_name() -> None:
    text = (
        "The Connecticut Business and Industry Council estimated that the cuts would cost "
        "$900 million a year. Teenager Riley Tamou said he had barely slept."
    )
    got = [(st.speaker, st.role) for st in extract_statements(text)]
    assert got == [
        ("Connecticut Business and Industry Council", ""),
        ("Riley Tamou", "Teenager"),
    ]


def test_the_day_said_before_that_dates_the_statement_and_is_not_its_words() -> None:
    from datetime import date

    text = "Russell Ambrose said Tuesday, Sept. 23, that the family was grateful."
    (st,) = extract_statements(text, published=date(2025, 9, 24))
    assert (st.text, st.date) == ("the family was grateful", "2025-09-23")


def test_an_office_named_with_and_ends_before_the_name() -> None:
    text = (
        "Laos' Minister of Energy and Mines Bounthavy Keomanivong said his government would not "
        'accept it. Prince Charles and Camilla Parker Bowles said they were "delighted".'
    )
    got = {(st.speaker, st.role) for st in extract_statements(text)}
    assert ("Bounthavy Keomanivong", "Minister of Energy and Mines") in got
    assert "Camilla Parker Bowles" in {speaker for speaker, _ in got}


def test_a_group_of_two_people_each_with_a_role_keeps_the_roles_apart() -> None:
    text = (
        "Deputy Governor Pekka Lindahl and board member Ruth Abelsen voted for no change. "
        "Journalist and dating expert for Company magazine and the Daily Express, Flic "
        "Everett, was not asked."
    )
    got = {(st.speaker, st.role) for st in extract_statements(text)}
    assert got == {("Pekka Lindahl", "Deputy Governor"), ("Ruth Abelsen", "board member")}
