"""End to end in a real browser: Playwright for Python driving Debian's chromium.

Playwright's own browser download cannot work here, so the test launches the system chromium
(``apt-get install chromium``; ``.ci/install-browser.sh`` does it) by its executable path, or
the one named by ``NEWSQA_CHROMIUM``. It skips, saying why, only when there is no browser or no
playwright. It photographs the chat into a temp dir; ``pytest --screenshot
docs/screenshot-chat.png -m browser`` refreshes the one the README shows (the tracked file is
never rewritten by a plain test run).
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from newsqa.index.settings import Settings

from newsqa import app

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
SEED_DIR = REPO / "examples" / "articles" / "seed"
SCHOLZ = "What did Scholz say about ground troops?"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOSTILE_TITLE = "Quillon <script>window.__pwned = 3</script> regatta"
HOSTILE_TEXT = """The Quillon regatta was cancelled <script>window.__pwned = 1</script> after
storms. Organisers said 47 boats <img src=x onerror="window.__pwned = 2"> had entered the Quillon
regatta ![tracker](http://example.com/t.png) and [click](javascript:alert(1)) this year.
"""
# Long enough for the model to load in a cold, busy machine; never asserted on.
TIMEOUT_MS = 180_000


def chromium_path() -> str | None:
    named = os.environ.get("NEWSQA_CHROMIUM")
    if named:
        return named
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright)")
    path = chromium_path()
    if path is None:
        pytest.skip(
            "no chromium found: install it with .ci/install-browser.sh (apt-get install "
            "chromium) or point NEWSQA_CHROMIUM at one"
        )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Iterator[SimpleNamespace]:
    """The app over a small store: the seed article and a pasted article full of markup."""
    from newsqa.index.indexer import Indexer
    from newsqa.index.store import Store

    root = tmp_path_factory.mktemp("browser-app")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(store=root / "store", sample_dir=SEED_DIR, port=port)
    store = Store(settings.store, write=True)
    app.index_sample(store, embedder, settings)
    report = Indexer(store, embedder, settings).index_text(HOSTILE_TITLE, HOSTILE_TEXT)
    assert report.added, report.summary()
    demo = app.build_app(settings, store, embedder)
    _, url, _ = app.launch(demo, settings, prevent_thread_lock=True, quiet=True)
    try:
        yield SimpleNamespace(url=url)
    finally:
        demo.close()
        store.close()


def ask(page: Any, question: str) -> None:
    """Type a question, send it, and wait until its answer is complete: the Sources (or related
    reading) block arrives with the final result, after the streamed text."""
    before = page.locator("#nq-chat .nq-sources").count()
    box = page.locator("#nq-question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#nq-chat .nq-sources').length > n",
        arg=before,
        timeout=TIMEOUT_MS,
    )


@pytest.fixture()
def screenshot(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Where to save the chat's picture: ``--screenshot PATH``, else a temp dir."""
    chosen = request.config.getoption("--screenshot")
    return Path(chosen) if chosen else tmp_path / "screenshot-chat.png"


def test_chat_in_the_browser(browser: Any, running: SimpleNamespace, screenshot: Path) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 1000})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(running.url)
    page.locator("#nq-question textarea").wait_for(timeout=TIMEOUT_MS)

    # A question, its cited answer and the Sources block with the sentence highlighted.
    ask(page, SCHOLZ)
    chat = page.locator("#nq-chat")
    source = chat.locator(".nq-source").first
    source.wait_for(timeout=TIMEOUT_MS)
    answer = chat.locator(".nq-answer").last
    assert "no ground troops on Ukrainian soil" in answer.inner_text()
    assert answer.locator(".nq-cite").first.inner_text() == "[1]"
    assert chat.get_by_text("Sources", exact=True).first.is_visible()
    assert "Stoltenberg: NATO has no plans to send troops to Ukraine" in source.inner_text()
    marks = " ".join(source.locator("mark").all_inner_texts())
    assert "Scholz" in marks
    # The block slides open; photograph it open.
    page.wait_for_function(
        "() => document.querySelector('#nq-chat .nq-sources').getBoundingClientRect().height > 80"
    )
    page.wait_for_timeout(800)
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 10_000

    # An article full of markup renders as text: no script ran, no image or link appeared.
    ask(page, "How many boats had entered the Quillon regatta?")
    chat.get_by_text("47 boats").first.wait_for(timeout=TIMEOUT_MS)
    text = chat.inner_text()
    assert "<script>window.__pwned = 1</script>" in text
    assert HOSTILE_TITLE in text
    assert '<img src=x onerror="window.__pwned = 2">' in text
    assert "![tracker](http://example.com/t.png) and [click](javascript:alert(1))" in text
    assert chat.locator(".message-row script, .message-row img, .message-row a").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []

    # The Articles tab shows the title as text too.
    page.get_by_role("tab", name="Articles").click()
    table = page.locator("#nq-articles")
    table.get_by_text(HOSTILE_TITLE).first.wait_for(timeout=TIMEOUT_MS)
    # Every column is wide enough to read: no header squeezed to a letter a line ("d a t e").
    for header in ("date", "chunks"):
        cell = table.locator("th", has_text=header).first
        box = cell.bounding_box()
        assert box is not None and box["width"] >= 50, (header, box)
    assert table.locator("script, img").count() == 0
    assert page.evaluate("window.__pwned") is None
    page.close()


