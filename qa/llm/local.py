"""`local`: the GGUF model in-process on the CPU, no network.

Two runtimes read the same file: llama-cpp-python (fast; compiled at install, the `llm-fast` extra) and
transformers' GGUF loader (no compiler; the `llm` extra). `runtime = "auto"` takes llama-cpp when it is
installed; bench/llm_latency.py measures both.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

from qa.llm import Generator, TextStream
from qa.llm.model_file import INSTALL_HINT, model_path

_LOADED: dict[tuple, Generator] = {}
_LOCK = threading.Lock()


def local_generator(settings) -> Generator:
    s = settings.llm
    path = model_path(settings)
    runtime = s.runtime
    if runtime == "auto":
        try:
            import llama_cpp  # noqa: F401
            runtime = "llama-cpp"
        except ImportError:
            runtime = "transformers"
    key = (str(path), runtime, s.context_window, s.max_tokens, s.threads)
    with _LOCK:  # one copy of the weights per process, however many QA objects share it
        if key not in _LOADED:
            cls = LlamaCppGenerator if runtime == "llama-cpp" else TransformersGenerator
            _LOADED[key] = cls(path, s)
        return _LOADED[key]


class LlamaCppGenerator(Generator):
    name = "local (llama-cpp)"
    supports_json = True

    def __init__(self, path: Path, s):
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise RuntimeError('runtime "llama-cpp" needs: pip install -e ".[llm-fast]"') from exc
        self.max_tokens = s.max_tokens
        self.path = path
        self.llm = Llama(model_path=str(path), n_ctx=s.context_window, n_threads=s.threads or os.cpu_count(),
                         verbose=False)
        self._lock = threading.Lock()  # a llama.cpp context serves one generation at a time

    def stream(self, messages: list[dict]) -> TextStream:
        with self._lock:
            for chunk in self.llm.create_chat_completion(messages, stream=True, temperature=0.0,
                                                         max_tokens=self.max_tokens):
                text = chunk["choices"][0]["delta"].get("content")
                if text:
                    yield text

    def complete_json(self, messages: list[dict], schema: dict) -> str:
        """One reply constrained to `schema` by llama.cpp's JSON-schema grammar."""
        with self._lock:
            reply = self.llm.create_chat_completion(messages, temperature=0.0, max_tokens=self.max_tokens,
                                                    response_format={"type": "json_object", "schema": schema})
        return reply["choices"][0]["message"]["content"] or ""


class TransformersGenerator(Generator):
    name = "local (transformers)"

    def __init__(self, path: Path, s):
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as exc:  # pragma: no cover - transformers comes with sentence-transformers
            raise RuntimeError(f"the local model needs: {INSTALL_HINT}") from exc
        if s.threads:
            torch.set_num_threads(s.threads)
        self.max_tokens = s.max_tokens
        self.path = path
        self.tokenizer = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
        import transformers

        transformers.utils.logging.disable_progress_bar()
        # float32: the packed GGUF kernels compute in float32, so bfloat16 would only add casts.
        self.model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name,
                                                          dtype=torch.float32)
        self._lock = threading.Lock()

    def stream(self, messages: list[dict]) -> TextStream:
        from transformers import TextIteratorStreamer

        inputs = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                                    return_dict=True)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        with self._lock:
            worker = threading.Thread(target=self.model.generate, kwargs=dict(
                **inputs, streamer=streamer, max_new_tokens=self.max_tokens, do_sample=False))
            worker.start()
            yield from streamer
            worker.join()
