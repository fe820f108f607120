"""The answerer registry: every answerer a user can name in ``--llm`` / ``NEWSQA_LLM``.

An answerer is registered once, by name, with a factory; a spec such as ``openai:gpt-4o-mini``
is the name, a colon, and an argument for the factory. To add one, write its module and add one
``register(...)`` line at the bottom of this file, or, from another package, declare an entry
point in the ``newsqa.answerers`` group whose object is a ``Registration`` (in the manner of
simonw/llm's plugins). Nothing else parses specs.

A factory gets the argument and an ``AnswererContext`` (the store, the embedder, the settings,
the retriever, and the extractive answerer and rule condenser to fall back on) and returns an
``Answerer``: the runnable that answers, the condenser that rewrites follow-ups, and ``stream``.
``stream`` yields ``{"type": "delta", "text"}`` events as a model writes, then one
``{"type": "final", "result"}``; an answerer that composes its answer whole (extractive) yields
only the final event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from newsqa.index.settings import Settings

if TYPE_CHECKING:
    # Imported when an answerer is built, not with the registry: the CLI reads the registry for
    # its help text and should start in well under a second.
    from langchain_core.language_models import BaseChatModel
    from langchain_core.runnables import Runnable
    from newsqa.assistant.answerer import ExtractiveAnswerer

ENTRY_POINT_GROUP = "newsqa.answerers"
Event = dict[str, Any]


class LLMUnavailable(RuntimeError):
    """An answerer that cannot be used as configured; the message says how to fix it."""


@dataclass(frozen=True)
class AnswererContext:
    """What a factory may build on; one per ``Assistant``."""

    store: Any
    embedder: Any
    settings: Settings
    retriever: Any
    extractive: ExtractiveAnswerer
    condenser: Runnable


@dataclass(frozen=True)
class Answerer:
    """A built answerer: ``runnable`` maps the chain's input ({"question", "standalone",
    "follow_up", "history", "docs"}: chain.prepare) to the result dict; ``stream`` yields events
    for the same input; ``condenser`` maps {"question", "history"} to a standalone question (a
    string, or a condense.Condensed that keeps the earlier turn apart)."""

    runnable: Runnable
    condenser: Runnable
    stream: Callable[[dict[str, Any]], Iterator[Event]]


Factory = Callable[[str, AnswererContext], Answerer]
ChatModelFactory = Callable[[str, Settings], "BaseChatModel"]


@dataclass(frozen=True)
class Registration:
    """One answerer: its name (the spec before the colon), its factory and what it needs."""

    name: str
    factory: Factory
    arg: str = ""  # what follows the colon, for help texts ("MODEL"); "" takes none
    arg_required: bool = False
    help: str = ""
    extra: str = ""  # the pip extra that installs its dependencies
    chat_model: ChatModelFactory | None = None  # (arg, settings) -> model, for generative ones

    @property
    def usage(self) -> str:
        if not self.arg:
            return self.name
        return f"{self.name}:{self.arg}" if self.arg_required else f"{self.name}[:{self.arg}]"


_REGISTRY: dict[str, Registration] = {}


def register(
    name: str,
    factory: Factory,
    *,
    arg: str = "",
    arg_required: bool = False,
    help: str = "",
    extra: str = "",
    chat_model: ChatModelFactory | None = None,
) -> Registration:
    """Make an answerer available under ``name``; a later registration of a name replaces it."""
    reg = Registration(name.lower(), factory, arg, arg_required, help, extra, chat_model)
    _REGISTRY[reg.name] = reg
    return reg


@cache
def _load_plugins() -> None:
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        reg = ep.load()
        if not isinstance(reg, Registration):
            raise TypeError(f"entry point {ep.name} ({ep.value}) is not a Registration")
        _REGISTRY.setdefault(reg.name, reg)  # plugins never replace a built-in answerer


def registrations() -> list[Registration]:
    """Every answerer, built-ins first."""
    _load_plugins()
    return list(_REGISTRY.values())


def specs_help() -> str:
    """``extractive | local[:RUNTIME] | ollama:MODEL | openai:MODEL`` (and any plugin)."""
    return " | ".join(r.usage for r in registrations())


def parse(spec: str) -> tuple[Registration, str]:
    """The registration and argument a spec names; raises ``LLMUnavailable`` if none does."""
    name, _, arg = spec.strip().partition(":")
    _load_plugins()
    reg = _REGISTRY.get(name.strip().lower())
    arg = arg.strip()
    if reg is None or (reg.arg_required and not arg) or (arg and not reg.arg):
        raise LLMUnavailable(f"unknown answerer {spec!r}: use one of {specs_help()}")
    return reg, arg


def build(spec: str, ctx: AnswererContext) -> Answerer:
    """The answerer a spec names, built over ``ctx``."""
    reg, arg = parse(spec)
    return reg.factory(arg, ctx)


# Built-in answerers ----------------------------------------------------------------------------


def extractive(arg: str, ctx: AnswererContext) -> Answerer:
    """Quotes the retrieved sentences that answer; composed whole, so streamed as one result."""

    def stream(inp: dict[str, Any]) -> Iterator[Event]:
        yield {"type": "final", "result": ctx.extractive.invoke(inp)}

    return Answerer(ctx.extractive, ctx.condenser, stream)


def register_chat_model(
    name: str,
    make_model: ChatModelFactory,
    *,
    max_passages: Callable[[Settings], int | None] | None = None,
    **options: Any,
) -> Registration:
    """Register an answerer written by a chat model: ``make_model(arg, settings)`` builds the
    model; the citation check, the time-out and the extractive fallback are the same for all.
    ``max_passages(settings)`` limits the passages the model reads (all when None)."""

    def factory(arg: str, ctx: AnswererContext) -> Answerer:
        from newsqa.assistant.generative import CONDENSE_TIMEOUT, GenerativeAnswerer, LLMCondenser

        model = make_model(arg, ctx.settings)
        answerer = GenerativeAnswerer(
            model,
            ctx.embedder,
            ctx.settings,
            fallback=ctx.extractive,
            name=f"{name}:{arg}" if arg else name,
            max_passages=max_passages(ctx.settings) if max_passages else None,
        )
        condenser = LLMCondenser(
            model,
            fallback=ctx.condenser,
            # A rewrite is a line: a third of the answer's time, at least 20 s.
            timeout=max(CONDENSE_TIMEOUT, ctx.settings.llm_timeout / 3),
        )
        return Answerer(answerer, condenser, answerer.stream_answer)

    return register(name, factory, chat_model=make_model, **options)


def chat_model(spec: str, settings: Settings) -> BaseChatModel:
    """The chat model behind a generative spec (``local``, ``openai:MODEL``, ...)."""
    reg, arg = parse(spec)
    if reg.chat_model is None:
        raise LLMUnavailable(f"{spec!r} is not written by a chat model")
    return reg.chat_model(arg, settings)


def _local(runtime: str, settings: Settings) -> BaseChatModel:
    from newsqa.assistant.llm import local_chat_model

    return local_chat_model(runtime, settings)


def _ollama(model: str, settings: Settings) -> BaseChatModel:
    from newsqa.assistant.llm import ollama_chat_model

    return ollama_chat_model(model, settings)


def _openai(model: str, settings: Settings) -> BaseChatModel:
    from newsqa.assistant.llm import openai_chat_model

    return openai_chat_model(model, settings)


register("extractive", extractive, help="quotes the sentences that answer, with [n] markers")
register_chat_model(
    "local",
    _local,
    # SmolLM2-135M loses the thread in long prompts: it reads the best few.
    max_passages=lambda settings: settings.local.max_passages,
    arg="RUNTIME",
    help="SmolLM2-135M-Instruct in process (RUNTIME: llama-cpp or transformers)",
    extra="local",
)
register_chat_model(
    "ollama",
    _ollama,
    arg="MODEL",
    arg_required=True,
    help="a model of a local Ollama server",
    extra="ollama",
)
register_chat_model(
    "openai",
    _openai,
    arg="MODEL",
    arg_required=True,
    help="OpenAI or an OpenAI-compatible server",
    extra="openai",
)
