"""What every answerer shares: the interface and turning chosen spans into numbered citations."""
from __future__ import annotations

from qa.constants import CITATION_FORMAT, REFUSAL
from qa.types import Answer, Citation, Passage


class Answerer:
    name = "base"

    def __init__(self, store, settings):
        self.store = store
        self.settings = settings

    def answer(self, question: str, passages: list[Passage], speakers: list[str],
               entities: list[str]) -> Answer:  # pragma: no cover - interface
        raise NotImplementedError

    def refuse(self, question: str, passages: list[Passage], support: float = 0.0) -> Answer:
        return Answer(question, REFUSAL, True, [], passages, support, self.name)


def compose(question: str, passages: list[Passage], picks: list[tuple[Passage, int, int]], support: float,
            answerer: str) -> Answer:
    """picks: (passage, start, end) spans in answer order -> text with [n] markers and citations.

    Passages are numbered in order of first citation; consecutive spans of one paragraph share one
    citation whose quote covers them all.
    """
    numbers: dict[str, int] = {}
    spans: dict[str, list[int]] = {}
    parts: list[str] = []
    for passage, start, end in picks:
        n = numbers.setdefault(passage.paragraph_id, len(numbers) + 1)
        lo, hi = spans.get(passage.paragraph_id, [start, end])
        spans[passage.paragraph_id] = [min(lo, start), max(hi, end)]
        parts.append(f"{passage.text[start:end]} {CITATION_FORMAT.format(n=n)}")
    by_id = {p.paragraph_id: p for p, _, _ in picks}
    citations = [
        Citation(n=n, article_id=p.article_id, paragraph_id=pid, paragraph=p.paragraph, title=p.title,
                 published=p.published, source=p.source, url=p.url, text=p.text,
                 quote=p.text[spans[pid][0]:spans[pid][1]], quote_start=spans[pid][0], quote_end=spans[pid][1])
        for pid, n in numbers.items() for p in [by_id[pid]]
    ]
    return Answer(question, " ".join(parts), False, citations, passages, support, answerer)
