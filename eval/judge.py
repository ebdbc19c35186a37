"""Citation quality, ALCE definitions (Gao et al. 2023, "Enabling LLMs to generate text with citations").

For each answer sentence with citations C:
  - citation recall: 1 if the union of C supports the sentence;
  - citation precision: a citation c is irrelevant when c alone does not support the sentence AND the
    other citations still do without it; precision = relevant citations / all citations.
Support is decided by a pluggable judge: the default is offline and deterministic (qa.grounding's scorer).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from qa.constants import REFUSAL
from qa.grounding import DEFAULT_THRESHOLD, score_support
from qa.sentences import split_sentences

MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


class SupportJudge:
    """Default judge: the grounding guard's support scorer (numbers/names present, polarity, closeness)."""

    name = "support-scorer"

    def __init__(self, embedder, threshold: float = DEFAULT_THRESHOLD):
        self.embedder, self.threshold = embedder, threshold

    def supports(self, sentence: str, paragraphs: list[str]) -> bool:
        return score_support(sentence, paragraphs, self.embedder, self.threshold).supported


@dataclass
class CitationScores:
    sentences: int = 0
    recall_hits: int = 0  # sentences supported by their citations (ALCE citation recall numerator)
    citations: int = 0
    relevant: int = 0  # citations that are not irrelevant (ALCE citation precision numerator)


def answer_sentences(text: str) -> list[tuple[str, list[int]]]:
    """(sentence without markers, cited numbers) for each sentence of an answer."""
    out = []
    for a, b in split_sentences(text):
        sentence = text[a:b]
        numbers = [int(n) for group in MARKER.findall(sentence) for n in group.split(",")]
        out.append((MARKER.sub("", sentence).strip(), numbers))
    # A marker after the final full stop belongs to the sentence before it.
    merged: list[tuple[str, list[int]]] = []
    for sentence, numbers in out:
        if not sentence and merged:
            merged[-1][1].extend(numbers)
        elif sentence:
            merged.append((sentence, numbers))
    return merged


def score_citations(answer, judge) -> CitationScores:
    scores = CitationScores()
    if answer.refused or answer.text == REFUSAL:
        return scores
    texts = {c.n: c.text for c in answer.citations}
    for sentence, numbers in answer_sentences(answer.text):
        cited = [n for n in dict.fromkeys(numbers) if n in texts]
        scores.sentences += 1
        scores.citations += len(cited)
        if not cited:
            continue
        union_supports = judge.supports(sentence, [texts[n] for n in cited])
        scores.recall_hits += union_supports
        if not union_supports:
            continue  # ALCE credits no citation of an unsupported sentence
        for n in cited:
            others = [texts[m] for m in cited if m != n]
            # Irrelevant: does not support alone, and the others still do without it.
            irrelevant = others and not judge.supports(sentence, [texts[n]]) and judge.supports(sentence, others)
            scores.relevant += not irrelevant
    return scores
