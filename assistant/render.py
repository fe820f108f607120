"""Turn a result dict into Gradio chat messages: the answer and its collapsible Sources block.

Everything that came from an article, a user or a model is shown as text, never as markup. The
Chatbot renders markdown, so escaping markdown characters one by one is fragile (links, images,
autolinks, LaTeX, mermaid fences...). Instead each message is one line of HTML that starts with
``<div``: markdown treats it as a raw HTML block (no markdown inside), and every piece of text in
it goes through ``html.escape``. The Chatbot's own sanitiser stays on behind this.

All functions are pure: they take strings and dicts and return message dicts
(``{"role", "content", "metadata"?}``) that ``gr.Chatbot`` accepts like ``gr.ChatMessage``.
"""

from __future__ import annotations

import html
import re
from typing import Any

SOURCES_TITLE = "Sources"
RELATED_TITLE = "Related reading (not cited)"
ABSTAIN_BADGE = "no answer"
# An [n] citation marker in (escaped) answer text.
_MARKER = re.compile(r"\[(\d{1,3})\]")

# Classes used below; app.py ships the matching CSS.
CSS = """
.nq-abstain, .nq-error { border-left: 4px solid #cbd5e1; padding: 0.2em 0.8em;
  color: var(--body-text-color-subdued); font-style: italic; }
.nq-error { border-left-color: #f87171; }
.nq-badge { font-style: normal; font-size: 0.75em; font-weight: 600; text-transform: uppercase;
  letter-spacing: 0.04em; border: 1px solid currentColor; border-radius: 0.3em;
  padding: 0 0.35em; margin-right: 0.3em; }
.nq-cite { font-size: 0.75em; font-weight: 600; vertical-align: super;
  color: var(--link-text-color); }
.nq-short { font-size: 1.05em; margin-bottom: 0.3em; }
.nq-note, .nq-unsupported { font-size: 0.85em; color: var(--body-text-color-subdued);
  margin-top: 0.5em; }
.nq-unsupported { color: var(--color-red-500, #b91c1c); }
.nq-unsupported-text { text-decoration: underline dotted #b91c1c; }
.nq-flag { font-size: 0.7em; vertical-align: super; color: #b91c1c; margin-left: 0.2em; }
.nq-sources { font-size: var(--text-md); color: var(--body-text-color); }
.nq-source { margin: 0.3em 0 0.9em 0; }
.nq-source-head { font-size: 0.9em; }
.nq-source-meta { color: var(--body-text-color-subdued); }
.nq-passage { margin: 0.3em 0 0 0; padding-left: 0.8em; white-space: normal;
  border-left: 3px solid var(--border-color-primary); }
.nq-passage mark { background: #fde68a; color: inherit; padding: 0 0.1em; }
"""


def escape(text: Any) -> str:
    """``text`` as HTML text: markup characters escaped, line breaks kept as ``<br>``.

    The result has no newline, so a ``<div>`` holding it stays one raw HTML block in markdown.
    """
    escaped = html.escape(str(text or ""), quote=True)
    return escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def _block(cls: str, inner: str) -> str:
    return f'<div class="{cls}">{inner}</div>'


def highlight(passage: str, spans: list[list[int]] | list[tuple[int, int]] | None) -> str:
    """The passage, escaped, with each ``[start, end)`` span wrapped in ``<mark>``.

    Offsets refer to the raw passage; they are clipped to it, sorted and merged, so bad or
    overlapping spans never break the markup.
    """
    n = len(passage)
    clean: list[tuple[int, int]] = []
    for span in sorted((max(0, int(a)), min(n, int(b))) for a, b in (spans or [])):
        a, b = span
        if b <= a:
            continue
        if clean and a <= clean[-1][1]:
            clean[-1] = (clean[-1][0], max(clean[-1][1], b))
        else:
            clean.append((a, b))
    out, pos = [], 0
    for a, b in clean:
        out.append(escape(passage[pos:a]))
        out.append(f"<mark>{escape(passage[a:b])}</mark>")
        pos = b
    out.append(escape(passage[pos:]))
    return "".join(out)


