"""Finding article files and decoding their bytes; the result, error and id types every format shares."""
from __future__ import annotations

import codecs
import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

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
    digest = hashlib.sha1(f"{Path(source_path).resolve()}\n{title}".encode()).hexdigest()[:8]
    slug = _slug(title if from_title else Path(source_path).stem) or "article"
    return f"{slug}-{digest}"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].rstrip("-")


def decode(data: bytes) -> tuple[str, str]:
    """The text of a file's bytes, cleaned for indexing, and a note on how it was read ("" for plain UTF-8).

    An empty or binary file is a `BadInput`. Control characters other than tab and newline are removed
    (they are invisible in a reader and break JSON, terminals and the tokenizer alike) and the text is
    put in NFC, so "é" typed two ways is one word to the keyword index.
    """
    note = ""
    if data.startswith(codecs.BOM_UTF8):
        text = data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    elif (encoding := _bomless_utf16(data)) is not None:
        text, note = data.decode(encoding, errors="replace"), f"read as {encoding.upper()} (no byte order mark)"
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            # Old newsroom exports are often Windows-1252; latin-1 takes the five bytes cp1252 leaves undefined.
            encoding = "cp1252"
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text, encoding = data.decode("latin-1"), "latin-1"
            note = f"not UTF-8 (byte {exc.start}); read as {encoding}"
    if not text.strip():
        raise BadInput("empty file")
    sample = text[:8192]
    junk = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\f\v")
    # A few stray control characters are cleaned away; binary data is full of them.
    if junk > max(8, len(sample) // 100):
        raise BadInput("binary file" if note else "not a text file")
    text = clean_text(text)
    if not text.strip():
        raise BadInput("no text left after removing control characters")
    return text, note


# C0 and C1 controls, DEL, and the Unicode non-characters; tab and newline stay.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Newlines normalized (a page break ends a paragraph too), control characters removed, NFC. Also for
    JSON strings, whose escapes ("\\u0007", "\\r") make control characters after the bytes were cleaned."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    return unicodedata.normalize("NFC", _CONTROL.sub("", text))


def _bomless_utf16(data: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when the bytes look like UTF-16 text without a byte order mark.

    Latin-script text as UTF-16 has a zero high byte in most code units and few zero low bytes; UTF-8 and
    binary files rarely match both. (CJK text without a byte order mark is not recognised.)
    """
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    for encoding, zeros in (("utf-16-le", odd), ("utf-16-be", even)):
        other = even if zeros is odd else odd
        if zeros.count(0) > 0.4 * len(zeros) and other.count(0) < 0.05 * len(other):
            try:
                data.decode(encoding)
            except UnicodeDecodeError:
                continue
            return encoding
    return None
