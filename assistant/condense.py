"""Turn a follow-up into a standalone question, without an LLM.

"What did he say about the budget?" after a question about Gordon Brown becomes "What did Gordon
Brown say about the budget?": subject pronouns are replaced by the person the conversation was
about, and a question with no names of its own carries the previous question's names along.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from langchain_core.documents import Document
from langchain_core.runnables import RunnableLambda
from newsqa.index.attribution import is_say_question, name_words
from newsqa.index.names import fold, name_key, person_names


@dataclass(frozen=True)
class Condensed:
    """A follow-up made standalone: the question, with its pronouns resolved where a person is
    meant, and the earlier turn it follows (the user's question and the gist of the reply;
    empty when the question stands alone). The chain keeps them apart: retrieval searches with
    both, the answerer scores sentences against the question and reads the turn as the
    conversation's context."""

    question: str
    follow_up: str = ""

    @classmethod
    def of(cls, condensed: Condensed | str) -> Condensed:
        """A condenser's output as a Condensed (a chat model's rewrite is a plain question)."""
        return condensed if isinstance(condensed, Condensed) else cls(str(condensed))

    def retrieval_query(self) -> str:
        """What retrieval searches with: the question, and the earlier turn when there is one."""
        if not self.follow_up:
            return self.question
        return f"{self.question} (following up on: {self.follow_up})"


# "Sonia O'Sullivan", "Ronald McDonald": capitals inside a name too.
_PERSON = re.compile(
    r"\b[A-Z][A-Za-z'’-]*[a-z](?:\s+(?:van|de|von|der)?\s*[A-Z][A-Za-z'’-]*[a-z])+\b"
)
_SUBJECT_PRONOUN = re.compile(r"\b(he|she)\b", re.IGNORECASE)
_OBJECT_PRONOUN = re.compile(r"\b(him|her)\b(?!\s+\w+ing)", re.IGNORECASE)
_POSSESSIVE = re.compile(r"\b(his|her)\b", re.IGNORECASE)
_REFERS_BACK = re.compile(
    r"\b(he|she|him|her|his|hers|they|them|their|it|its|this|that|these|those|there|the firm|"
    r"the company|the club|the team|the band|the film|the group|the deal|the same)\b|^\s*(and|"
    r"what about|how about|why|when|where|was there|did|any)\b",
    re.IGNORECASE,
)
_NOT_PERSON_START = {
    "The",
    "A",
    "An",
    "What",
    "Who",
    "How",
    "When",
    "Where",
    "Why",
    "Which",
    "Did",
    "Does",
    "Is",
    "Was",
    "In",
    "On",
    "At",
    "According",
    "Tell",
}


def people(text: str) -> list[str]:
    """Multi-word capitalised names in order, titles dropped ("Prime Minister Tony Blair" ->
    "Tony Blair"); runs of titles alone ("Secretary General") are not people."""
    out = []
    for m in _PERSON.finditer(text):
        words = m.group(0).split()
        while words and (words[0] in _NOT_PERSON_START or not name_words(words[0])):
            words = words[1:]
        if len(words) >= 2:
            out.append(" ".join(words))
    return out


def _last_user(history: list[dict[str, Any]]) -> tuple[str, str]:
    """The last user message and the assistant's reply to it."""
    user, reply = "", ""
    for i in range(len(history) - 1, -1, -1):
        msg = history[i]
        if msg.get("role") == "user" and isinstance(msg.get("content"), str):
            user = msg["content"]
            nxt = history[i + 1] if i + 1 < len(history) else {}
            reply = nxt.get("content", "") if nxt.get("role") == "assistant" else ""
            if not isinstance(reply, str):
                reply = ""
            break
    return user, reply


def condense(question: str, history: list[dict[str, Any]] | None) -> Condensed:
    """A question that can be understood without the conversation before it."""
    if not history:
        return Condensed(question)
    user, reply = _last_user(history)
    if not user:
        return Condensed(question)
    own_names = name_words(re.sub(r"^\W*\w+", "", question))
    if own_names and not _REFERS_BACK.search(question):
        return Condensed(question)
    in_question, in_reply = people(user), people(reply)
    # After "Which player ...?" the conversation is about the player the answer named; and
    # "he" in "When did Woodward say he ...?" is not Woodward.
    if re.match(r"\W*(?:who|whom|which)\b", user, re.IGNORECASE):
        order = [*in_reply, *reversed(in_question)]
    else:
        order = [*reversed(in_question), *in_reply]
    asked = name_words(question)
    person = next((p for p in order if not name_words(p.split()[-1]) & asked), "")
    if not person:
        found = [w for w in re.findall(r"\b[A-Z][\w'’-]+", user)[1:] if w.lower() in name_words(w)]
        person = found[-1] if found else ""
    out = question
    # Pronouns are replaced only where it matters who is meant and a person is likely: "what
    # did he say". Elsewhere ("What's his real name?") a wrong guess would mislead more than
    # the earlier question's words, which go along for retrieval, help.
    if person and is_say_question(question):
        out = _SUBJECT_PRONOUN.sub(person, out, count=1)
        out = _POSSESSIVE.sub(f"{person}'s", out, count=1) if out == question else out
        out = _OBJECT_PRONOUN.sub(person, out, count=1) if out == question else out
    if out == question or not own_names:
        # Keep the earlier question's words, and the gist of the answer it got, along for
        # retrieval: "What's his real name?" needs the reggae star the last answer was about.
        context = user.strip()
        gist = _gist(reply)
        if gist:
            context = f"{context} {gist}"
        return Condensed(out, context)
    return Condensed(out)


def _gist(reply: str, limit: int = 200) -> str:
    """The start of an assistant reply, without citation markers; nothing for an abstention."""
    text = re.sub(r"\s*\[\d+\]", "", reply or "").strip()
    if not text or text.startswith("The indexed articles don't say"):
        return ""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0]


def rule_condenser() -> RunnableLambda:
    """Runnable: {"question", "history"} -> Condensed."""
    return RunnableLambda(lambda x: condense(x["question"], x.get("history")), name="condense")


def conversation_article(follow_up: str, docs: list[Document], texts: dict[str, str]) -> str | None:
    """The article a follow-up is about: the best-ranked one that mentions someone or something
    the conversation (``follow_up``, the earlier turn) named ("Which city was he in?" after a
    question about Scholz stays on an article naming Scholz, even when a story with more cities
    ranks first); else the first; None for a question that follows nothing."""
    if not follow_up or not docs:
        return None
    first = docs[0].metadata.get("article_id")
    keys = {name_key(name) for name, _, _ in person_names(follow_up)} - {""}
    if not keys:
        return first
    for doc in docs:
        article_id = str(doc.metadata.get("article_id", ""))
        folded = fold(texts.get(article_id, ""))
        if any(re.search(rf"\b{re.escape(k)}\b", folded) for k in keys):
            return article_id
    return first
