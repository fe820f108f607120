"""The ``newsqa`` command: index, list, remove, ask, eval, serve.

Every command builds its services (store, embedder, indexer, assistant) through
``newsqa.services.Services``. ``ctx.obj`` may carry an embedder factory: the tests run the
commands in process with typer's ``CliRunner`` and a fake embedder
(``runner.invoke(app, args, obj=factory)``).
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

# LLMUnavailable from where it is defined: newsqa.assistant.llm imports LangChain's chat-model
# classes (about 0.5 s), which an extractive answer never needs.
from newsqa.assistant.answerers import LLMUnavailable, specs_help
from newsqa.index.articles import Skip
from newsqa.index.settings import Settings, SettingsError, apply_process_defaults, load_settings
from newsqa.serve_cmd import serve_cmd
from newsqa.services import Services

app = typer.Typer(
    help="Question answering over news articles, with cited sources.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

StoreOpt = Annotated[
    Path | None,
    typer.Option("--store", help="store directory [env NEWSQA_STORE; default: user data dir]"),
]


def settings_from(**overrides: Any) -> Settings:
    """NEWSQA_* environment variables, with the flags that were given on top; a bad value
    ends the command with one line naming it."""
    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        fail(str(exc))
        raise  # unreachable: fail exits


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(code)


def _open(ctx: typer.Context, settings: Settings, *, write: bool) -> Services:
    from newsqa.index.store import StoreError

    try:
        return Services(settings, write=write, make_embedder=ctx.obj)
    except StoreError as exc:
        fail(str(exc))


@app.command("index")
def index_cmd(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="files or folders (recursive)")],
    store: StoreOpt = None,
    prune: Annotated[
        bool, typer.Option("--prune", help="also remove articles whose files are gone")
    ] = False,
    max_file_bytes: Annotated[
        int | None, typer.Option(help="skip files larger than this [env NEWSQA_MAX_FILE_BYTES]")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False,
) -> None:
    """Index .txt .md .html .json .jsonl articles. Unchanged articles cost nothing.

    Exit code 0 when everything was indexed (a duplicate of an indexed article is no failure), 1
    when some input could not be (listed with reasons), 2 for a path that does not exist.
    """
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        # Before the store or the model is opened: a typo fails at once.
        fail(f"no such file or folder: {', '.join(missing)}")
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    settings = settings_from(store=store, max_file_bytes=max_file_bytes)
    services = _open(ctx, settings, write=True)
    with services:
        indexer = services.indexer
        columns = (
            TextColumn("embedding"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("articles · {task.fields[chunks]} chunks · {task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=err, disable=quiet, transient=False) as bar:
            task = bar.add_task("index", total=None, chunks=0, rate="")

            def on_progress(done: int, total: int, chunks: int) -> None:
                elapsed = bar.tasks[0].elapsed or 1e-9
                bar.update(
                    task,
                    completed=done,
                    total=total,
                    chunks=chunks,
                    rate=f"{done / elapsed:.1f} articles/s",
                )

            report = indexer.index_paths(paths, prune=prune, progress=on_progress)
        if report.changed:
            # The first search after a bulk index would otherwise bring the tantivy follower up
            # to date (38.6 s at a million chunks, docs/scale.md): the writer pays it here instead.
            with (
                err.status("updating the lexical search index", spinner="dots")
                if not quiet
                else contextlib.nullcontext()
            ):
                services.store.lexical.follower()
    failed = failures(report.skipped)
    for skip in report.skipped:
        kind = "[yellow]skipped[/]" if skip in failed else "[dim]duplicate[/]"
        err.print(f"{kind} {escape(skip.source)}: {escape(skip.reason)}")
    for moved in report.moved:
        out.print(f"moved {escape(moved)}")
    for removed in report.removed:
        out.print(f"removed {escape(removed)}")
    out.print(report.summary() + f" · store {settings.store}")
    raise typer.Exit(1 if failed else 0)


def failures(skipped: list[Skip]) -> list[Skip]:
    """The skips that are failures: a file holding the text of an article already indexed (or
    given twice) is stored once, as asked, and is none."""
    return [s for s in skipped if not s.reason.startswith(DUPLICATE_REASON)]


# index/indexer.py's reason for a file whose text is already indexed or was given twice.
DUPLICATE_REASON = "same text as"


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    store: StoreOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Show the indexed articles: title, source, date, chunks."""
    settings = settings_from(store=store)
    with _open(ctx, settings, write=False) as services:
        records = sorted(services.store.article_records(), key=lambda r: r["source"])
    if as_json:
        keys = ("title", "source", "date", "chunks", "url", "indexed_at")
        print(json.dumps([{k: r.get(k, "") for k in keys} for r in records], indent=2))
        return
    table = Table(title=f"{len(records)} articles in {settings.store}")
    for col in ("title", "source", "date", "chunks"):
        table.add_column(col, overflow="fold")
    for r in records:
        table.add_row(escape(r["title"]), escape(r["source"]), r.get("date", ""), str(r["chunks"]))
    out.print(table)


