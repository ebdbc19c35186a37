"""The index as one object: manifest (SQLite) + vectors (Chroma) + keyword index (BM25) + embedder.

Everything lives under `settings.home`, in files named by the collection hash, so indexes built with
another model or window setting sit side by side and are never mixed.
"""
from __future__ import annotations

import threading
from functools import cached_property

from index.embed import Embedder
from index.keyword import KeywordIndex
from index.manifest import Manifest


class IndexStore:
    def __init__(self, settings):
        self.settings = settings
        self.home = settings.home
        self.home.mkdir(parents=True, exist_ok=True)
        self.collection_name = settings.collection_name()
        s = settings.index
        self.embedder = Embedder(s.embedding_model, s.device, s.embed_batch_size, s.window_overlap,
                                 cache_path=self.home / "cache" / f"{self.collection_name}-vectors.sqlite3")
        self.manifest = Manifest(self.home / "manifest" / f"{self.collection_name}.sqlite3")
        self._keyword = KeywordIndex(self.home / "keyword" / self.collection_name)
        self._keyword_lock = threading.Lock()
        self._derived: dict[str, tuple[int, object]] = {}

    @cached_property
    def vectors(self):
        # Imported lazily: chromadb and llama-index take seconds to import and the CLI's `articles` needs neither.
        from index.vectors import VectorIndex, chroma_client

        return VectorIndex(chroma_client(self.settings.index, self.home), self.collection_name)

    @property
    def keyword(self) -> KeywordIndex:
        """The BM25 index, reloaded or rebuilt whenever the manifest has moved on since it was saved.

        Each load or rebuild makes a new object that is never changed afterwards, swapped in whole: a
        question being answered keeps the snapshot it started with while an ingest moves on.
        Another process sharing this home (an app replica) bumps the same manifest's generation, so this
        check (one SELECT per question) also notices its writes. Loading or rebuilding holds the saved index's
        file lock: when several processes notice at once, one rebuilds and saves, the others wait and load it.
        """
        if self._keyword.generation == self.manifest.generation():
            return self._keyword
        with self._keyword_lock, self._keyword.lock():
            generation = self.manifest.generation()  # read again: it may have moved while we waited
            if self._keyword.generation != generation:
                fresh = KeywordIndex(self._keyword.directory)
                if not (fresh.load() and fresh.generation == generation):
                    fresh.rebuild(self.manifest.iter_paragraphs(), generation)
                self._keyword = fresh
            return self._keyword

    def derived(self, name: str, build):
        """`build(manifest)`, cached until the manifest's generation moves on: lookups every question needs
        (the known speakers) are then built once per index change, not once per question."""
        generation = self.manifest.generation()
        cached = self._derived.get(name)
        if cached is None or cached[0] != generation:
            cached = self._derived[name] = (generation, build(self.manifest))
        return cached[1]

    @property
    def keyword_directory(self):
        return self._keyword.directory

    def rebuild_keyword(self) -> KeywordIndex:
        with self._keyword_lock, self._keyword.lock():
            fresh = KeywordIndex(self._keyword.directory)
            fresh.rebuild(self.manifest.iter_paragraphs(), self.manifest.generation())
            self._keyword = fresh
            return fresh

    def reset_vectors(self) -> None:
        """Drop the Chroma collection (for `doctor`, which then rewrites every article from the manifest)."""
        self.vectors.client.delete_collection(self.collection_name)
        del self.__dict__["vectors"]

    def delete_article(self, article_id: str) -> bool:
        if self.manifest.article(article_id) is None:
            return False
        # Marked pending first and the manifest row goes last: a crash in between leaves a pending article,
        # which the next ingest removes, never a `done` article with some of its vectors gone.
        self.manifest.set_state(article_id, "pending")
        self.vectors.delete_article(article_id)
        self.manifest.delete(article_id)
        return True

    def close(self) -> None:
        self.manifest.close()
