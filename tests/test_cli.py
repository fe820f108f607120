"""The ``newsqa`` command in process: typer's CliRunner, a real Chroma store on a temp dir and
the fake embedder (no model), so each case takes well under a second once torch is imported.

End-to-end runs of the installed command with the real model stay in test_answers.py.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeEmbedder
from typer.testing import CliRunner

from newsqa import cli

TRAM = """Glimmerton trams return after eight years

Trams returned to the streets of Glimmerton on Saturday after an eight-year absence. The city
council said the new line cost 96 million pounds and would carry 20,000 passengers a day.
"""


class CountingFactory:
    """An embedder factory for ``obj=``: hands out one fake embedder and counts the calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.embedder = FakeEmbedder()

    def __call__(self, settings: Any) -> FakeEmbedder:
        self.calls += 1
        return self.embedder


@pytest.fixture()
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Run ``newsqa ARGS --store <tmp>`` in process; returns click's Result (+ .factory)."""
    for var in ("NEWSQA_TOP_K", "NEWSQA_LLM", "NEWSQA_STORE"):
        monkeypatch.delenv(var, raising=False)
    factory = CountingFactory()
    runner = CliRunner()

    def invoke(*args: str, store: bool = True) -> Any:
        argv = [*args, "--store", str(tmp_path / "store")] if store else list(args)
        result = runner.invoke(cli.app, argv, obj=factory)
        result.factory = factory
        return result

    invoke.factory = factory  # type: ignore[attr-defined]
    return invoke


@pytest.fixture()
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "tram.txt").write_text(TRAM, encoding="utf-8")
    return folder


