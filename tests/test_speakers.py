"""Answers over several speakers and "when" answers, from statements stored in a real temp store
(Chroma + SQLite on a tmp dir, the real embedding model: which speakers answer is a fitted choice
over signals that include the vectors).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.documents import Document
from newsqa.assistant.speakers import (
    answer,
    is_multi_speaker_question,
    is_when_question,
)
from newsqa.index.indexer import Indexer
from newsqa.index.settings import load_settings
from newsqa.index.store import Store, open_store
from typer.testing import CliRunner

from tests.conftest import CORPUS, SEED

pytestmark = pytest.mark.integration  # the real embedding model

CALLAGHAN = CORPUS / "bbc/politics/ex-pm-lord-callaghan-dies-aged-92.txt"
LIVE = Path(__file__).resolve().parent / "eval/articles/live-storm-ingrid.txt"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Path:
    if not SEED.exists() or not CALLAGHAN.exists():
        pytest.skip("the shared corpus is not beside the repository")
    folder = tmp_path_factory.mktemp("articles")
    for src in (SEED, CALLAGHAN, LIVE):
        shutil.copy(src, folder / src.name)
    dest = tmp_path_factory.mktemp("store")
    settings = load_settings(store=str(dest))
    with open_store(dest, write=True) as store:
        Indexer(store, embedder, settings).index_paths([folder])
    return dest


@pytest.fixture()
def store(store_dir: Path) -> Iterator[Store]:
    with open_store(store_dir) as s:
        yield s


def _docs(store: Store, source_part: str) -> list[Document]:
    """The passages of one article, as retrieval would hand them over."""
    aid = next(r["id"] for r in store.article_records() if source_part in r["source"])
    return [
        Document(page_content=c.text, metadata={**c.metadata(), "chunk_id": c.id}, id=c.id)
        for c in store.article_chunks([aid])
    ]


def _names(result: dict) -> set[str]:
    return {st["speaker"].split()[-1] for st in result["statements"]}


def test_question_kinds() -> None:
    assert is_multi_speaker_question("Which European leaders ruled out sending troops to Ukraine?")
    assert is_multi_speaker_question("Who disagreed with Macron?")
    assert is_multi_speaker_question("How did party leaders react to Lord Callaghan's death?")
    assert is_multi_speaker_question("What did the two managers say after the match?")
    assert not is_multi_speaker_question("What did Scholz say about ground troops?")
    assert not is_multi_speaker_question("Who is the NATO Secretary General?")
    assert is_when_question("On what date did Scholz rule out sending ground troops?")
    assert not is_when_question("Which leaders ruled out troops?")


def test_who_ruled_out_lists_only_those_who_did(store: Store, embedder: Any) -> None:
    q = "Which European leaders ruled out sending troops to Ukraine?"
    got = answer(q, q, _docs(store, "nato"), store, embedder=embedder)
    assert got is not None and not got["abstained"]
    names = _names(got)
    assert {"Scholz", "Fiala", "Tusk", "Szijjarto", "Meloni"} <= names
    # Macron said nothing can be ruled out; Fico that some are considering it: not refusals.
    assert not names & {"Macron", "Peskov"}
    head, *lines = got["answer"].splitlines()
    assert head == "Ruled it out:"  # grouped under the position asked about
    assert len(lines) == len(got["statements"])
    assert all("[" in line for line in lines)
    assert {c["n"] for c in got["citations"]} == {st["n"] for st in got["statements"]}
    for c in got["citations"]:
        assert c["quote_spans"] and all(c["passage"][a:b] for a, b in c["quote_spans"])


def test_who_disagreed_leaves_out_the_person_asked_about(store: Store, embedder: Any) -> None:
    q = "Who disagreed with Macron about sending troops to Ukraine?"
    got = answer(q, q, _docs(store, "nato"), store, embedder=embedder)
    assert got is not None
    assert "Macron" not in _names(got)
    assert {"Scholz", "Fiala", "Tusk"} <= _names(got)


def test_reactions_name_every_leader(store: Store, embedder: Any) -> None:
    q = "How did party leaders react to Lord Callaghan's death?"
    got = answer(q, q, _docs(store, "callaghan"), store, embedder=embedder)
    assert got is not None
    assert {"Blair", "Brown", "Howard", "Kennedy"} <= _names(got)
    assert "Callaghan" not in _names(got)


def test_when_answers_with_the_resolved_day(store: Store, embedder: Any) -> None:
    q = "On what date did Scholz rule out sending ground troops?"
    got = answer(q, q, _docs(store, "nato"), store, embedder=embedder)
    assert got is not None
    assert "27 February" in got["answer"] and "Tuesday" in got["answer"]
    assert got["short_answer"] == "Tuesday, 27 February 2024"
    assert got["statements"][0]["speaker"] == "Olaf Scholz"


def test_a_date_question_about_an_article_that_gives_no_day_abstains(
    store: Store, embedder: Any
) -> None:
    q = "On what date did Lord Callaghan die?"
    got = answer(q, q, _docs(store, "callaghan"), store, embedder=embedder)
    assert got is not None and got["abstained"]
    # The seed article gives its days: a date question about it is not abstained on here.
    q = "On what date did NATO's chief speak to the Associated Press?"
    got = answer(q, q, _docs(store, "nato"), store, embedder=embedder)
    assert got is None or not got["abstained"]


def test_a_single_speaker_question_is_left_to_the_answerer(store: Store, embedder: Any) -> None:
    q = "What did Scholz say about ground troops?"
    assert answer(q, q, _docs(store, "nato"), store, embedder=embedder) is None


def test_quotes_command_groups_by_speaker(store_dir: Path) -> None:
    from newsqa.cli import app

    runner = CliRunner()
    got = runner.invoke(app, ["quotes", "--store", str(store_dir), "--speaker", "Scholz", "--json"])
    assert got.exit_code == 0, got.output
    data = json.loads(got.output)
    assert [g["speaker"] for g in data] == ["Olaf Scholz"]
    assert {s["date"] for s in data[0]["statements"]} == {"2024-02-27"}
    got = runner.invoke(
        app, ["quotes", "--store", str(store_dir), "--since", "2024-02-27", "--until", "2024-02-27"]
    )
    assert got.exit_code == 0, got.output
    assert "Olaf Scholz" in got.output and "Emmanuel Macron" not in got.output
    got = runner.invoke(
        app, ["quotes", "--store", str(store_dir), "--about", "rest centres", "--json"]
    )
    assert [g["speaker"] for g in json.loads(got.output)] == ["Graham Rushworth"]
    got = runner.invoke(app, ["quotes", "--store", str(store_dir), "--since", "not a date"])
    assert got.exit_code == 2
    # An ISO-shaped day that is no day is refused, not read as 13 January (as `ask` does).
    got = runner.invoke(app, ["quotes", "--store", str(store_dir), "--since", "2024-13-01"])
    assert got.exit_code == 2 and "'2024-13-01' is not a date" in got.output


def test_speakers_view_lists_speakers_and_their_statements(store: Store) -> None:
    import gradio as gr

    from newsqa.speakers_tab import build_speakers_view, speaker_rows, speaker_statements

    rows = speaker_rows(store)
    names = [r[0] for r in rows]
    assert "Olaf Scholz" in names and "Graham Rushworth" in names
    assert all(r[2] >= 1 and r[3] >= 1 for r in rows)
    assert [r[0] for r in speaker_rows(store, "fiala")] == ["Peter Fiala"]
    listed = speaker_statements(store, "Olaf Scholz")
    assert "There will be no ground troops" in listed and "2024-02-27" in listed
    with gr.Blocks() as demo:
        build_speakers_view(store)
    assert any(isinstance(b, gr.Dataframe) for b in demo.blocks.values())


def test_evaluation_scores_speakers_and_wrong_speakers() -> None:
    from newsqa.assistant.evaluation import score_one, summarise

    item = {
        "id": "x",
        "kind": "speakers",
        "question": "Which leaders ruled out troops?",
        "evidence": ["seed/a.txt"],
        "answers": [["Scholz"]],
        "speakers": ["Scholz", "Fiala", "Szijjarto"],
        "not_speakers": ["Macron"],
    }
    res = {
        "abstained": False,
        "answer": "Olaf Scholz rejected it [1]\nPeter Szijjártó ruled it out [1]",
        "sources": [{"source": "seed/a.txt"}],
        "citations": [{"source": "seed/a.txt"}],
    }
    row = score_one(item, res)
    assert row["speakers_share"] == pytest.approx(2 / 3)
    assert row["no_wrong_speaker"] is True
    res["answer"] += "\nEmmanuel Macron said nothing can be ruled out [1]"
    wrong = score_one(item, res)
    assert wrong["no_wrong_speaker"] is False
    for r in (row, wrong):
        r["latency_ms"] = 1.0
    got = summarise([row, wrong])["speakers"]
    assert got["speakers_share"] == pytest.approx(2 / 3) and got["no_wrong_speaker"] == 0.5


def test_a_follow_up_disagreement_excludes_the_person_asked_about(
    store: Store, embedder: Any
) -> None:
    q = "Did anyone disagree with him?"
    earlier = (
        "What did Macron say? French President Emmanuel Macron suggested that Western ground "
        "forces could be deployed in Ukraine"
    )
    got = answer(q, q, _docs(store, "nato"), store, follow_up=earlier, embedder=embedder)
    assert got is not None
    names = _names(got)
    assert "Macron" not in names
    assert {"Scholz", "Fiala", "Tusk"} <= names
    assert not is_multi_speaker_question("Did anyone die in the storm?")


def test_ask_json_answers_per_speaker_with_statements(store_dir: Path, embedder: Any) -> None:
    """The whole ask path (condense, retrieve, answer) reaches the per-speaker answer."""
    from newsqa import cli

    q = "Which European leaders ruled out sending troops to Ukraine?"
    got = CliRunner().invoke(
        cli.app, ["ask", q, "--json", "--store", str(store_dir)], obj=lambda settings: embedder
    )
    assert got.exit_code == 0, got.output
    res = json.loads(got.stdout)
    assert not res["abstained"]
    speakers = {st["speaker"] for st in res.get("statements", [])}
    assert {"Olaf Scholz", "Peter Fiala", "Donald Tusk"} <= speakers
    assert "Emmanuel Macron" not in speakers
    assert all(
        set(st) == {"speaker", "role", "kind", "text", "date", "n"} for st in res["statements"]
    )


def test_an_open_position_is_not_a_refusal_and_one_claim_has_its_speaker(
    store: Store, embedder: Any
) -> None:
    docs = _docs(store, "nato")
    q = "Who said that sending ground troops could not be ruled out?"
    got = answer(q, q, docs, store, embedder=embedder)
    assert got is not None and _names(got) == {"Macron"}
    q = "Who warned that NATO troops in Ukraine would lead to a conflict with Russia?"
    got = answer(q, q, docs, store, embedder=embedder)
    assert got is not None and _names(got) == {"Peskov"}


def test_questions_about_facts_are_not_taken_for_speaker_questions() -> None:
    assert not is_multi_speaker_question("Which countries are considering sending troops?")
    assert not is_multi_speaker_question("Who called the police?")
    assert not is_multi_speaker_question("Which companies have the most staff?")
    assert is_multi_speaker_question("Which managers called for video technology?")


def test_named_subjects_limit_the_speakers(store: Store, embedder: Any) -> None:
    q = "What did Scholz and Fico say about sending troops to Ukraine?"
    got = answer(q, q, _docs(store, "nato"), store, embedder=embedder)
    assert got is not None and _names(got) == {"Scholz", "Fico"}


def test_a_follow_up_about_his_position_is_about_the_person_asked_before() -> None:
    from newsqa.assistant.speakers import _excluded, _resolve_follow_up

    earlier = (
        "What did Macron say about sending troops to Ukraine? Macron said that nothing can be "
        "ruled out"
    )
    resolved = _resolve_follow_up("Did other countries back his position?", earlier)
    assert resolved == "Did other countries back Macron's position?"
    # Macron is whom the question is about, not one of its answers.
    assert _excluded(resolved) == {"macron"}


def test_the_story_answers_when_no_statement_repeats_the_question() -> None:
    """ "Who criticised the aid package?": no statement repeats the question's words, so the
    story's statements that take a negative position answer it (the headline picks the story)."""
    from newsqa.assistant.speakers import _story_statements

    def st(aid: str, speaker: str, neg: bool) -> dict:
        return {
            **{"article_id": aid, "_story": aid, "_id": speaker, "speaker": speaker},
            **{"_neg": neg, "text": "x"},
        }

    scored = [
        (0.0, st("other", "Jones", True)),
        (0.0, st("aid", "Whitcomb", True)),
        (0.0, st("aid", "Ellison", False)),
    ]
    titles = {"other": 0.0, "aid": 0.5}
    got = _story_statements(scored, ["other", "aid"], titles, negative=True, open_q=False)
    assert [s["speaker"] for _, s in got] == ["Whitcomb"]
    got = _story_statements(scored, ["other", "aid"], titles, negative=False, open_q=False)
    assert [s["speaker"] for _, s in got] == ["Whitcomb", "Ellison"]
