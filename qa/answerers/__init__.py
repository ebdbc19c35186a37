"""Answerers by key through one small factory; each backend lives in its own module."""
from __future__ import annotations

import importlib

from qa.answerers.base import Answerer

BACKENDS = {
    "extractive": ("qa.answerers.extractive", "ExtractiveAnswerer"),
    "local": ("qa.answerers.generative", "GenerativeAnswerer"),
    "openai": ("qa.answerers.generative", "GenerativeAnswerer"),
}


def resolve(name: str, settings) -> str:
    """`auto` is `local` when a local model is installed (or a GGUF path is set), otherwise `extractive`."""
    if name != "auto":
        return name
    from qa.llm.model_file import local_model_available

    return "local" if local_model_available(settings) else "extractive"


def make_answerer(name: str, store, settings) -> Answerer:
    name = resolve(name, settings)
    if name not in BACKENDS:
        raise ValueError(f"unknown answerer {name!r}; choose one of {sorted(BACKENDS)}")
    module, cls = BACKENDS[name]
    answerer_class = getattr(importlib.import_module(module), cls)
    # The LLM answerers share one class and differ by the generator their key selects.
    return answerer_class(store, settings, name) if name in ("local", "openai") else answerer_class(store, settings)
