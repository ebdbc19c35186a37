"""The built-in extractive answerer: no model beyond the embedder.

It scores every sentence of the retrieved paragraphs against the question (embedding similarity plus
the share of the question's content words it covers, with the paragraph's speakers counted as its words),
answers with the best sentences verbatim, and refuses when
  - a name the question asks about appears in none of the retrieved paragraphs ("What did Elon Musk
    say ...?" over articles that never mention him), or
  - the best sentence's support is below `answer.min_support`.
"""
from __future__ import annotations

import numpy as np

from qa.answerers.base import Answerer, compose
from qa.sentences import content_terms, split_sentences
from qa.types import Answer, Passage

DENSE_WEIGHT = 0.55  # the rest is lexical coverage; set on eval/data/wuzhen.jsonl
SPEAKER_BONUS = 0.1  # a sentence in a paragraph attributed to the speaker the question names


def mentions(passage: Passage, entity: str) -> bool:
    haystack = " ".join([passage.text, passage.title, *passage.speakers]).lower()
    return all(part in haystack for part in entity.lower().split())


class ExtractiveAnswerer(Answerer):
    name = "extractive"

    def answer(self, question: str, passages: list[Passage], speakers: list[str], entities: list[str]) -> Answer:
        if not passages:
            return self.refuse(question, passages)
        if any(not any(mentions(p, e) for p in passages) for e in entities):
            return self.refuse(question, passages)
        # Only paragraphs that name as many of the question's entities as any paragraph does.
        coverage = {p.paragraph_id: sum(mentions(p, e) for e in entities) for p in passages}
        most = max(coverage.values())
        pool = [p for p in passages if coverage[p.paragraph_id] == most]
        scored = self.score_sentences(question, pool, speakers)
        best = max(scored, key=lambda s: s[0])
        if best[0] < self.settings.answer.min_support:
            return self.refuse(question, passages, best[0])
        floor = best[0] * self.settings.answer.relative_support
        chosen = sorted(scored, key=lambda s: -s[0])[: self.settings.answer.max_sentences]
        chosen = [s for s in chosen if s[0] >= floor]
        rank = {p.paragraph_id: i for i, p in enumerate(passages)}
        chosen.sort(key=lambda s: (rank[s[1].paragraph_id], s[2]))  # reading order within the ranking
        return compose(question, passages, [(p, a, b) for _, p, a, b in chosen], best[0], self.name)

    def score_sentences(self, question: str, passages: list[Passage], speakers: list[str]):
        """[(score, passage, start, end)] for every sentence of `passages`."""
        sentences = [(p, a, b) for p in passages for a, b in split_sentences(p.text)]
        vectors = self.store.embedder.encode([question] + [p.text[a:b] for p, a, b in sentences])
        similarity = vectors[1:] @ vectors[0]
        q_terms = content_terms(question)
        wanted = {s.lower() for s in speakers}
        out = []
        for (p, a, b), cos in zip(sentences, similarity):
            terms = content_terms(p.text[a:b]) | content_terms(" ".join(p.speakers))
            lexical = len(q_terms & terms) / len(q_terms) if q_terms else 0.0
            score = DENSE_WEIGHT * float(cos) + (1 - DENSE_WEIGHT) * lexical
            if wanted:
                score += SPEAKER_BONUS if wanted & {s.lower() for s in p.speakers} else -SPEAKER_BONUS
            out.append((float(np.clip(score, 0.0, 1.0)), p, a, b))
        return out
