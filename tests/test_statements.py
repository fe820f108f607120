"""Unit tests: statements extracted at index time, name/quote/date primitives (fast, no store)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from newsqa.index.cleaning import clean
from newsqa.index.dates import article_date, resolve_relative
from newsqa.index.names import name_key, name_tokens
from newsqa.index.quotes import find_quotes
from newsqa.index.statements import Statement, extract_statements

SEED = Path(__file__).resolve().parents[2] / "shared/corpus/seed"
ARTICLES = Path(__file__).resolve().parent / "eval/articles"


def _body(path: Path) -> str:
    _, _, body = path.read_text(encoding="utf-8").partition("\n")
    return clean(body)[0]


def _by(statements: list[Statement]) -> dict[str, list[Statement]]:
    out: dict[str, list[Statement]] = {}
    for st in statements:
        out.setdefault(st.speaker_key, []).append(st)
    return out


@pytest.fixture(scope="module")
def seed() -> list[Statement]:
    path = next(SEED.glob("*.txt"), None)
    if path is None:
        pytest.skip("the shared corpus is not beside the repository")
    return extract_statements(_body(path))


def test_every_seed_statement_with_speaker_kind_and_date(seed: list[Statement]) -> None:
    got = [(st.speaker, st.kind, st.verb, st.date) for st in seed]
    tue, mon = "2024-02-27", "2024-02-26"
    assert got == [
        ("Jens Stoltenberg", "reported", "told", tue),
        ("Jens Stoltenberg", "reported", "noted", tue),
        ("Jens Stoltenberg", "quote", "assured", tue),
        ("Emmanuel Macron", "reported", "suggested", mon),
        ("Emmanuel Macron", "quote", "said", mon),
        ("Robert Fico", "reported", "said", None),
        ("Robert Fico", "quote", "according to", None),
        ("Robert Fico", "reported", "said", None),
        ("Olaf Scholz", "position", "rejected", tue),
        ("Olaf Scholz", "quote", "told", tue),
        ("UK", "reported", "announced", None),
        ("Rishi Sunak", "quote", "told", None),
        ("Rishi Sunak", "reported", "reminded", None),
        ("Donald Tusk", "position", "ruled out", None),
        ("Peter Fiala", "position", "ruled out", None),
        ("Giorgi Meloni", "position", "ruled out", None),
        ("Peter Szijjarto", "position", "ruled out", None),
        ("Dmitry Peskov", "reported", "told", None),
        ("Dmitry Peskov", "quote", "according to", None),
    ]
    scholz = _by(seed)["scholz"]
    assert scholz[0].role == "German Chancellor"
    assert scholz[1].text.startswith("There will be no ground troops on Ukrainian soil")
    # Offsets index the article text exactly.
    text = _body(next(SEED.glob("*.txt")))
    assert all(text[st.start : st.end].strip() == st.text for st in seed)
    # "Tuesday (27 February)" dates the weekday: the year is the one it fell on a Tuesday.
    assert article_date(text) == date(2024, 2, 27)


def test_fico_considering_is_reported_not_a_refusal(seed: list[Statement]) -> None:
    fico = _by(seed)["fico"]
    assert fico[0].text.startswith("some Western countries are considering")
    assert all(st.kind != "position" for st in fico)


def test_group_attributions_give_each_member() -> None:
    got = extract_statements(
        "Czech Prime Minister Peter Fiala and his Polish counterpart Donald Tusk also ruled out "
        "sending troops. A similar position was expressed by Hungarian Foreign Minister Peter "
        "Szijjarto and the office of Italian Prime Minister Giorgi Meloni."
    )
    assert {(st.speaker, st.role, st.verb) for st in got} == {
        ("Peter Fiala", "Czech Prime Minister", "ruled out"),
        ("Donald Tusk", "his Polish counterpart", "ruled out"),
        ("Peter Szijjarto", "Hungarian Foreign Minister", "ruled out"),
        ("Giorgi Meloni", "Italian Prime Minister", "ruled out"),
    }
    assert {st.kind for st in got} == {"position"}


def test_live_blog_entries_do_not_share_speakers() -> None:
    got = extract_statements(_body(ARTICLES / "live-storm-ingrid.txt"))
    entries = {st.entry for st in got}
    assert None not in entries and len(entries) >= 8
    pritchard = [st for st in got if st.speaker == "Carys Pritchard"]
    assert pritchard[0].kind == "quote" and pritchard[0].text.startswith("We expect river levels")
    rushworth = [st for st in got if st.speaker == "Graham Rushworth"]
    assert len(rushworth) == 2  # "he said" and the quote that continues it, same entry
    # A he/she in one entry never reaches back to a speaker of another entry.
    text = (
        "09:00 GMT — Mayor Anna Berg said the bridge was closed.\n\n"
        '09:30 GMT — "We are reopening it tonight," he said.'
    )
    got = extract_statements(text)
    assert [(st.speaker, st.entry) for st in got] == [("Anna Berg", 0)]


def test_roundup_entries_and_a_dash_quote() -> None:
    got = extract_statements(_body(ARTICLES / "roundup-tuesday-briefing.txt"))
    ashworth = [st for st in got if st.speaker == "Tom Ashworth"]
    assert ashworth and ashworth[0].kind == "quote"
    assert ashworth[0].text.startswith("She's tiny")
    peeters = [st for st in got if st.speaker == "Annelies Peeters"]
    assert peeters[0].kind == "quote" and peeters[0].text.startswith("They knew exactly")


def test_unicode_names_and_family_name_keys() -> None:
    text = _body(ARTICLES / "translated-baltic-wind-pact.txt")
    got = _by(extract_statements(text))
    assert got["zielinska"][0].speaker == "Małgorzata Zielińska"
    assert got["ostergaard"][0].speaker == "Søren Østergaard"
    assert got["brzezinski"][0].role == "chief executive"
    assert got["liu"][0].speaker == "Liu Hanqing"  # "Mr Liu" later: the family name comes first
    assert name_key("Xi Jinping", "Xi Jinping spoke. Xi said China would act.") == "xi"
    assert name_key("Xi Jinping", "Xi Jinping spoke once.") == "xi jinping"  # never "jinping"
    assert name_key("Mesut Özil", "Özil said no.") == "ozil"
    assert name_key("Ángela Ruiz", "Ms Ruiz said yes.") == "ruiz"
    assert name_tokens("Slovak Prime Minister Robert Fico") == ["Robert", "Fico"]
    # "Xi said China ...": China is what was said, not a speaker.
    st = extract_statements("Xi Jinping visited. Xi said China would never give way.")
    assert [s.speaker_key for s in st] == ["xi"]


@pytest.mark.parametrize(
    ("sentence", "quoted"),
    [
        ('"We will not move," she said.', "We will not move,"),
        ("“We will not move,” she said.", "We will not move,"),
        ("„Wir bleiben“, sagte sie. Then she said more.", "Wir bleiben"),
        ("« Nous restons », a-t-elle dit.", " Nous restons "),
        ("‚Wir bleiben‘, sagte sie.", "Wir bleiben"),
        ("'We will not move,' she said.", "We will not move,"),
        ("— We will not move, — she said.", "We will not move"),
    ],
)
def test_quote_styles(sentence: str, quoted: str) -> None:
    assert find_quotes(sentence)[0].text == quoted


def test_apostrophes_are_not_quotes() -> None:
    assert find_quotes("Russia's plan and the dockers' strike, it's said.") == []


def test_french_quotes_attributed() -> None:
    got = _by(extract_statements(_body(ARTICLES / "french-marseille-port-strike.txt")))
    belkacem = got["belkacem"][0]
    assert belkacem.kind == "quote" and "Nous ne sommes pas" in belkacem.text
    assert "Syndicat des dockers de Fos" in belkacem.organisation
    lambrecht = got["herve lambrecht"]
    assert any("13 % of our container volume" in st.text for st in lambrecht)


def test_relative_days_and_date_styles() -> None:
    ref = date(2024, 2, 28)  # a Wednesday
    assert resolve_relative("on Tuesday", ref) == date(2024, 2, 27)
    assert resolve_relative("next Tuesday", ref) == date(2024, 3, 5)
    assert resolve_relative("yesterday", ref) == date(2024, 2, 27)
    assert resolve_relative("on Tuesday (27 February)", ref) == date(2024, 2, 27)
    assert resolve_relative("Feb. 27", ref) == date(2024, 2, 27)
    assert resolve_relative("February 27, 2024", ref) == date(2024, 2, 27)
    assert resolve_relative("2024-02-27", ref) == date(2024, 2, 27)
    assert article_date("x", {"date": "2024-03-01T10:00:00Z"}) == date(2024, 3, 1)
    assert article_date("WASHINGTON, Feb. 27, 2024 (AP) — A Senate panel voted.") == date(
        2024, 2, 27
    )
    assert article_date("No date anywhere in this text.") is None
    got = extract_statements(
        "Mayor Anna Berg said on Monday that the bridge would reopen.", published=date(2024, 3, 6)
    )
    assert got[0].date == "2024-03-04"


def test_inverted_and_apposition_attributions() -> None:
    got = extract_statements(
        '"We now have freedom," said Fiat chief executive Sergio Marchionne. '
        "Mark Serwotka, the leader of the union, said members would strike. "
        '"We will appeal," said Mr Souness.'
    )
    assert [(st.speaker, st.kind) for st in got] == [
        ("Sergio Marchionne", "quote"),
        ("Mark Serwotka", "reported"),
        ("Souness", "quote"),
    ]
    assert got[1].role == "the leader of the union"


def test_empty_and_speechless_text() -> None:
    assert extract_statements("") == []
    assert extract_statements("The river rose by two metres overnight.") == []


def test_loaders_date_an_article_from_its_text() -> None:
    from newsqa.index.loaders import load_pasted

    got = load_pasted(
        "Troops", "NATO has no plans, Jens Stoltenberg told the AP on Tuesday (27 February)."
    )
    assert got.date == "2024-02-27"
    assert load_pasted("Untitled", "The river rose overnight.").date == ""


def test_a_date_in_what_was_said_is_not_when_it_was_said() -> None:
    got = extract_statements(
        "Gordon Brown said on Monday that the Budget would be on 16 March.",
        published=date(2005, 3, 9),
    )
    assert got[0].date == "2005-03-07"


def test_ap_style_party_state_and_relative_clauses() -> None:
    got = extract_statements(
        "Sen. Margaret Ellison, D-Ore., who wrote the bill with Sen. Tom Kirkwood, R-Mont., "
        'called it "a down payment, not a blank check." Sen. Dale Whitcomb of Idaho, the '
        "committee's top Republican, voted against the bill."
    )
    assert [(st.speaker, st.kind) for st in got] == [
        ("Margaret Ellison", "quote"),
        ("Dale Whitcomb", "position"),
    ]


def test_an_opening_phrase_without_its_comma_is_not_part_of_the_subject() -> None:
    text = (
        "Patents row grows\n\n"
        "In a panel discussion at a summit in Kestrel Mr Haldane said software patents were a "
        "problem for small developers. After the vote in Dunmore Ms Okafor said the plan was "
        "dead."
    )
    got = {(st.speaker, st.text) for st in extract_statements(text)}
    assert ("Haldane", "software patents were a problem for small developers") in got
    assert ("Okafor", "the plan was dead") in got


def test_a_possessive_before_a_full_name_gives_the_side_not_the_speaker() -> None:
    text = (
        "Row over the feud\n\n"
        "Labour's Paul Flynn said the meeting was like no other. Kestrel United's Tom Hale said "
        "the team would recover."
    )
    got = {(st.speaker, st.organisation) for st in extract_statements(text)}
    assert got == {("Paul Flynn", "Labour"), ("Tom Hale", "Kestrel United")}


def test_where_a_speaker_is_from_a_family_name_that_is_a_word_and_a_passive_position() -> None:
    text = (
        "Budget forecasts doubted\n\n"
        "Carl Emmerson, from the Institute for Fiscal Studies, told reporters the forecast was "
        "hopeful. Family spokeswoman Theresa May said the law would be repealed. The plan has "
        "also been questioned by the party's former president, Dafydd Wigley. Coach Henk Ten "
        'Cate has branded the complaint "pathetic".'
    )
    got = {(st.speaker, st.organisation, st.kind, st.verb) for st in extract_statements(text)}
    assert ("Carl Emmerson", "Institute for Fiscal Studies", "reported", "told") in got
    assert any(s == "Theresa May" for s, _, _, _ in got)
    assert ("Dafydd Wigley", "", "position", "questioned") in {(s, "", k, v) for s, _, k, v in got}
    assert any(s == "Henk Ten Cate" and v == "branded" for s, _, _, v in got)
