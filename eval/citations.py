"""Citation quality per answer, as ALCE computes it (Gao et al. 2023, "Enabling Large Language Models to
Generate Text with Citations", section 2.2, and its reference code `eval.py:compute_autoais`).

For each sentence of an answer, with the citation numbers it carries:
  - no citation, or any number that points to no source: the sentence is unsupported and each of its
    numbers is an irrelevant citation (ALCE: "citations out of range" -> joint entailment 0);
  - otherwise recall 1 when the union of the cited paragraphs supports the sentence; a citation is
    irrelevant when the sentence is unsupported, or when it does not support the sentence alone and the
    other citations still do without it.
Per answer: citation recall = supported sentences / sentences; citation precision = relevant citations /
all citation numbers written (invalid ones included), 0 when it cites nothing. The eval averages both over
the answered questions (refusals are not answers) and prints how many there were.

Support is decided by a judge with `supports(sentence, paragraphs) -> bool` (eval/judge.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from qa.citations import parse_answer
from qa.constants import REFUSAL
from qa.guard import is_refusal


@dataclass
class CitationScores:
    sentences: int = 0
    supported: int = 0  # sentences their citations support (recall numerator)
    citations: int = 0  # every citation number written, invalid ones included (precision denominator)
    relevant: int = 0  # citations that are not irrelevant (precision numerator)
    invalid: int = 0  # citation numbers that point to no source

    @property
    def recall(self) -> float:
        return self.supported / self.sentences if self.sentences else 0.0

    @property
    def precision(self) -> float:
        return self.relevant / self.citations if self.citations else 0.0

    @property
    def grounded(self) -> bool:
        """Every sentence of the answer is supported by its citations."""
        return bool(self.sentences) and self.supported == self.sentences


def score_text(text: str, sources: dict[int, str], judge) -> CitationScores:
    """ALCE scores of one answer text whose `[n]` markers refer to `sources` (number -> paragraph text)."""
    scores = CitationScores()
    for sentence, numbers in parse_answer(text):
        scores.sentences += 1
        scores.citations += len(numbers)
        invalid = [n for n in numbers if n not in sources]
        scores.invalid += len(invalid)
        if not numbers or invalid:
            continue
        if not judge.supports(sentence, [sources[n] for n in numbers]):
            continue  # ALCE credits no citation of an unsupported sentence
        scores.supported += 1
        for n in numbers:
            others = [sources[m] for m in numbers if m != n]
            irrelevant = others and not judge.supports(sentence, [sources[n]]) and judge.supports(sentence, others)
            scores.relevant += not irrelevant
    return scores


def score_citations(answer, judge) -> CitationScores | None:
    """Scores of the answer the user sees (its `[n]` against its citations); None for a refusal."""
    if answer.refused or answer.text == REFUSAL:
        return None
    return score_text(answer.text, {c.n: c.text for c in answer.citations}, judge)


def score_draft(answer, judge) -> CitationScores | None:
    """Scores of a generator's draft before the grounding guard (its `[n]` against the numbered passages).

    The guard drops numbers that point nowhere and removes unsupported sentences, so the final text never
    shows them; the draft's scores say what the guard had to repair. None when there is no draft (the
    extractive answerer writes its answer directly) or the draft is itself a refusal.
    """
    if not answer.draft or is_refusal(answer.draft):
        return None
    return score_text(answer.draft, {i: p.text for i, p in enumerate(answer.passages, start=1)}, judge)
