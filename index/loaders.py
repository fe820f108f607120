"""Find article files and turn each into ``Article`` records, or ``Skip`` records with a reason.

A loader never raises for bad input: every problem becomes a ``Skip`` naming the file and what is
wrong with it, so one bad file never stops a run.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from newsqa.index.articles import Article, Skip
from newsqa.index.cleaning import clean

SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl"}
TEXT_FIELDS = ("text", "content", "body", "article", "maintext")
TITLE_FIELDS = ("title", "headline", "name")
DATE_FIELDS = ("date", "published", "published_at", "publish_date", "date_publish", "pubDate")
URL_FIELDS = ("url", "link", "href")


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


def discover(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path | Skip]:
    """Yield the article files under ``paths`` (folders recursively, sorted) or a Skip per miss.

    Files of other types inside a folder are passed over quietly (a LICENSE, an image); a file
    named explicitly with an unsupported type is reported.
    """
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            yield Skip(str(raw), "no such file or folder")
        elif path.is_dir():
            for sub in sorted(path.rglob("*")):
                rel_parts = sub.relative_to(path).parts
                if any(part.startswith(".") for part in rel_parts):
                    continue
                if sub.is_file() and sub.suffix.lower() in SUFFIXES:
                    yield sub
        elif path.suffix.lower() not in SUFFIXES:
            yield Skip(
                str(raw),
                f"unsupported file type {path.suffix or '(none)'!r}; "
                f"newsqa reads {', '.join(sorted(SUFFIXES))}",
            )
        else:
            yield path


def read_text(path: Path, max_bytes: int) -> str | Skip:
    """The file's text, or a Skip if it is too large, unreadable, binary, undecodable or empty."""
    source = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return Skip(
                source,
                f"file is {_mb(size)}, over the {_mb(max_bytes)} limit (NEWSQA_MAX_FILE_BYTES)",
            )
        data = path.read_bytes()
    except OSError as exc:
        return Skip(source, f"cannot read file: {exc.strerror or exc}")
    return decode(data, source)


# Byte order marks, longest first (UTF-32's LE mark starts with UTF-16's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes, source: str) -> str | Skip:
    """Text from a file's bytes: UTF-8, or UTF-16/UTF-32 with a byte order mark (as Windows
    tools save it). Anything else with a NUL byte is binary; other encodings are named."""
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), "utf-8")
    if encoding in {"utf-8", "utf-8-sig"} and b"\x00" in data:
        sample = data[:4096]
        # ASCII text in UTF-16 without a mark: every other byte is NUL.
        if len(sample) >= 4 and (
            sample[1::2].count(0) > 0.9 * len(sample[1::2])
            or sample[0::2].count(0) > 0.9 * len(sample[0::2])
        ):
            return Skip(
                source,
                "UTF-16 text without a byte order mark; save it as UTF-8 (or UTF-16 with a BOM)",
            )
        return Skip(source, f"binary file, not text (NUL byte at offset {data.index(0)})")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding != "utf-8":
            return Skip(source, f"not valid {encoding.upper()} text despite its byte order mark")
        return Skip(
            source,
            f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}); convert it to UTF-8",
        )
    if "\x00" in text:
        return Skip(source, "binary file, not text (NUL characters in the text)")
    if not text.strip():
        return Skip(source, "empty file")
    return text


@dataclass(frozen=True)
class Origin:
    """Where text came from: the source shown to users, the identity key, the file (if any)."""

    source: str
    key: str
    path: str = ""

    @classmethod
    def of_file(cls, path: Path) -> Origin:
        resolved = str(path.resolve())
        return cls(str(path), resolved, resolved)

    def nth(self, n: int | None) -> Origin:
        """The n-th article of a multi-article (JSON) file."""
        if n is None:
            return self
        return Origin(f"{self.source}#{n}", f"{self.key}#{n}", self.path)


def load_file(path: Path, max_bytes: int) -> list[Article | Skip]:
    """Load one file into its articles (JSON files may hold many)."""
    text = read_text(path, max_bytes)
    if isinstance(text, Skip):
        return [text]
    return parse(text, path.suffix, Origin.of_file(path))


def load_upload(name: str, data: bytes, max_bytes: int) -> list[Article | Skip]:
    """Articles from uploaded bytes. ``name`` is only a label: it never becomes a path."""
    label = Path(name.replace("\\", "/")).name or "upload"
    suffix = Path(label).suffix.lower()
    origin = Origin(f"upload:{label}", f"upload:{label}")
    if suffix not in SUFFIXES:
        return [
            Skip(
                origin.source,
                f"unsupported file type {suffix or '(none)'!r}; "
                f"newsqa reads {', '.join(sorted(SUFFIXES))}",
            )
        ]
    if len(data) > max_bytes:
        return [
            Skip(
                origin.source,
                f"file is {_mb(len(data))}, over the {_mb(max_bytes)} limit "
                "(NEWSQA_MAX_FILE_BYTES)",
            )
        ]
    text = decode(data, origin.source)
    if isinstance(text, Skip):
        return [text]
    return parse(text, suffix, origin)


