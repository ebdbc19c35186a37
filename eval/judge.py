"""Judges of citation support: `supports(sentence, paragraphs) -> bool`, used by eval/citations.py (the ALCE
citation scores). A judge is chosen by name through `make_judge`: `heuristic` (the grounding guard's own
scorer: offline, deterministic, fast, but not independent of the guard it checks) or `llm` (an entailment
question to a language model, eval/llm_judge.py, which never runs the guard's code).
"""
from __future__ import annotations

from qa.grounding import DEFAULT_THRESHOLD, score_support

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

