"""Query latency on one home, in one process: each step of the query path timed on the same questions.

    python bench/query_latency.py --home DIR [--questions 40] [--server PORT]

Steps (p50 / p95 over RealTime QA dev questions, after warm-up calls):
  embed       the query's embedding alone          chroma     one raw Chroma query (top 50 windows) alone
  dense       embed + VectorIndex.query            bm25       KeywordIndex.search (top 50)
  hybrid      QA.retrieve (dense + BM25 + speakers, fused) without a date
  hybrid+date QA.retrieve with as_of = the question's date (date filters on every retriever)
  hybrid+week QA.retrieve filtered to the 7 days before the question's date (a narrow window)
  ask         QA.ask, extractive answerer, with as_of
  contains    Chroma's own text filter: the query's rarest word as where_document $contains (unranked)
With --server PORT the vectors come from a `chroma run` server on 127.0.0.1:PORT (QA_CHROMA_HOST/PORT).
Prints one JSON line: the percentiles, peak RSS and the machine.
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import machine, pct, peak_rss_mib, questions  # noqa: E402

STEPS = ["embed", "chroma", "dense", "bm25", "hybrid", "hybrid+date", "hybrid+week", "ask", "contains"]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def rarest_word(keyword, question: str) -> str:
    """The query word with the fewest BM25 postings (what a substring filter should look for)."""
    words = [w for w in question.replace("?", " ").split() if len(w) > 3 and w.isalpha()]
    stems = keyword.tokenize(words) if words else []
    vocab, indptr = keyword._bm25.vocab_dict, keyword._bm25.scores["indptr"]
    scored = [(int(indptr[vocab[s[0]] + 1] - indptr[vocab[s[0]]]), w) for w, s in zip(words, stems) if s and s[0] in vocab]
    return min(scored)[1] if scored else (words[0] if words else "the")


def measure(home: Path, n_questions: int) -> dict:
    from qa import QA

    qa = QA(home, index={"seed_default_corpus": False})
    store = qa.store
    # Every step encodes, as answering does (question_time: the numpy encoder); the question-vector cache
    # (a cold-start aid) would hide the encoder after one run.
    if getattr(store.embedder, "cache", None) is not None:
        store.embedder.cache = None
    qs = questions(n_questions + 1)
    warm, qs = qs[0], qs[1:]
    for _ in range(3):  # model, BM25 and Chroma loaded, and the first slow calls of torch done, before timing
        qa.ask(warm["question"], as_of=warm["as_of"])
    # (A revision from before `question_time`, for the before/after table, encodes the old way.)
    takes_flag = "question_time" in inspect.signature(store.embedder.encode).parameters
    encode = lambda text: store.embedder.encode([text], **({"question_time": True} if takes_flag else {}))  # noqa: E731
    for q in qs[:10]:
        encode(q["question"])
    keyword, collection = store.keyword, store.vectors.collection
    times: dict[str, list[float]] = {s: [] for s in STEPS}
    for q in qs:
        text = q["question"]
        vector = encode(text)[0]
        word = rarest_word(keyword, text)
        times["embed"].append(timed(lambda: encode(text)))
        times["chroma"].append(timed(lambda: collection.query(query_embeddings=[vector], n_results=50)))
        times["dense"].append(timed(lambda: store.vectors.query(encode(text)[0], 50)))
        times["bm25"].append(timed(lambda: keyword.search(text, 50)))
        times["hybrid"].append(timed(lambda: qa.retrieve(text)))
        times["hybrid+date"].append(timed(lambda: qa.retrieve(text, as_of=q["as_of"])))
        week = {"date_from": (date.fromisoformat(q["as_of"]) - timedelta(days=7)).isoformat(), "date_to": q["as_of"]}
        times["hybrid+week"].append(timed(lambda: qa.retrieve(text, filters=week)))
        times["ask"].append(timed(lambda: qa.ask(text, as_of=q["as_of"])))
        times["contains"].append(timed(lambda: collection.get(where_document={"$contains": word}, limit=50,
                                                                include=["metadatas"])))
    windows = store.vectors.count()
    out = {"paragraphs": len(keyword.table), "windows": windows, "questions": len(qs),
           "vectors_mib": windows * store.embedder.dimension * 4 / 2**20,  # the float32 vectors themselves
           "p50_ms": {s: 1000 * pct(v, 50) for s, v in times.items()},
           "p95_ms": {s: 1000 * pct(v, 95) for s, v in times.items()},
           "peak_rss_mib": peak_rss_mib(), "machine": machine()}
    p50 = out["p50_ms"]
    out["ratio_hybrid"] = p50["hybrid"] / (p50["embed"] + p50["chroma"])
    out["ratio_dense"] = p50["dense"] / (p50["embed"] + p50["chroma"])
    qa.close()
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--questions", type=int, default=40)
    ap.add_argument("--server", type=int, default=0, help="port of a chroma server on 127.0.0.1")
    args = ap.parse_args()
    if args.server:
        os.environ.update(QA_CHROMA_HOST="127.0.0.1", QA_CHROMA_PORT=str(args.server))
    print(json.dumps(measure(args.home, args.questions)))
