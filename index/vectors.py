"""Paragraph-window vectors in Chroma, written and queried through llama-index's ChromaVectorStore.

Embedded Chroma (`PersistentClient` under QA_HOME) by default; a Chroma server (`chroma run`) through
`HttpClient` when `index.chroma_host` / QA_CHROMA_HOST is set. We always pass our own embeddings, so the
collection has no embedding function (Chroma's default one would download a model), and telemetry is off.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@dataclass
class VectorHit:
    paragraph_id: str
    article_id: str
    score: float  # cosine similarity of the best window of the paragraph


def published_day(iso_date: str) -> int:
    """2023-11-10 -> 20231110 (Chroma range filters need numbers); 0 when unknown."""
    return int(iso_date.replace("-", "")) if iso_date else 0


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
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self.client = client
        self.collection = client.get_or_create_collection(
            collection_name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}})
        self.store = ChromaVectorStore(chroma_collection=self.collection)
        self.max_batch = int(client.get_max_batch_size())

    def add(self, rows: list[tuple[str, int, str, dict]], vectors: np.ndarray) -> None:
        """rows: (paragraph_id, window number, window text, metadata); written in server-sized batches."""
        from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

        nodes = [
            TextNode(id_=f"{pid}@w{w}", text=text, embedding=vec.tolist(), metadata=meta,
                     excluded_embed_metadata_keys=list(meta), excluded_llm_metadata_keys=list(meta),
                     relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=meta["article_id"])})
            for (pid, w, text, meta), vec in zip(rows, vectors)
        ]
        for i in range(0, len(nodes), self.max_batch):
            self.store.add(nodes[i:i + self.max_batch])

    def delete_article(self, article_id: str) -> None:
        self.store.delete(ref_doc_id=article_id)

    def query(self, vector: np.ndarray, k: int, where: dict | None = None, keep=None,
              fetch: int = 0) -> list[VectorHit] | None:
        """The paragraphs of the k windows nearest `vector` that match the Chroma filter `where`.

        With `keep` (a test on a window's metadata) instead, `fetch` windows are asked for unfiltered and
        the first k that pass are used; None when fewer than k pass (the caller then filters in Chroma).
        """
        from llama_index.core.vector_stores.types import VectorStoreQuery

        kwargs = {"where": where} if where else {}
        result = self.store.query(VectorStoreQuery(query_embedding=vector.tolist(),
                                                   similarity_top_k=max(k, fetch) if keep else k), **kwargs)
        pairs = list(zip(result.nodes, result.similarities))
        if keep is not None:
            passed = [(node, similarity) for node, similarity in pairs if keep(node.metadata)]
            if len(passed) < k and len(pairs) == max(k, fetch):  # fewer passed, and more were left unseen
                return None
            pairs = passed[:k]
        best: dict[str, VectorHit] = {}
        for node, similarity in pairs:
            cosine = 1.0 + math.log(max(similarity, 1e-12))  # the store reports exp(-cosine distance)
            pid = node.metadata["paragraph_id"]
            if pid not in best or cosine > best[pid].score:
                best[pid] = VectorHit(pid, node.metadata["article_id"], cosine)
        return sorted(best.values(), key=lambda h: -h.score)

    def paragraph_ids(self) -> dict[str, str]:
        """paragraph_id -> article_id of everything stored (paged, for the consistency check)."""
        out: dict[str, str] = {}
        offset = 0
        while True:
            page = self.collection.get(include=["metadatas"], limit=self.max_batch, offset=offset)
            for meta in page["metadatas"]:
                out[meta["paragraph_id"]] = meta["article_id"]
            if len(page["ids"]) < self.max_batch:
                return out
            offset += self.max_batch

    def count(self) -> int:
        return self.collection.count()
