"""The one definition of the index's id formats, with a parser beside each constructor.

A paragraph is `{article_id}#p{n}` (n from 1); each of its vector windows in Chroma is
`{paragraph_id}@w{w}` (w from 0). Article ids may contain anything, so a window id is parsed from the right.
"""
from __future__ import annotations

import re

_WINDOW_ID = re.compile(r"^(?P<pid>.+#p\d+)@w(?P<w>\d+)$")
_PARAGRAPH_ID = re.compile(r"^(?P<aid>.+)#p(?P<n>\d+)$")


def paragraph_id(article_id: str, n: int) -> str:
    return f"{article_id}#p{n}"


def parse_paragraph_id(paragraph_id: str) -> tuple[str, int] | None:
    """`a#p3` -> ("a", 3); None for an id not of that form."""
    match = _PARAGRAPH_ID.match(paragraph_id)
    return (match["aid"], int(match["n"])) if match else None


def window_id(paragraph_id: str, w: int) -> str:
    return f"{paragraph_id}@w{w}"


def parse_window_id(window_id: str) -> tuple[str, int] | None:
    """`a#p3@w1` -> ("a#p3", 1); None for an id not of that form."""
    match = _WINDOW_ID.match(window_id)
    return (match["pid"], int(match["w"])) if match else None