def answer_html(
    answer: str, *, abstained: bool = False, unsupported: list[str] | None = None
) -> str:
    """The answer text, escaped, with [n] markers set as small citation marks and each
    ``unsupported`` sentence (one no cited passage supports) flagged where it stands.

    An abstention is set apart (a "no answer" badge, a side bar, muted italics) so it never
    reads as an answer.
    """
    text = answer.strip()
    flagged: list[tuple[int, int]] = []
    for sentence in unsupported or []:
        sentence = sentence.strip()
        at = text.find(sentence) if sentence else -1
        if at >= 0 and not any(a < at + len(sentence) and at < b for a, b in flagged):
            flagged.append((at, at + len(sentence)))
    pieces, pos = [], 0
    for a, b in sorted(flagged):
        pieces.append(escape(text[pos:a]))
        pieces.append(
            f'<span class="nq-unsupported-text">{escape(text[a:b])}</span>'
            '<span class="nq-flag">unsupported</span>'
        )
        pos = b
    body = "".join([*pieces, escape(text[pos:])])
    body = _MARKER.sub(r'<span class="nq-cite">[\1]</span>', body)
    if abstained:
        return _block("nq-abstain", f'<span class="nq-badge">{ABSTAIN_BADGE}</span> {body}')
    return _block("nq-answer", body)


def user_message(text: str) -> dict[str, Any]:
    """The user's question as shown in the chat (escaped)."""
    return {"role": "user", "content": _block("nq-question", escape(text))}


def pending_message(text: str) -> dict[str, Any]:
    """The answer while it streams in."""
    return {"role": "assistant", "content": answer_html(text)}


def error_message(text: str) -> dict[str, Any]:
    """A problem (bad input, failing answerer) shown in the chat instead of an answer."""
    return {
        "role": "assistant",
        "content": _block("nq-error", f'<span class="nq-badge">error</span> {escape(text)}'),
    }


def answer_message(result: dict[str, Any]) -> dict[str, Any]:
    """The final answer: the short answer in bold when there is one, then the text with markers
    and flagged unsupported sentences, a list of the unsupported sentences that were left out
    (``unsupported = "drop"``), and any fallback note."""
    answer = result.get("answer", "")
    unsupported = [s for s in result.get("unsupported") or [] if s.strip()]
    parts = [answer_html(answer, abstained=bool(result.get("abstained")), unsupported=unsupported)]
    short = result.get("short_answer")
    if short and not result.get("abstained"):
        # The short answer first, in bold; the sentence it comes from, with its [n], below.
        parts.insert(0, _block("nq-short", f"<b>{escape(short)}</b>"))
    left_out = [s for s in unsupported if s.strip() not in answer]
    if left_out:
        items = "".join(f"<li>{escape(s)}</li>" for s in left_out)
        parts.append(
            _block(
                "nq-unsupported",
                f"Left out, not supported by the cited passages:<ul>{items}</ul>",
            )
        )
    note = result.get("note") or ""
    if note and (result.get("answerer") != "extractive" or "fell back" in note):
        parts.append(_block("nq-note", f"note: {escape(note)}"))
    return {"role": "assistant", "content": "<div>" + "".join(parts) + "</div>"}


def _source_html(n: int | None, item: dict[str, Any], spans: Any) -> str:
    label = f"<b>[{n}]</b> " if n is not None else ""
    meta = " · ".join(escape(item[k]) for k in ("date", "source") if item.get(k))
    head = f"{label}<b>{escape(item.get('title') or '(untitled)')}</b>"
    if meta:
        head += f' <span class="nq-source-meta">· {meta}</span>'
    passage = highlight(item.get("passage", ""), spans)
    return _block(
        "nq-source",
        _block("nq-source-head", head) + f'<blockquote class="nq-passage">{passage}</blockquote>',
    )


def sources_message(result: dict[str, Any], *, related: int = 3) -> dict[str, Any] | None:
    """The collapsible Sources block: per citation the article's title, date, source and
    passage, with the supporting sentence(s) highlighted.

    Without citations (an abstention), the best ``related`` passages are listed, collapsed,
    under another title; with nothing retrieved there is no block at all.
    """
    citations = result.get("citations") or []
    if citations:
        items = [_source_html(c.get("n"), c, c.get("quote_spans")) for c in citations]
        title = SOURCES_TITLE
        metadata: dict[str, Any] = {"title": title}
    else:
        passages = (result.get("sources") or [])[:related]
        if not passages:
            return None
        items = [_source_html(None, s, None) for s in passages]
        metadata = {"title": RELATED_TITLE, "status": "done"}
    return {
        "role": "assistant",
        "content": _block("nq-sources", "".join(items)),
        "metadata": metadata,
    }


def result_messages(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The assistant's messages for one result: the answer, then its Sources block."""
    messages = [answer_message(result)]
    sources = sources_message(result)
    if sources is not None:
        messages.append(sources)
    return messages
