"""The newsqa web app: chat with cited sources over the indexed articles, and manage them.

``python app.py`` (or ``newsqa serve``) opens the store once, writable, for the life of the
process (Chroma stores are not process-safe), indexes the sample in ``examples/articles`` when the
store is empty, and serves a Gradio Blocks app on ``settings.host:settings.port``. Settings come
from ``NEWSQA_*`` variables (``index.settings.Settings``) and are passed down, never read again.

Endpoints for ``gradio_client`` (besides the UI's own):
- ``/chat`` (message, k, llm) -> the answer text; the session keeps the history, so follow-ups
  work as in ``Client(url).predict(message, api_name="/chat")`` with Gradio's ChatInterface.
- ``/ask`` (message, k, llm) -> the whole result dict (answer, citations, sources), same history.
- ``/clear`` forgets the session's history; ``/history`` returns it.
- ``/add_article`` (title, text), ``/upload_articles`` (files), ``/delete_article`` (source),
  ``/list_articles`` (search), ``/reindex`` (re-index ``settings.watch_dir``).
"""

from __future__ import annotations

import html
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from newsqa.assistant import render
from newsqa.assistant.chain import Assistant
from newsqa.auth import AuthError, launch_auth
from newsqa.index.embedding import Embedder
from newsqa.index.indexer import Indexer, IndexReport
from newsqa.index.settings import Settings
from newsqa.index.store import Store, StoreError

log = logging.getLogger("newsqa.app")

EXAMPLES = [
    "What did Scholz say about ground troops?",
    "Why is BMW recalling diesel cars?",
    "How many jobs will the steel firm cut?",
    "What did Mourinho say about Arsenal?",
]
UPLOAD_TYPES = [".txt", ".md", ".html", ".htm", ".json", ".jsonl"]
ARTICLE_COLUMNS = ["title", "date", "source", "chunks"]
REPORT_COLUMNS = ["article", "result"]
# Answering runs on Gradio's worker threads; the store and models are shared and thread-safe.
CHAT_CONCURRENCY = 4
CSS = (
    render.CSS
    + """
#nq-chat { flex-grow: 1; }
.nq-status textarea { font-size: 0.9em; }
"""
)


def answerer_choices(settings: Settings) -> list[str]:
    """The answerers a user may pick: the configured one, and the extractive fallback."""
    configured = (settings.llm or "extractive").strip()
    return [configured] if configured == "extractive" else [configured, "extractive"]


def _plain(text: str) -> str:
    """Text for a toast (gr.Error/gr.Warning render HTML)."""
    return html.escape(text, quote=False)


def report_rows(report: IndexReport) -> list[list[str]]:
    """One row per article of an indexing run: what happened to it, and why if refused."""
    rows = [[s, "added"] for s in report.added]
    rows += [[s, "updated"] for s in report.updated]
    rows += [[s, "unchanged (already indexed)"] for s in report.unchanged]
    rows += [[m, "moved"] for m in report.moved]
    rows += [[s, "removed (file gone)"] for s in report.removed]
    rows += [[s.source, f"refused: {s.reason}"] for s in report.skipped]
    return rows


def article_rows(records: list[dict[str, Any]], query: str = "") -> list[list[Any]]:
    """Rows of the Articles table, filtered by a case-insensitive search over title, source
    and date, sorted by title."""
    words = (query or "").lower().split()
    rows = []
    for r in sorted(records, key=lambda r: (str(r.get("title", "")).lower(), r.get("source"))):
        hay = f"{r.get('title', '')} {r.get('source', '')} {r.get('date', '')}".lower()
        if all(w in hay for w in words):
            rows.append([r.get(c, "") for c in ARTICLE_COLUMNS])
    return rows


