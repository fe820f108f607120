"""The answering chain (LCEL): condense the follow-up, retrieve passages, answer with citations.

Every answerer (extractive, or a chat model) takes the same input and returns the same result
dict, so the CLI, the app and the evaluation treat them alike.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from typing import Any

from langchain_core.runnables import (
    ConfigurableField,
    Runnable,
    RunnableConfig,
    RunnableLambda,
    RunnablePassthrough,
)
from newsqa.assistant import answerers
from newsqa.assistant.answerer import ExtractiveAnswerer
from newsqa.assistant.condense import Condensed, rule_condenser
from newsqa.assistant.retrieval import HybridRetriever
from newsqa.assistant.scorer import load_model
from newsqa.index.embedding import Embedder
from newsqa.index.settings import Settings
from newsqa.index.store import Store


def prepare(retriever: Runnable, condenser: Runnable) -> Runnable:
    """{"question", "history"} -> the answerer's input: adds "standalone" (the question made
    standalone), "follow_up" (the earlier turn it follows, or "") and "docs" (the passages
    retrieved for both)."""
    return (
        RunnablePassthrough.assign(condensed=condenser | RunnableLambda(Condensed.of))
        | RunnablePassthrough.assign(
            standalone=lambda x: x["condensed"].question,
            follow_up=lambda x: x["condensed"].follow_up,
        )
        | RunnablePassthrough.assign(
            docs=RunnableLambda(lambda x: x["condensed"].retrieval_query()) | retriever
        )
    )


def with_follow_up(result: dict[str, Any], inp: dict[str, Any]) -> dict[str, Any]:
    """The result with the earlier turn its question followed ("" for none), as the JSON's
    ``follow_up``: how the follow-up was read, beside ``standalone_question``."""
    return {**result, "follow_up": inp.get("follow_up") or ""}


def build_chain(retriever: Runnable, answerer: Runnable, condenser: Runnable) -> Runnable:
    """{"question", "history"} -> result dict."""
    return (
        prepare(retriever, condenser)
        | RunnablePassthrough.assign(result=answerer)
        | RunnableLambda(lambda x: with_follow_up(x["result"], x))
    )


def validate_history(history: Any) -> list[dict[str, str]]:
    """Gradio's messages format: a list of {"role": "user"|"assistant", "content": str}."""
    if history is None:
        return []
    if not isinstance(history, list):
        raise ValueError('history must be a JSON list of {"role", "content"} messages')
    out = []
    for i, msg in enumerate(history):
        if not isinstance(msg, dict) or msg.get("role") not in ("user", "assistant", "system"):
            raise ValueError(
                f"history message {i} must be an object with role user/assistant and content"
            )
        content = msg.get("content")
        if isinstance(content, str):
            out.append({"role": msg["role"], "content": content})
        elif content is not None and not isinstance(content, (dict, list)):
            raise ValueError(f"history message {i}: content must be text")
    return out


