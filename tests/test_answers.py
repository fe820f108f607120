"""Integration: grounded, cited answers from the real model over a real Chroma store."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from newsqa.assistant.chain import Assistant
from newsqa.index.indexer import Indexer
from newsqa.index.settings import Settings
from newsqa.index.store import Store

from tests.conftest import CORPUS, SAMPLE

pytestmark = pytest.mark.integration
SEED_NAME = "nato-no-plans-to-send-troops-to-ukraine.txt"


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory: pytest.TempPathFactory, seed_copy: Path, embedder) -> Path:
    """The seed article and about 30 BBC articles, indexed once for this module's tests."""
    folder = tmp_path_factory.mktemp("articles")
    shutil.copy(seed_copy, folder / SEED_NAME)
    root = CORPUS / "bbc" if (CORPUS / "bbc").is_dir() else SAMPLE / "bbc"
    for category in sorted(p for p in root.iterdir() if p.is_dir()):
        for f in sorted(category.glob("*.txt"))[:6]:
            shutil.copy(f, folder / f"{category.name}-{f.name}")
    path = tmp_path_factory.mktemp("store") / "store"
    settings = Settings(store=path, sample_dir=None)
    with Store(path, write=True) as store:
        Indexer(store, embedder, settings).index_paths([folder])
    return path


@pytest.fixture(scope="module")
def assistant(store_dir: Path, embedder):
    store = Store(store_dir, write=False)
    yield Assistant(store, embedder, Settings(store=store_dir, sample_dir=None))
    store.close()


def test_scholz_question(assistant: Assistant) -> None:
    res = assistant.ask("What did Scholz say about ground troops?")
    assert not res["abstained"]
    assert "no ground troops" in res["answer"]
    assert "[1]" in res["answer"]
    first = res["citations"][0]
    assert first["n"] == 1 and first["source"].endswith(SEED_NAME)
    assert "There will be no ground troops on Ukrainian soil" in first["quote"]
    for a, b in first["quote_spans"]:
        assert first["passage"][a:b] in first["quote"]
    assert "subscriber" not in json.dumps(res)


# Each speaker of the seed article, a question about them, words that must be in the answer
# (their statement), and words that must not (a neighbour's statement).
SPEAKERS = [
    (
        "Stoltenberg",
        "What did Stoltenberg say about deploying troops?",
        "combat troops",
        "nothing can be ruled out",
    ),
    (
        "Macron",
        "What did Macron say about sending ground troops?",
        "nothing can be ruled out",
        "no ground troops on Ukrainian soil",
    ),
    (
        "Fico",
        "What did Fico say about which countries are considering sending troops?",
        "Fico",
        "no ground troops on Ukrainian soil",
    ),
    (
        "Scholz",
        "What did Olaf Scholz say about soldiers from European states?",
        "no soldiers sent there",
        "nothing can be ruled out",
    ),
    (
        "Sunak's spokesman",
        "What did Sunak's spokesman say about a deployment?",
        "large-scale deployment",
        "no ground troops on Ukrainian soil",
    ),
    (
        "Fiala",
        "What did Peter Fiala say about sending troops?",
        "ruled out",
        "nothing can be ruled out",
    ),
    (
        "Tusk",
        "What did Donald Tusk say about troops for Ukraine?",
        "Tusk",
        "large-scale deployment",
    ),
    (
        "Szijjarto",
        "What did Szijjarto say about troops in Ukraine?",
        "similar position",
        "nothing can be ruled out",
    ),
    (
        "Meloni",
        "What did Meloni's office say about sending troops?",
        "similar position",
        "large-scale deployment",
    ),
    (
        "Peskov",
        "What did Peskov say about NATO troops in Ukraine?",
        "inevitable",
        "no ground troops on Ukrainian soil",
    ),
]


@pytest.mark.parametrize(
    ("speaker", "question", "must", "must_not"), SPEAKERS, ids=[s[0] for s in SPEAKERS]
)
def test_each_speaker_is_attributed(assistant, speaker, question, must, must_not) -> None:
    res = assistant.ask(question)
    assert not res["abstained"], res["note"]
    assert must.lower() in res["answer"].lower(), res["answer"]
    assert must_not.lower() not in res["answer"].lower(), res["answer"]
    assert res["citations"][0]["source"].endswith(SEED_NAME)


def test_reported_speech_named_in_a_neighbouring_sentence(assistant) -> None:
    res = assistant.ask("What did the British spokesman say about Ukrainian servicemen?")
    assert "trained in the UK" in res["answer"]


@pytest.mark.parametrize(
    "question",
    [
        "What did Olaf Scholz say about China?",
        "Who won the 2014 World Cup?",
        "What is the boiling point of mercury?",
    ],
)
def test_unanswerable_questions_abstain(assistant, question: str) -> None:
    res = assistant.ask(question)
    assert res["abstained"], res["answer"]
    assert res["answer"].startswith("The indexed articles don't say")
    assert res["citations"] == []
    assert res["sources"], "related reading is offered"