def test_index_list_remove(run: Callable[..., Any], articles: Path) -> None:
    result = run("index", str(articles), "-q")
    assert result.exit_code == 0, result.output
    assert "1 added" in result.stdout
    listed = run("list", "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [r["title"] for r in rows] == ["Glimmerton trams return after eight years"]
    source = rows[0]["source"]
    removed = run("remove", source)
    assert removed.exit_code == 0 and f"removed {source}" in removed.stdout
    assert json.loads(run("list", "--json").stdout) == []


def test_index_leaves_the_lexical_follower_up_to_date(
    run: Callable[..., Any], articles: Path, tmp_path: Path
) -> None:
    """The first question after a bulk index does not pay the tantivy follower's catch-up: the
    index command brought it to the catalogue's last commit; an unchanged run leaves it be."""
    pytest.importorskip("tantivy")
    import sqlite3

    from newsqa.index.lexical import APPLIED, FOLLOWER_DIR

    assert run("index", str(articles), "-q").exit_code == 0
    store = tmp_path / "store"
    conn = sqlite3.connect(store / "catalog.sqlite")
    latest = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'lexical_log'").fetchone()
    ident = conn.execute("SELECT value FROM meta WHERE key = 'lexical_id'").fetchone()
    conn.close()
    applied = store / FOLLOWER_DIR / APPLIED
    assert applied.read_text("ascii").split() == [ident[0], str(latest[0])]
    before = applied.stat().st_mtime_ns
    assert "1 unchanged" in run("index", str(articles), "-q").stdout
    assert applied.stat().st_mtime_ns == before


def test_list_never_loads_the_model(run: Callable[..., Any], articles: Path) -> None:
    assert run("index", str(articles), "-q").exit_code == 0
    run.factory.calls = 0
    result = run("list", "--json")
    assert result.exit_code == 0, result.output
    assert result.factory.calls == 0


def test_duplicates_are_no_failure(run: Callable[..., Any], articles: Path) -> None:
    assert run("index", str(articles), "-q").exit_code == 0
    shutil.copy(articles / "tram.txt", articles / "tram-copy.txt")
    again = run("index", str(articles), "-q")
    assert again.exit_code == 0, again.output
    assert "tram-copy.txt" in again.stderr and "duplicate" in again.stderr
    assert "skipped" not in again.stderr.replace("1 skipped", "")


def test_a_refused_file_still_exits_1(run: Callable[..., Any], articles: Path) -> None:
    (articles / "empty.txt").write_text("", encoding="utf-8")
    result = run("index", str(articles), "-q")
    assert result.exit_code == 1, result.output
    assert "empty.txt" in result.stderr and "empty file" in result.stderr


def test_misspelled_path_fails_before_anything_loads(
    run: Callable[..., Any], articles: Path, tmp_path: Path
) -> None:
    result = run("index", str(articles) + "-typo")
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr
    assert "-typo" in result.stderr
    assert result.factory.calls == 0
    assert not (tmp_path / "store").exists()  # not even the store was created


@pytest.mark.parametrize("k", ["0", "-3", "51"])
def test_k_out_of_range_is_refused(run: Callable[..., Any], articles: Path, k: str) -> None:
    run("index", str(articles), "-q")
    result = run("ask", "How much did the tram line cost?", "--k", k)
    assert result.exit_code == 2
    text = " ".join(result.stderr.replace("│", " ").split())
    assert "Invalid value for '--k'" in text
    assert "greater than or equal to 1" in text or "less than or equal to 50" in text


def test_bad_setting_in_the_environment_is_one_line(
    run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSQA_TOP_K", "0")
    result = run("list")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "NEWSQA_TOP_K=0" in lines[0] and "greater than or equal to 1" in lines[0]
    assert "Traceback" not in result.output and "validation error" not in result.output


def test_ask_json(run: Callable[..., Any], articles: Path) -> None:
    run("index", str(articles), "-q")
    result = run("ask", "How much did the Glimmerton tram line cost?", "--json")
    assert result.exit_code == 0, result.output
    res = json.loads(result.stdout)
    assert res["answerer"] == "extractive"
    assert {"answer", "abstained", "citations", "sources", "unsupported"} <= set(res)
    assert res["sources"] and res["sources"][0]["title"].startswith("Glimmerton")


# Index and ask (extractive) in a fresh process with the fake embedder: the modules it imported.
ASK_PROCESS = """
import json, sys
from fakes import FakeEmbedder
from typer.testing import CliRunner
from newsqa import cli
factory, runner = (lambda settings, e=FakeEmbedder(): e), CliRunner()
for args in (["index", sys.argv[1], "-q"], ["ask", sys.argv[3], "--json", "--llm", "extractive"]):
    result = runner.invoke(cli.app, [*args, "--store", sys.argv[2]], obj=factory)
    assert result.exit_code == 0, result.output
print(json.dumps(sorted(sys.modules)))
"""


@pytest.mark.slow
def test_an_extractive_ask_imports_no_chat_model_nor_bm25s(articles: Path, tmp_path: Path) -> None:
    """A cold ``newsqa ask`` pays for every import: the extractive answer needs neither
    LangChain's chat-model classes (newsqa.assistant.llm, about 0.5 s) nor bm25s (0.1 s)."""
    import subprocess
    import sys

    question = "How much did the Glimmerton tram line cost?"
    proc = subprocess.run(
        [sys.executable, "-c", ASK_PROCESS, str(articles), str(tmp_path / "store"), question],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).parent,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    loaded = set(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert "newsqa.assistant.answerer" in loaded  # it did answer
    assert "newsqa.assistant.llm" not in loaded
    assert "langchain_core.language_models.chat_models" not in loaded
    assert not {m.split(".")[0] for m in loaded} & {"bm25s", "scipy"}


def test_ask_prints_the_answer_whole(run: Callable[..., Any], articles: Path) -> None:
    run("index", str(articles), "-q")
    json_result = json.loads(run("ask", "How much did the tram line cost?", "--json").stdout)
    result = run("ask", "How much did the tram line cost?")
    assert result.exit_code == 0, result.output
    assert json_result["answer"] in result.stdout
    assert "Checked answer" not in result.stdout


def test_ask_since_until_keeps_to_articles_dated_in_range(
    run: Callable[..., Any], tmp_path: Path
) -> None:
    from dated_articles import FEB, QUESTION, write_dated_articles

    assert run("index", str(write_dated_articles(tmp_path / "dated")), "-q").exit_code == 0
    everything = json.loads(run("ask", QUESTION, "--json").stdout)
    assert everything["range"] is None
    assert {Path(s["source"]).stem for s in everything["sources"]} == {"feb", "mar", "undated"}
    # The forms `newsqa quotes --since` reads; the undated article is out of any range.
    result = run("ask", QUESTION, "--json", "--since", "1 February 2024", "--until", "2024-02-29")
    assert result.exit_code == 0, result.output
    res = json.loads(result.stdout)
    assert res["range"] == {"since": "2024-02-01", "until": "2024-02-29"}
    assert {Path(s["source"]).stem for s in res["sources"]} == {"feb"}
    assert [c["date"] for c in res["citations"]] == [FEB] * len(res["citations"])
    assert "Tom Reed" not in res["answer"] and "Lisa Holm" not in res["answer"]
    # Nothing in range: the answer abstains and says which articles it searched.
    none = run("ask", QUESTION, "--since", "2030-01-01")
    assert none.exit_code == 0, none.output
    assert "Only articles dated on or after 2030-01-01 were searched." in none.stdout
    assert "Related reading" in none.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "2024-13-01"), "error: --since '2024-13-01' is not a date (use YYYY-MM-DD)"),
        (("--until", "next week"), "error: --until 'next week' is not a date (use YYYY-MM-DD)"),
        (
            ("--since", "2024-03-01", "--until", "2024-02-01"),
            "error: --since 2024-03-01 is after --until 2024-02-01: no day is in that range",
        ),
    ],
)
def test_ask_bad_date_is_one_line_before_anything_loads(
    run: Callable[..., Any], articles: Path, args: tuple[str, ...], message: str
) -> None:
    run("index", str(articles), "-q")
    calls = run.factory.calls  # type: ignore[attr-defined]
    result = run("ask", "How much did the tram line cost?", *args)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [message]
    assert result.stdout == ""
    assert run.factory.calls == calls  # type: ignore[attr-defined]  # no model for a typo


