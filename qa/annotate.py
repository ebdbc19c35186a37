"""What every answer gets after its answerer, whichever answerer wrote it: the other outlets carrying each cited
paragraph, a statement where outlets differ, and the date of its newest source for a question about change.
`QA` applies it to the final Answer, before any rendering (CLI, UI, JSON)."""
from __future__ import annotations

from qa.asof import state_as_of
from qa.citations import neutralize_markers
from qa.constants import CITATION_FORMAT
from qa.disagreement import differ
from qa.sentences import split_sentences
from qa.types import Answer, Citation, Passage

MAX_STATEMENTS = 2  # disagreements stated per answer


def annotate(answer: Answer, passages: list[Passage], store) -> Answer:
    """The answer, annotated in place; `store`'s embedder decides (with the story clusters and names) what
    is one event."""
    return annotate_with(answer, passages, embedding_similarity(store.embedder))


def embedding_similarity(embedder):
    """Cosine of two texts' embeddings (the question-time encoder: no torch)."""
    def similarity(a: str, b: str) -> float:
        u, v = embedder.encode([a, b], question_time=True)
        return float(u @ v)
    return similarity


def annotate_with(answer: Answer, passages: list[Passage], similarity) -> Answer:
    if answer.refused:
        return answer
    by_id = {p.paragraph_id: p for p in passages}
    for c in answer.citations:
        c.also_in = list(by_id[c.paragraph_id].also_in) if c.paragraph_id in by_id else []
    _state_disagreements(answer, passages, by_id, similarity)
    state_as_of(answer)
    return answer


def _state_disagreements(answer: Answer, passages: list[Passage], by_id: dict, similarity) -> None:
    seen: set[tuple] = set()
    lines: list[str] = []
    for citation in list(answer.citations):
        a = by_id.get(citation.paragraph_id)
        if a is None:
            continue
        for b in passages:
            for mine, theirs in differ(a, b, similarity, citation.quote or a.text):
                key = (mine.slot, frozenset((mine.value, theirs.value)))
                if key in seen or len(lines) >= MAX_STATEMENTS:
                    continue
                seen.add(key)
                n_b = _cite(answer, b, theirs.start)
                quote = citation.quote or a.text
                sides = [(a, citation.n, quote[mine.start:mine.end], mine.value),
                         (b, n_b, b.text[theirs.start:theirs.end], theirs.value)]
                lines.append(("Outlets" if a.source != b.source else "Reports") + " differ: " + "; ".join(
                    f"{p.source or p.title} ({p.published or 'undated'}) reports {neutralize_markers(phrase)} "
                    f"{CITATION_FORMAT.format(n=n)}" for p, n, phrase, _ in sides) + ".")
                answer.disagreements.append({"slot": mine.slot, "sides": [
                    {"n": n, "source": p.source, "published": p.published, "paragraph_id": p.paragraph_id,
                     "phrase": phrase, "value": value} for p, n, phrase, value in sides]})
    if lines:
        answer.text = answer.text.rstrip() + "\n\n" + " ".join(lines)


def _cite(answer: Answer, passage: Passage, offset: int) -> int:
    """The citation number of `passage`, adding a citation of its sentence at `offset` when it is not cited."""
    for c in answer.citations:
        if c.paragraph_id == passage.paragraph_id:
            return c.n
    start, end = next(((a, b) for a, b in split_sentences(passage.text) if a <= offset < b), (0, len(passage.text)))
    n = max((c.n for c in answer.citations), default=0) + 1
    answer.citations.append(Citation(
        n=n, article_id=passage.article_id, paragraph_id=passage.paragraph_id, paragraph=passage.paragraph,
        title=passage.title, published=passage.published, source=passage.source, url=passage.url,
        text=passage.text, quote=passage.text[start:end], quote_start=start, quote_end=end,
        also_in=list(passage.also_in)))
    return n
