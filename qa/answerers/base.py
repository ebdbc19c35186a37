"""What every answerer shares: the interface, streaming, and turning sentences with their supporting spans
into text with numbered `[n]` markers and citations."""
from __future__ import annotations

import re
from collections.abc import Iterator

from qa.citations import neutralize_markers
from qa.constants import CITATION_FORMAT, REFUSAL
from qa.types import Answer, Citation, Passage

# A sentence of an answer with the spans of paragraphs that support it: (text, [(passage, start, end)]).
Part = tuple[str, list[tuple[Passage, int, int]]]


class Answerer:
    name = "base"

    def __init__(self, store, settings):
        self.store = store
        self.settings = settings

    def answer(self, question: str, passages: list[Passage], speakers: list[str],
               entities: list[str], as_of=None) -> Answer:  # pragma: no cover - interface
        raise NotImplementedError

    def stream(self, question: str, passages: list[Passage], speakers: list[str],
               entities: list[str], as_of=None) -> Iterator[str | Answer]:
        """Text as it is produced, then the final Answer. Answerers that do not generate send it whole.
        `as_of` is the date the question is asked on (an LLM is told it; the extractive answerer needs not)."""
        answer = self.answer(question, passages, speakers, entities)
        yield answer.text
        yield answer

    def condenser(self):
        """The text generator a follow-up question is condensed with; None: the deterministic fallback."""
        return None

    def refuse(self, question: str, passages: list[Passage], support: float = 0.0) -> Answer:
        return Answer(question, REFUSAL, True, [], passages, support, self.name)


def build_answer(question: str, passages: list[Passage], parts: list[Part], support: float, answerer: str) -> Answer:
    """Number cited paragraphs in order of first citation; one citation per paragraph, whose quote spans
    everything the answer drew from it."""
    numbers: dict[str, int] = {}
    spans: dict[str, list[int]] = {}
    by_id: dict[str, Passage] = {}
    texts = []
    for sentence, sources in parts:
        markers = []
        for passage, start, end in sources:
            n = numbers.setdefault(passage.paragraph_id, len(numbers) + 1)
            lo, hi = spans.get(passage.paragraph_id, [start, end])
            spans[passage.paragraph_id] = [min(lo, start), max(hi, end)]
            by_id[passage.paragraph_id] = passage
            if CITATION_FORMAT.format(n=n) not in markers:
                markers.append(CITATION_FORMAT.format(n=n))
        # A quoted "[7]" from an article would read as a citation to a source that does not exist.
        texts.append(f"{neutralize_markers(sentence)} {''.join(markers)}".strip())
    citations = [
        Citation(n=n, article_id=p.article_id, paragraph_id=pid, paragraph=p.paragraph, title=p.title,
                 published=p.published, source=p.source, url=p.url, text=p.text,
                 quote=p.text[spans[pid][0]:spans[pid][1]], quote_start=spans[pid][0], quote_end=spans[pid][1])
        for pid, n in numbers.items() for p in [by_id[pid]]
    ]
    return Answer(question, " ".join(texts), False, citations, passages, support, answerer)


def compose(question: str, passages: list[Passage], picks: list[tuple[Passage, int, int]], support: float,
            answerer: str) -> Answer:
    """An answer made of quoted spans, each cited to the paragraph it is quoted from."""
    return build_answer(question, passages, [(p.text[a:b], [(p, a, b)]) for p, a, b in picks], support, answerer)


# A built answer's text is sentences each ended by its markers; article text inside has its markers neutralized.
_PART = re.compile(r"\s*(.+?)\s*((?:\[\d+\])+)", re.S)


def parts_of(answer: Answer) -> list[Part]:
    """A built answer back as its parts: each sentence with the quoted spans of the paragraphs it cites."""
    by_n = {c.n: c for c in answer.citations}
    by_id = {p.paragraph_id: p for p in answer.passages}
    parts: list[Part] = []
    end = 0
    for match in _PART.finditer(answer.text):
        end = match.end()
        cited = [by_n[int(n)] for n in re.findall(r"\d+", match.group(2)) if int(n) in by_n]
        parts.append((match.group(1), [(by_id[c.paragraph_id], c.quote_start, c.quote_end)
                                       for c in cited if c.paragraph_id in by_id]))
    if answer.text[end:].strip():  # a last sentence without citations (`answer.unsupported = "mark"`)
        parts.append((answer.text[end:].strip(), []))
    return parts
