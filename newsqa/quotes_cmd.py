"""``newsqa quotes``: who said what in the indexed articles, grouped by speaker.

Register it in newsqa/cli.py with ``app.command("quotes")(quotes_cmd)``. It reads the statements
stored at index time (``Store.statements``); nothing is embedded, so it answers in milliseconds.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import typer

from newsqa.index.dates import parse_day
from newsqa.index.names import fold, is_function_word, speaker_identities
from newsqa.index.settings import SettingsError, load_settings


def _day(value: str | None, flag: str) -> str | None:
    """An ISO day from "2024-02-27", "27 February 2024", "Feb. 27, 2024" (the forms ``ask``
    reads: ``parse_day``); exit 2 if unreadable."""
    if not value:
        return None
    try:
        return parse_day(value)
    except ValueError as exc:
        typer.echo(f"error: {flag} {exc}", err=True)
        raise typer.Exit(2) from None


def _words(text: str) -> list[str]:
    return [w for w in fold(text).replace("-", " ").split() if w and not is_function_word(w)]


def matches_speaker(query: str, st: dict[str, Any]) -> bool:
    """ "Scholz", "Olaf Scholz", "szijjártó" all find Olaf Scholz / Peter Szijjarto: every word
    of the query is a word of the speaker's name or key."""
    have = _name_words(st["speaker"], st.get("speaker_key") or "")
    want = [w.strip(".,") for w in fold(query).split()]
    return bool(want) and all(w in have for w in want)


@lru_cache(maxsize=65536)
def _name_words(speaker: str, key: str) -> frozenset[str]:
    return frozenset(fold(speaker).split()) | frozenset(key.split())


def matches_about(words: list[str], st: dict[str, Any]) -> bool:
    """Every word of ``--about`` occurs in the statement (its text, speaker's role, or verb);
    a word's first five letters stand for its inflections ("deploy" finds "deployment")."""
    hay = fold(" ".join((st["text"], st.get("verb") or "", st.get("title") or "")))
    return all((w[:5] if len(w) > 5 else w) in hay for w in words)


def select(
    statements: list[dict[str, Any]],
    speaker: str | None = None,
    about: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[dict[str, Any]]:
    """The statements that pass the filters, grouped by speaker (most quoted first). A statement
    without a date of its own is dated by its article for --since/--until."""
    about_words = _words(about) if about else []
    groups: dict[str, dict[str, Any]] = {}
    # A family-name key is shared by namesakes across articles (Tony and Cherie Blair): full
    # names group apart, and a name written alone joins the one full name with its key.
    identity = dict(zip(map(id, statements), speaker_identities(statements), strict=True))
    full: dict[str, str] = {}
    for st in statements:
        if len(st["speaker"].split()) > 1:
            full.setdefault(identity[id(st)], st["speaker"])
    for st in statements:
        day = st.get("date") or st.get("published") or ""
        if (since or until) and not day:
            continue
        if since and day < since:
            continue
        if until and day > until:
            continue
        if speaker and not matches_speaker(speaker, st):
            continue
        if about_words and not matches_about(about_words, st):
            continue
        key = identity[id(st)]
        if key in full:
            st = {**st, "speaker": full[key]}
        g = groups.setdefault(
            key,
            {
                "speaker": st["speaker"],
                "speaker_key": st.get("speaker_key") or fold(st["speaker"]),
                "role": st.get("role") or "",
                "organisation": st.get("organisation") or "",
                "articles": [],
                "statements": [],
            },
        )
        if len(st["speaker"]) > len(g["speaker"]):
            g["speaker"] = st["speaker"]
        g["role"] = g["role"] or st.get("role") or ""
        if st.get("source") not in g["articles"]:
            g["articles"].append(st.get("source"))
        g["statements"].append(
            {
                "kind": st["kind"],
                "verb": st.get("verb") or "",
                "text": st["text"],
                "date": st.get("date"),
                "published": st.get("published") or None,
                "source": st.get("source"),
                "title": st.get("title"),
                "article_id": st["article_id"],
                "start": st["start"],
                "end": st["end"],
            }
        )
    out = list(groups.values())
    for g in out:
        g["count"] = len(g["statements"])
    out.sort(key=lambda g: (-g["count"], g["speaker"].casefold()))
    return out


def _candidates(
    store: Any,
    speaker: str | None,
    about: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[dict[str, Any]]:
    """The statements worth filtering, read through indexed lookups where a filter allows: a
    speaker's family-name key; the articles the lexical index finds for ``--about``; statements
    dated in the range plus the undated ones of articles dated in it. Else every statement."""
    if speaker:
        words = [w.strip(".,") for w in fold(speaker).split() if w.strip(".,")]
        for key in (" ".join(words), words[-1] if words else ""):
            if key and (found := store.statements(speaker=key)):
                return found
    if about and hasattr(store, "lexical"):
        # Any chunk with any of the words (the statement filter then wants all of them).
        hits = store.lexical.search(about, 100_000)
        ids = list(dict.fromkeys(cid.rsplit(":", 2)[0] for cid, _ in hits))
        return store.statements(article_ids=ids)
    if since or until:
        dated = store.statements(since=since, until=until)
        in_range = [
            r["id"]
            for r in store.article_records()
            if r.get("date")
            and (not since or r["date"] >= since)
            and (not until or r["date"] <= until)
        ]
        undated = [st for st in store.statements(article_ids=in_range) if not st.get("date")]
        return dated + undated
    return store.statements()


def quotes_cmd(
    speaker: Annotated[
        str | None, typer.Option("--speaker", help="only this person (any part of the name)")
    ] = None,
    about: Annotated[
        str | None, typer.Option("--about", help="only statements with these words")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="statements made on or after this day")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="statements made on or before this day")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    store: Annotated[
        Path | None,
        typer.Option("--store", help="store directory [env NEWSQA_STORE; default: user data dir]"),
    ] = None,
) -> None:
    """Statements in the indexed articles, grouped by speaker, each with its article and date."""
    since_day, until_day = _day(since, "--since"), _day(until, "--until")
    try:
        settings = load_settings(store=store)
    except SettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    from newsqa.index.store import Store, StoreError

    try:
        with Store(settings.store, chroma_url=settings.chroma_url) as s:
            statements = _candidates(s, speaker, about, since_day, until_day)
    except StoreError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    groups = select(statements, speaker, about, since_day, until_day)
    if as_json:
        typer.echo(json.dumps(groups, ensure_ascii=False, indent=1))
        return
    if not groups:
        typer.echo("No statements match.")
        return
    for g in groups:
        role = f", {g['role']}" if g["role"] and g["role"] != g["speaker"] else ""
        typer.echo(f"{g['speaker']}{role}: {g['count']} in {len(g['articles'])} article(s)")
        for st in g["statements"]:
            day = st["date"] or (f"article {st['published']}" if st["published"] else "undated")
            text = f"“{st['text']}”" if st["kind"] == "quote" else st["text"]
            typer.echo(f"  [{day}] {st['kind']}: {text}")
            typer.echo(f"      {st['source']}")