@app.command("remove")
def remove_cmd(
    ctx: typer.Context,
    sources: Annotated[list[str], typer.Argument(help="sources as `newsqa list` shows them")],
    store: StoreOpt = None,
) -> None:
    """Remove articles by source (all articles of a JSON file when given the file)."""
    settings = settings_from(store=store)
    missing = []
    with _open(ctx, settings, write=True) as services:
        indexer = services.indexer
        for source in sources:
            removed = indexer.remove(source)
            for r in removed:
                out.print(f"removed {escape(r)}")
            if not removed:
                missing.append(source)
    if missing:
        fail(f"not indexed: {', '.join(missing)} (see `newsqa list`)", code=1)


def _load_history(path: Path | None) -> list[dict[str, Any]] | None:
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        fail(f"cannot read history file {path}: {exc.strerror}")
    except json.JSONDecodeError as exc:
        fail(
            f"history file {path} is not valid JSON ({exc.msg} at line {exc.lineno}); it must "
            'be a list of {"role": "user"|"assistant", "content": "..."} messages'
        )
    from newsqa.assistant.chain import validate_history

    try:
        return validate_history(data)
    except ValueError as exc:
        fail(f"history file {path}: {exc}")
    return None


def _reader(ctx: typer.Context, settings: Settings) -> Services:
    """Services over a store that has articles to answer from."""
    services = _open(ctx, settings, write=False)
    if services.store.count() == 0:
        services.close()
        fail(
            f"the store {settings.store} is empty: index articles first with "
            f"`newsqa index PATH --store {settings.store}`"
        )
    return services


def date_range(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    """--since/--until as ISO days (the dates `newsqa quotes` reads); a bad one or an empty
    range ends the command with one line, before the store or the model is opened."""
    from newsqa.index.dates import parse_day

    days = []
    for flag, value in (("--since", since), ("--until", until)):
        try:
            days.append(parse_day(value) if value is not None else None)
        except ValueError as exc:
            fail(f"{flag} {exc}")
    first, last = days
    if first and last and first > last:
        fail(f"--since {first} is after --until {last}: no day is in that range")
    return first, last


LlmOpt = Annotated[
    str | None,
    typer.Option("--llm", help="answerer: " + specs_help() + " [env NEWSQA_LLM]"),
]


@app.command("ask")
def ask_cmd(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="the question")],
    store: StoreOpt = None,
    history: Annotated[
        Path | None, typer.Option("--history", help="JSON list of {role, content} messages")
    ] = None,
    k: Annotated[
        int | None, typer.Option("--k", min=1, max=50, help="passages to retrieve (1-50)")
    ] = None,
    llm: LlmOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    since: Annotated[
        str | None,
        typer.Option("--since", help="only articles dated on or after this day (YYYY-MM-DD)"),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="only articles dated on or before this day (YYYY-MM-DD)"),
    ] = None,
) -> None:
    """Answer a question from the indexed articles, with cited sources.

    With --since/--until only articles dated in that range are searched (undated ones are not).
    """
    if not question.strip():
        fail(
            'the question is empty: ask something, e.g. newsqa ask "What did Scholz say '
            'about ground troops?"'
        )
    since, until = date_range(since, until)
    settings = settings_from(store=store, llm=llm)
    past = _load_history(history)
    services = _reader(ctx, settings)
    # The model and Chroma load on a thread of their own while the answerer's modules import.
    services.embedder.prefetch(question.strip(), lambda v: services.store.dense_search(v, 1))
    try:
        assistant = services.assistant
        if as_json:
            res = assistant.ask(question, past, k=k, since=since, until=until)
            print(json.dumps(res, ensure_ascii=False, indent=2))
            return
        res = None
        streamed = ""
        for event in assistant.stream(question, past, k=k, since=since, until=until):
            if event["type"] == "delta":
                streamed += event["text"]
                out.print(escape(event["text"]), end="")
            else:
                res = event["result"]
        if streamed:
            out.print()
    except (ValueError, LLMUnavailable) as exc:
        fail(str(exc))
    finally:
        services.close()
    assert res is not None
    if not streamed:
        out.print(escape(res["answer"]))  # composed whole (extractive): shown whole
    elif " ".join(streamed.split()) != " ".join(res["answer"].split()):
        # A generated draft: what the citation check kept, renumbered, is the answer.
        out.print("\n[bold]Checked answer[/]")
        out.print(escape(res["answer"]))
    if (res["note"] and res["answerer"] != "extractive") or "fell back" in res["note"]:
        err.print(f"[dim]note: {escape(res['note'])}[/]")
    if res["unsupported"]:
        out.print(
            "[yellow]unsupported by the cited passages:[/] "
            + escape(" | ".join(res["unsupported"]))
        )
    if res["citations"]:
        out.print("\n[bold]Sources[/]")
        for c in res["citations"]:
            out.print(
                f"[{c['n']}] [bold]{escape(c['title'])}[/] {escape(c['date'])} "
                f"[dim]{escape(c['source'])}[/]"
            )
            out.print(f"    [italic]{escape(c['quote'])}[/]")
    else:
        out.print("\n[bold]Related reading[/]")
        for s in res["sources"][:5]:
            out.print(f"- {escape(s['title'])} [dim]{escape(s['source'])}[/]")


