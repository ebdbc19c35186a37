"""Finding article files and decoding their bytes; the result, error and id types every format shares."""
from __future__ import annotations

import codecs
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

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


class BadInput(Exception):
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


def decode(data: bytes) -> str:
    """The text of a file's bytes, newlines normalized; an empty or binary file is a `BadInput`."""
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
        raise BadInput("empty file")
    sample = text[:8192]
    junk = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\f\v")
    if junk > len(sample) // 100:  # a stray control character is tolerated; binary data is full of them
        raise BadInput("not a text file" if unicode_ok else "binary file")
    return text.replace("\r\n", "\n").replace("\r", "\n")
