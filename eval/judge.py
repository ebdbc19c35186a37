"""Citation quality, ALCE definitions (Gao et al. 2023, "Enabling LLMs to generate text with citations").

For each answer sentence with citations C:
  - citation recall: 1 if the union of C supports the sentence;
  - citation precision: a citation c is irrelevant when c alone does not support the sentence AND the
    other citations still do without it; precision = relevant citations / all citations.
Support is decided by a judge chosen by name through `make_judge`: `heuristic` (the grounding guard's own
scorer: offline, deterministic, fast, but not independent of the guard it checks) or `llm` (an entailment
question to a language model, eval/llm_judge.py, which never runs the guard's code).
"""
from __future__ import annotations

from dataclasses import dataclass

from qa.constants import REFUSAL
from qa.grounding import DEFAULT_THRESHOLD, score_support
from qa.citations import parse_answer


JUDGES = ("heuristic", "llm")


class SupportJudge:
    """`heuristic`: the grounding guard's support scorer (numbers/names present, polarity, closeness)."""

    name = "heuristic"
    last_cached = False  # no cache: every call is timed
    unparsed = 0

    def __init__(self, embedder, threshold: float = DEFAULT_THRESHOLD):
        self.embedder, self.threshold = embedder, threshold

    def supports(self, sentence: str, paragraphs: list[str]) -> bool:
        return score_support(sentence, paragraphs, self.embedder, self.threshold).supported


def make_judge(name: str, settings, embedder=None, *, backend: str = "local", cache: bool = True):
    """The judge called `name`: `heuristic` (needs the embedder; one is loaded when none is given) or `llm`
    (`backend` local: the GGUF of llm.model_path or the bundled model; openai: llm.base_url / llm.model)."""
    if name == "heuristic":
        if embedder is None:
            from index.embed import Embedder

            embedder = Embedder(settings.index.embedding_model, settings.index.device)
        return SupportJudge(embedder)
    if name == "llm":
        from eval.llm_judge import LLMJudge

        return LLMJudge(settings, backend=backend, cache=cache)
    raise ValueError(f"no judge {name!r}; choose one of {', '.join(JUDGES)}")


@dataclass
class CitationScores:
    sentences: int = 0
    recall_hits: int = 0  # sentences supported by their citations (ALCE citation recall numerator)
    citations: int = 0
    relevant: int = 0  # citations that are not irrelevant (ALCE citation precision numerator)


def score_citations(answer, judge) -> CitationScores:
    scores = CitationScores()
    if answer.refused or answer.text == REFUSAL:
        return scores
    texts = {c.n: c.text for c in answer.citations}
    for sentence, numbers in parse_answer(answer.text):
        cited = [n for n in numbers if n in texts]
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
