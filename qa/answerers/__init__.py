"""Answerers by key through one small factory; each backend lives in its own module."""
from __future__ import annotations

import importlib

from qa.answerers.base import Answerer

BACKENDS = {
    "extractive": ("qa.answerers.extractive", "ExtractiveAnswerer"),
}


def make_answerer(name: str, store, settings) -> Answerer:
    if name not in BACKENDS:
        raise ValueError(f"unknown answerer {name!r}; choose one of {sorted(BACKENDS)}")
    module, cls = BACKENDS[name]
    return getattr(importlib.import_module(module), cls)(store, settings)
