"""Answers written by a chat model, kept to the guarantees of the extractive answerer.

The model sees the retrieved passages numbered and delimited as data (``prompts/``), writes an
answer with ``[n]`` markers, and every sentence of it is then checked against the passages it
cites (``assistant.verify``). Unsupported sentences are marked or dropped (``settings.
unsupported``). An answer with no supported sentence is never worse than no model: the extractive
answer is given instead, with a note saying so, when the extractive answerer answers (its own
calibrated abstention decides), else the answer is an abstention. A backend that fails, is
unreachable or exceeds ``settings.llm_timeout`` never hangs the caller: the extractive answer is
returned instead, with a note saying why.

While the model writes, its draft streams: with ``unsupported = "mark"`` as an unchecked draft
(first a marker event, every delta ``"checked": False``) that the checked answer replaces; with
``"drop"`` only the sentences that pass the check, one by one, so failing text never reaches the
screen.
"""

from __future__ import annotations

import contextvars
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import numpy as np
from langchain_core.documents import Document
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda
from newsqa.assistant.citations import citation, result
from newsqa.assistant.condense import Condensed
from newsqa.assistant.prompts import answer_prompt, condense_prompt, format_history, format_passages
from newsqa.assistant.verify import (
    SUPPORT_THRESHOLD,
    SentenceCheck,
    check_sentences,
    mentions_all,
    names_in,
)
from newsqa.index.settings import Settings

T = TypeVar("T")

ABSTENTION = (
    "The indexed articles don't say. The closest passages are listed below as related reading, "
    "but none of them answers the question."
)
# After a backend timed out or could not be reached, later calls within this many seconds skip
# it at once (the condenser's failure spares the answerer a second wait on the same question).
COOLDOWN = 30.0
CONDENSE_TIMEOUT = 20.0
# The prompt asks for one to three sentences; a model that goes on past this many, repeats a
# sentence or starts writing passage tags of its own is stopped (small models loop when greedy).
MAX_SENTENCES = 6
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'’”)\]]*\s+|\n+")
_TAG_ECHO = re.compile(r"<\s*/?\s*passage", re.IGNORECASE)
_MARKERS = re.compile(r"\[[\d,;\s-]+\]")
# Shown before a draft that has not been checked yet (the checked answer replaces it). Consumers
# that render their own badge skip the event with ``"marker": True``.
UNCHECKED_MARK = "(unchecked draft) "


class LLMTimeout(TimeoutError):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"no answer within {seconds:g} s")


class LLMDown(RuntimeError):
    """The backend failed moments ago; not tried again until the cool-down ends."""


_failures: dict[int, tuple[float, str]] = {}
_failures_lock = threading.Lock()


def _is_outage(exc: BaseException) -> bool:
    """Timeouts and connection failures, as opposed to an error about one request."""
    if isinstance(exc, (TimeoutError, ConnectionError, LLMDown)):
        return True
    name = type(exc).__name__.lower()
    return "timeout" in name or "connect" in name


def _check_health(model: Any) -> None:
    with _failures_lock:
        seen = _failures.get(id(model))
    if seen and time.monotonic() - seen[0] < COOLDOWN:
        raise LLMDown(seen[1])


def _record(model: Any, exc: BaseException | None) -> None:
    with _failures_lock:
        if exc is None:
            _failures.pop(id(model), None)
        elif _is_outage(exc) and not isinstance(exc, LLMDown):
            _failures[id(model)] = (time.monotonic(), describe_error(exc))


def describe_error(exc: BaseException) -> str:
    """A one-line reason for the user ("timed out after 60 s", "connection refused", ...)."""
    if isinstance(exc, LLMDown):
        return str(exc)
    text = " ".join(str(exc).split()) or type(exc).__name__
    cause = exc.__cause__ or exc.__context__
    if cause is not None and "connect" in type(exc).__name__.lower():
        text = f"{text}: {' '.join(str(cause).split())}"
    return text if len(text) <= 200 else text[:197] + "..."


