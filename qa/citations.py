"""Citation markers in answer text: parsing `[n]` (tolerating `[1,2]`, `[1][2]`, `(1)`) sentence by sentence."""
from __future__ import annotations

import re

from qa.sentences import split_sentences

# "[1]", "[1, 2]", "[1][2]", and "(1)" as small models write it; a year in parentheses "(2023)" is not a marker.
MARKER = re.compile(r"\[(\d{1,2}(?:\s*[,;]\s*\d{1,2})*)\]|\((\d{1,2}(?:\s*[,;]\s*\d{1,2})*)\)")
_LEADING = re.compile(rf"^\s*(?:(?:{MARKER.pattern})\s*)+")


# Marker-like text that comes from an article ("[3]", "[12, 13]", "(7)") is data, not a citation of ours.
_ANY_BRACKETS = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")


def neutralize_markers(text: str, parentheses: bool = False) -> str:
    """Article text with its marker-like numbers written ⟨3⟩, so no model, parser or UI takes them for ours.

    Square brackets always (they are our format and the UI links them); "(7)" too where a parser reads the
    text, as it does a model's draft, since small models write citations that way.
    """
    text = _ANY_BRACKETS.sub(r"⟨\1⟩", text)
    return MARKER.sub(lambda m: f"⟨{m.group(2)}⟩" if m.group(2) else m.group(), text) if parentheses else text


def marker_numbers(text: str) -> list[int]:
    return [int(n) for m in MARKER.finditer(text) for n in re.split(r"[,;]", m.group(1) or m.group(2))]


def strip_markers(text: str) -> str:
    return re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s{2,}", " ", MARKER.sub("", text))).strip()


def parse_answer(text: str) -> list[tuple[str, list[int]]]:
    """(sentence without markers, cited numbers in order) per sentence.

    A marker written after the full stop ("... ecosystem. [1] Next") belongs to the sentence before it.
    """
    out: list[tuple[str, list[int]]] = []
    for a, b in split_sentences(text):
        piece = text[a:b]
        leading = _LEADING.match(piece)
        if leading and out:
            out[-1][1].extend(marker_numbers(leading.group()))
            piece = piece[leading.end():]
        sentence = strip_markers(piece)
        numbers = marker_numbers(piece)
        if sentence:
            out.append((sentence, numbers))
        elif out:
            out[-1][1].extend(numbers)
    return [(s, list(dict.fromkeys(n))) for s, n in out]


# An article's header (title, outlet, date, byline) is citable as paragraph 0 with this id: what answers
# "who wrote it", "which outlet", "when was it published". One definition, used by the answerers, the guard,
# the CLI and the UI.
HEADER_SUFFIX = "#header"


def header_id(article_id: str) -> str:
    return f"{article_id}{HEADER_SUFFIX}"


def is_header_id(paragraph_id: str) -> bool:
    return paragraph_id.endswith(HEADER_SUFFIX)


def header_text(title: str, source: str, published: str, authors: list[str]) -> str:
    """The header as one readable line: “Title”, published by Source on 2023-11-10, written by A and B."""
    parts = [f"“{title}”" if title else "The article"]
    if source:
        parts.append(f"published by {source}" + (f" on {published}" if published else ""))
    elif published:
        parts.append(f"published on {published}")
    if authors:
        parts.append(f"written by {join_names(authors)}")
    return ", ".join(parts) + "."


def place_label(paragraph: int) -> str:
    """How a citation's place in its article reads: "paragraph 5", or "article header" for paragraph 0."""
    return "article header" if paragraph == 0 else f"paragraph {paragraph}"


def join_names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