def test_unknown_answerer_is_one_line(run: Callable[..., Any], articles: Path) -> None:
    run("index", str(articles), "-q")
    result = run("ask", "How much did the tram line cost?", "--llm", "gpt")
    assert result.exit_code == 2
    assert "unknown answerer 'gpt'" in result.stderr and "openai:MODEL" in result.stderr


def test_missing_store_says_how_to_fill_it(run: Callable[..., Any]) -> None:
    result = run("ask", "Anything?")
    assert result.exit_code == 2
    assert "index some articles first with `newsqa index PATH" in result.stderr


def test_main_applies_the_process_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.setattr(cli, "app", lambda: None)
    cli.main()
    import os

    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"


def test_newsqa_sh_reinstall_is_not_called_a_first_run(tmp_path: Path) -> None:
    """./newsqa.sh over an existing .venv whose pyproject.toml changed says it updates; only a
    missing .venv is set up "once". pip and the newsqa command are stand-ins that record calls."""
    import os
    import stat
    import subprocess

    repo = Path(__file__).resolve().parents[1]
    work = tmp_path / "repo"
    (work / ".venv" / "bin").mkdir(parents=True)
    shutil.copy(repo / "newsqa.sh", work / "newsqa.sh")
    (work / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    log = tmp_path / "calls.log"
    for name in ("python", "pip", "newsqa"):
        tool = work / ".venv" / "bin" / name
        tool.write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n', encoding="utf-8")
        tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "NEWSQA_LLM": "extractive"}

    def run_sh(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(work / "newsqa.sh"), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )

    first = run_sh("list")
    assert first.returncode == 0, first.stderr
    assert "updating .venv" in first.stderr and "first run" not in first.stderr
    assert "newsqa list" in log.read_text(encoding="utf-8")
    again = run_sh("list")  # installed: nothing to say, straight to the command
    assert again.returncode == 0 and "updating" not in again.stderr
    (work / "pyproject.toml").write_text("[project]\nname = 'y'\n", encoding="utf-8")
    changed = run_sh("list")
    assert "updating .venv" in changed.stderr and "first run" not in changed.stderr