def stream_with_deadline(make: Callable[[], Iterator[T]], timeout: float) -> Iterator[T]:
    """Iterate ``make()`` in a worker thread, raising ``LLMTimeout`` once ``timeout`` seconds
    have passed in all.

    A model call blocked in C code (llama.cpp) or on a socket cannot be interrupted, but the
    caller stops waiting for it; the worker then stops at the model's next token.
    """
    out: queue.Queue[tuple[str, Any]] = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        try:
            items = make()
            try:
                for item in items:
                    if stop.is_set():
                        break
                    out.put(("item", item))
            finally:
                close = getattr(items, "close", None)
                if close is not None:
                    close()
            out.put(("done", None))
        except BaseException as exc:  # handed to the caller's thread
            out.put(("error", exc))

    ctx = contextvars.copy_context()  # LangChain's callbacks and config live in contextvars
    threading.Thread(target=ctx.run, args=(work,), daemon=True, name="newsqa-llm").start()
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                kind, value = out.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise LLMTimeout(timeout) from None
            if kind == "item":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        stop.set()


class GenerativeAnswerer(Runnable[dict, dict]):
    """Runnable: {"question", "standalone", "history", "docs"} -> result dict (see chain.py).

    ``fallback`` is the extractive answerer (same input, same output). ``name`` is the answerer
    spec reported in results ("local", "openai:MODEL", ...); by default ``settings.llm``.
    """

    def __init__(
        self,
        chat_model: BaseChatModel,
        embedder: Any,
        settings: Settings,
        *,
        fallback: Runnable,
        name: str | None = None,
        threshold: float = SUPPORT_THRESHOLD,
        max_passages: int | None = None,
    ) -> None:
        self.chat_model = chat_model
        self.embedder = embedder
        self.settings = settings
        self.fallback = fallback
        self.label = name or settings.llm
        self.threshold = threshold
        # The model sees the best ``max_passages`` passages (all when None); the result still
        # lists every retrieved passage as a source. A 135M model reads four better than six.
        self.max_passages = max_passages
        # History is not shown to the model: the condensed standalone question carries what the
        # answer needs, and earlier replies are not sources it may cite.
        self.generate: Runnable = answer_prompt() | chat_model | StrOutputParser()
        self._with_fallback = RunnableLambda(self._answer, name="generative_answer").with_fallbacks(
            [RunnableLambda(self._fall_back, name="extractive_fallback")],
            exceptions_to_handle=(Exception,),
            exception_key="error",
        )

    def get_name(self, suffix: str | None = None, *, name: str | None = None) -> str:
        return super().get_name(suffix, name=name or f"GenerativeAnswerer[{self.label}]")

    def invoke(self, input: dict, config: RunnableConfig | None = None, **kwargs: Any) -> dict:
        # A copy: the fallback adds the exception to its input.
        return self._with_fallback.invoke(dict(input), config)

    def stream_answer(self, inp: dict) -> Iterator[dict]:
        """Yields {"type": "delta", "text", "checked"} as the model writes, then one {"type":
        "final", "result"}. The final answer is the verified one and replaces the streamed text.

        With ``unsupported = "mark"`` the draft streams as written, after a marker event
        ({"type": "delta", "text": UNCHECKED_MARK, "marker": True, "checked": False}); with
        ``"drop"`` each sentence streams only once it has passed the check."""
        encoder = _CachedEncoder(self.embedder)
        drop = self.settings.unsupported == "drop"
        try:
            pieces: list[str] = []
            done = 0  # characters of the draft already checked (drop mode)
            for delta in self._deltas(inp):
                if not pieces and not drop:
                    yield {
                        "type": "delta",
                        "text": UNCHECKED_MARK,
                        "marker": True,
                        "checked": False,
                    }
                pieces.append(delta)
                if not drop:
                    yield {"type": "delta", "text": delta, "checked": False}
                    continue
                text = "".join(pieces)
                ends = [m.end() for m in _SENTENCE_END.finditer(text, done)]
                if ends:
                    for piece in self._checked_sentences(inp, text[done : ends[-1]], encoder):
                        yield {"type": "delta", "text": piece, "checked": True}
                    done = ends[-1]
            if drop and pieces:
                rest = "".join(pieces)[done:]
                for piece in self._checked_sentences(inp, rest, encoder):
                    yield {"type": "delta", "text": piece, "checked": True}
            final = self._verified(inp, "".join(pieces), encoder)
        except Exception as exc:
            final = self._fall_back({**inp, "error": exc})
        yield {"type": "final", "result": final}

    def _checked_sentences(self, inp: dict, text: str, encoder: Any) -> list[str]:
        """The sentences of ``text`` that pass the citation check, with their markers (neutral
        connectives too; abstentions are the final answer's to give)."""
        if not text.strip() or _TAG_ECHO.search(text):
            return []
        shown = self._shown(inp["docs"])
        checks = check_sentences(
            text,
            {n: d.page_content for n, d in enumerate(shown, start=1)},
            encoder,
            titles={n: str(d.metadata.get("title", "")) for n, d in enumerate(shown, start=1)},
            threshold=self.threshold,
            attribute_uncited=True,
        )
        return [
            (c.with_markers() if c.supported else c.text) + " "
            for c in checks
            if c.supported or (c.neutral and not c.abstention)
        ]

    # Generation --------------------------------------------------------------------------------
    def _shown(self, docs: list[Document]) -> list[Document]:
        return docs[: self.max_passages] if self.max_passages else docs

    def _deltas(self, inp: dict) -> Iterator[str]:
        docs = self._shown(inp["docs"])
        if not docs:
            return
        _check_health(self.chat_model)
        prompt_input = {
            "passages": format_passages(docs),
            "question": inp.get("standalone") or inp["question"],
        }
        text = ""
        try:
            # Closing the stream early (a runaway) closes the worker's generator too.
            for delta in stream_with_deadline(
                lambda: self.generate.stream(prompt_input), self.settings.llm_timeout
            ):
                if not delta:
                    continue
                yield delta
                text += delta
                if any(c in delta for c in " \n<") and runaway(text):
                    break
        except BaseException as exc:
            _record(self.chat_model, exc)
            raise
        _record(self.chat_model, None)

    def _answer(self, inp: dict) -> dict:
        return self._verified(inp, "".join(self._deltas(inp)), _CachedEncoder(self.embedder))

    def _extractive_instead(
        self, inp: dict, unsupported: list[str], *, off_topic: bool = False
    ) -> dict | None:
        """The extractive answer, with a note, when no generated sentence passed the check and
        the extractive answerer answers; None when it abstains too.

        "Confident" is the extractive answerer's own decision to answer: its abstention threshold
        is the calibrated one (``confidence`` when it reports one), so no second threshold is set
        here."""
        res = dict(self.fallback.invoke({k: v for k, v in inp.items() if k != "error"}))
        if res.get("abstained"):
            return None
        n = len(unsupported)
        why = (
            "rests on passages that do not name what the question asks about"
            if off_topic
            else f"was not supported by the passages it cites ({n} sentence"
            f"{'s' if n != 1 else ''} failed the check)"
        )
        res["note"] = f"{self.label}'s answer {why}; the extractive answer is given instead."
        return res

    def _fall_back(self, inp: dict) -> dict:
        error = inp.get("error")
        res = dict(self.fallback.invoke({k: v for k, v in inp.items() if k != "error"}))
        why = describe_error(error) if error is not None else "unknown error"
        if isinstance(error, TimeoutError) or "timeout" in type(error).__name__.lower():
            why = f"timed out after {self.settings.llm_timeout:g} s"
        # The extractive answerer's own note (its support score) is routine: not shown.
        res["note"] = f"{self.label} did not answer ({why}); fell back to the extractive answer."
        return res

    # Verification ------------------------------------------------------------------------------
    def _verified(self, inp: dict, text: str, encoder: Any = None) -> dict:
        docs: list[Document] = inp["docs"]
        question = inp["question"]
        standalone = inp.get("standalone") or question
        if not docs:
            return result(question, standalone, ABSTENTION, True, [], docs, self.label)
        shown = self._shown(docs)
        passages = {n: d.page_content for n, d in enumerate(shown, start=1)}
        titles = {n: str(d.metadata.get("title", "")) for n, d in enumerate(shown, start=1)}
        checks = check_sentences(
            trim(text),
            passages,
            encoder or self.embedder,
            titles=titles,
            threshold=self.threshold,
            attribute_uncited=True,
        )
        supported = [c for c in checks if c.supported]
        unsupported = [c.text for c in checks if not (c.supported or c.neutral)]
        asked = names_in(standalone)
        if (
            supported
            and asked
            and not any(
                mentions_all(asked, [passages[n] + " " + titles[n] for n in c.support])
                for c in supported
            )
        ):
            # Every kept sentence rests on passages that never name whom or what the question
            # names: true to its passage, but no answer. The extractive answer, when it answers.
            instead = self._extractive_instead(inp, [c.text for c in supported], off_topic=True)
            if instead is not None:
                return instead
        if not supported:
            note = ""
            if unsupported:
                instead = self._extractive_instead(inp, unsupported)
                if instead is not None:
                    return instead
                note = "no sentence of the generated answer is supported by the passages it cites"
            return result(
                question, standalone, ABSTENTION, True, [], docs, self.label, note, unsupported
            )
        numbers: dict[int, int] = {}
        for c in supported:
            for n in c.support:
                numbers.setdefault(n, len(numbers) + 1)
        mark = self.settings.unsupported == "mark"
        parts = []
        for c in checks:
            if c.supported:
                parts.append(c.with_markers(numbers))
            elif (c.neutral and not c.abstention) or (not c.neutral and mark):
                parts.append(c.text)
        citations = [
            citation(new, docs[old - 1], _article_spans(docs[old - 1], supported, old))
            for old, new in numbers.items()
        ]
        answer = " ".join(parts)
        return result(
            question, standalone, answer, False, citations, docs, self.label, "", unsupported
        )


