"""The prompts of the generative answerer, read from the ``prompts`` package as LangChain templates.

The texts live in ``prompts/*.txt`` (package data) so they can be read and edited without
touching code: ``system.txt`` (the rules), ``answer.txt`` (numbered passages and the question),
``condense.txt`` (history and a follow-up -> standalone question).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from importlib.resources import files

from langchain_core.documents import Document
from langchain_core.prompts import ChatPromptTemplate

# Article text must not be able to close the passage block or open a new one.
_TAG = re.compile(r"<\s*/?\s*passages?\b[^>]*>?", re.IGNORECASE)
_HISTORY_TURNS = 6
_HISTORY_CHARS = 600


@cache
def prompt_text(name: str) -> str:
    """The text of ``prompts/<name>.txt``."""
    return files("newsqa.prompts").joinpath(f"{name}.txt").read_text(encoding="utf-8").strip()


def answer_prompt() -> ChatPromptTemplate:
    """System rules, then one user message holding the passages and the question.

    Inputs: ``passages`` (see ``format_passages``) and ``question``.
    """
    return ChatPromptTemplate.from_messages(
        [("system", prompt_text("system")), ("human", prompt_text("answer"))]
    )


def condense_prompt() -> ChatPromptTemplate:
    """One user message. Inputs: ``history`` (see ``format_history``) and ``question``."""
    return ChatPromptTemplate.from_messages([("human", prompt_text("condense"))])


def _clean(text: str) -> str:
    return _TAG.sub(" ", text).strip()


def format_passages(docs: Sequence[Document]) -> str:
    """Numbered passages, each delimited as data: ``<passage id="1" title=... date=...>``.

    Titles and texts are stripped of anything that looks like a passage tag, so an article cannot
    end its own block and speak outside it.
    """
    blocks = []
    for n, doc in enumerate(docs, start=1):
        title = _clean(str(doc.metadata.get("title", ""))).replace('"', "'")
        date = _clean(str(doc.metadata.get("date", ""))).replace('"', "'")
        attrs = f' title="{title}"' if title else ""
        attrs += f' date="{date}"' if date else ""
        blocks.append(f'<passage id="{n}"{attrs}>\n{_clean(doc.page_content)}\n</passage>')
    return "\n".join(blocks)


def format_history(history: Sequence[dict]) -> str:
    """The last few turns as ``User: ...`` / ``Assistant: ...`` lines, long replies shortened."""
    lines = []
    for msg in list(history)[-_HISTORY_TURNS:]:
        content = msg.get("content")
        if not isinstance(content, str) or msg.get("role") not in ("user", "assistant"):
            continue
        content = " ".join(content.split())
        if len(content) > _HISTORY_CHARS:
            content = content[:_HISTORY_CHARS].rsplit(" ", 1)[0] + " ..."
        lines.append(f"{'User' if msg['role'] == 'user' else 'Assistant'}: {content}")
    return "\n".join(lines)
