"""What the pipeline takes and returns: filters; passages, citations and answers (plain dataclasses, JSON-ready)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class Filters(BaseModel):
    """Which articles a question may draw on; every key is optional and they all apply together.

    The one definition of the filter keys: `QA.ask` / `QA.retrieve`, the HTTP API's request body and the UI's
    form all take this (the library also a plain dict of these keys).
    """

    model_config = ConfigDict(extra="forbid")
    source: str | list[str] | None = Field(None, description="one source, or any of several")
    author: str | None = Field(None, description="an author of the article")
    article_id: str | list[str] | None = Field(None, description="one article, or any of several")
    date_from: date | str | None = Field(None, description="YYYY-MM-DD: published on or after")
    date_to: date | str | None = Field(None, description="YYYY-MM-DD: published on or before")

    @classmethod
    def of(cls, value: Filters | dict | None) -> Filters | None:
        """`value` as Filters; a dict with a key that is not a filter is refused, naming the keys there are."""
        if value is None or isinstance(value, Filters):
            return value
        cls.check_keys(value)
        return cls(**value)

    @classmethod
    def check_keys(cls, keys) -> None:
        """A clear error for a key that is not a filter, naming the keys there are."""
        unknown = set(keys) - set(cls.model_fields)
        if unknown:
            raise ValueError(f"unknown filter(s) {sorted(unknown)}; known: {', '.join(cls.model_fields)}")


@dataclass
class Passage:
    """A retrieved paragraph with its article's metadata and its fused retrieval score."""

    article_id: str
    paragraph_id: str
    paragraph: int  # 1-based paragraph number in its article
    text: str
    score: float
    title: str = ""
    published: str = ""
    source: str = ""
    url: str = ""
    authors: list[str] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)
    start: int = 0  # offsets of the paragraph in the article text
    end: int = 0
    dense_score: float | None = None  # cosine similarity to the question, when the dense retriever found it
    # Syndicated copies (index/dedupe.py): the story (its canonical article id) and the other articles that
    # carry this same paragraph, each {article_id, paragraph_id, paragraph, title, source, published, url}.
    story_id: str = ""
    also_in: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Citation:
    """`[n]` in an answer: the paragraph it points to and the span of it that supports the answer."""

    n: int
    article_id: str
    paragraph_id: str
    paragraph: int
    title: str
    published: str
    source: str
    url: str
    text: str  # the whole paragraph
    quote: str  # the supporting span, verbatim from `text`
    quote_start: int = 0  # offsets of `quote` in `text`
    quote_end: int = 0
    also_in: list[dict] = field(default_factory=list)  # the other outlets carrying this paragraph (Passage.also_in)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Answer:
    question: str
    text: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    support: float = 0.0  # the answerer's confidence that the cited text answers the question
    answerer: str = "extractive"
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage: retrieve, generate, check
    # The grounding guard's verdict per generated sentence: text, cited paragraph ids, score, supported, action
    # (kept / recited / removed / marked). Empty for the extractive answerer, whose sentences are quotes.
    sentences: list[dict] = field(default_factory=list)
    draft: str = ""  # the generator's raw text, before the guard (for inspection)
    # The date of the newest cited source when the answer states it ("As of 10 Nov 2023, ..."; qa/asof.py).
    as_of_date: str = ""
    # Where cited outlets disagree (qa/disagreement.py): {slot, sides: [{n, source, published, phrase, paragraph_id}]}.
    disagreements: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def final_answer(stream: Iterable[str | Answer]) -> Answer:
    """The `Answer` that ends a stream of text chunks (what `QA.ask(stream=True)` and answerers yield)."""
    final = None
    for item in stream:
        if isinstance(item, Answer):
            final = item
    if final is None:
        raise RuntimeError("the answerer returned no answer")
    return final