PER_SPEAKER = "Which European leaders ruled out sending troops to Ukraine?"


def send(page: Any, question: str, arrives: str) -> None:
    """Send a question and wait until one more ``arrives`` element (a CSS selector inside the
    chat) is shown: the answer's, the abstention's or the error's block."""
    before = page.locator(f"#nq-chat {arrives}").count()
    box = page.locator("#nq-question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll('#nq-chat ' + sel).length > n",
        arg=[arrives, before],
        timeout=TIMEOUT_MS,
    )


def set_day(page: Any, elem_id: str, day: str) -> None:
    """Type a day into one of the settings' date boxes (gr.DateTime) and commit it."""
    field = page.locator(f"#{elem_id} input").first
    field.fill(day)
    field.press("Enter")
    field.blur()


def test_per_speaker_answer_and_date_range_in_the_browser(
    browser: Any, running: SimpleNamespace, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 1200})
    page.goto(running.url)
    page.locator("#nq-question textarea").wait_for(timeout=TIMEOUT_MS)
    chat = page.locator("#nq-chat")

    # One line per speaker under the position asked about, each with its citation mark.
    ask(page, PER_SPEAKER)
    answer = chat.locator(".nq-answer").last
    text = answer.inner_text()
    ruled = text.split("Ruled it out:", 1)[1].split(":\n", 1)[0]
    for name in ("Olaf Scholz", "Peter Fiala", "Donald Tusk"):
        line = next(line for line in ruled.splitlines() if name in line)
        assert "[" in line and "]" in line, line
    # Fico's "some countries are considering it" is no refusal (his "impossible" is one).
    assert "considering" not in ruled
    assert answer.locator(".nq-cite").count() >= 3
    page.screenshot(path=str(tmp_path / "per-speaker.png"))

    # The settings' date range: the seed's day answers the same; a later day searches nothing
    # and says so; a day that is no day is a message in the chat.
    page.get_by_text("Settings", exact=True).click()
    set_day(page, "nq-since", "2024-02-27")
    set_day(page, "nq-until", "2024-02-27")
    ask(page, PER_SPEAKER)
    assert "Donald Tusk" in chat.locator(".nq-answer").last.inner_text()
    set_day(page, "nq-since", "2024-03-01")
    set_day(page, "nq-until", "")
    send(page, PER_SPEAKER, ".nq-abstain")
    assert "Only articles dated on or after 2024-03-01 were searched." in (
        chat.locator(".nq-abstain").last.inner_text()
    )
    set_day(page, "nq-since", "2024-02-31")
    send(page, PER_SPEAKER, ".nq-error")
    error = chat.locator(".nq-error").last.inner_text()
    assert "Articles dated from: '2024-02-31' is not a date (use YYYY-MM-DD)" in error
    assert "Traceback" not in chat.inner_text()
    page.screenshot(path=str(tmp_path / "date-range.png"))
    page.close()