class Assistant:
    """Answers questions over an open store; one instance serves many threads.

    The answerer is named per call (``llm``, else ``settings.llm``) and built once through the
    registry (``newsqa.assistant.answerers``).
    """

    def __init__(self, store: Store, embedder: Embedder, settings: Settings) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.retriever = HybridRetriever(store=store, embedder=embedder, k=settings.top_k)
        kwargs: dict[str, Any] = (
            {} if settings.abstain_threshold is None else {"threshold": settings.abstain_threshold}
        )
        if settings.answerer_model is not None:
            # Another fitted model, tried without replacing the committed one.
            kwargs["model"] = load_model(settings.answerer_model)
        self.extractive = ExtractiveAnswerer(
            store=store, embedder=embedder, retriever=self.retriever, **kwargs
        )
        self.condenser = rule_condenser()
        self._configurable = self.retriever.configurable_fields(
            k=ConfigurableField(id="k", name="passages"),
            since=ConfigurableField(id="since", name="articles dated on or after (ISO day)"),
            until=ConfigurableField(id="until", name="articles dated on or before (ISO day)"),
        )
        self._context = answerers.AnswererContext(
            store=store,
            embedder=embedder,
            settings=settings,
            retriever=self.retriever,
            extractive=self.extractive,
            condenser=self.condenser,
        )
        self._built: dict[str, answerers.Answerer] = {}
        self._lock = threading.Lock()

    def components(self, llm: str | None = None) -> answerers.Answerer:
        """The answerer a spec names (``extractive``, ``local``, ``openai:MODEL`` ...), built on
        first use; raises ``LLMUnavailable`` when it cannot be."""
        spec = (llm or self.settings.llm or "extractive").strip()
        with self._lock:
            if spec not in self._built:
                self._built[spec] = answerers.build(spec, self._context)
            return self._built[spec]

    def chain(self, llm: str | None = None) -> Runnable:
        built = self.components(llm)
        return build_chain(self._configurable, built.runnable, built.condenser)

    def _config(
        self, k: int | None, since: str | None = None, until: str | None = None
    ) -> RunnableConfig:
        return {"configurable": {"k": k or self.settings.top_k, "since": since, "until": until}}

    def ask(
        self,
        question: str,
        history: list[dict[str, Any]] | None = None,
        *,
        k: int | None = None,
        llm: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> dict[str, Any]:
        """The result dict for one question (see README for its fields). ``since``/``until``
        (ISO days, inclusive) limit the answer to articles dated in that range."""
        question = _check_question(question, self.settings.max_question_chars)
        since, until = check_range(since, until)
        res = self.chain(llm).invoke(
            {"question": question, "history": validate_history(history)},
            config=self._config(k, since, until),
        )
        return with_range(res, since, until)

    def stream(
        self,
        question: str,
        history: list[dict[str, Any]] | None = None,
        *,
        k: int | None = None,
        llm: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Yields {"type": "delta", "text"} pieces as a model writes them (none for an answerer
        that composes its answer whole), then one {"type": "final", "result"}."""
        question = _check_question(question, self.settings.max_question_chars)
        since, until = check_range(since, until)
        built = self.components(llm)
        inp = prepare(self._configurable, built.condenser).invoke(
            {"question": question, "history": validate_history(history)},
            config=self._config(k, since, until),
        )
        for event in built.stream(inp):
            if event["type"] == "final":
                result = with_follow_up(event["result"], inp)
                event = {**event, "result": with_range(result, since, until)}
            yield event


def check_range(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    """The range as given (ISO days, either open), or ValueError when it is empty."""
    since, until = since or None, until or None
    for day in (since, until):
        if day is not None:
            date.fromisoformat(day)  # ValueError for anything but an ISO day
    if since and until and since > until:
        raise ValueError(f"the date range is empty: since {since} is after until {until}")
    return since, until


def range_text(since: str | None, until: str | None) -> str:
    """ "dated from 2024-02-01 to 2024-02-29", "dated on or after 2024-02-01", ..."""
    if since and until:
        return f"dated from {since} to {until}" if since != until else f"dated {since}"
    return f"dated on or after {since}" if since else f"dated on or before {until}"


def with_range(res: dict[str, Any], since: str | None, until: str | None) -> dict[str, Any]:
    """The result with the range it applied (``range``: {"since", "until"} or None); an
    abstention says which articles it searched, since the answer may lie outside them."""
    if not (since or until):
        return {**res, "range": None}
    out = {**res, "range": {"since": since, "until": until}}
    if res.get("abstained"):
        out["answer"] = f"{res['answer']} (Only articles {range_text(since, until)} were searched.)"
    return out


def _check_question(question: Any, max_chars: int) -> str:
    if not isinstance(question, str) or not question.strip():
        raise ValueError(
            'the question is empty: ask something, e.g. "What did Scholz say about ground troops?"'
        )
    question = question.strip()
    if len(question) > max_chars:
        raise ValueError(
            f"the question is {len(question)} characters; the limit is "
            f"NEWSQA_MAX_QUESTION_CHARS={max_chars}"
        )
    return unshout(question)


def unshout(question: str) -> str:
    """A question typed in capitals ("WHAT DID SCHOLZ SAY ABOUT GROUND TROOPS?") in lower case:
    capitals mark names and acronyms in the rest of the answerer ("never mention ABOUT"), and a
    question in lower case is read by its words."""
    words = [w for w in question.split() if any(c.isalpha() for c in w)]
    shouted = [w for w in words if w.isupper() and len(w) > 1]
    if len(words) >= 3 and len(shouted) >= 0.8 * len(words):
        lowered = question.lower()
        return lowered[:1].upper() + lowered[1:]
    return question
