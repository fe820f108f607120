"""``newsqa serve``: start the web app (the same as ``python app.py``, with flags on top).

Register it in newsqa/cli.py with ``app.command("serve")(serve_cmd)``. Gradio is imported only
when the command runs, so the rest of the CLI stays quick to start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from newsqa.index.settings import SettingsError, apply_process_defaults, load_settings


def serve_cmd(
    store: Annotated[
        Path | None,
        typer.Option("--store", help="store directory (env NEWSQA_STORE; default: user data dir)"),
    ] = None,
    host: Annotated[
        str | None,
        typer.Option("--host", help="address to listen on (env NEWSQA_HOST; default 127.0.0.1)"),
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", help="port (env NEWSQA_PORT; default 7860)")
    ] = None,
) -> None:
    """Serve the chat app on 127.0.0.1:7860 (indexes the sample articles into an empty store)."""
    apply_process_defaults()
    try:
        settings = load_settings(store=store, host=host, port=port)
    except SettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None

    from newsqa import app
    from newsqa.index.store import StoreError

    app.configure_logging()
    try:
        app.serve(settings)
    except (StoreError, SettingsError) as exc:  # SettingsError includes auth's AuthError
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
