"""Loaders and cleaning: every format and every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

from newsqa.index.articles import Article, Skip
from newsqa.index.cleaning import clean, is_boilerplate
from newsqa.index.loaders import load, load_pasted, load_upload

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
    assert reasons["binary.txt"] == "binary file, not text"
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