# The default of NEWSQA_MAX_PASTE_BYTES (index/settings.py), for callers that pass no setting.
MAX_PASTE_BYTES = 1_000_000


def load_pasted(title: str, text: str, max_bytes: int | None = MAX_PASTE_BYTES) -> Article | Skip:
    """An article typed or pasted by a user; the same title again replaces it. Text over
    ``max_bytes`` (UTF-8; ``NEWSQA_MAX_PASTE_BYTES``) is refused before any work is done."""
    title = " ".join((title or "").split())
    label = title or "untitled"
    origin = Origin(f"pasted:{label}", f"pasted:{label.lower()}")
    text = text or ""
    if max_bytes is not None:
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > max_bytes:
            return Skip(
                origin.source,
                f"pasted text is {_mb(size)}; the limit is NEWSQA_MAX_PASTE_BYTES={max_bytes}",
            )
    if "\x00" in text or "\x00" in title:
        return Skip(origin.source, "pasted text contains NUL characters (binary data?)")
    if not text.strip():
        return Skip(origin.source, "empty text")
    if not title:
        first, _, rest = text.strip().partition("\n")
        if not rest.strip():
            return Skip(origin.source, "give a title, or put the headline on the first line")
        title, text = first, rest
    return _article(origin, title, text)


def too_many_chunks(article: Article, chunks: int, limit: int) -> Skip | None:
    """A Skip when an article makes more than ``limit`` chunks (``NEWSQA_MAX_ARTICLE_CHUNKS``):
    one runaway text (a pasted book, a log file) must not take the memory of the whole run."""
    if chunks <= limit:
        return None
    return Skip(
        article.source,
        f"article makes {chunks} chunks; the limit is NEWSQA_MAX_ARTICLE_CHUNKS={limit}",
    )


def parse(text: str, suffix: str, origin: Origin) -> list[Article | Skip]:
    """Articles from the text of a file of the given type."""
    suffix = suffix.lower()
    if suffix in {".html", ".htm"}:
        return [_from_html(origin, text)]
    if suffix == ".json":
        return _from_json(origin, text)
    if suffix == ".jsonl":
        return _from_jsonl(origin, text)
    return [_from_plain(origin, text, markdown=suffix in {".md", ".markdown"})]


def _article(
    origin: Origin,
    title: str,
    body: str,
    *,
    n: int | None = None,
    date_: str = "",
    url: str = "",
) -> Article | Skip:
    origin = origin.nth(n)
    cleaned, dropped = clean(body)
    title = " ".join(title.split())
    if not cleaned.strip():
        what = "no article text after the headline" if title else "no article text"
        return Skip(origin.source, what)
    return Article(
        source=origin.source,
        key=origin.key,
        path=origin.path,
        title=title,
        text=cleaned,
        # No date in the metadata: a dateline or a weekday the lead dates (index/dates.py).
        date=date_ or _text_date(cleaned),
        url=url,
        dropped=tuple(dropped),
    )


_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_MARKS = re.compile(r"(^|\s)[*_]{1,3}|[*_]{1,3}(?=\s|$|[.,;:!?])")


def _strip_markdown(line: str) -> str:
    line = re.sub(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+(?=\S))", "", line)
    line = _MD_IMAGE.sub(r"\1", line)
    line = _MD_LINK.sub(r"\1", line)
    return _MD_MARKS.sub(r"\1", line)


def _from_plain(origin: Origin, text: str, *, markdown: bool) -> Article | Skip:
    """First non-empty line is the headline, the rest the body."""
    lines = text.splitlines()
    if markdown:
        lines = [_strip_markdown(line) for line in lines if not re.match(r"^\s*(---|```)", line)]
    first = next(i for i, line in enumerate(lines) if line.strip())
    return _article(origin, lines[first].strip(), "\n".join(lines[first + 1 :]))


def _from_html(origin: Origin, html: str) -> Article | Skip:
    """Main text, title and date through trafilatura (which uses htmldate for the date)."""
    try:
        import trafilatura

        doc = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
            output_format="python",
        )
    except ImportError as exc:
        return Skip(
            origin.source,
            f"HTML support is incomplete in this install ({exc}); reinstall newsqa (./newsqa.sh)",
        )
    except RecursionError:
        return Skip(origin.source, "HTML nested too deeply to parse")
    except Exception as exc:  # trafilatura raises assorted errors on broken markup
        return Skip(origin.source, f"HTML could not be parsed: {exc}")
    if doc is None:
        return Skip(origin.source, "no article text found in the HTML page")
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    body = data.get("text") or ""
    if not body.strip():
        return Skip(origin.source, "no article text found in the HTML page")
    title = data.get("title") or ""
    if not title:
        first, _, rest = body.strip().partition("\n")
        title, body = first, rest
    return _article(
        origin, title, body, date_=_iso_date(data.get("date")), url=data.get("url") or ""
    )


