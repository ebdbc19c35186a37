"""Data types of ingestion: what a loader reads and what the index stores."""
from __future__ import annotations

from dataclasses import dataclass, field

from index.ids import paragraph_id


@dataclass
class Article:
    """One news article as read from disk, before it is split into paragraphs.

    `text` is the article body (title and byline lines removed); paragraphs are
    found in it by `index.paragraphs.split_paragraphs`, so offsets refer to it.
    `published` is an ISO date (YYYY-MM-DD) or "" when unknown.
    """

    article_id: str
    title: str
    text: str
    source_path: str
    published: str = ""
    source: str = ""
    url: str = ""
    authors: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # unknown input fields, kept as metadata


@dataclass
class Attribution:
    """Who is quoted or paraphrased in a paragraph, and the span they are credited with."""

    speaker: str  # the fullest name the article gives ("Yang Yuanxi" for a later "Yang said")
    cue: str  # the speech verb or phrase ("said", "emphasized that", "according to")
    quote: str  # the attributed content, verbatim
    start: int  # offsets of `quote` in the paragraph text
    end: int


@dataclass
class Paragraph:
    """One indexed unit: a source paragraph with a stable id `{article_id}#p{n}` (n from 1)."""

    article_id: str
    n: int
    text: str
    start: int  # offsets in Article.text
    end: int
    speakers: list[Attribution] = field(default_factory=list)

    @property
    def paragraph_id(self) -> str:
        return paragraph_id(self.article_id, self.n)