def test_follow_up_resolves_through_history(assistant) -> None:
    history = [
        {"role": "user", "content": "What did Robert Fico say about Western troops?"},
        {"role": "assistant", "content": "Fico said that some Western countries ... [1]"},
    ]
    res = assistant.ask("Did he say which countries?", history)
    assert not res["abstained"]
    assert any("Fico" in c["passage"] for c in res["citations"]), res["citations"]
    assert "did not specify" in res["answer"] or "several NATO and EU" in res["answer"]


@pytest.mark.parametrize(
    "question",
    [
        # A story with more cities may rank first; the answerer stays on the article that
        # names the conversation's person.
        "Which city was he in?",
        "Where did he say it?",
    ],
)
def test_follow_up_naming_nothing_stays_on_the_conversations_article(assistant, question) -> None:
    # Nothing in the question names the seed article; only the conversation does. (Without the
    # answerer's focus on that article, both questions went to other stories or abstained.)
    history = [
        {"role": "user", "content": "What did Scholz say about ground troops?"},
        {"role": "assistant", "content": "Scholz said there will be no ground troops. [1]"},
    ]
    res = assistant.ask(question, history)
    assert not res["abstained"], res["answer"]
    assert "Freiburg" in res["answer"]
    assert all(c["source"].endswith(SEED_NAME) for c in res["citations"])


def test_two_part_question_answers_both_parts(assistant) -> None:
    res = assistant.ask(
        "Where was the summit of Western countries held, and in which city did Scholz speak to "
        "reporters?"
    )
    assert not res["abstained"]
    assert "Paris" in res["answer"] and "Freiburg" in res["answer"]
    # A second part that points back ("he") is about the first part's person.
    res = assistant.ask(
        "Who is NATO's Secretary General, and which news agency did he tell that there are no "
        "plans to send troops?"
    )
    assert "Stoltenberg" in res["answer"] and "Associated Press" in res["answer"]


def test_streaming_gives_the_same_answer(assistant) -> None:
    """The extractive answer is composed whole: one final event, no pieces cut from it."""
    events = list(assistant.stream("What did Scholz say about ground troops?"))
    assert [e["type"] for e in events] == ["final"]
    assert events[0]["result"] == assistant.ask("What did Scholz say about ground troops?")


def test_empty_question_is_refused(assistant) -> None:
    with pytest.raises(ValueError, match="question is empty"):
        assistant.ask("   ")


def _cli(*args: str, store: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsqa", *args, "--store", str(store)],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_ask_json_contract(store_dir: Path, tmp_path: Path) -> None:
    out = _cli("ask", "What did Scholz say about ground troops?", "--json", store=store_dir)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert set(res) >= {"question", "answer", "abstained", "citations", "sources"}
    assert isinstance(res["abstained"], bool) and res["abstained"] is False
    c = res["citations"][0]
    assert set(c) >= {"n", "source", "title", "quote"}
    assert len(res["sources"]) >= 5
    assert set(res["sources"][0]) >= {"source", "title", "date", "passage", "score"}
    scores = [s["score"] for s in res["sources"]]
    assert scores == sorted(scores, reverse=True)
    history = tmp_path / "h.json"
    history.write_text(
        json.dumps(
            [
                {"role": "user", "content": "What did Dmitry Peskov tell reporters?"},
                {"role": "assistant", "content": "He warned of a conflict [1]."},
            ]
        )
    )
    out = _cli(
        "ask",
        "What did he say countries should be aware of?",
        "--json",
        "--history",
        str(history),
        store=store_dir,
    )
    assert out.returncode == 0, out.stderr
    assert "Dmitry Peskov" in json.loads(out.stdout)["standalone_question"]


def test_cli_errors_say_what_to_do(store_dir: Path, tmp_path: Path) -> None:
    out = _cli("ask", "  ", store=store_dir)
    assert out.returncode != 0 and "question is empty" in out.stderr
    out = _cli("ask", "Anything?", store=tmp_path / "none")
    assert out.returncode != 0 and "newsqa index" in out.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    out = _cli("ask", "Anything?", "--history", str(bad), store=store_dir)
    assert out.returncode != 0 and "not valid JSON" in out.stderr
    bad.write_text(json.dumps([{"role": "robot"}]))
    out = _cli("ask", "Anything?", "--history", str(bad), store=store_dir)
    assert out.returncode != 0 and "history" in out.stderr
    empty = tmp_path / "empty-store"
    Store(empty, write=True).close()
    out = _cli("ask", "Anything?", store=empty)
    assert out.returncode != 0 and "is empty" in out.stderr