def build_app(settings: Settings, store: Store | None = None, embedder: Any = None) -> gr.Blocks:
    """The Gradio app over an open, writable store (opened here if not given).

    Launch it with ``launch(demo, settings)`` so the upload limit and the CSS are applied.
    """
    if store is None:
        store = Store(settings.store, write=True)
    if embedder is None:
        embedder = Embedder.from_settings(settings)
    assistant = Assistant(store, embedder, settings)
    indexer = Indexer(store, embedder, settings)
    choices = answerer_choices(settings)
    watch_dir = settings.watch_dir

    # Chat ------------------------------------------------------------------------------------
    def run_chat(
        message: str, history: list[dict[str, str]], k: float | None, llm: str | None
    ) -> Iterator[dict[str, Any]]:
        """Stream one turn through the assistant: deltas, then the final result."""
        question = (message or "").strip()
        if not question:
            raise ValueError(
                'the question is empty: ask something, e.g. "What did Scholz say about '
                'ground troops?"'
            )
        if store.count() == 0:
            raise ValueError("no articles are indexed yet: add some in the Articles tab")
        spec = llm if llm in choices else choices[0]
        passages = max(1, min(int(k), 50)) if k else None
        yield from assistant.stream(question, history, k=passages, llm=spec)

    def next_history(history: list[dict[str, str]], question: str, answer: str) -> list[dict]:
        return [
            *history,
            {"role": "user", "content": question.strip()},
            {"role": "assistant", "content": answer},
        ]

    def user_turn(message: str, chat: list[dict]) -> tuple[str, list[dict], str]:
        """Show the question at once and clear the box; the answer streams in next."""
        message = (message or "").strip()
        if not message:
            return "", chat, ""
        return "", [*chat, render.user_message(message)], message

    def example_turn(chat: list[dict], evt: gr.SelectData) -> tuple[list[dict], str]:
        value = evt.value if isinstance(evt.value, dict) else {"text": str(evt.value)}
        message = str(value.get("text", "")).strip()
        return [*chat, render.user_message(message)], message

    def respond(
        message: str, chat: list[dict], history: list[dict], k: float, llm: str
    ) -> Iterator[tuple[list[dict], list[dict]]]:
        """The chat tab's answer: streamed text, then the final answer and its Sources."""
        if not message:
            yield chat, history
            return
        text = ""
        try:
            for event in run_chat(message, history, k, llm):
                if event["type"] == "delta":
                    text += event["text"]
                    yield [*chat, render.pending_message(text)], history
                else:
                    result = event["result"]
                    yield (
                        [*chat, *render.result_messages(result)],
                        next_history(history, message, result["answer"]),
                    )
        except ValueError as exc:
            yield [*chat, render.error_message(str(exc))], history
        except Exception as exc:
            log.exception("answering failed")
            yield [*chat, render.error_message(f"answering failed: {exc}")], history

    def chat_api(
        message: str, history: list[dict], k: float, llm: str
    ) -> Iterator[tuple[str, list[dict]]]:
        """Answer a message (with this session's history); returns the answer text."""
        text = ""
        try:
            for event in run_chat(message, history, k, llm):
                if event["type"] == "delta":
                    text += event["text"]
                    yield text.strip(), history
                else:
                    answer = event["result"]["answer"]
                    yield answer, next_history(history, message, answer)
        except ValueError as exc:
            raise gr.Error(_plain(str(exc))) from exc

    def ask_api(
        message: str, history: list[dict], k: float, llm: str
    ) -> tuple[dict[str, Any], list[dict]]:
        """Answer a message (with this session's history); returns the whole result dict."""
        result: dict[str, Any] = {}
        try:
            for event in run_chat(message, history, k, llm):
                if event["type"] == "final":
                    result = event["result"]
        except ValueError as exc:
            raise gr.Error(_plain(str(exc))) from exc
        return result, next_history(history, message, result["answer"])

    def clear() -> tuple[list[dict], list[dict], str]:
        """Forget this session's conversation."""
        return [], [], ""

    def get_history(history: list[dict]) -> list[dict]:
        """This session's conversation, as the chain receives it."""
        return history

    # Articles ----------------------------------------------------------------------------------
    def stats() -> str:
        records = store.article_records()
        chunks = sum(int(r.get("chunks") or 0) for r in records)
        return f"{len(records)} articles, {chunks} passages · store {store.path}"

    def list_articles(query: str) -> list[list[Any]]:
        """The indexed articles (title, date, source, chunks) matching a search."""
        return article_rows(store.article_records(), query)

    def refresh(query: str) -> tuple[list[list[Any]], str]:
        return list_articles(query), stats()

    def progress_callback(progress: gr.Progress, desc: str) -> Callable[[int, int, int], None]:
        def on_progress(done: int, total: int, chunks: int) -> None:
            progress((done, total), desc=f"{desc} ({chunks} passages)", unit="articles")

        return on_progress

    def upload_articles(
        files: list[str] | None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> list[list[str]]:
        """Index uploaded files; each row says what happened to one article or file."""
        if not files:
            raise gr.Error("choose one or more files to upload first")
        items: list[tuple[str, bytes]] = []
        for path in files:
            p = Path(path)
            # Gradio keeps the client's file name as the temp file's last component; it is only
            # a label (the source "upload:<name>") and never becomes a path here.
            items.append((p.name, p.read_bytes()))
        progress(0, desc="Embedding uploaded articles")
        report = indexer.index_uploads(items, progress=progress_callback(progress, "Embedding"))
        return report_rows(report)

    def add_article(title: str, text: str) -> str:
        """Index a pasted article; returns what happened. Answerable at once."""
        report = indexer.index_text(title or "", text or "")
        if report.skipped:
            skip = report.skipped[0]
            raise gr.Error(_plain(f"refused {skip.source}: {skip.reason}"))
        rows = report_rows(report)
        return "; ".join(f"{article}: {result}" for article, result in rows)

    def delete_article(source: str) -> str:
        """Remove an article (by its source, as the table shows it); it is never cited again."""
        source = (source or "").strip()
        if not source:
            raise gr.Error("pick an article in the table first")
        removed = indexer.remove(source)
        if not removed:
            raise gr.Error(_plain(f"not indexed: {source}"))
        return "removed " + ", ".join(removed)

    def reindex(
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> list[list[str]]:
        """Re-index the configured folder: new and changed files, and drop vanished ones."""
        if watch_dir is None:
            raise gr.Error("no folder is configured: set NEWSQA_WATCH_DIR")
        progress(0, desc=f"Re-indexing {watch_dir}")
        report = indexer.index_paths(
            [watch_dir], prune=True, progress=progress_callback(progress, "Embedding")
        )
        return report_rows(report)

    def select_article(evt: gr.SelectData) -> str:
        row = evt.row_value or []
        return str(row[ARTICLE_COLUMNS.index("source")]) if len(row) == len(ARTICLE_COLUMNS) else ""

    # Layout ------------------------------------------------------------------------------------
    with gr.Blocks(title="newsqa", analytics_enabled=False) as demo:
        gr.Markdown(
            "## newsqa\nAsk about the indexed news articles. Every answer cites its sources."
        )
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                chatbot = gr.Chatbot(
                    label="newsqa",
                    elem_id="nq-chat",
                    height=560,
                    sanitize_html=True,
                    latex_delimiters=[],
                    examples=[{"text": q} for q in EXAMPLES],
                    placeholder="Ask a question about the indexed articles.",
                    feedback_options=None,
                    buttons=["copy_all"],
                    group_consecutive_messages=True,
                )
                textbox = gr.Textbox(
                    placeholder="Ask about the news, e.g. " + EXAMPLES[0],
                    show_label=False,
                    submit_btn=True,
                    autofocus=True,
                    max_lines=6,
                    max_length=2000,
                    elem_id="nq-question",
                )
                with gr.Row():
                    clear_btn = gr.Button("Clear conversation", size="sm", variant="secondary")
                with gr.Accordion("Settings", open=False):
                    k_slider = gr.Slider(
                        1, 20, value=settings.top_k, step=1, label="Passages retrieved"
                    )
                    llm_choice = gr.Dropdown(
                        choices=choices,
                        value=choices[0],
                        label="Answerer",
                        visible=len(choices) > 1,
                    )
                history = gr.State([])
                pending = gr.State("")
                # The API's own in/outputs (not shown), as gr.ChatInterface does for /chat.
                api_trigger = gr.Button(visible=False)
                api_answer_box = gr.Textbox(visible=False)
                api_result = gr.JSON(visible=False)

            with gr.Tab("Articles", id="articles") as articles_tab:
                summary = gr.Textbox(
                    show_label=False, interactive=False, container=False, elem_classes="nq-status"
                )
                search = gr.Textbox(
                    label="Search", placeholder="words from the title, source or date"
                )
                table = gr.Dataframe(
                    headers=ARTICLE_COLUMNS,
                    datatype=["str", "str", "str", "number"],
                    interactive=False,
                    wrap=True,
                    max_height=420,
                    latex_delimiters=[],
                    elem_id="nq-articles",
                )
                with gr.Row():
                    selected = gr.Textbox(
                        label="Selected article (source)",
                        placeholder="click a row of the table, or type a source",
                        scale=4,
                    )
                    delete_btn = gr.Button("Delete article", variant="stop", scale=1, size="md")
                op_status = gr.Textbox(label="Result", interactive=False, elem_id="nq-op-status")
                with gr.Tab("Upload files"):
                    files = gr.File(
                        label="Articles: " + " ".join(UPLOAD_TYPES),
                        file_count="multiple",
                        file_types=UPLOAD_TYPES,
                        type="filepath",
                    )
                    upload_btn = gr.Button("Add files", variant="primary")
                with gr.Tab("Paste an article"):
                    title_box = gr.Textbox(label="Title")
                    text_box = gr.Textbox(label="Text", lines=8, max_lines=20)
                    add_btn = gr.Button("Add article", variant="primary")
                with gr.Tab("Folder"):
                    if watch_dir is not None:
                        gr.Markdown(f"Re-index the configured folder `{_plain(str(watch_dir))}`.")
                    else:
                        gr.Markdown("No folder is configured: set `NEWSQA_WATCH_DIR`.")
                    reindex_btn = gr.Button(
                        "Re-index folder", variant="primary", interactive=watch_dir is not None
                    )
                report_table = gr.Dataframe(
                    headers=REPORT_COLUMNS,
                    datatype=["str", "str"],
                    label="What happened to each file",
                    interactive=False,
                    wrap=True,
                    latex_delimiters=[],
                    elem_id="nq-report",
                )

        # Chat events ---------------------------------------------------------------------------
        chat_kwargs: dict[str, Any] = {
            "concurrency_id": "chat",
            "concurrency_limit": CHAT_CONCURRENCY,
        }
        respond_args = ([pending, chatbot, history, k_slider, llm_choice], [chatbot, history])
        textbox.submit(
            user_turn,
            [textbox, chatbot],
            [textbox, chatbot, pending],
            queue=False,
            api_name="user_turn",
            api_visibility="undocumented",
        ).then(
            respond, *respond_args, api_name="respond", api_visibility="undocumented", **chat_kwargs
        )
        chatbot.example_select(
            example_turn, [chatbot], [chatbot, pending], queue=False, api_visibility="private"
        ).then(respond, *respond_args, api_visibility="private", **chat_kwargs)
        clear_btn.click(clear, None, [chatbot, history, pending], api_name="clear")
        chatbot.clear(clear, None, [chatbot, history, pending], api_visibility="private")
        api_trigger.click(
            chat_api,
            [textbox, history, k_slider, llm_choice],
            [api_answer_box, history],
            api_name="chat",
            **chat_kwargs,
        )
        api_trigger.click(
            ask_api,
            [textbox, history, k_slider, llm_choice],
            [api_result, history],
            api_name="ask",
            **chat_kwargs,
        )
        api_trigger.click(
            get_history, [history], [api_result], api_name="history", api_visibility="undocumented"
        )

        # Article events ------------------------------------------------------------------------
        # Writers queue behind one another (the store serialises them anyway); answering has its
        # own concurrency group, so a long re-index never holds up a question.
        write_kwargs: dict[str, Any] = {"concurrency_id": "write", "concurrency_limit": 1}
        refresh_args = ([search], [table, summary])
        demo.load(refresh, *refresh_args, api_visibility="private")
        articles_tab.select(refresh, *refresh_args, api_visibility="private")
        search.change(list_articles, [search], [table], api_name="list_articles")
        table.select(select_article, None, [selected], api_visibility="private")
        uploaded = upload_btn.click(
            upload_articles, [files], [report_table], api_name="upload_articles", **write_kwargs
        )
        uploaded.success(lambda: None, None, [files], api_visibility="private")
        uploaded.then(refresh, *refresh_args, api_visibility="private")
        added = add_btn.click(
            add_article, [title_box, text_box], [op_status], api_name="add_article", **write_kwargs
        )
        added.success(lambda: ("", ""), None, [title_box, text_box], api_visibility="private")
        added.then(refresh, *refresh_args, api_visibility="private")
        deleted = delete_btn.click(
            delete_article, [selected], [op_status], api_name="delete_article", **write_kwargs
        )
        deleted.success(lambda: "", None, [selected], api_visibility="private")
        deleted.then(refresh, *refresh_args, api_visibility="private")
        reindex_btn.click(
            reindex,
            None,
            [report_table],
            api_name="reindex",
            api_visibility="public" if watch_dir is not None else "private",
            **write_kwargs,
        ).then(refresh, *refresh_args, api_visibility="private")
    return demo


def launch(demo: gr.Blocks, settings: Settings, **overrides: Any) -> tuple[Any, str, str]:
    """Launch with newsqa's limits and styles; ``overrides`` go to ``Blocks.launch``."""
    kwargs: dict[str, Any] = {
        "server_name": settings.host,
        "server_port": settings.port,
        "max_file_size": settings.max_upload_bytes,
        "css": CSS,
        "show_error": True,
        "footer_links": ["api"],
        "auth": launch_auth(settings),  # a login for every page and endpoint (newsqa/auth.py)
    }
    kwargs.update(overrides)
    return demo.launch(**kwargs)


def index_sample(store: Store, embedder: Any, settings: Settings) -> IndexReport | None:
    """Index ``settings.sample_dir`` into an empty store, with a progress bar on stderr, so
    a newcomer's first question works at once. Does nothing if the store has articles."""
    sample = settings.sample_dir
    if store.count() > 0 or sample is None or not Path(sample).is_dir():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True, highlight=False)
    console.print(f"The store {store.path} is empty: indexing the sample articles in {sample}")
    with Progress(
        TextColumn("indexing sample"), BarColumn(), MofNCompleteColumn(), console=console
    ) as bar:
        task = bar.add_task("sample", total=None)
        report = Indexer(store, embedder, settings).index_paths(
            [_shown_path(Path(sample))],
            progress=lambda done, total, _chunks: bar.update(task, completed=done, total=total),
        )
    console.print(report.summary())
    return report


def _shown_path(path: Path) -> Path:
    """``path`` relative to the working directory when inside it: sources read
    ``examples/articles/...`` rather than a server's absolute path (the key stays absolute)."""
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


def serve(settings: Settings) -> None:
    """Open the store, index the sample if it is empty, and serve the app until stopped.

    Raises ``StoreError`` when the store cannot be opened (e.g. another process holds it).
    """
    launch_auth(settings)  # no credentials beyond loopback: refuse before any work
    store = Store(settings.store, write=True)
    try:
        embedder = Embedder.from_settings(settings)
        index_sample(store, embedder, settings)
        demo = build_app(settings, store, embedder)
        launch(demo, settings)
    finally:
        store.close()


def main() -> None:
    """``python app.py``: settings from ``NEWSQA_*`` variables."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    log.setLevel(logging.INFO)
    try:
        serve(Settings())
    except (StoreError, AuthError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
