"""Loaders and cleaning: every format and every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from newsqa.index import loaders
from newsqa.index.articles import Article, Skip
from newsqa.index.cleaning import clean, is_boilerplate
from newsqa.index.loaders import load, load_pasted, load_upload, too_many_chunks

MAX = 1_000_000


def _one(path: Path) -> Article | Skip:
    items = list(load([path], MAX))
    assert len(items) == 1, items
    return items[0]


def test_txt_first_nonempty_line_is_headline(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_text("\n\n  Headline here  \n\nFirst para.\n\nSecond para.\n", encoding="utf-8")
    a = _one(p)
    assert isinstance(a, Article)
    assert a.title == "Headline here"
    assert a.text == "First para.\nSecond para."
    assert a.source == str(p)
    assert a.path == str(p.resolve())


def test_markdown_syntax_is_stripped(tmp_path: Path) -> None:
    p = tmp_path / "a.md"
    p.write_text("# Big news\n\nSee [the report](http://x.y) and ![img](http://i.png).\n")
    a = _one(p)
    assert isinstance(a, Article)
    assert a.title == "Big news"
    assert a.text == "See the report and img."


def test_html_main_text_title_and_date(tmp_path: Path) -> None:
    body = " ".join(f"Sentence number {i} of the story about the harbour." for i in range(30))
    p = tmp_path / "a.html"
    p.write_text(
        "<html><head><title>Harbour reopens | Site</title>"
        '<meta property="article:published_time" content="2024-02-27T10:00:00Z"></head>'
        "<body><nav>Home | News | Sport</nav><article><h1>Harbour reopens</h1>"
        f"<p>{body}</p></article><footer>Copyright</footer></body></html>",
        encoding="utf-8",
    )
    a = _one(p)
    assert isinstance(a, Article), a
    assert "Harbour reopens" in a.title
    assert a.date == "2024-02-27"
    assert "Sentence number 3 of the story" in a.text
    assert "Home | News" not in a.text


def test_html_without_article_text(tmp_path: Path) -> None:
    p = tmp_path / "empty.html"
    p.write_text("<html><body><nav>Home</nav></body></html>", encoding="utf-8")
    a = _one(p)
    assert isinstance(a, Skip) and "no article text" in a.reason


def test_json_list_and_fields(tmp_path: Path) -> None:
    p = tmp_path / "a.json"
    p.write_text(
        json.dumps(
            [
                {"title": "One", "text": "Body one.", "date": "2005-01-02", "url": "http://a"},
                {"headline": "Two", "content": "Body two."},
                {"title": "Three"},
            ]
        )
    )
    items = list(load([p], MAX))
    assert [type(i).__name__ for i in items] == ["Article", "Article", "Skip"]
    assert items[0].source == f"{p}#1" and items[0].date == "2005-01-02"
    assert items[0].url == "http://a"
    assert items[1].title == "Two"
    assert "no text field" in items[2].reason and items[2].source == f"{p}#3"


def test_jsonl_bad_line_is_skipped_alone(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    p.write_text('{"title": "A", "text": "Alpha."}\n{not json}\n{"title": "C", "text": "Gamma."}\n')
    items = list(load([p], MAX))
    assert [type(i).__name__ for i in items] == ["Article", "Skip", "Article"]
    assert "malformed JSON line" in items[1].reason and items[1].source.endswith("#2")


def test_malformed_json(tmp_path: Path) -> None:
    p = tmp_path / "bad.json"
    p.write_text('{"title": "x", "text": ')
    a = _one(p)
    assert isinstance(a, Skip) and a.reason.startswith("malformed JSON")


def test_bad_inputs_each_get_a_specific_reason(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("  \n\n")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 news\n\nBody".encode("latin-1"))
    (tmp_path / "big.txt").write_text("Title\n\n" + "word " * 300_000)
    (tmp_path / "headline-only.txt").write_text("Just a headline\n")
    reasons = {Path(s.source).name: s.reason for s in load([tmp_path], MAX)}
    assert reasons["empty.txt"] == "empty file"
    assert reasons["binary.txt"] == "binary file, not text (NUL byte at offset 8)"
    assert reasons["latin1.txt"].startswith("not UTF-8 text (invalid byte 0xe9")
    assert "over the 1.0 MB limit" in reasons["big.txt"]
    assert reasons["headline-only.txt"] == "no article text after the headline"


def test_missing_path_and_unsupported_type(tmp_path: Path) -> None:
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    items = list(load([tmp_path / "nope", tmp_path / "x.pdf"], MAX))
    assert items[0] == Skip(str(tmp_path / "nope"), "no such file or folder")
    assert "unsupported file type '.pdf'" in items[1].reason


def test_folders_recurse_and_ignore_other_files(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.txt").write_text("Deep\n\nText.")
    (tmp_path / "LICENSE").write_text("MIT")
    (tmp_path / ".hidden.txt").write_text("H\n\nT")
    items = list(load([tmp_path], MAX))
    assert [Path(i.source).name for i in items] == ["deep.txt"]


def test_upload_name_is_a_label_never_a_path() -> None:
    [a] = load_upload("../../etc/passwd.txt", b"Title\n\nBody text.", MAX)
    assert isinstance(a, Article)
    assert a.source == "upload:passwd.txt" and a.path == ""
    [s] = load_upload("evil.exe", b"MZ", MAX)
    assert isinstance(s, Skip) and "unsupported file type" in s.reason


def test_pasted_article() -> None:
    a = load_pasted("  My   title ", "Line one.\nLine two.")
    assert isinstance(a, Article) and a.title == "My title" and a.source == "pasted:My title"
    assert isinstance(load_pasted("t", "   "), Skip)


def test_seed_subscription_pitch_is_dropped(seed_copy: Path) -> None:
    a = _one(seed_copy)
    assert isinstance(a, Article)
    assert len(a.dropped) == 4
    for gone in ("Support us", "subscriber", "unsubscribe", "read this article to the end"):
        assert gone not in a.text
    assert a.text.rstrip().endswith('as well as the interests of their citizens."')


def test_boilerplate_in_quotes_or_long_paragraphs_is_kept() -> None:
    assert not is_boilerplate('"Support us all in an ageing society," he said.')
    text = "Title line\nT-Mobile has about 16.3 million subscribers in the US.\nBody."
    assert clean(text)[0] == text
    assert is_boilerplate("Sign up for our daily newsletter")


HTML_BODY = " ".join(f"Sentence number {i} of the story about the harbour." for i in range(30))


def test_bad_input_census_each_kind_one_line_and_nothing_else_lost(tmp_path: Path) -> None:
    """One folder with every kind of bad input beside good files: each bad one is one Skip with
    its reason, every good one is loaded."""
    good = "Good headline\n\nA perfectly ordinary paragraph of news."
    (tmp_path / "good.txt").write_text(good, encoding="utf-8")
    (tmp_path / "utf16.txt").write_bytes(good.encode("utf-16"))  # with its BOM
    (tmp_path / "utf16be.md").write_bytes(b"\xfe\xff" + good.encode("utf-16-be"))
    (tmp_path / "utf32.txt").write_bytes(good.encode("utf-32"))
    (tmp_path / "utf16-nobom.txt").write_bytes(good.encode("utf-16-le"))
    (tmp_path / "nul-late.txt").write_bytes(good.encode() + b"x" * 9000 + b"\x00tail")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "deep.jsonl").write_text(
        '{"title": "Fine", "text": "Fine body."}\n' + '{"a":' * 5000 + "1" + "}" * 5000 + "\n"
    )
    (tmp_path / "nul.json").write_text(json.dumps({"title": "T", "text": "Body\u0000 text."}))
    (tmp_path / "page.html").write_text(
        f"<html><head><title>Harbour</title></head><body><article><p>{HTML_BODY}</p>"
        "</article></body></html>"
    )
    items = {Path(i.source).name: i for i in load([tmp_path], MAX)}  # "deep.jsonl#2" too
    articles = {k for k, v in items.items() if isinstance(v, Article)}
    skips = {k: v.reason for k, v in items.items() if isinstance(v, Skip)}
    assert articles == {
        "good.txt",
        "utf16.txt",
        "utf16be.md",
        "utf32.txt",
        "deep.jsonl#1",
        "nul.json",
        "page.html",
    }
    for name in ("utf16.txt", "utf16be.md", "utf32.txt"):
        assert items[name].text == items["good.txt"].text and items[name].title == "Good headline"
    assert items["nul.json"].text == "Body text."
    assert skips == {
        "utf16-nobom.txt": "UTF-16 text without a byte order mark; save it as UTF-8 (or UTF-16 "
        "with a BOM)",
        "nul-late.txt": f"binary file, not text (NUL byte at offset {len(good) + 9000})",
        "deep.json": loaders._TOO_DEEP,
        "deep.jsonl#2": loaders._TOO_DEEP,
    }


def test_an_unforeseen_error_costs_only_its_file(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "a.txt").write_text("A\n\nAlpha.")
    (tmp_path / "b.txt").write_text("B\n\nBeta.")
    (tmp_path / "c.txt").write_text("C\n\nGamma.")
    real = loaders.parse

    def flaky(text: str, suffix: str, origin: loaders.Origin):
        if origin.source.endswith("b.txt"):
            raise MemoryError("pretend")
        return real(text, suffix, origin)

    monkeypatch.setattr(loaders, "parse", flaky)
    items = list(load([tmp_path], MAX))
    assert [type(i).__name__ for i in items] == ["Article", "Skip", "Article"]
    assert items[1].reason == "could not be loaded: MemoryError: pretend"


def test_uploads_decode_like_files() -> None:
    [a] = load_upload("w.txt", "Title\n\nCafé body.".encode("utf-16"), MAX)
    assert isinstance(a, Article) and a.text == "Café body."
    [s] = load_upload("x.txt", b"\x7fELF\x02\x01\x00\x00", MAX)
    assert isinstance(s, Skip) and s.reason.startswith("binary file")
    [big] = load_upload("big.txt", b"T\n\n" + b"x" * 2000, 1000)
    assert isinstance(big, Skip) and "(NEWSQA_MAX_FILE_BYTES)" in big.reason


def test_paste_limits_name_their_setting() -> None:
    text = "Headline\n" + "word " * 2_100_000  # 10.5 MB
    s = load_pasted("Big", text, max_bytes=1_000_000)
    assert isinstance(s, Skip)
    assert s.reason == "pasted text is 10.5 MB; the limit is NEWSQA_MAX_PASTE_BYTES=1000000"
    assert isinstance(load_pasted("Small", "Body.", max_bytes=1_000_000), Article)
    nul = load_pasted("T", "Body\x00 with a NUL.", max_bytes=1_000_000)
    assert isinstance(nul, Skip) and "NUL characters" in nul.reason
    # Without a setting, the setting's default applies.
    assert load_pasted("Big", text).reason == s.reason  # type: ignore[union-attr]


def test_chunk_limit_names_its_setting() -> None:
    a = Article("pasted:x", "pasted:x", "", "x", "text")
    assert too_many_chunks(a, 1000, 1000) is None
    s = too_many_chunks(a, 13_369, 1000)
    assert s == Skip(
        "pasted:x", "article makes 13369 chunks; the limit is NEWSQA_MAX_ARTICLE_CHUNKS=1000"
    )


def test_same_text_under_two_titles_shares_a_text_hash() -> None:
    a, b = load_pasted("One title", "The same story."), load_pasted("Another", "The same story.")
    assert isinstance(a, Article) and isinstance(b, Article)
    assert a.article_id != b.article_id and a.text_hash == b.text_hash


def test_question_limit_names_its_setting() -> None:
    from newsqa.assistant.chain import _check_question

    assert _check_question("  Who won?  ", 2000) == "Who won?"
    with pytest.raises(
        ValueError,
        match="the question is 20000 characters; the limit is NEWSQA_MAX_QUESTION_CHARS=2000",
    ):
        _check_question("x" * 20_000, 2000)


def test_control_characters_are_cleaned() -> None:
    assert clean("Title\nBody\x00 and\x07 bell\x1b.")[0] == "Title\nBody and bell."