class _CachedEncoder:
    """The embedder with a cache of the texts it has encoded: the streamed sentence checks and
    the final check of one answer encode the same passage sentences once."""

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder
        self.cache: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        new = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if new:
            for t, v in zip(new, np.asarray(self.embedder.encode(new)), strict=True):
                self.cache[t] = v
        return np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, 0))


def _sentences(text: str) -> list[str]:
    return [x for x in (p.strip() for p in _SENTENCE_END.split(text)) if x]


def runaway(text: str) -> bool:
    """Has the model gone past an answer: a repeated sentence, an echoed passage tag, or more
    than ``MAX_SENTENCES`` sentences? Only complete sentences count."""
    if _TAG_ECHO.search(text):
        return True
    done = _sentences(text[: max((m.end() for m in _SENTENCE_END.finditer(text)), default=0)])
    keys = [" ".join(x.lower().split()) for x in done]
    return len(keys) > MAX_SENTENCES or len(set(keys)) < len(keys)


def trim(text: str) -> str:
    """The answer without what ``runaway`` stops: anything from an echoed passage tag on, and
    repeats of a sentence already written (the text between sentences is kept as it was)."""
    m = _TAG_ECHO.search(text)
    if m:
        text = text[: m.start()]
    seen: set[str] = set()
    out, start = [], 0
    for end in [*(m.end() for m in _SENTENCE_END.finditer(text)), len(text)]:
        piece = text[start:end]
        key = " ".join(re.findall(r"\w+", _MARKERS.sub("", piece).lower()))
        if end == len(text) and any(k.startswith(key) for k in seen):
            break  # the start of a repeat, cut off where the model was stopped
        if key and key not in seen:
            seen.add(key)
            out.append(piece)
        start = end
    return "".join(out).strip()


