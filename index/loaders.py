"""Read article files (.txt, .md, .html, .json, .jsonl) into `Article`s.

Bad content never raises: each problem becomes a `LoadError` in the result, so one broken file (or one
broken line of a .jsonl) does not stop a corpus from loading. Only a path that does not exist raises.
"""
from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import textwrap
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import unquote, urlsplit

from dateutil import parser as dateparser

from index.paragraphs import split_paragraphs
from index.types import Article

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl")


class LoadError(Exception):
    """A file (or "file:LINE" of a .jsonl) that could not be read, and why."""

    def __init__(self, path: str | os.PathLike, reason: str):
        super().__init__(str(path), reason)  # args match __init__ so the error pickles
        self.path, self.reason = str(path), reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class LoadResult:
    articles: list[Article] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)


class _Bad(Exception):
    """Internal: a reason to reject a file or record; the caller knows which path to name."""


def iter_article_files(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> Iterator[Path]:
    """Yield the article files under `paths`: directories walked in sorted order, hidden entries skipped.

    A file named explicitly is yielded whatever its suffix, so asking for a .pdf gets an error, not silence.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    seen: set[Path] = set()
    for path in map(Path, paths):
        if not path.exists():
            raise LoadError(path, "no such file or directory")
        for file in _walk(path) if path.is_dir() else [path]:
            if file.resolve() not in seen:
                seen.add(file.resolve())
                yield file


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and name.lower().endswith(SUPPORTED_SUFFIXES):
                yield Path(dirpath, name)


def load_paths(paths) -> LoadResult:
    """Load every article file under `paths` (see `iter_article_files`); ids are unique across files."""
    return _without_duplicates(load_file(file) for file in iter_article_files(paths))


def load_file(path: str | os.PathLike) -> LoadResult:
    """Load one file; its problems come back in `.errors`, never raised."""
    path = Path(path)
    loader = _LOADERS.get(path.suffix.lower())
    try:
        if loader is None:
            raise _Bad(f"unsupported file type {path.suffix or '(no suffix)'!r}")
        result = loader(path, _decode(path.read_bytes()))
    except _Bad as exc:
        return LoadResult(errors=[LoadError(path, str(exc))])
    except OSError as exc:
        return LoadResult(errors=[LoadError(path, f"cannot read: {exc.strerror or exc}")])
    return _without_duplicates([result])


def _without_duplicates(results: Iterable[LoadResult]) -> LoadResult:
    # Two articles with one id would share paragraph ids in the index; keep the first, report the rest.
    merged, first_seen = LoadResult(), {}
    for result in results:
        merged.errors.extend(result.errors)
        for article in result.articles:
            if article.article_id in first_seen:
                reason = f"duplicate article id {article.article_id!r} (first in {first_seen[article.article_id]})"
                merged.errors.append(LoadError(article.source_path, reason))
            else:
                first_seen[article.article_id] = article.source_path
                merged.articles.append(article)
    return merged


def make_article_id(source_path: str, title: str, *, from_title: bool = False) -> str:
    """A readable, stable id: slug of the file stem (of the title for records of a .json/.jsonl) + hash.

    The hash covers the absolute path and the title, so equal titles in two files get different ids; the
    same file at another absolute path (a moved corpus, another checkout) gets other ids.
    """
    digest = hashlib.sha1(f"{Path(source_path).resolve()}\n{title}".encode("utf-8")).hexdigest()[:8]
    slug = _slug(title if from_title else Path(source_path).stem) or "article"
    return f"{slug}-{digest}"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].rstrip("-")


# ---- decoding -------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        text, unicode_ok = data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace"), True
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, unicode_ok = data.decode("utf-16", errors="replace"), True
    else:
        try:
            text, unicode_ok = data.decode("utf-8"), True
        except UnicodeDecodeError:
            # Old newsroom exports are often Windows-1252; latin-1 takes the five bytes cp1252 leaves undefined.
            try:
                text, unicode_ok = data.decode("cp1252"), False
            except UnicodeDecodeError:
                text, unicode_ok = data.decode("latin-1"), False
    if not text.strip():
        raise _Bad("empty file")
    sample = text[:8192]
    junk = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\f\v")
    if junk > len(sample) // 100:  # a stray control character is tolerated; binary data is full of them
        raise _Bad("not a text file" if unicode_ok else "binary file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


# ---- plain text and markdown ----------------------------------------------------------------------

# A name is capitalized words, with the lower-case particles of names ("Ana de la Cruz"); "By Tuesday the
# council had voted" is not a byline.
_NAME = r"[A-Z][\w.'’-]*(?: (?:[A-Z][\w.'’-]*|de|del|der|den|di|du|da|la|le|van|von|bin|al)){0,4}"
_BYLINE = re.compile(rf"By ({_NAME}(?:(?:,| and| &) {_NAME})*),?")
_MARKDOWN_RULE = re.compile(r"(?m)^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*(?:\n|$)")
_MONTH_DAY = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\.? \d{1,2}(?:,? \d{4})?"
# "(JW Insights) Nov 10 --", "WASHINGTON (Reuters) -", "NEW YORK, June 3 (Reuters) -"
_DATELINE = re.compile(
    rf"(?:[A-Z][A-Z .'-]*[A-Z.],? )?(?:(?P<date1>{_MONTH_DAY}) )?"
    rf"\((?P<source>[^()\n]{{2,40}})\) ?(?:(?P<date2>{_MONTH_DAY}) )?(?:--|-|—|–)\s"
)


def _load_text(path: Path, text: str) -> LoadResult:
    markdown = path.suffix.lower() in (".md", ".markdown")
    meta, body = _front_matter(text)
    fields, extra = _take_fields(meta)
    title, byline_authors, body = _title_and_byline(body, fields.get("title", ""), markdown)
    if markdown:
        body = _MARKDOWN_RULE.sub("", body)
    body = body.strip()
    if not body:
        raise _Bad("no article text found")
    dateline = _DATELINE.match(body[:120])
    if dateline:  # front matter, when given, wins over the dateline
        fields["source"] = fields.get("source") or dateline["source"].strip()
        month_day = dateline["date1"] or dateline["date2"]
        fields["published"] = fields.get("published") or _dateline_date(month_day, path)
    fields["authors"] = fields.get("authors") or byline_authors
    return LoadResult([_article(path, title, body, fields, extra, from_title=False)])


def _front_matter(text: str) -> tuple[dict, str]:
    """Split `---` / `key: value` / `---` from the top of a file; no closing line means no front matter."""
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return {}, text
    closing = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if closing is None:
        return {}, text
    meta, key = {}, None
    for line in lines[1:closing]:
        item = re.match(r"\s*-\s+(.*)", line)  # "authors:" followed by "  - Name" lines
        pair = re.match(r"([A-Za-z_][\w-]*)\s*:\s*(.*)", line)
        if item and key:
            previous = meta[key] if isinstance(meta[key], list) else [meta[key]] if meta[key] else []
            meta[key] = [*previous, _unquote(item[1])]
        elif pair:
            key, value = pair[1].lower(), pair[2].strip()
            if value.startswith("[") and value.endswith("]"):
                meta[key] = [_unquote(v) for v in value[1:-1].split(",") if v.strip()]
            else:
                meta[key] = _unquote(value) if value else None
    return meta, "\n".join(lines[closing + 1:])


def _unquote(value: str) -> str:
    value = value.strip()
    return value[1:-1] if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"" else value


def _title_and_byline(body: str, known_title: str, markdown: bool) -> tuple[str, list[str], str]:
    """Take the title line and a `By NAME` line right after it off the top of `body`."""
    line, after = _next_line(body, 0)
    heading = line.lstrip("#").strip() if markdown else line.strip()
    is_heading = markdown and re.match(r"\s*#\s", line)  # a level-1 heading repeats the title
    if known_title and not is_heading and heading != known_title:
        title, after = known_title, 0  # front matter gave the title and the body starts right away
    else:
        title = known_title or heading
    line, after_byline = _next_line(body, after)
    byline = _BYLINE.fullmatch(line.strip(" \t*_")) if len(line) <= 120 else None
    if byline:
        return title, _split_names(byline[1]), body[after_byline:]
    return title, [], body[after:]


def _next_line(text: str, pos: int) -> tuple[str, int]:
    """The next non-blank line at or after `pos`, and the offset just past it."""
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        if text[pos:end].strip():
            return text[pos:end], min(end + 1, len(text))
        pos = end + 1
    return "", len(text)


def _dateline_date(month_day: str | None, path: Path) -> str:
    if not month_day:
        return ""
    month_day = month_day.replace(".", "")
    if not re.search(r"\d{4}", month_day):
        year = re.search(r"(?<!\d)(?:19|20)\d\d(?!\d)", path.stem)  # "wuzhen-2023-...": datelines omit the year
        if not year:
            return ""
        month_day = f"{month_day} {year[0]}"
    return _parse_date(month_day)


# ---- HTML -----------------------------------------------------------------------------------------


def _load_html(path: Path, html: str) -> LoadResult:
    try:
        import trafilatura  # imported here: slow to import, and only HTML needs it
    except ImportError as exc:
        raise _Bad("reading HTML needs trafilatura (pip install trafilatura)") from exc
    doc = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_images=False, include_links=False,
        include_formatting=False, include_tables=True,
        # No guessing from body text ("Copyright 2024"): a wrong date would mislead date filters.
        date_extraction_params={"original_date": True, "extensive_search": False,
                                "max_date": date.today().isoformat()},
    )
    lines = [line.strip() for line in (doc.text or "").split("\n") if line.strip()] if doc else []
    title = (doc.title or "").strip() if doc else ""
    if lines and lines[0] == title:  # trafilatura keeps the <h1>
        lines.pop(0)
    byline = _BYLINE.fullmatch(lines[0]) if lines else None
    if byline:
        lines.pop(0)
    if not lines:
        raise _Bad("no article text found")
    text = "\n\n".join(lines)
    title = title or _first_sentence(text)
    authors = _split_names(doc.author or "") or (_split_names(byline[1]) if byline else [])
    fields = {"title": title, "published": _parse_date(doc.date or ""), "source": doc.sitename or "",
              "url": doc.url or "", "authors": authors}
    extra = {k: v for k in ("description", "categories", "tags") if (v := getattr(doc, k, None))}
    return LoadResult([_article(path, title, text, fields, extra, from_title=False)])


# ---- JSON and JSON lines --------------------------------------------------------------------------

_ALIASES = {
    "article_id": ("id", "doc_id"),
    "title": ("title",),
    "published": ("published", "publish_date", "publication_date", "date"),
    # Not "origin": in RealTime QA it says how the article was found ("gold"), not who published it.
    "source": ("source", "publisher", "sitename"),
    "url": ("url",),
    "authors": ("authors", "author"),
}


def _load_json(path: Path, text: str) -> LoadResult:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Bad(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    if isinstance(data, dict):
        return LoadResult([_record_article(path, data, from_title=False)])
    if not isinstance(data, list) or not data:
        raise _Bad("expected a JSON object or a non-empty list of objects")
    result = LoadResult()
    for i, record in enumerate(data):
        try:
            result.articles.append(_record_article(path, record, from_title=True))
        except _Bad as exc:
            result.errors.append(LoadError(f"{path}[{i}]", str(exc)))
    return result


def _load_jsonl(path: Path, text: str) -> LoadResult:
    result = LoadResult()
    for n, line in enumerate(text.split("\n"), start=1):  # not splitlines(): it also splits on U+2028
        if not line.strip():
            continue
        try:
            result.articles.append(_record_article(path, json.loads(line), from_title=True))
        except json.JSONDecodeError as exc:
            result.errors.append(LoadError(f"{path}:{n}", f"invalid JSON at column {exc.colno}: {exc.msg}"))
        except _Bad as exc:
            result.errors.append(LoadError(f"{path}:{n}", str(exc)))
    return result


def _record_article(path: Path, record: object, *, from_title: bool) -> Article:
    if not isinstance(record, dict):
        raise _Bad(f"expected a JSON object, got {type(record).__name__}")
    record = dict(record)
    text, paragraphs = record.pop("text", None), record.pop("paragraphs", None)
    if text is None and paragraphs is None:
        raise _Bad("missing field 'text' (or 'paragraphs')")
    if text is not None and not isinstance(text, str):
        raise _Bad("field 'text' must be a string")
    if text is None:
        if not isinstance(paragraphs, list) or not all(isinstance(p, str) for p in paragraphs):
            raise _Bad("field 'paragraphs' must be a list of strings")
        text = "\n\n".join(p.strip() for p in paragraphs if p.strip())
    text = text.strip()
    if not text:
        raise _Bad("article text is empty")
    fields, extra = _take_fields(record)
    title = fields.get("title") or _title_from_url(fields.get("url", "")) or _first_sentence(text)
    return _article(path, title, text, fields, extra, from_title=from_title)


# ---- shared field handling ------------------------------------------------------------------------


def _take_fields(record: dict) -> tuple[dict, dict]:
    """Known fields (first alias present wins) checked and normalized; everything else becomes `extra`."""
    rest = {k: v for k, v in record.items() if v is not None}
    fields, extra = {}, {}
    for name, aliases in _ALIASES.items():
        key = next((a for a in aliases if a in rest), None)
        if key is None:
            continue
        value = rest.pop(key)
        if name == "article_id":
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                raise _Bad(f"field {key!r} must be a string or an integer")
            if str(value).strip():
                fields[name] = str(value).strip().replace("#", "-")  # '#' separates paragraph numbers
        elif name == "published":
            fields[name] = _parse_date(value) if isinstance(value, str) else ""
            if not fields[name]:
                extra[f"{key}_raw"] = _metadata_value(value)  # keep what we could not read
        elif name == "authors":
            if isinstance(value, str):
                fields[name] = _split_names(value)
            elif isinstance(value, list) and all(isinstance(a, str) for a in value):
                fields[name] = [a.strip() for a in value if a.strip()]
            else:
                raise _Bad(f"field {key!r} must be a string or a list of strings")
        elif isinstance(value, str):
            fields[name] = value.strip()
        else:
            raise _Bad(f"field {key!r} must be a string")
    extra.update({k: _metadata_value(v) for k, v in rest.items()})
    return fields, extra


def _metadata_value(value):
    # Index metadata takes scalars and flat lists; anything deeper is kept as JSON text.
    scalar = (str, int, float, bool)
    if isinstance(value, scalar) or (isinstance(value, list) and all(isinstance(v, scalar) for v in value)):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _article(path: Path, title: str, text: str, fields: dict, extra: dict, *, from_title: bool) -> Article:
    article_id = fields.get("article_id") or make_article_id(str(path), title, from_title=from_title)
    return Article(article_id=article_id, title=title, text=text, source_path=str(path),
                   published=fields.get("published", ""), source=fields.get("source") or _site(fields.get("url", "")),
                   url=fields.get("url", ""), authors=fields.get("authors", []), extra=extra)


_NUMERIC_DATE = re.compile(r"\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ]|\s*$)")


def _parse_date(raw: str) -> str:
    """ISO date of `raw`, or "" unless it names a full day (dateutil silently fills gaps from a default)."""
    numeric = _NUMERIC_DATE.match(raw)
    if numeric:  # most corpus dates; dateutil is most of a large .jsonl's load time
        try:
            return date(*map(int, numeric.groups())).isoformat()
        except ValueError:
            return ""
    try:
        first, second = (dateparser.parse(raw, default=d) for d in (datetime(2000, 1, 1), datetime(2001, 2, 2)))
    except (ValueError, OverflowError, TypeError):
        return ""
    return first.date().isoformat() if first.date() == second.date() else ""


def _split_names(names: str) -> list[str]:
    names = re.sub(r"^\s*By\s+", "", names)
    return [n.strip() for n in re.split(r",|;| and | & ", names) if n.strip()]


def _site(url: str) -> str:
    """The publisher's host ("cnn.com") when a record names no source."""
    host = urlsplit(url).hostname or "" if url else ""
    return host.removeprefix("www.").removeprefix("edition.")


def _title_from_url(url: str) -> str:
    """".../squid-game-season-2/index.html" -> "Squid game season 2"; "" when no path part reads as words."""
    for part in reversed([p for p in unquote(urlsplit(url).path).split("/") if p]):
        stem = re.sub(r"\.(?:s?html?|php|aspx?)$", "", part, flags=re.IGNORECASE)
        if stem.lower() != "index" and re.search(r"[A-Za-z]", stem) and re.search(r"[-_]", stem):
            words = re.sub(r"[-_]+", " ", stem).strip()
            return words[:1].upper() + words[1:]
    return ""


def _first_sentence(text: str) -> str:
    start, end = split_paragraphs(text)[0]
    sentence = re.split(r"(?<=[.!?])\s", text[start:end], maxsplit=1)[0]
    return textwrap.shorten(sentence, 80, placeholder="…")


_LOADERS = {".txt": _load_text, ".md": _load_text, ".markdown": _load_text, ".html": _load_html,
            ".htm": _load_html, ".json": _load_json, ".jsonl": _load_jsonl}
