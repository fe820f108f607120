"""Three short articles about one town's trams, two dated a month apart and one undated, each
with an official who "ruled out raising tram fares": the date-range tests of the store, the
retriever, the CLI and the app index them (JSON files with a ``date`` field)."""

from __future__ import annotations

import json
from pathlib import Path

FEB, MAR = "2024-02-27", "2024-03-15"
ARTICLES = {
    "feb": (
        FEB,
        "Glimmerton trams return",
        "Trams returned to the streets of Glimmerton after an eight-year absence. Glimmerton "
        "mayor Anna Berg ruled out raising tram fares this year. The council said the new line "
        "cost 96 million pounds.",
    ),
    "mar": (
        MAR,
        "Glimmerton tram fares debated",
        "The Glimmerton council debated tram fares again. Councillor Tom Reed ruled out raising "
        "tram fares before the election. The vote was close.",
    ),
    "undated": (
        "",
        "Glimmerton tram depot opens",
        "A new tram depot opened in Glimmerton. Transport minister Lisa Holm ruled out raising "
        "tram fares for pensioners. The depot holds twenty trams.",
    ),
}
# Who speaks in which article (the statements the per-speaker answer may list).
SPEAKERS = {"feb": "Anna Berg", "mar": "Tom Reed", "undated": "Lisa Holm"}
QUESTION = "Which officials ruled out raising tram fares?"


def write_dated_articles(folder: Path) -> Path:
    """The three articles as ``<name>.json`` in ``folder``; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (day, title, text) in ARTICLES.items():
        obj = {"title": title, "text": text, **({"date": day} if day else {})}
        (folder / f"{name}.json").write_text(json.dumps(obj), encoding="utf-8")
    return folder
