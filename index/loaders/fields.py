"""Article fields every format shares: known keys and their aliases, dates, author names, fallback titles."""
from __future__ import annotations

import json
import re
import textwrap
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dateutil import parser as dateparser

from index.loaders.files import BadInput, clean_text, make_article_id
from index.paragraphs import split_paragraphs
from index.types import Article

# A name is capitalized words, with the lower-case particles of names ("Ana de la Cruz"); "By Tuesday the
# council had voted" is not a byline.
_NAME = r"[A-Z][\w.'’-]*(?: (?:[A-Z][\w.'’-]*|de|del|der|den|di|du|da|la|le|van|von|bin|al)){0,4}"
BYLINE = re.compile(rf"By ({_NAME}(?:(?:,| and| &) {_NAME})*),?")

# Markup residue in text exports and invisible in rendered markdown and HTML, so never article text (and a
# place to hide instructions for a model).
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def strip_comments(text: str) -> str:
    return _HTML_COMMENT.sub("", text)


_ALIASES = {
    "article_id": ("id", "doc_id"),
    "title": ("title",),
    "published": ("published", "publish_date", "publication_date", "date"),
    # Not "origin": in RealTime QA it says how the article was found ("gold"), not who published it.
    "source": ("source", "publisher", "sitename"),
    "url": ("url",),
    "authors": ("authors", "author"),
}


def take_fields(record: dict) -> tuple[dict, dict]:
    """Known fields (first alias present wins) checked and normalized; everything else becomes `extra`."""
    rest = {k: v for k, v in record.items() if v is not None}
    fields: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for name, aliases in _ALIASES.items():
        key = next((a for a in aliases if a in rest), None)
        if key is None:
            continue
        value = rest.pop(key)
        if name == "article_id":
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                raise BadInput(f"field {key!r} must be a string or an integer")
            if str(value).strip():
                fields[name] = str(value).strip().replace("#", "-")  # '#' separates paragraph numbers
        elif name == "published":
            fields[name] = parse_date(value) if isinstance(value, str) else ""
            if not fields[name]:
                extra[f"{key}_raw"] = _metadata_value(value)  # keep what we could not read
        elif name == "authors":
            if isinstance(value, str):
                fields[name] = split_names(clean_text(value))
            elif isinstance(value, list) and all(isinstance(a, str) for a in value):
                fields[name] = [clean_text(a).strip() for a in value if clean_text(a).strip()]
            else:
                raise BadInput(f"field {key!r} must be a string or a list of strings")
        elif isinstance(value, str):
            fields[name] = clean_text(value).strip()
        else:
            raise BadInput(f"field {key!r} must be a string")
    extra.update({k: _metadata_value(v) for k, v in rest.items()})
    return fields, extra


def _metadata_value(value):
    # Index metadata takes scalars and flat lists; anything deeper is kept as JSON text.
    scalar = (str, int, float, bool)
    if isinstance(value, scalar) or (isinstance(value, list) and all(isinstance(v, scalar) for v in value)):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def make_article(path: Path, title: str, text: str, fields: dict, extra: dict, *, from_title: bool) -> Article:
    article_id = fields.get("article_id") or make_article_id(str(path), title, from_title=from_title)
    return Article(article_id=article_id, title=title, text=text, source_path=str(path),
                   published=fields.get("published", ""), source=fields.get("source") or _site(fields.get("url", "")),
                   url=fields.get("url", ""), authors=fields.get("authors", []), extra=extra)


_NUMERIC_DATE = re.compile(r"\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ]|\s*$)")


def parse_date(raw: str) -> str:
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


def split_names(names: str) -> list[str]:
    names = re.sub(r"^\s*By\s+", "", names)
    return [n.strip() for n in re.split(r",|;| and | & ", names) if n.strip()]


def _site(url: str) -> str:
    """The publisher's host ("cnn.com") when a record names no source."""
    host = urlsplit(url).hostname or "" if url else ""
    return host.removeprefix("www.").removeprefix("edition.")


def first_sentence(text: str) -> str:
    start, end = split_paragraphs(text)[0]
    sentence = re.split(r"(?<=[.!?])\s", text[start:end], maxsplit=1)[0]
    return textwrap.shorten(sentence, 80, placeholder="…")
