"""The newsqa web app: chat with cited sources over the indexed articles, and manage them.

``python app.py`` (or ``newsqa serve``) opens the store once, writable, for the life of the
process (Chroma stores are not process-safe), indexes the sample in ``examples/articles`` when the
store is empty, and serves a Gradio Blocks app on ``settings.host:settings.port``. Settings come
from ``NEWSQA_*`` variables (``index.settings.Settings``) and are passed down, never read again.

Endpoints for ``gradio_client`` (besides the UI's own):
- ``/chat`` (message, k, llm, since, until) -> the answer text; the session keeps the history,
  so follow-ups work as in ``Client(url).predict(message, api_name="/chat")`` with Gradio's
  ChatInterface. ``since``/``until`` (optional days, YYYY-MM-DD) limit it to articles dated then.
- ``/ask`` (same inputs) -> the whole result dict (answer, citations, sources, range), same
  history.
- ``/clear`` forgets the session's history; ``/history`` returns it.
- ``/add_article`` (title, text), ``/upload_articles`` (files), ``/delete_article`` (source),
  ``/list_articles`` (search), ``/reindex`` (re-index ``settings.watch_dir``).

``NewsqaApp`` holds the handlers (plain methods, tested without a server) and builds the layout,
one method per tab; the services come from ``newsqa.services``.
"""

from __future__ import annotations

import html
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gradio as gr

from newsqa.assistant import render
from newsqa.auth import launch_auth
from newsqa.index.dates import parse_day
from newsqa.index.indexer import Indexer, IndexReport
from newsqa.index.settings import Settings, SettingsError, apply_process_defaults, load_settings
from newsqa.index.store import Store, StoreError
from newsqa.services import Services
from newsqa.speakers_tab import build_speakers_view

log = logging.getLogger("newsqa.app")

EXAMPLES = [
    "What did Scholz say about ground troops?",
    "Why is BMW recalling diesel cars?",
    "How many jobs will the steel firm cut?",
    "What did Mourinho say about Arsenal?",
]
UPLOAD_TYPES = [".txt", ".md", ".html", ".htm", ".json", ".jsonl"]
ARTICLE_COLUMNS = ["title", "date", "source", "chunks"]
ARTICLE_WIDTHS: list[str | int] = ["44%", "16%", "32%", "8%"]
REPORT_COLUMNS = ["article", "result"]
REPORT_WIDTHS: list[str | int] = ["55%", "45%"]
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


def date_range(since: Any, until: Any) -> tuple[str | None, str | None]:
    """The chat's "Articles dated from/to" as ISO days (None when empty); a ValueError that says
    which box holds what is not a date, or that the range is empty."""
    days: list[str | None] = []
    for label, value in (("from", since), ("to", until)):
        text = str(value).strip() if value is not None else ""
        try:
            days.append(parse_day(text) if text else None)
        except ValueError as exc:
            raise ValueError(f"Articles dated {label}: {exc}") from None
    first, last = days
    if first and last and first > last:
        raise ValueError(f"Articles dated from {first} is after to {last}: no day is in that range")
    return first, last


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


