"""Unit tests of assistant.render: escaping, highlighting and the shape of the chat messages."""

from __future__ import annotations

import html
import re

import pytest
from newsqa.assistant import render

HOSTILE = (
    "Intro <script>alert('x')</script> then <img src=x onerror=\"alert(1)\"> and "
    "![pic](http://example.com/p.png) and [link](javascript:alert(1)) and <b>bold</b> "
    "and **stars** and `code` and $$x^2$$ and www.example.com\n\n# heading\n- item"
)


def result(**overrides) -> dict:
    passage = "First sentence here. The supporting sentence is this one. Last one."
    start = passage.index("The supporting")
    end = passage.index(" Last")
    base = {
        "question": "q?",
        "standalone_question": "q?",
        "answer": "The supporting sentence is this one. [1]",
        "abstained": False,
        "citations": [
            {
                "n": 1,
                "source": "bbc/tech/a.txt",
                "title": "A title",
                "date": "2024-02-27",
                "quote": passage[start:end],
                "passage": passage,
                "quote_spans": [[start, end]],
                "chunk_id": "x:0",
            }
        ],
        "sources": [
            {
                "source": "bbc/tech/a.txt",
                "title": "A title",
                "date": "2024-02-27",
                "passage": passage,
                "score": 1.0,
                "chunk_id": "x:0",
            }
        ],
        "unsupported": [],
        "answerer": "extractive",
        "note": "",
    }
    base.update(overrides)
    return base


