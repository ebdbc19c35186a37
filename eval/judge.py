"""Judges of citation support: `supports(sentence, paragraphs) -> bool`, used by eval/citations.py (the ALCE
citation scores). The default is offline and deterministic (qa.grounding's scorer).
"""
from __future__ import annotations

from qa.grounding import DEFAULT_THRESHOLD, score_support


class SupportJudge:
    """Default judge: the grounding guard's support scorer (numbers/names present, polarity, closeness)."""

    name = "support-scorer"

    def __init__(self, embedder, threshold: float = DEFAULT_THRESHOLD):
        self.embedder, self.threshold = embedder, threshold

    def supports(self, sentence: str, paragraphs: list[str]) -> bool:
        return score_support(sentence, paragraphs, self.embedder, self.threshold).supported