class NewsqaApp:
    """The app's handlers, one method each, and its layout, one builder per tab.

    Handlers take and return plain values (strings, lists, dicts) so tests call them directly;
    only ``build`` touches Gradio's layout. The services (``newsqa.services.Services``) must hold
    a writable store: the Articles tab writes to it.
    """

    def __init__(self, services: Services) -> None:
        self.services = services
        self.settings = services.settings
        self.store = services.store
        self.assistant = services.assistant
        self.indexer = services.indexer
        self.choices = answerer_choices(self.settings)
        self.watch_dir = self.settings.watch_dir

    # Chat handlers ---------------------------------------------------------------------------
    def run_chat(
        self,
        message: str,
        history: list[dict[str, str]],
        k: float | None,
        llm: str | None,
        since: str | None = None,
        until: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """One turn through the assistant: model deltas (if it streams), then the result.
        ``since``/``until``: the settings' date range (days as typed; checked here)."""
        question = (message or "").strip()
        if not question:
            raise ValueError(
                'the question is empty: ask something, e.g. "What did Scholz say about '
                'ground troops?"'
            )
        first, last = date_range(since, until)
        if self.store.count() == 0:
            raise ValueError("no articles are indexed yet: add some in the Articles tab")
        spec = llm if llm in self.choices else self.choices[0]
        passages = max(1, min(int(k), 50)) if k else None
        yield from self.assistant.stream(
            question, history, k=passages, llm=spec, since=first, until=last
        )

    @staticmethod
    def next_history(history: list[dict[str, str]], question: str, answer: str) -> list[dict]:
        return [
            *history,
            {"role": "user", "content": question.strip()},
            {"role": "assistant", "content": answer},
        ]

    def user_turn(self, message: str, chat: list[dict]) -> tuple[str, list[dict], str]:
        """Show the question at once and clear the box; the answer comes next."""
        message = (message or "").strip()
        if not message:
            return "", chat, ""
        return "", [*chat, render.user_message(message)], message

    def example_turn(self, chat: list[dict], evt: gr.SelectData) -> tuple[list[dict], str]:
        value = evt.value if isinstance(evt.value, dict) else {"text": str(evt.value)}
        message = str(value.get("text", "")).strip()
        return [*chat, render.user_message(message)], message

    def respond(
        self,
        message: str,
        chat: list[dict],
        history: list[dict],
        k: float,
        llm: str,
        since: str | None = None,
        until: str | None = None,
    ) -> Iterator[tuple[list[dict], list[dict]]]:
        """The chat tab's answer: a model's text as it streams, then the final answer and its
        Sources (an extractive answer arrives whole)."""
        if not message:
            yield chat, history
            return
        text = ""
        try:
            for event in self.run_chat(message, history, k, llm, since, until):
                if event["type"] == "delta":
                    text += event["text"]
                    yield [*chat, render.pending_message(text)], history
                else:
                    result = event["result"]
                    yield (
                        [*chat, *render.result_messages(result)],
                        self.next_history(history, message, result["answer"]),
                    )
        except ValueError as exc:
            yield [*chat, render.error_message(str(exc))], history
        except Exception as exc:
            log.exception("answering failed")
            yield [*chat, render.error_message(f"answering failed: {exc}")], history

    def chat_api(
        self,
        message: str,
        history: list[dict],
        k: float,
        llm: str,
        since: str | None = None,
        until: str | None = None,
    ) -> Iterator[tuple[str, list[dict]]]:
        """Answer a message (with this session's history); returns the answer text."""
        text = ""
        try:
            for event in self.run_chat(message, history, k, llm, since, until):
                if event["type"] == "delta":
                    text += event["text"]
                    yield text.strip(), history
                else:
                    answer = event["result"]["answer"]
                    yield answer, self.next_history(history, message, answer)
        except ValueError as exc:
            raise gr.Error(_plain(str(exc))) from exc

    def ask_api(
        self,
        message: str,
        history: list[dict],
        k: float,
        llm: str,
        since: str | None = None,
        until: str | None = None,
    ) -> tuple[dict[str, Any], list[dict]]:
        """Answer a message (with this session's history); returns the whole result dict."""
        result: dict[str, Any] = {}
        try:
            for event in self.run_chat(message, history, k, llm, since, until):
                if event["type"] == "final":
                    result = event["result"]
        except ValueError as exc:
            raise gr.Error(_plain(str(exc))) from exc
        return result, self.next_history(history, message, result["answer"])

    def clear(self) -> tuple[list[dict], list[dict], str]:
        """Forget this session's conversation."""
        return [], [], ""

    def get_history(self, history: list[dict]) -> list[dict]:
        """This session's conversation, as the chain receives it."""
        return history

    # Articles handlers -----------------------------------------------------------------------
    def stats(self) -> str:
        records = self.store.article_records()
        chunks = sum(int(r.get("chunks") or 0) for r in records)
        return f"{len(records)} articles, {chunks} passages · store {self.store.path}"

    def list_articles(self, query: str) -> list[list[Any]]:
        """The indexed articles (title, date, source, chunks) matching a search."""
        return article_rows(self.store.article_records(), query)

    def refresh(self, query: str) -> tuple[list[list[Any]], str]:
        return self.list_articles(query), self.stats()

    def upload_articles(
        self,
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
        report = self.indexer.index_uploads(items, progress=_on_progress(progress, "Embedding"))
        return report_rows(report)

    def add_article(self, title: str, text: str) -> str:
        """Index a pasted article; returns what happened. Answerable at once."""
        report = self.indexer.index_text(title or "", text or "")
        if report.skipped:
            skip = report.skipped[0]
            raise gr.Error(_plain(f"refused {skip.source}: {skip.reason}"))
        rows = report_rows(report)
        return "; ".join(f"{article}: {result}" for article, result in rows)

    def delete_article(self, source: str) -> str:
        """Remove an article (by its source, as the table shows it); it is never cited again."""
        source = (source or "").strip()
        if not source:
            raise gr.Error("pick an article in the table first")
        removed = self.indexer.remove(source)
        if not removed:
            raise gr.Error(_plain(f"not indexed: {source}"))
        return "removed " + ", ".join(removed)

    def reindex(
        self,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> list[list[str]]:
        """Re-index the configured folder: new and changed files, and drop vanished ones."""
        if self.watch_dir is None:
            raise gr.Error("no folder is configured: set NEWSQA_WATCH_DIR")
        progress(0, desc=f"Re-indexing {self.watch_dir}")
        report = self.indexer.index_paths(
            [self.watch_dir], prune=True, progress=_on_progress(progress, "Embedding")
        )
        return report_rows(report)

    def select_article(self, evt: gr.SelectData) -> str:
        row = evt.row_value or []
        return str(row[ARTICLE_COLUMNS.index("source")]) if len(row) == len(ARTICLE_COLUMNS) else ""

    # Layout ----------------------------------------------------------------------------------
    def build(self) -> gr.Blocks:
        """The whole app: a header, the Chat tab and the Articles tab, then their events."""
        with gr.Blocks(title="newsqa", analytics_enabled=False) as demo:
            gr.Markdown(
                "## newsqa\nAsk about the indexed news articles. Every answer cites its sources."
            )
            with gr.Tabs():
                chat = self._chat_tab()
                articles = self._articles_tab()
            self._chat_events(chat)
            self._articles_events(demo, articles)
        return demo

    def _chat_tab(self) -> SimpleNamespace:
        """The conversation, the question box and the answer settings."""
        ui = SimpleNamespace()
        with gr.Tab("Chat", id="chat"):
            ui.chatbot = gr.Chatbot(
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
            ui.textbox = gr.Textbox(
                placeholder="Ask about the news, e.g. " + EXAMPLES[0],
                show_label=False,
                submit_btn=True,
                autofocus=True,
                max_lines=6,
                max_length=2000,
                elem_id="nq-question",
            )
            with gr.Row():
                ui.clear_btn = gr.Button("Clear conversation", size="sm", variant="secondary")
            with gr.Accordion("Settings", open=False):
                ui.k_slider = gr.Slider(
                    1, 20, value=self.settings.top_k, step=1, label="Passages retrieved"
                )
                ui.llm_choice = gr.Dropdown(
                    choices=self.choices,
                    value=self.choices[0],
                    label="Answerer",
                    visible=len(self.choices) > 1,
                )
                with gr.Row():
                    # type="string": the day as typed, checked by the handler (date_range), so a
                    # bad one is a message in the chat; the calendar button fills it in too.
                    ui.since = gr.DateTime(
                        include_time=False,
                        type="string",
                        label="Articles dated from",
                        info="YYYY-MM-DD; empty: no limit. Undated articles are left out.",
                        elem_id="nq-since",
                    )
                    ui.until = gr.DateTime(
                        include_time=False,
                        type="string",
                        label="Articles dated to",
                        info="YYYY-MM-DD, inclusive; empty: no limit.",
                        elem_id="nq-until",
                    )
            ui.history = gr.State([])
            ui.pending = gr.State("")
            # The API's own in/outputs (not shown), as gr.ChatInterface does for /chat.
            ui.api_trigger = gr.Button(visible=False)
            ui.api_answer_box = gr.Textbox(visible=False)
            ui.api_result = gr.JSON(visible=False)
        return ui

    def _articles_tab(self) -> SimpleNamespace:
        """The indexed articles (search, select, delete) and the ways to add more."""
        ui = SimpleNamespace()
        with gr.Tab("Articles", id="articles") as ui.tab:
            ui.summary = gr.Textbox(
                show_label=False, interactive=False, container=False, elem_classes="nq-status"
            )
            ui.search = gr.Textbox(
                label="Search", placeholder="words from the title, source or date"
            )
            ui.table = gr.Dataframe(
                headers=ARTICLE_COLUMNS,
                datatype=["str", "str", "str", "number"],
                interactive=False,
                wrap=True,
                max_height=420,
                latex_delimiters=[],
                # Without widths, wrapped columns shrink to one character ("d a t e").
                column_widths=ARTICLE_WIDTHS,
                elem_id="nq-articles",
            )
            with gr.Row():
                ui.selected = gr.Textbox(
                    label="Selected article (source)",
                    placeholder="click a row of the table, or type a source",
                    scale=4,
                )
                ui.delete_btn = gr.Button("Delete article", variant="stop", scale=1, size="md")
            ui.op_status = gr.Textbox(label="Result", interactive=False, elem_id="nq-op-status")
            with gr.Tab("Upload files"):
                ui.files = gr.File(
                    label="Articles: " + " ".join(UPLOAD_TYPES),
                    file_count="multiple",
                    file_types=UPLOAD_TYPES,
                    type="filepath",
                )
                ui.upload_btn = gr.Button("Add files", variant="primary")
            with gr.Tab("Paste an article"):
                ui.title_box = gr.Textbox(label="Title")
                ui.text_box = gr.Textbox(label="Text", lines=8, max_lines=20)
                ui.add_btn = gr.Button("Add article", variant="primary")
            with gr.Tab("Folder"):
                if self.watch_dir is not None:
                    gr.Markdown(f"Re-index the configured folder `{_plain(str(self.watch_dir))}`.")
                else:
                    gr.Markdown("No folder is configured: set `NEWSQA_WATCH_DIR`.")
                ui.reindex_btn = gr.Button(
                    "Re-index folder", variant="primary", interactive=self.watch_dir is not None
                )
            ui.report_table = gr.Dataframe(
                headers=REPORT_COLUMNS,
                datatype=["str", "str"],
                label="What happened to each file",
                interactive=False,
                wrap=True,
                latex_delimiters=[],
                column_widths=REPORT_WIDTHS,
                elem_id="nq-report",
            )
            with gr.Accordion("Speakers", open=False):
                build_speakers_view(self.services)  # who is quoted (newsqa/speakers_tab.py)
        return ui

    def _chat_events(self, ui: SimpleNamespace) -> None:
        chat_kwargs: dict[str, Any] = {
            "concurrency_id": "chat",
            "concurrency_limit": CHAT_CONCURRENCY,
        }
        respond_args = (
            [ui.pending, ui.chatbot, ui.history, ui.k_slider, ui.llm_choice, ui.since, ui.until],
            [ui.chatbot, ui.history],
        )
        ui.textbox.submit(
            self.user_turn,
            [ui.textbox, ui.chatbot],
            [ui.textbox, ui.chatbot, ui.pending],
            queue=False,
            api_name="user_turn",
            api_visibility="undocumented",
        ).then(
            self.respond,
            *respond_args,
            api_name="respond",
            api_visibility="undocumented",
            **chat_kwargs,
        )
        ui.chatbot.example_select(
            self.example_turn,
            [ui.chatbot],
            [ui.chatbot, ui.pending],
            queue=False,
            api_visibility="private",
        ).then(self.respond, *respond_args, api_visibility="private", **chat_kwargs)
        cleared = [ui.chatbot, ui.history, ui.pending]
        ui.clear_btn.click(self.clear, None, cleared, api_name="clear")
        ui.chatbot.clear(self.clear, None, cleared, api_visibility="private")
        api_inputs = [ui.textbox, ui.history, ui.k_slider, ui.llm_choice, ui.since, ui.until]
        ui.api_trigger.click(
            self.chat_api,
            api_inputs,
            [ui.api_answer_box, ui.history],
            api_name="chat",
            **chat_kwargs,
        )
        ui.api_trigger.click(
            self.ask_api, api_inputs, [ui.api_result, ui.history], api_name="ask", **chat_kwargs
        )
        ui.api_trigger.click(
            self.get_history,
            [ui.history],
            [ui.api_result],
            api_name="history",
            api_visibility="undocumented",
        )

    def _articles_events(self, demo: gr.Blocks, ui: SimpleNamespace) -> None:
        # Writers queue behind one another (the store serialises them anyway); answering has its
        # own concurrency group, so a long re-index never holds up a question.
        write_kwargs: dict[str, Any] = {"concurrency_id": "write", "concurrency_limit": 1}
        refresh_args = ([ui.search], [ui.table, ui.summary])
        demo.load(self.refresh, *refresh_args, api_visibility="private")
        ui.tab.select(self.refresh, *refresh_args, api_visibility="private")
        ui.search.change(self.list_articles, [ui.search], [ui.table], api_name="list_articles")
        ui.table.select(self.select_article, None, [ui.selected], api_visibility="private")
        uploaded = ui.upload_btn.click(
            self.upload_articles,
            [ui.files],
            [ui.report_table],
            api_name="upload_articles",
            **write_kwargs,
        )
        uploaded.success(lambda: None, None, [ui.files], api_visibility="private")
        uploaded.then(self.refresh, *refresh_args, api_visibility="private")
        added = ui.add_btn.click(
            self.add_article,
            [ui.title_box, ui.text_box],
            [ui.op_status],
            api_name="add_article",
            **write_kwargs,
        )
        added.success(lambda: ("", ""), None, [ui.title_box, ui.text_box], api_visibility="private")
        added.then(self.refresh, *refresh_args, api_visibility="private")
        deleted = ui.delete_btn.click(
            self.delete_article,
            [ui.selected],
            [ui.op_status],
            api_name="delete_article",
            **write_kwargs,
        )
        deleted.success(lambda: "", None, [ui.selected], api_visibility="private")
        deleted.then(self.refresh, *refresh_args, api_visibility="private")
        ui.reindex_btn.click(
            self.reindex,
            None,
            [ui.report_table],
            api_name="reindex",
            api_visibility="public" if self.watch_dir is not None else "private",
            **write_kwargs,
        ).then(self.refresh, *refresh_args, api_visibility="private")


def _on_progress(progress: gr.Progress, desc: str) -> Callable[[int, int, int], None]:
    """The indexer's progress callback, shown on Gradio's progress bar."""

    def on_progress(done: int, total: int, chunks: int) -> None:
        progress((done, total), desc=f"{desc} ({chunks} passages)", unit="articles")

    return on_progress


def build_app(settings: Settings, store: Store | None = None, embedder: Any = None) -> gr.Blocks:
    """The Gradio app over an open, writable store (opened here if not given).

    Launch it with ``launch(demo, settings)`` so the upload limit and the CSS are applied.
    """
    return NewsqaApp(Services(settings, write=True, store=store, embedder=embedder)).build()


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

    Raises ``StoreError`` when the store cannot be opened (e.g. another process holds it), and
    ``AuthError`` when the app would listen beyond loopback without a login.
    """
    launch_auth(settings)  # no credentials beyond loopback: refuse before any work
    with Services(settings, write=True) as services:
        index_sample(services.store, services.embedder, settings)
        launch(NewsqaApp(services).build(), settings)


def configure_logging() -> None:
    """newsqa's INFO messages and every library's warnings on stderr, nothing below.

    The level sits on the handler: bm25s sets its own logger to DEBUG when imported, which a
    root logger level alone would let through ("DEBUG bm25s: Building index from tokens").
    """
    root = logging.getLogger()
    if any(h.get_name() == "newsqa" for h in root.handlers):
        return  # configured already (serve_cmd, then main in the same process)
    handler = logging.StreamHandler()
    handler.set_name("newsqa")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("newsqa").setLevel(logging.INFO)


def main() -> None:
    """``python app.py``: settings from ``NEWSQA_*`` variables."""
    apply_process_defaults()
    configure_logging()
    try:
        serve(load_settings())
    except (StoreError, SettingsError) as exc:  # SettingsError includes auth's AuthError
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