def _article_spans(doc: Document, checks: list[SentenceCheck], n: int) -> list[tuple[int, int]]:
    """Spans (article offsets) of the passage sentences that support the answer's claims."""
    start = int(doc.metadata.get("start", 0))
    spans = {(start + a, start + b) for c in checks for a, b in c.support.get(n, [])}
    return sorted(spans)


class LLMCondenser(Runnable[dict, "str | Condensed"]):
    """Runnable: {"question", "history"} -> a standalone question written by the chat model
    (or, from ``fallback``, the rule condenser's Condensed).

    Without history the question is returned as it is, with no model call. The rewrite is
    rejected, and ``fallback`` (the rule-based condenser) used, when the model fails, times out,
    or returns something that is not a rewrite of the question (an answer, an empty line, a
    question about something else).
    """

    def __init__(
        self,
        chat_model: BaseChatModel,
        *,
        fallback: Runnable,
        timeout: float = CONDENSE_TIMEOUT,
    ) -> None:
        self.chat_model = chat_model
        self.fallback = fallback
        self.timeout = timeout
        self.rewrite: Runnable = condense_prompt() | chat_model | StrOutputParser()
        self._with_fallback = RunnableLambda(self._condense, name="llm_condense").with_fallbacks(
            [fallback], exceptions_to_handle=(Exception,)
        )

    def invoke(
        self, input: dict, config: RunnableConfig | None = None, **kwargs: Any
    ) -> str | Condensed:
        if not input.get("history"):
            return input["question"]
        return self._with_fallback.invoke(input, config)

    def _condense(self, inp: dict) -> str:
        _check_health(self.chat_model)
        prompt_input = {"history": format_history(inp["history"]), "question": inp["question"]}
        try:
            text = "".join(
                stream_with_deadline(lambda: self.rewrite.stream(prompt_input), self.timeout)
            )
        except BaseException as exc:
            _record(self.chat_model, exc)
            raise
        _record(self.chat_model, None)
        return _accept_rewrite(inp["question"], inp["history"], text)


