"""Credentials: the app refuses to listen beyond loopback without them, and with them every
endpoint (the writing ones included) needs a login, through gradio_client as in the browser."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from newsqa.index.settings import Settings

from newsqa.auth import AuthError, credentials, is_loopback, launch_auth


def test_loopback_addresses() -> None:
    for host in ("127.0.0.1", "127.0.1.1", "localhost", "::1", "[::1]"):
        assert is_loopback(host), host
    for host in ("0.0.0.0", "::", "192.168.1.20", "10.0.0.5", "newsroom.example", ""):
        assert not is_loopback(host), host


def test_beyond_loopback_without_credentials_is_refused(tmp_path: Path) -> None:
    assert launch_auth(Settings(store=tmp_path, host="127.0.0.1")) is None
    with pytest.raises(AuthError, match=r"NEWSQA_HOST=0\.0\.0\.0 .*NEWSQA_AUTH=user:password"):
        launch_auth(Settings(store=tmp_path, host="0.0.0.0"))
    given = Settings(store=tmp_path, host="0.0.0.0", auth="alice:s3cret:x, bob:pw")
    assert launch_auth(given) == [("alice", "s3cret:x"), ("bob", "pw")]


def test_credentials_from_a_file(tmp_path: Path) -> None:
    f = tmp_path / "logins"
    f.write_text("# newsroom logins\nalice:one\n\n  bob:two\n", encoding="utf-8")
    f.chmod(0o600)
    settings = Settings(store=tmp_path, host="0.0.0.0", auth="carol:three", auth_file=f)
    assert credentials(settings) == [("carol", "three"), ("alice", "one"), ("bob", "two")]
    f.chmod(0o644)
    with pytest.raises(AuthError, match="readable by other users"):
        credentials(settings)
    f.chmod(0o600)
    f.write_text("alice\n", encoding="utf-8")
    with pytest.raises(AuthError, match="line 1: each login must be user:password"):
        credentials(settings)
    with pytest.raises(AuthError, match="cannot read it"):
        credentials(Settings(store=tmp_path, auth_file=tmp_path / "missing"))
    with pytest.raises(AuthError, match="NEWSQA_AUTH: each login"):
        credentials(Settings(store=tmp_path, auth=":nouser"))


def test_the_app_refuses_to_start_before_opening_the_store(tmp_path: Path, monkeypatch) -> None:
    from newsqa import app

    monkeypatch.setenv("NEWSQA_HOST", "0.0.0.0")
    monkeypatch.setenv("NEWSQA_STORE", str(tmp_path / "store"))
    monkeypatch.delenv("NEWSQA_AUTH", raising=False)
    monkeypatch.delenv("NEWSQA_AUTH_FILE", raising=False)
    with pytest.raises(SystemExit) as exit_:
        app.main()
    assert exit_.value.code == 2
    assert not (tmp_path / "store").exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Iterator[SimpleNamespace]:
    """The app with a login, on loopback (the same Gradio auth guards it on 0.0.0.0)."""
    from newsqa.index.store import Store

    from newsqa import app

    root = tmp_path_factory.mktemp("auth")
    settings = Settings(
        store=root / "store", sample_dir=None, port=free_port(), auth="alice:s3cret"
    )
    store = Store(settings.store, write=True)
    demo = app.build_app(settings, store, embedder)
    _, url, _ = app.launch(demo, settings, prevent_thread_lock=True, quiet=True)
    try:
        yield SimpleNamespace(url=url, store=store)
    finally:
        demo.close()
        store.close()


WRITES = {
    "add_article": ("Tram line opens", "The new tram line opened on Monday, the mayor said."),
    "delete_article": ("pasted:Nothing here",),
    "reindex": (),
    "upload_articles": ([],),
}


@pytest.mark.integration
def test_without_a_login_no_endpoint_answers(guarded: SimpleNamespace) -> None:
    import httpx

    with httpx.Client(base_url=guarded.url, timeout=30) as http:
        assert http.get("/config").status_code in {401, 403}
        for name, args in WRITES.items():
            got = http.post(f"/gradio_api/call/{name}", json={"data": list(args)})
            assert got.status_code in {401, 403}, (name, got.status_code, got.text[:200])
    from gradio_client import Client

    with pytest.raises(Exception):  # noqa: B017 (gradio_client's error type varies by version)
        Client(guarded.url, verbose=False)
    with pytest.raises(Exception):  # noqa: B017
        Client(guarded.url, auth=("alice", "wrong"), verbose=False)
    assert guarded.store.count() == 0


@pytest.mark.integration
def test_with_a_login_writes_work(guarded: SimpleNamespace) -> None:
    from gradio_client import Client

    client = Client(guarded.url, auth=("alice", "s3cret"), verbose=False)
    client.predict(*WRITES["add_article"], api_name="/add_article")
    assert [r["source"] for r in guarded.store.article_records()] == ["pasted:Tram line opens"]
    client.predict("pasted:Tram line opens", api_name="/delete_article")
    assert guarded.store.count() == 0