def text_of(fragment: str) -> str:
    """What a browser would show: tags dropped, entities decoded, <br> as newline."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment.replace("<br>", "\n")))


def assert_inert(fragment: str) -> None:
    """No markup in ``fragment`` other than what render itself writes."""
    tags = set(re.findall(r"</?([a-zA-Z0-9]+)", fragment))
    assert tags <= {"div", "span", "b", "br", "mark", "blockquote", "ul", "li"}, tags
    assert "<script" not in fragment and "<img" not in fragment and "<a " not in fragment
    # One raw HTML block for markdown: starts with a tag, no line breaks, so markdown
    # (links, images, emphasis, headings, lists) never applies inside it.
    assert fragment.startswith("<div") and "\n" not in fragment


def test_escape_makes_markup_text_and_keeps_line_breaks() -> None:
    out = render.escape(HOSTILE)
    assert "<" not in out.replace("<br>", "")
    assert "&lt;script&gt;" in out
    assert "&quot;alert(1)&quot;" in out
    assert "\n" not in out and out.count("<br>") == 3
    assert text_of(out) == HOSTILE


def test_escape_handles_none_and_crlf() -> None:
    assert render.escape(None) == ""
    assert render.escape("a\r\nb\rc") == "a<br>b<br>c"


def test_highlight_marks_span_inside_escaped_passage() -> None:
    passage = 'He said "<b>no</b> troops". Then left.'
    end = passage.index(" Then")
    out = render.highlight(passage, [[0, end]])
    assert out == ("<mark>He said &quot;&lt;b&gt;no&lt;/b&gt; troops&quot;.</mark> Then left.")


def test_highlight_merges_clips_and_ignores_bad_spans() -> None:
    passage = "abcdefghij"
    out = render.highlight(passage, [[6, 99], [2, 4], [3, 5], [7, 7], [-5, 1], [9, 3]])
    assert out == "<mark>a</mark>b<mark>cde</mark>f<mark>ghij</mark>"
    assert render.highlight(passage, None) == passage
    assert render.highlight(passage, []) == passage


def test_highlight_of_multiline_passage_keeps_offsets() -> None:
    passage = "One.\nTwo <x>.\nThree."
    start = passage.index("Two")
    end = passage.index("\nThree")
    out = render.highlight(passage, [(start, end)])
    assert out == "One.<br><mark>Two &lt;x&gt;.</mark><br>Three."


def test_answer_markers_become_citation_marks() -> None:
    out = render.answer_html("Scholz said no. [1] Macron disagreed [12].")
    assert '<span class="nq-cite">[1]</span>' in out
    assert '<span class="nq-cite">[12]</span>' in out
    assert "nq-abstain" not in out


def test_abstention_looks_different_from_an_answer() -> None:
    answer = render.answer_message(result(answer="x [1]"))["content"]
    abstain = render.answer_message(
        result(answer="The indexed articles don't say.", abstained=True, citations=[])
    )["content"]
    assert "nq-abstain" in abstain and render.ABSTAIN_BADGE in abstain
    assert "nq-abstain" not in answer and render.ABSTAIN_BADGE not in answer
    assert "The indexed articles don&#x27;t say." in abstain


def test_sources_message_lists_each_citation_with_highlight() -> None:
    res = result()
    res["citations"].append(
        {
            **res["citations"][0],
            "n": 2,
            "title": "Second <i>title</i>",
            "date": "",
            "source": "upload:b.txt",
        }
    )
    msg = render.sources_message(res)
    assert msg is not None
    assert msg["role"] == "assistant"
    assert msg["metadata"] == {"title": render.SOURCES_TITLE}
    content = msg["content"]
    assert_inert(content)
    assert content.count("<mark>The supporting sentence is this one.</mark>") == 2
    assert "<b>[1]</b> <b>A title</b>" in content and "2024-02-27 · bbc/tech/a.txt" in content
    assert "<b>[2]</b> <b>Second &lt;i&gt;title&lt;/i&gt;</b>" in content
    assert "· upload:b.txt" in content


def test_abstention_lists_related_reading_collapsed() -> None:
    res = result(abstained=True, citations=[], answer="The indexed articles don't say.")
    res["sources"] = res["sources"] * 5
    msg = render.sources_message(res)
    assert msg is not None
    assert msg["metadata"] == {"title": render.RELATED_TITLE, "status": "done"}
    assert msg["content"].count('class="nq-source"') == 3
    assert "<mark>" not in msg["content"]
    assert render.sources_message(result(citations=[], sources=[])) is None


@pytest.mark.parametrize("field", ["title", "source", "date", "passage", "quote"])
def test_hostile_article_fields_render_as_text(field: str) -> None:
    res = result(answer=HOSTILE + " [1]")
    res["citations"][0][field] = HOSTILE
    res["citations"][0]["quote_spans"] = [[0, 30]]
    messages = render.result_messages(res)
    assert len(messages) == 2
    for msg in messages:
        assert_inert(msg["content"])
    shown = text_of(messages[0]["content"])
    assert HOSTILE.replace("\n", "") in shown.replace("\n", "")
    if field != "quote":
        assert HOSTILE.replace("\n", "") in text_of(messages[1]["content"]).replace("\n", "")


def test_user_pending_and_error_messages_are_escaped() -> None:
    for msg, role in (
        (render.user_message(HOSTILE), "user"),
        (render.pending_message(HOSTILE), "assistant"),
        (render.error_message(HOSTILE), "assistant"),
    ):
        assert msg["role"] == role
        assert_inert(msg["content"])
        assert "metadata" not in msg
    assert "nq-error" in render.error_message("boom")["content"]


def test_unsupported_sentences_are_flagged_in_place_or_listed_when_left_out() -> None:
    kept = "A claim <b>nobody</b> made."
    dropped = "Another invented claim."
    res = result(
        answer=f"The supporting sentence is this one. [1] {kept}",
        answerer="ollama:x",
        unsupported=[kept, dropped],
        note="fell back to the extractive answer: timeout",
    )
    content = render.answer_message(res)["content"]
    assert_inert(content)
    assert (
        '<span class="nq-unsupported-text">A claim &lt;b&gt;nobody&lt;/b&gt; made.</span>'
        '<span class="nq-flag">unsupported</span>'
    ) in content
    assert "Left out, not supported by the cited passages:<ul><li>Another invented claim.</li>" in (
        content
    )
    assert content.count("nobody") == 1
    assert "note: fell back to the extractive answer: timeout" in content
    # The extractive answerer's routine note (its support score) is not shown.
    quiet = render.answer_message(result(note="support 0.77"))["content"]
    assert "support 0.77" not in quiet
    assert "nq-unsupported" not in quiet and "nq-flag" not in quiet


def test_result_messages_without_retrieval_is_answer_only() -> None:
    res = result(abstained=True, citations=[], sources=[], answer="Nothing indexed.")
    messages = render.result_messages(res)
    assert len(messages) == 1
    assert "Nothing indexed." in messages[0]["content"]


def test_flagging_short_or_overlapping_unsupported_text_keeps_markup_intact() -> None:
    out = render.answer_html(
        "span class nq [1] span class nq.", unsupported=["span", "span class", "nq.", "missing"]
    )
    assert out == (
        '<div class="nq-answer"><span class="nq-unsupported-text">span</span>'
        '<span class="nq-flag">unsupported</span> class nq <span class="nq-cite">[1]</span> '
        'span class <span class="nq-unsupported-text">nq.</span>'
        '<span class="nq-flag">unsupported</span></div>'
    )


def test_short_answer_comes_first_in_bold_and_escaped() -> None:
    res = {
        "answer": "The deal was worth <b>$5bn</b>. [1]",
        "abstained": False,
        "short_answer": "$5bn <script>",
        "answerer": "extractive",
    }
    html_ = render.answer_message(res)["content"]
    assert html_.index("nq-short") < html_.index("nq-answer")
    assert "<b>$5bn &lt;script&gt;</b>" in html_
    abstained = render.answer_message({**res, "abstained": True})["content"]
    assert "nq-short" not in abstained
