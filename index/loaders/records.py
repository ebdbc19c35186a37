"""JSON and JSON lines: one article per object, fields found under their usual aliases."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from index.loaders.fields import first_sentence, make_article, strip_comments, take_fields
from index.loaders.files import BadInput, LoadError, LoadResult, clean_text
from index.types import Article


def load_json(path: Path, text: str) -> LoadResult:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    if isinstance(data, dict):
        return LoadResult([_record_article(path, data, from_title=False)])
    if not isinstance(data, list) or not data:
        raise BadInput("expected a JSON object or a non-empty list of objects")
    result = LoadResult()
    for i, record in enumerate(data):
        try:
            result.articles.append(_record_article(path, record, from_title=True))
        except BadInput as exc:
            result.errors.append(LoadError(f"{path}[{i}]", str(exc)))
    return result


def load_jsonl(path: Path, text: str) -> LoadResult:
    result = LoadResult()
    for n, line in enumerate(text.split("\n"), start=1):  # not splitlines(): it also splits on U+2028
        if not line.strip():
            continue
        try:
            result.articles.append(_record_article(path, json.loads(line), from_title=True))
        except json.JSONDecodeError as exc:
            result.errors.append(LoadError(f"{path}:{n}", f"invalid JSON at column {exc.colno}: {exc.msg}"))
        except BadInput as exc:
            result.errors.append(LoadError(f"{path}:{n}", str(exc)))
    return result


def _record_article(path: Path, record: object, *, from_title: bool) -> Article:
    if not isinstance(record, dict):
        raise BadInput(f"expected a JSON object, got {type(record).__name__}")
    record = dict(record)
    text, paragraphs = record.pop("text", None), record.pop("paragraphs", None)
    if text is None and paragraphs is None:
        raise BadInput("missing field 'text' (or 'paragraphs')")
    if text is not None and not isinstance(text, str):
        raise BadInput("field 'text' must be a string")
    if text is None:
        if not isinstance(paragraphs, list) or not all(isinstance(p, str) for p in paragraphs):
            raise BadInput("field 'paragraphs' must be a list of strings")
        text = "\n\n".join(p.strip() for p in paragraphs if p.strip())
    text = strip_comments(clean_text(text)).strip()
    if not text:
        raise BadInput("article text is empty")
    fields, extra = take_fields(record)
    title = fields.get("title") or _title_from_url(fields.get("url", "")) or first_sentence(text)
    return make_article(path, title, text, fields, extra, from_title=from_title)


def _title_from_url(url: str) -> str:
    """".../squid-game-season-2/index.html" -> "Squid game season 2"; "" when no path part reads as words."""
    for part in reversed([p for p in unquote(urlsplit(url).path).split("/") if p]):
        stem = re.sub(r"\.(?:s?html?|php|aspx?)$", "", part, flags=re.IGNORECASE)
        if stem.lower() != "index" and re.search(r"[A-Za-z]", stem) and re.search(r"[-_]", stem):
            words = re.sub(r"[-_]+", " ", stem).strip()
            return words[:1].upper() + words[1:]
    return ""
