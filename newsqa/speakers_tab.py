"""The Articles tab's "Speakers" view: who is quoted, how often, in which articles; selecting a
row lists that person's statements with their dates and articles.

``build_speakers_view(services_or_store)`` is called inside a ``gr.Blocks`` (or ``gr.Tab``)
context by the app; it reads the statements stored at index time (``Store.statements``) through
``newsqa.quotes_cmd.select``, the same grouping as ``newsqa quotes``.
"""

from __future__ import annotations

import html
from typing import Any

import gradio as gr

from newsqa.quotes_cmd import select

HEADERS = ["Speaker", "Role", "Statements", "Articles"]


def _store(source: Any) -> Any:
    """The store of a Services object (its ``store`` attribute), or the store itself."""
    return getattr(source, "store", source)


def speaker_rows(source: Any, needle: str = "") -> list[list[Any]]:
    """One row per speaker, most quoted first; ``needle`` filters by any part of the name."""
    groups = select(_store(source).statements(), speaker=needle.strip() or None)
    return [[g["speaker"], g["role"], g["count"], len(g["articles"])] for g in groups]


def speaker_statements(source: Any, speaker: str) -> str:
    """Markdown listing one speaker's statements, each with its date and article."""
    groups = select(_store(source).statements(), speaker=speaker) if speaker else []
    if not groups:
        return "Select a speaker to see their statements."
    g = groups[0]
    lines = [
        f"### {html.escape(g['speaker'])}"
        + (f" ({html.escape(g['role'])})" if g["role"] and g["role"] != g["speaker"] else "")
    ]
    for st in g["statements"]:
        day = st["date"] or (f"article of {st['published']}" if st["published"] else "undated")
        text = html.escape(st["text"])
        text = f"“{text}”" if st["kind"] == "quote" else text
        title = html.escape(st.get("title") or st.get("source") or "")
        lines.append(f"- **{day}** · {st['kind']}: {text}  \n  _{title}_")
    return "\n".join(lines)


def build_speakers_view(services_or_store: Any) -> None:
    """The Speakers view, built into the current Blocks context (no return value: its events
    are wired here)."""
    with gr.Column():
        gr.Markdown("### Speakers\nWho the indexed articles quote. Select a row for their words.")
        with gr.Row():
            needle = gr.Textbox(label="Find a speaker", scale=4)
            refresh = gr.Button("Refresh", scale=1)
        table = gr.Dataframe(
            # A callable value is run on every page load: newly indexed articles show at once.
            value=lambda: speaker_rows(services_or_store),
            headers=HEADERS,
            datatype=["str", "str", "number", "number"],
            interactive=False,
            wrap=True,
        )
        detail = gr.Markdown("Select a speaker to see their statements.")

    def rows(text: str) -> list[list[Any]]:
        return speaker_rows(services_or_store, text or "")

    def on_select(evt: gr.SelectData) -> str:
        row = evt.row_value or []
        return speaker_statements(services_or_store, str(row[0]) if row else "")

    needle.submit(rows, needle, table)
    refresh.click(rows, needle, table)
    table.select(on_select, None, detail)
