"""The answerer registry and the settings' process defaults: fast, no model."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import FakeListChatModel
from langchain_core.runnables import RunnableLambda
from newsqa.assistant import answerers
from newsqa.assistant.answerers import Answerer, AnswererContext, LLMUnavailable
from newsqa.index.settings import PROCESS_DEFAULTS, Settings, apply_process_defaults


@pytest.fixture()
def registry() -> Iterator[None]:
    """Registrations made by a test are forgotten after it."""
    saved = dict(answerers._REGISTRY)
    try:
        yield
    finally:
        answerers._REGISTRY.clear()
        answerers._REGISTRY.update(saved)


def test_specs_are_parsed_in_one_place() -> None:
    assert answerers.parse("extractive")[0].name == "extractive"
    assert answerers.parse("openai:gpt-4o-mini")[1] == "gpt-4o-mini"
    assert answerers.parse(" Ollama : llama3.2 ")[0].name == "ollama"
    assert (
        answerers.parse("local")[1] == "" and answerers.parse("local:llama-cpp")[1] == "llama-cpp"
    )
    for bad in ("gpt", "openai", "ollama:", "extractive:x", ""):
        with pytest.raises(LLMUnavailable, match="unknown answerer"):
            answerers.parse(bad)
    assert answerers.specs_help() == ("extractive | local[:RUNTIME] | ollama:MODEL | openai:MODEL")


def test_a_new_answerer_is_one_registration(registry: None, tmp_path: Path) -> None:
    """An answerer registered from outside is offered, built and answered with; nothing else
    of newsqa changes."""

    def echo(arg: str, ctx: AnswererContext) -> Answerer:
        def answer(inp: dict[str, Any]) -> dict[str, Any]:
            return {"answer": f"{arg}: {inp['question']}", "answerer": f"echo:{arg}"}

        runnable = RunnableLambda(answer)
        return Answerer(
            runnable, ctx.condenser, lambda inp: iter([{"type": "final", "result": answer(inp)}])
        )

    answerers.register("echo", echo, arg="WORD", arg_required=True, help="says the question")
    assert "echo:WORD" in answerers.specs_help()
    ctx = AnswererContext(
        store=None,
        embedder=None,
        settings=Settings(store=tmp_path),
        retriever=None,
        extractive=None,  # type: ignore[arg-type]
        condenser=RunnableLambda(lambda inp: inp["question"]),
    )
    built = answerers.build("echo:hello", ctx)
    assert built.runnable.invoke({"question": "q?"})["answer"] == "hello: q?"
    assert [e["type"] for e in built.stream({"question": "q?"})] == ["final"]


def test_a_chat_model_answerer_is_one_registration(registry: None, tmp_path: Path) -> None:
    made: list[str] = []

    def fake_model(arg: str, settings: Settings) -> FakeListChatModel:
        made.append(arg)
        return FakeListChatModel(responses=["x"])

    answerers.register_chat_model("fake", fake_model, arg="NAME", arg_required=True)
    model = answerers.chat_model("fake:one", Settings(store=tmp_path))
    assert isinstance(model, FakeListChatModel) and made == ["one"]
    with pytest.raises(LLMUnavailable, match="not written by a chat model"):
        answerers.chat_model("extractive", Settings(store=tmp_path))


def test_backend_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSQA_OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("NEWSQA_OLLAMA_BASE_URL", "http://127.0.0.1:11434")
    s = Settings()
    assert s.openai.base_url == "http://127.0.0.1:9/v1"
    assert s.openai.api_key is not None and s.openai.api_key.get_secret_value() == "sk-test"
    assert "sk-test" not in repr(s)
    assert s.ollama.base_url == "http://127.0.0.1:11434"


def test_importing_newsqa_changes_nothing_in_the_process() -> None:
    code = (
        "import os, sys, json; before = dict(os.environ); import newsqa.index, "
        "newsqa.index.settings, newsqa.assistant.answerers, newsqa.cli; "
        "print(json.dumps([dict(os.environ) == before, 'openvino_telemetry' in sys.modules]))"
    )
    env = {k: v for k, v in os.environ.items() if k not in PROCESS_DEFAULTS}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[true, false]"


def test_process_defaults_are_applied_once_and_yield_to_the_user(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in PROCESS_DEFAULTS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")  # the user's choice wins
    monkeypatch.delitem(sys.modules, "openvino_telemetry", raising=False)
    apply_process_defaults()
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"
    assert sys.modules["openvino_telemetry"] is None
