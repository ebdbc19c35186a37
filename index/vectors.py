"""Paragraph-window vectors in Chroma, written through llama-index's ChromaVectorStore, queried directly.

Embedded Chroma (`PersistentClient` under QA_HOME) by default; a Chroma server (`chroma run`) through
`HttpClient` when `index.chroma_host` / QA_CHROMA_HOST is set. We always pass our own embeddings, so the
collection has no embedding function (Chroma's default one would download a model), and telemetry is off.
`search` plans a filtered query against Chroma's costs, with the paragraph table of the keyword index.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from typing import overload

import numpy as np

from index.constraints import Constraints
from index.ids import window_id
from index.paragraph_table import ParagraphTable

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

# Chroma's metadata filter costs time linear in the collection (~0.5 s at 170k paragraphs), an unfiltered
# query of a few hundred windows a few tens of ms: a filter that lets most paragraphs through is applied
# to such an over-fetched list instead, when its share of the corpus says it will still fill top-k.
MAX_DENSE_FETCH = 400
# Up to this many windows, a filtered question searches just the windows its filters allow (`ids=`).
MAX_ID_FILTER = 100_000
# At most this many of them, and under this share of the corpus, are compared exactly instead
# (`nearest_among`): Chroma is faster for more ids, or for a few of a small collection
# (measured: 192 ids of 10k took Chroma ~10 ms; 80 ids of 1M, 1.3 s).
EXACT_SEARCH_IDS = 400
EXACT_SEARCH_SHARE = 0.001


@dataclass
class VectorHit:
    paragraph_id: str
    article_id: str
    score: float  # cosine similarity of the best window of the paragraph


def chroma_client(index_settings, home):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if index_settings.chroma_host:
        return chromadb.HttpClient(host=index_settings.chroma_host, port=index_settings.chroma_port,
                                   ssl=index_settings.chroma_ssl, settings=chroma_settings)
    return chromadb.PersistentClient(path=str(home / "chroma"), settings=chroma_settings)


class VectorIndex:
    def __init__(self, client, collection_name: str):
        self.client = client
        self.collection = client.get_or_create_collection(
            collection_name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}})
        self.max_batch = int(client.get_max_batch_size())

    @cached_property
    def store(self):
        """llama-index's view of the collection, for writes; imported on first write only."""
        from llama_index.vector_stores.chroma import ChromaVectorStore

        return ChromaVectorStore(chroma_collection=self.collection)

    def add(self, rows: list[tuple[str, int, str, dict]], vectors: np.ndarray) -> None:
        """rows: (paragraph_id, window number, window text, metadata); written in server-sized batches."""
        from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

        nodes = [
            TextNode(id_=window_id(pid, w), text=text, embedding=vec.tolist(), metadata=meta,
                     excluded_embed_metadata_keys=list(meta), excluded_llm_metadata_keys=list(meta),
                     relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=meta["article_id"])})
            for (pid, w, text, meta), vec in zip(rows, vectors)
        ]
        for i in range(0, len(nodes), self.max_batch):
            self.store.add(nodes[i:i + self.max_batch])

    def delete_article(self, article_id: str) -> None:
        self.store.delete(ref_doc_id=article_id)

    def search(self, vector: np.ndarray, k: int, c: Constraints, table: ParagraphTable) -> list[VectorHit]:
        """The paragraphs nearest `vector` under the constraints, without Chroma's `where` (its cost grows with
        the collection) where it can. `table` lists the paragraphs the constraints let through, by binary
        search over dates and by value for sources and article ids. When they are a large share of the
        corpus, an over-fetched unfiltered list is checked here; when they are few, only their windows are
        searched (`ids=`). Otherwise, or when either falls short, Chroma filters."""
        positions = table.positions(c)
        if positions is None:  # no constraint is active
            return self.query(vector, k)
        share = len(positions) / len(table) if len(table) else 0.0
        fetch = int(1.5 * k / share) + 1 if share else MAX_DENSE_FETCH + 1
        if fetch <= MAX_DENSE_FETCH:
            hits = self.query(vector, k, keep=lambda meta: c.allows(meta.get("published_day", 0),
                                                                    meta.get("source", ""), meta["article_id"]),
                              fetch=fetch)
            if hits is not None:
                return hits
        ids = table.window_ids(positions, limit=MAX_ID_FILTER)
        if ids is not None:
            few = len(ids) <= min(EXACT_SEARCH_IDS, EXACT_SEARCH_SHARE * len(table))
            hits = self.nearest_among(vector, k, ids) if few else self.query(vector, k, ids=ids)
            if hits is not None:
                return hits
        return self.query(vector, k, c.chroma_where())

    @overload
    def query(self, vector: np.ndarray, k: int, where: dict | None = None, keep: None = None,
              fetch: int = 0, ids: None = None) -> list[VectorHit]: ...

    @overload
    def query(self, vector: np.ndarray, k: int, where: dict | None = None, keep=None,
              fetch: int = 0, ids: list[str] | None = None) -> list[VectorHit] | None: ...

    def query(self, vector: np.ndarray, k: int, where: dict | None = None, keep=None,
              fetch: int = 0, ids: list[str] | None = None) -> list[VectorHit] | None:
        """The paragraphs of the k windows nearest `vector` that match the Chroma filter `where`.

        With `keep` (a test on a window's metadata) instead, `fetch` windows are asked for unfiltered and
        the first k that pass are used; None when fewer than k pass (the caller then filters in Chroma).
        With `ids`, only those windows are searched (a few ms where a `where` on dates scans the collection);
        None when one of them is no longer stored (an ingest replaced it meanwhile).
        Straight to the collection, not through llama-index: the same query without importing llama-index
        (seconds of a cold start) or rebuilding a node from every hit's JSON.
        """
        n = max(k, fetch) if keep else min(k, len(ids)) if ids is not None else k
        if ids is not None and not ids:
            return []
        from chromadb.errors import InternalError

        try:
            result = self.collection.query(query_embeddings=[vector], n_results=n, where=where or None, ids=ids,
                                           include=["metadatas", "distances"])
        except InternalError:  # "Error finding id" (embedded and server alike) for an id it no longer holds
            if ids is None:
                raise
            return None  # the caller falls back to `where`, which raises again if Chroma itself is broken
        pairs = list(zip(result["metadatas"][0], result["distances"][0]))
        if keep is not None:
            passed = [(meta, distance) for meta, distance in pairs if keep(meta)]
            if len(passed) < k and len(pairs) == n:  # fewer passed, and more were left unseen
                return None
            pairs = passed[:k]
        return self._hits(pairs)

    @staticmethod
    def _hits(pairs) -> list[VectorHit]:
        """(metadata, cosine distance) of windows -> the best hit per paragraph, best first."""
        best: dict[str, VectorHit] = {}
        for meta, distance in pairs:
            cosine = 1.0 - float(distance)  # the collection's space is cosine
            pid = meta["paragraph_id"]
            if pid not in best or cosine > best[pid].score:
                best[pid] = VectorHit(pid, meta["article_id"], cosine)
        return sorted(best.values(), key=lambda h: -h.score)

    def nearest_among(self, vector: np.ndarray, k: int, ids: list[str]) -> list[VectorHit] | None:
        """Exact top k among a few windows: their vectors fetched by id and compared here. Chroma's HNSW
        search restricted to a few ids of a big collection wanders the whole graph (1.3 s for 80 ids at 1M
        windows, against 30 ms for 8,000); a fetch by id costs ~0.3 ms a window. None when one is gone."""
        if not ids:  # constraints no paragraph meets (Chroma refuses an empty id list)
            return []
        got = self.collection.get(ids=ids, include=["embeddings", "metadatas"])
        if len(got["ids"]) < len(set(ids)):
            return None
        cosines = np.asarray(got["embeddings"], dtype=np.float32) @ np.asarray(vector, dtype=np.float32)
        top = np.argsort(-cosines, kind="stable")[:k]
        return self._hits((got["metadatas"][i], 1.0 - float(cosines[i])) for i in top)

    def entries(self):
        """(id, metadata) of every stored window, read in pages (a corpus can hold millions)."""
        offset = 0
        while True:
            page = self.collection.get(include=["metadatas"], limit=self.max_batch, offset=offset)
            yield from zip(page["ids"], page["metadatas"])
            if len(page["ids"]) < self.max_batch:
                return
            offset += self.max_batch

    def paragraph_ids(self) -> dict[str, str]:
        """paragraph_id -> article_id of everything stored."""
        return {meta["paragraph_id"]: meta["article_id"] for _, meta in self.entries()}

    def delete_ids(self, ids: list[str]) -> None:
        for i in range(0, len(ids), self.max_batch):
            self.collection.delete(ids=ids[i:i + self.max_batch])

    def finds_itself(self, window_id: str) -> bool:
        """Whether a stored window's own vector is found again at distance ~0 (the ANN index is readable)."""
        stored = self.collection.get(ids=[window_id], include=["embeddings"])
        if not len(stored["ids"]):
            return False
        found = self.collection.query(query_embeddings=[stored["embeddings"][0]], n_results=1, include=["distances"])
        return bool(found["ids"][0]) and found["distances"][0][0] < 1e-3

    def count(self) -> int:
        return self.collection.count()