_PREFIX = re.compile(
    r"^\s*(?:(?:the\s+)?(?:rewritten|standalone|new|last)\s+question\s*:|question\s*:)\s*",
    re.IGNORECASE,
)
_PRONOUNS = {
    "he", "she", "it", "they", "him", "her", "them", "his", "hers", "its", "their", "this", "that",
    "these", "those", "there", "what", "who", "which", "when", "where", "why", "how", "did", "does",
    "do", "is", "was", "were", "are", "the", "a", "an", "of", "to", "in", "on", "and", "about",
    "say", "said",
}  # fmt: skip


def _accept_rewrite(question: str, history: list[dict], text: str) -> str:
    """The model's rewrite, cleaned, or ValueError if it does not look like one: it must be a
    question, keep the question's own words and question word, and bring in no name that the
    conversation does not have."""
    lines = [ln for ln in (_PREFIX.sub("", x).strip() for x in text.splitlines()) if ln]
    if not lines:
        raise ValueError("the model returned no question")
    rewrite = lines[0].strip("\"'“”` ")
    if not rewrite.endswith("?"):
        raise ValueError("the model did not return a question")
    if len(rewrite) > 3 * len(question) + 150:
        raise ValueError("the rewrite is far longer than the question")
    words = re.findall(r"[a-z0-9]+", rewrite.lower())
    asked = re.findall(r"[a-z0-9]+", question.lower())
    if asked and asked[0] in _PRONOUNS and asked[0] not in words:
        raise ValueError("the rewrite asks something else")
    own = set(asked) - _PRONOUNS
    if own and len(own & set(words)) < max(1, len(own) // 2):
        raise ValueError("the rewrite dropped the question's own words")
    context = " ".join([question, *(str(m.get("content", "")) for m in history)])
    known = set(re.findall(r"[a-z0-9]+", context.lower()))
    invented = names_in(rewrite) - known
    if invented:
        raise ValueError(f"the rewrite brings in names not in the conversation: {invented}")
    return rewrite
