"""`openai`: any OpenAI-compatible chat server (vLLM, Ollama, llama.cpp server, LM Studio, OpenAI) through
llama-index's OpenAI-like LLM. Base URL, model and key come from settings (`QA_OPENAI_BASE_URL`,
`QA_OPENAI_MODEL`, `QA_OPENAI_API_KEY`)."""
from __future__ import annotations

from qa.llm import Generator, TextStream


class OpenAIGenerator(Generator):
    name = "openai"

    def __init__(self, s):
        try:
            from llama_index.llms.openai_like import OpenAILike
        except ImportError as exc:
            raise RuntimeError("the openai answerer needs llama-index-llms-openai-like, a dependency of news-qa: "
                               "pip install -e .") from exc
        self.base_url = s.base_url
        self.llm = OpenAILike(model=s.model, api_base=s.base_url, api_key=s.api_key, is_chat_model=True,
                              temperature=0.0, max_tokens=s.max_tokens, timeout=s.timeout_s, max_retries=1,
                              context_window=s.context_window)

    def stream(self, messages: list[dict]) -> TextStream:
        from llama_index.core.llms import ChatMessage

        try:
            for response in self.llm.stream_chat([ChatMessage(role=m["role"], content=m["content"]) for m in messages]):
                if response.delta:
                    yield response.delta
        except Exception as exc:  # connection refused, 5xx, timeouts: one clear message
            raise RuntimeError(f"the OpenAI-compatible server at {self.base_url} failed: {exc}") from exc
