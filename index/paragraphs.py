"""Find paragraphs in an article body as character offsets, so every paragraph points at real text."""
from __future__ import annotations

import re

# A blank line (possibly holding spaces) separates paragraphs in most files and in the JSON corpora.
_BLANK_LINE = re.compile(r"\n\s*\n")
_NEWLINE = re.compile(r"\n")


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) offsets of each paragraph of `text`, whitespace trimmed, empty ones skipped.

    Text with blank lines is split on them, and a single newline stays inside its paragraph (hard-wrapped
    prose). Text without any blank line is taken as one paragraph per line, as in the seed article.
    """
    separator = _BLANK_LINE if _BLANK_LINE.search(text) else _NEWLINE
    spans = []
    start = 0
    for match in separator.finditer(text):
        spans.append(trimmed_span(text, start, match.start()))
        start = match.end()
    spans.append(trimmed_span(text, start, len(text)))
    return [(s, e) for s, e in spans if s < e]


def trimmed_span(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) moved inwards past surrounding whitespace: spans that point at text, not at blanks."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
