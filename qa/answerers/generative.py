"""LLM answerers (`local`, `openai`): a prompt with numbered sources, a generator, then the grounding guard.

The user sees the draft stream in while it is generated; the final answer is the guard's checked version.
"""
from __future__ import annotations

import re
import time
from collections.abc import Iterator

from qa import guard, prompts
from qa.answerers.base import Answerer
from qa.llm import make_generator
from qa.types import Answer, Passage

# Sources are data: markers inside them must not look like ours, or a model may copy a fake "[7]".
_FAKE_MARKER = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")


def source_text(text: str) -> str:
    return _FAKE_MARKER.sub(r"⟨\1⟩", text).replace("</source>", "</ source>")


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
        sources = [{"n": i, "title": p.title, "published": p.published, "paragraph_id": p.paragraph_id,
                    "text": source_text(p.text)} for i, p in enumerate(passages, start=1)]
        return [{"role": "system", "content": prompts.render("system")},
                {"role": "user", "content": prompts.render("answer", sources=sources, question=question)}]

    def answer(self, question, passages, speakers, entities) -> Answer:
        final = None
        for item in self.stream(question, passages, speakers, entities):
            final = item
        return final

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
