"""Query latency on one home, in one process: each step of the query path timed on the same questions.

    python bench/query_latency.py --home DIR [--questions 100] [--server PORT]

Steps (p50 / p95 / p99 over RealTime QA dev questions, after warm-up calls):
  embed       the question's embedding alone, by the app's question-time encoder (Embedder.encode(question_time))
  chroma      the app's own dense call alone: VectorIndex.search(vector, candidates, no constraints, the keyword
              index's paragraph table), i.e. collection.query(n_results=candidates, include=[metadatas,
              distances]) as retrieval makes it, not chromadb's default include (which also fetches documents)
  dense       embed + that call, timed together: the reference every hybrid ratio divides by
  dense+date  embed + the app's dense call under the question's as_of constraints (what hybrid+date's dense
              retriever runs): the reference for hybrid+date
  bm25        KeywordIndex.search (top `candidates`)
  hybrid      QA.retrieve (dense + BM25 + speakers, fused) without a date
  hybrid+date QA.retrieve with as_of = the question's date (date filters on every retriever)
  hybrid+week QA.retrieve filtered to the 7 days before the question's date (a narrow window)
  ask         QA.ask, extractive answerer, with as_of
  contains    Chroma's own text filter: the query's rarest word as where_document $contains (unranked)
With --server PORT the vectors come from a `chroma run` server on 127.0.0.1:PORT (QA_CHROMA_HOST/PORT).
With few questions p99 is close to the slowest one; 100 questions make it the mean of the two slowest.
Prints one JSON line: the percentiles, the ratios, peak RSS and the machine.
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

STEPS = ["embed", "chroma", "dense", "dense+date", "bm25", "hybrid", "hybrid+date", "hybrid+week", "ask", "contains"]
PERCENTILES = (50, 95, 99)


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


def app_dense_call(qa):
    """(dense(vector, constraints), dated_constraints(question, as_of)): the dense retriever's call exactly as
    qa/retrieve.py makes it (same k, same include, same planning over the paragraph table), and the
    constraints it would get for a question with that as_of. A revision from before VectorIndex.search (the
    before/after table) gets its plain VectorIndex.query and no dated reference."""
    store = qa.store
    candidates = getattr(getattr(qa.settings, "retrieval", None), "candidates", 50)
    if not hasattr(store.vectors, "search"):
        return (lambda vector, c: store.vectors.query(vector, candidates)), (lambda text, as_of: None)
    from qa.filters import resolve_constraints
    from qa.query import analyze, known_speakers

    def dense(vector, c):
        if c is None:
            from index.constraints import Constraints

            c = Constraints()
        return store.vectors.search(vector, candidates, c, store.keyword.table)

    def dated(text, as_of):
        info = analyze(text, date.fromisoformat(as_of), known_speakers(store),
                       window_days=qa.settings.retrieval.recent_window_days)
        return resolve_constraints(store, info, None)
    return dense, dated


def measure(home: Path, n_questions: int) -> dict:
    from qa import QA

    qa = QA(home, index={"seed_default_corpus": False})
    store = qa.store
    candidates = getattr(getattr(qa.settings, "retrieval", None), "candidates", 50)
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
    dense_call, dated_constraints = app_dense_call(qa)
    times: dict[str, list[float]] = {s: [] for s in STEPS}
    for q in qs:
        text = q["question"]
        vector = encode(text)[0]
        word = rarest_word(keyword, text)
        dated = dated_constraints(text, q["as_of"])
        times["embed"].append(timed(lambda: encode(text)))
        times["chroma"].append(timed(lambda: dense_call(vector, None)))
        times["dense"].append(timed(lambda: dense_call(encode(text)[0], None)))
        times["dense+date"].append(timed(lambda: dense_call(encode(text)[0], dated)))
        times["bm25"].append(timed(lambda: keyword.search(text, candidates)))
        times["hybrid"].append(timed(lambda: qa.retrieve(text)))
        times["hybrid+date"].append(timed(lambda: qa.retrieve(text, as_of=q["as_of"])))
        week = {"date_from": (date.fromisoformat(q["as_of"]) - timedelta(days=7)).isoformat(), "date_to": q["as_of"]}
        times["hybrid+week"].append(timed(lambda: qa.retrieve(text, filters=week)))
        times["ask"].append(timed(lambda: qa.ask(text, as_of=q["as_of"])))
        times["contains"].append(timed(lambda: collection.get(where_document={"$contains": word}, limit=50,
                                                                include=["metadatas"])))
    windows = store.vectors.count()
    # (A revision from before the paragraph table kept the ids on the keyword index itself.)
    paragraphs = len(keyword.table) if hasattr(keyword, "table") else len(keyword.paragraph_ids)
    out = {"paragraphs": paragraphs, "windows": windows, "questions": len(qs),
           "vectors_mib": windows * store.embedder.dimension * 4 / 2**20,  # the float32 vectors themselves
           **{f"p{q}_ms": {s: 1000 * pct(v, q) for s, v in times.items()} for q in PERCENTILES},
           "peak_rss_mib": peak_rss_mib(), "machine": machine()}
    # Each ratio divides by the app's own dense call measured in this run, at the same percentile.
    out["ratios"] = {f"p{q}": {"hybrid / dense": out[f"p{q}_ms"]["hybrid"] / out[f"p{q}_ms"]["dense"],
                               "hybrid+date / dense+date": out[f"p{q}_ms"]["hybrid+date"] / out[f"p{q}_ms"]["dense+date"]}
                     for q in PERCENTILES}
    qa.close()
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--questions", type=int, default=100)
    ap.add_argument("--server", type=int, default=0, help="port of a chroma server on 127.0.0.1")
    args = ap.parse_args()
    if args.server:
        os.environ.update(QA_CHROMA_HOST="127.0.0.1", QA_CHROMA_PORT=str(args.server))
    print(json.dumps(measure(args.home, args.questions)))