def _first(obj: dict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        value = obj.get(name)
        if value not in (None, ""):
            return value
    return None


def _from_object(origin: Origin, obj: Any, n: int | None) -> Article | Skip:
    where = origin.nth(n).source
    if not isinstance(obj, dict):
        return Skip(where, f"expected a JSON object with a text field, got {type(obj).__name__}")
    body = _first(obj, TEXT_FIELDS)
    if not isinstance(body, str) or not body.strip():
        return Skip(where, f"no text field (expected one of: {', '.join(TEXT_FIELDS)})")
    title = _first(obj, TITLE_FIELDS)
    title = title if isinstance(title, str) else ""
    if not title:
        first, _, rest = body.strip().partition("\n")
        title, body = first, rest
    url = _first(obj, URL_FIELDS)
    return _article(
        origin,
        title,
        body,
        n=n,
        date_=_iso_date(_first(obj, DATE_FIELDS)),
        url=url if isinstance(url, str) else "",
    )


_TOO_DEEP = "JSON nested too deeply to read (more levels than Python's recursion limit)"


def _from_json(origin: Origin, text: str) -> list[Article | Skip]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [
            Skip(
                origin.source, f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            )
        ]
    except RecursionError:
        return [Skip(origin.source, _TOO_DEEP)]
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    if isinstance(data, dict):
        return [_from_object(origin, data, None)]
    if isinstance(data, list):
        if not data:
            return [Skip(origin.source, "JSON list is empty")]
        return [_from_object(origin, obj, i) for i, obj in enumerate(data, start=1)]
    return [Skip(origin.source, 'JSON must be an object, a list of objects or {"articles": [...]}')]


def _from_jsonl(origin: Origin, text: str) -> list[Article | Skip]:
    out: list[Article | Skip] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except RecursionError:
            out.append(Skip(origin.nth(lineno).source, _TOO_DEEP))
            continue
        except json.JSONDecodeError as exc:
            out.append(
                Skip(
                    origin.nth(lineno).source,
                    f"malformed JSON line: {exc.msg} at column {exc.colno}",
                )
            )
            continue
        out.append(_from_object(origin, obj, lineno))
    return out or [Skip(origin.source, "no JSON lines")]


def _text_date(text: str) -> str:
    from newsqa.index.dates import article_date

    found = article_date(text)
    return found.isoformat() if found else ""


def _iso_date(value: Any) -> str:
    """A date as YYYY-MM-DD when it can be read as one, else the empty string."""
    if value in (None, ""):
        return ""
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(value).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return ""
    if isinstance(value, (datetime, date)):
        return value.isoformat()[:10]
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    try:
        from dateutil import parser

        return parser.parse(text).date().isoformat()
    except (ValueError, OverflowError):
        return ""


def load(paths: Iterable[str | os.PathLike[str]], max_bytes: int) -> Iterator[Article | Skip]:
    """Every article (or skip) under ``paths``, in a stable order. Each file is loaded on its
    own: whatever goes wrong with one (even an error no check foresaw) is a Skip for that file."""
    for found in discover(paths):
        yield from [found] if isinstance(found, Skip) else load_safely(found, max_bytes)


def load_safely(path: Path, max_bytes: int) -> list[Article | Skip]:
    """``load_file``, with any failure no check foresaw as a Skip for this file only."""
    try:
        return load_file(path, max_bytes)
    except Exception as exc:  # an unforeseen failure costs this file only
        return [Skip(str(path), f"could not be loaded: {type(exc).__name__}: {exc}")]


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """A digest of the code that turns a file into articles (this module, cleaning, dating), so
    that a newsqa whose loading or cleaning changed reads every file again."""
    from newsqa.index import articles, cleaning, dates

    parts = [
        Path(str(m.__file__)).read_bytes()
        for m in (sys.modules[__name__], cleaning, articles, dates)
    ]
    return hashlib.sha256(b"\x00".join(parts)).hexdigest()[:12]


def fingerprint(path: Path) -> str:
    """What says a file is unchanged without reading it: its size and modification time in
    nanoseconds, and the loading code's digest; "" if it cannot be read. Taken BEFORE the file
    is read, so a write during the read makes the next run read it again. (A rewrite that keeps
    both size and mtime, e.g. ``cp -p`` of another file of the same size, goes unseen, as for
    make and rsync's quick check.)"""
    try:
        st = path.stat()
    except OSError:
        return ""
    return f"{st.st_size}:{st.st_mtime_ns}:{_code_digest()}"
