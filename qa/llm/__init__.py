"""Text generators behind the LLM answerers, by key: `local` (in-process GGUF) and `openai` (any
OpenAI-compatible server). Each streams text for a list of chat messages."""
from __future__ import annotations

from collections.abc import Generator as _Generator

TextStream = _Generator[str, None, None]  # text pieces as they are generated; close() stops the generation


class Generator:
    name = "base"
    supports_json = False  # complete_json: output held to a JSON schema by a grammar (llama.cpp)

    def stream(self, messages: list[dict]) -> TextStream:  # pragma: no cover - interface
        raise NotImplementedError

    def complete(self, messages: list[dict]) -> str:
        return "".join(self.stream(messages))

    def complete_json(self, messages: list[dict], schema: dict) -> str:  # pragma: no cover - interface
        raise NotImplementedError(f"{self.name} cannot hold its output to a JSON schema")


def make_generator(name: str, settings) -> Generator:
    if name == "local":
        from qa.llm.local import local_generator

        return local_generator(settings)
    if name == "openai":
        from qa.llm.openai import OpenAIGenerator

        return OpenAIGenerator(settings.llm)
    raise ValueError(f"no generator {name!r}; choose local or openai")
