"""Adding an answerer as CONTRIBUTING.md says, from another package: one module and one entry
point, no newsqa file touched. The CLI's ``--llm`` and the app reach it. Fast: the fake embedder
over a real store on a temp dir."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeEmbedder
from newsqa.assistant import answerers
from newsqa.index.settings import Settings
from typer.testing import CliRunner

from newsqa import cli

# The plugin's one module: a factory and its Registration.
PLUGIN = """
from langchain_core.runnables import RunnableLambda
from newsqa.assistant.answerers import Answerer, Registration


def echo(arg, ctx):
    def answer(inp):
        return {**ctx.extractive.invoke(inp), "answer": f"echo {arg}: {inp['question']}"}

    def stream(inp):
        yield {"type": "final", "result": answer(inp)}

    return Answerer(RunnableLambda(answer), ctx.condenser, stream)


registration = Registration("echo", echo, arg="WORD", arg_required=True, help="echoes")
"""

TRAM = """Glimmerton trams return after eight years

Trams returned to the streets of Glimmerton on Saturday after an eight-year absence.
"""


@pytest.fixture()
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An installed distribution ``newsqa-echo`` (a module and its dist-info) on sys.path."""
    site = tmp_path / "site"
    info = site / "newsqa_echo-0.1.dist-info"
    info.mkdir(parents=True)
    (site / "newsqa_echo.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: newsqa-echo\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[newsqa.answerers]\necho = newsqa_echo:registration\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(site))
    saved = dict(answerers._REGISTRY)
    answerers._load_plugins.cache_clear()
    try:
        yield
    finally:
        answerers._REGISTRY.clear()
        answerers._REGISTRY.update(saved)
        answerers._load_plugins.cache_clear()


@pytest.fixture()
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "tram.txt").write_text(TRAM, encoding="utf-8")
    return folder


def test_the_entry_point_is_offered_and_parsed(plugin: None) -> None:
    assert "echo:WORD" in answerers.specs_help()
    assert answerers.parse("echo:hi")[0].help == "echoes"


def test_the_cli_answers_with_it(
    plugin: None, articles: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("NEWSQA_TOP_K", "NEWSQA_LLM", "NEWSQA_STORE"):
        monkeypatch.delenv(var, raising=False)
    embedder = FakeEmbedder()
    runner = CliRunner()
    store = ["--store", str(tmp_path / "store")]

    def run(*args: str) -> Any:
        return runner.invoke(cli.app, [*args, *store], obj=lambda settings: embedder)

    assert run("index", str(articles), "-q").exit_code == 0
    result = run("ask", "When did trams return?", "--llm", "echo:hi", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["answer"] == "echo hi: When did trams return?"


def test_the_app_answers_with_it(plugin: None, articles: Path, tmp_path: Path) -> None:
    from newsqa import app
    from newsqa.services import Services

    settings = Settings(store=tmp_path / "store", sample_dir=None, llm="echo:hi")
    with Services(settings, write=True, embedder=FakeEmbedder()) as services:
        services.indexer.index_paths([articles])
        ui = app.NewsqaApp(services)
        assert ui.choices == ["echo:hi", "extractive"]
        result, history = ui.ask_api("When did trams return?", [], 5, "echo:hi")
    assert result["answer"] == "echo hi: When did trams return?"
    assert history[-1]["content"] == result["answer"]