@app.command("eval")
def eval_cmd(
    ctx: typer.Context,
    qa: Annotated[Path, typer.Argument(help="evaluation set (see tests/eval/qa.json)")],
    store: StoreOpt = None,
    output: Annotated[
        Path | None, typer.Option("--output", help="write one JSON row per question")
    ] = None,
    llm: LlmOpt = None,
    summary_json: Annotated[
        Path | None, typer.Option("--summary", help="write the summary as JSON")
    ] = None,
) -> None:
    """Run an evaluation set: hit@5, cited, correct, abstention, latency; dense/BM25/hybrid."""
    from newsqa.assistant import evaluation

    try:
        items = evaluation.load_set(qa)
    except ValueError as exc:
        fail(str(exc))
    settings = settings_from(store=store, llm=llm)
    services = _reader(ctx, settings)
    assistant = services.assistant
    try:
        assistant.components(llm)  # an answerer that cannot be built fails here, in one line
    except LLMUnavailable as exc:
        services.close()
        fail(str(exc))
    sink = output.open("w", encoding="utf-8") if output else None
    try:

        def on_row(row: dict[str, Any]) -> None:
            if sink:
                sink.write(json.dumps(row, ensure_ascii=False) + "\n")

        rows, summary, retrieval = evaluation.run(assistant, items, llm=llm, on_row=on_row)
    finally:
        services.close()
        if sink:
            sink.close()
    table = Table(title=f"{qa} · answerer {settings.llm} · {len(rows)} questions")
    cols: tuple[str, ...] = ("hit@5", "cited", "correct", "answered", "abstained_unanswerable")
    cols += ("planted", "ece")
    cols += ("median_words", "p50_ms", "p95_ms")
    table.add_column("kind")
    table.add_column("n", justify="right")
    for c in cols:
        table.add_column(c.replace("abstained_unanswerable", "abstain (unans.)"), justify="right")
    for kind, m in summary.items():
        table.add_row(
            kind,
            str(m["n"]),
            *[
                "-"
                if m[c] != m[c]
                else (f"{m[c]:.0f}" if c.endswith(("ms", "words")) else f"{m[c]:.2f}")
                for c in cols
            ],
        )
    # Wide enough for every column even when stdout is not a terminal (CI logs, pipes).
    wide = Console(highlight=False, width=max(out.width, 110))
    wide.print(table)
    rt = Table(title="retrieval hit@5 by mode (answerable questions)")
    for mode in retrieval:
        rt.add_column(mode, justify="right")
    rt.add_row(*[f"{v:.2f}" for v in retrieval.values()])
    wide.print(rt)
    if summary_json:
        summary_json.write_text(
            json.dumps(
                {
                    "answerer": settings.llm,
                    "set": str(qa),
                    "summary": summary,
                    "retrieval_hit@5": retrieval,
                },
                indent=2,
            ),
            encoding="utf-8",
        )


app.command("serve")(serve_cmd)
app.command("train")(__import__("newsqa.train_cmd", fromlist=["train_cmd"]).train_cmd)
app.command("quotes")(__import__("newsqa.quotes_cmd", fromlist=["quotes_cmd"]).quotes_cmd)


def main() -> None:
    """The ``newsqa`` entry point: process defaults first, then the command."""
    apply_process_defaults()
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:
        # A store problem met after opening (a Chroma server gone mid-command): one line, exit 2.
        from newsqa.index.store import StoreError

        if not isinstance(exc, StoreError):
            raise
        err.print(f"[bold red]error:[/] {escape(str(exc))}")
        sys.exit(2)


if __name__ == "__main__":
    main()
