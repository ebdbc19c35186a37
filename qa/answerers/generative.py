"""LLM answerers (`local`, `openai`): a prompt with numbered sources, a generator, then the grounding guard.

The user sees the draft stream in while it is generated; the final answer is the guard's checked version.
"""
from __future__ import annotations

import time
from collections.abc import Iterator

from qa import guard, prompts
from qa.answerers.base import Answerer
from qa.citations import neutralize_markers
from qa.llm import make_generator
from qa.sentences import content_terms, split_sentences
from qa.types import Answer, Passage, final_answer

PROMPT_OVERHEAD_TOKENS = 600  # the system prompt, the instructions and the source tags
CHARS_PER_TOKEN = 2  # conservative (English runs ~4): the prompt must fit the model's context


def source_text(text: str) -> str:
    """Sources are data: markers inside them must not look like ours, or a model may copy a fake "[7]"."""
    return neutralize_markers(text, parentheses=True).replace("</source>", "</ source>")


def fit_sources(question: str, texts: list[str], budget: int) -> list[str]:
    """The texts, each long one cut to an excerpt, so that together they fit `budget` characters.

    A paragraph can be a 100 KB line; whole, it would overflow the model's context and fail the answer.
    Short texts keep their full length; the rest share what is left equally.
    """
    if sum(map(len, texts)) <= budget:
        return texts
    left, count = budget, len(texts)
    for length in sorted(map(len, texts)):  # water-filling: a text under the equal share keeps all of it
        if length > left // count:
            break
        left, count = left - length, count - 1
    share = max(200, left // count)
    return [t if len(t) <= share else excerpt(question, t, share) for t in texts]


def excerpt(question: str, text: str, size: int) -> str:
    """`size` characters of `text` around its sentence with the most of the question's words."""
    wanted = content_terms(question)
    spans = split_sentences(text) or [(0, len(text))]
    start, end = max(spans, key=lambda s: len(wanted & content_terms(text[s[0]:s[1]])))
    middle = (start + end) // 2
    lo = max(0, min(middle - size // 2, len(text) - size))
    return ("…" if lo else "") + text[lo:lo + size].strip() + ("…" if lo + size < len(text) else "")


class GenerativeAnswerer(Answerer):
    def __init__(self, store, settings, backend: str):
        super().__init__(store, settings)
        self.name = backend
        self._generator = None

    @property
    def generator(self):
        if self._generator is None:
            self._generator = make_generator(self.name, self.settings)
        return self._generator

    def messages(self, question: str, passages: list[Passage]) -> list[dict]:
        s = self.settings.llm
        budget = max(1000, (s.context_window - s.max_tokens - PROMPT_OVERHEAD_TOKENS) * CHARS_PER_TOKEN)
        texts = fit_sources(question, [p.text for p in passages], budget)
        sources = [{"n": i, "title": p.title, "published": p.published, "paragraph_id": p.paragraph_id,
                    "text": source_text(text)} for i, (p, text) in enumerate(zip(passages, texts), start=1)]
        return [{"role": "system", "content": prompts.render("system")},
                {"role": "user", "content": prompts.render("answer", sources=sources, question=question)}]

    def answer(self, question, passages, speakers, entities) -> Answer:
        return final_answer(self.stream(question, passages, speakers, entities))

    def stream(self, question, passages, speakers, entities) -> Iterator[str | Answer]:
        if not passages:
            yield self.refuse(question, passages)
            return
        started = time.perf_counter()
        chunks, first = [], None
        for chunk in self.generator.stream(self.messages(question, passages)):
            first = first or time.perf_counter()
            chunks.append(chunk)
            yield chunk
        generated = time.perf_counter()
        answer = guard.check(question, "".join(chunks), passages, self.store.embedder, self.settings, self.name)
        answer.timings = {"first_token": (first or generated) - started, "generate": generated - started,
                          "check": time.perf_counter() - generated}
        yield answer
