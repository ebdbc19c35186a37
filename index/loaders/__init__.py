"""Read article files (.txt, .md, .html, .json, .jsonl) into `Article`s.

Bad content never raises: each problem becomes a `LoadError` in the result, so one broken file (or one
broken line of a .jsonl) does not stop a corpus from loading. Only a path that does not exist raises.

An article over `max_article_bytes` of text is refused (and a one-article file that large is refused
unread): a 50 MB "article" is a data dump, and embedding it would take the encoder hours on a CPU.

One module a concern: `files` (walking, decoding, errors, ids), `fields` (what every format shares),
and one module a format family: `text` (.txt, .md), `html`, `records` (.json, .jsonl).
"""
from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

from index.loaders import html, records, text
from index.loaders.files import (
    SUPPORTED_SUFFIXES,
    BadInput,
    LoadError,
    LoadResult,
    decode,
    iter_article_files,
    make_article_id,
)

__all__ = ["MAX_ARTICLE_BYTES", "SUPPORTED_SUFFIXES", "LoadError", "LoadResult", "iter_article_files", "load_file",
           "load_paths", "make_article_id"]

log = logging.getLogger(__name__)
MAX_ARTICLE_BYTES = 5_000_000  # ~25 times the longest news longreads; see index.max_article_mb
_RECORDS = (".json", ".jsonl")  # files of many articles: the limit applies to each record, not the file

_LOADERS = {".txt": text.load_text, ".md": text.load_text, ".markdown": text.load_text,
            ".html": html.load_html, ".htm": html.load_html,
            ".json": records.load_json, ".jsonl": records.load_jsonl}


def load_paths(paths, max_article_bytes: int = MAX_ARTICLE_BYTES) -> LoadResult:
    """Load every article file under `paths` (see `iter_article_files`); ids are unique across files."""
    return _without_duplicates(load_file(file, max_article_bytes) for file in iter_article_files(paths))


def load_file(path: str | os.PathLike, max_article_bytes: int = MAX_ARTICLE_BYTES) -> LoadResult:
    """Load one file; its problems come back in `.errors`, never raised."""
    path = Path(path)
    suffix = path.suffix.lower()
    loader = _LOADERS.get(suffix)
    try:
        if loader is None:
            raise BadInput(f"unsupported file type {path.suffix or '(no suffix)'!r}")
        size = path.stat().st_size
        if suffix not in _RECORDS and size > max_article_bytes:
            raise BadInput(f"file is {_mb(size)}, over the {_mb(max_article_bytes)} article size limit")
        text, note = decode(path.read_bytes())
        if note:
            log.warning("%s: %s", path, note)
        result = loader(path, text)
    except BadInput as exc:
        return LoadResult(errors=[LoadError(path, str(exc))])
    except OSError as exc:
        return LoadResult(errors=[LoadError(path, f"cannot read: {exc.strerror or exc}")])
    kept = []
    for article in result.articles:
        size = len(article.text.encode("utf-8"))
        if size > max_article_bytes:
            result.errors.append(LoadError(path, f"article {article.article_id!r} has {_mb(size)} of text, over "
                                                 f"the {_mb(max_article_bytes)} article size limit"))
        else:
            kept.append(article)
    result.articles = kept
    return _without_duplicates([result])


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def _without_duplicates(results: Iterable[LoadResult]) -> LoadResult:
    # Two articles with one id would share paragraph ids in the index; keep the first, report the rest.
    merged = LoadResult()
    first_seen: dict[str, str] = {}  # article id -> the file it came from first
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
