"""The answering chain (LCEL): condense the follow-up, retrieve passages, answer with citations.

Every answerer (extractive, or a chat model) takes the same input and returns the same result
dict, so the CLI, the app and the evaluation treat them alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from operator import itemgetter
from typing import Any

from langchain_core.runnables import ConfigurableField, Runnable, RunnablePassthrough
from newsqa.assistant.answerer import ExtractiveAnswerer
from newsqa.assistant.condense import rule_condenser
from newsqa.assistant.retrieval import HybridRetriever
from newsqa.index.embedding import Embedder
from newsqa.index.settings import Settings
from newsqa.index.store import Store

LOCAL_PASSAGES = 4


def build_chain(retriever: Runnable, answerer: Runnable, condenser: Runnable) -> Runnable:
    """{"question", "history"} -> result dict."""
    return (
        RunnablePassthrough.assign(standalone=condenser)
        | RunnablePassthrough.assign(docs=itemgetter("standalone") | retriever)
        | answerer
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
    """Answers questions over an open store; one instance serves many threads."""

    def __init__(self, store: Store, embedder: Embedder, settings: Settings) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.retriever = HybridRetriever(store=store, embedder=embedder, k=settings.top_k)
        kwargs = (
            {} if settings.abstain_threshold is None else {"threshold": settings.abstain_threshold}
        )
        self.extractive = ExtractiveAnswerer(
            store=store, embedder=embedder, retriever=self.retriever, **kwargs
        )
        self.condenser = rule_condenser()
        self._configurable = self.retriever.configurable_fields(
            k=ConfigurableField(id="k", name="passages")
        )
        self._generative: dict[str, tuple[Runnable, Runnable]] = {}

    def components(self, llm: str | None) -> tuple[Runnable, Runnable]:
        """(answerer, condenser) for an answerer spec such as ``extractive`` or ``local``."""
        spec = (llm or self.settings.llm or "extractive").strip()
        if spec == "extractive":
            return self.extractive, self.condenser
        if spec not in self._generative:
            from newsqa.assistant.generative import (
                CONDENSE_TIMEOUT,
                GenerativeAnswerer,
                LLMCondenser,
            )
            from newsqa.assistant.llm import make_chat_model

            model = make_chat_model(spec, self.settings)
            self._generative[spec] = (
                GenerativeAnswerer(
                    model,
                    self.embedder,
                    self.settings,
                    fallback=self.extractive,
                    name=spec,
                    # SmolLM2-135M loses the thread in long prompts: it reads the best four.
                    max_passages=LOCAL_PASSAGES if spec.split(":")[0] == "local" else None,
                ),
                LLMCondenser(
                    model,
                    fallback=self.condenser,
                    # A rewrite is a line: a third of the answer's time, at least 20 s.
                    timeout=max(CONDENSE_TIMEOUT, self.settings.llm_timeout / 3),
                ),
            )
        return self._generative[spec]

    def chain(self, llm: str | None = None) -> Runnable:
        answerer, condenser = self.components(llm)
        return build_chain(self._configurable, answerer, condenser)

    def _config(self, k: int | None) -> dict[str, Any]:
        return {"configurable": {"k": k or self.settings.top_k}}

    def ask(
        self,
        question: str,
        history: list[dict[str, Any]] | None = None,
        *,
        k: int | None = None,
        llm: str | None = None,
    ) -> dict[str, Any]:
        """The result dict for one question (see README for its fields)."""
        question = _check_question(question)
        return self.chain(llm).invoke(
            {"question": question, "history": validate_history(history)}, config=self._config(k)
        )

    def stream(
        self,
        question: str,
        history: list[dict[str, Any]] | None = None,
        *,
        k: int | None = None,
        llm: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Yields {"type": "delta", "text"} pieces of the answer, then {"type": "final", ...}."""
        question = _check_question(question)
        answerer, condenser = self.components(llm)
        prepare = RunnablePassthrough.assign(standalone=condenser) | RunnablePassthrough.assign(
            docs=itemgetter("standalone") | self._configurable
        )
        inp = prepare.invoke(
            {"question": question, "history": validate_history(history)}, config=self._config(k)
        )
        if hasattr(answerer, "stream_answer"):
            yield from answerer.stream_answer(inp)
            return
        res = answerer.invoke(inp)
        words = res["answer"].split(" ")
        for i in range(0, len(words), 4):
            yield {"type": "delta", "text": " ".join(words[i : i + 4]) + " "}
        yield {"type": "final", "result": res}


def _check_question(question: Any) -> str:
    if not isinstance(question, str) or not question.strip():
        raise ValueError(
            'the question is empty: ask something, e.g. "What did Scholz say about ground troops?"'
        )
    return question.strip()
