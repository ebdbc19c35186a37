"""The eval runner: ingest the corpus, ask every question under each configuration, score, aggregate.

Reads like a training loop: for config in configs: for item in dataset: retrieve, answer, score.
"""
from __future__ import annotations

import time
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval import metrics as m
from eval.citations import score_citations, score_draft
from eval.datasets import EvalItem, load_dataset, sample
from eval.judge import make_judge
from qa.citations import strip_markers
from qa.sentences import normalize

CONFIGS = Path(__file__).resolve().parent / "configs"
DEPTH = 10  # ranking depth for MRR@10 / nDCG@10


def load_config(name: str) -> dict:
    path = Path(name) if name.endswith(".toml") else CONFIGS / f"{name}.toml"
    if not path.is_file():
        raise ValueError(f"unknown eval config {name!r}: no {path}")
    return tomllib.loads(path.read_text())


def evidence_index(qa, items: list[EvalItem]) -> dict[str, tuple[set[str], set[str]]]:
    """item id -> (paragraph ids, article ids) whose paragraph contains an evidence span."""
    paragraphs = [(pid, aid, normalize(text)) for pid, aid, text, *_ in qa.iter_paragraphs()]
    out = {}
    for item in items:
        pids, aids = set(), set()
        for ev in item.evidence:
            span = normalize(ev.text)
            for pid, aid, text in paragraphs:
                if span in text and (not ev.article_id or ev.article_id == aid):
                    pids.add(pid)
                    aids.add(aid)
        out[item.id] = (pids, aids)
    return out


def run_config(qa, items, relevant, judge, answerer: str | None, k: int, progress: bool, label: str) -> list[dict]:
    from tqdm import tqdm

    rows = []
    for item in tqdm(items, desc=f"eval {label}", unit="q", disable=not progress):
        started = time.perf_counter()
        ranked = qa.retrieve(item.question, k=max(k, DEPTH), as_of=item.as_of)
        retrieved = time.perf_counter()
        answer = qa.answer(item.question, ranked[:k], answerer, as_of=item.as_of)
        answered = time.perf_counter()
        cites, draft = score_citations(answer, judge), score_draft(answer, judge)
        checked = time.perf_counter()
        pids, aids = relevant[item.id]
        ranked_pids = [p.paragraph_id for p in ranked]
        ranked_aids = m.dedupe([p.article_id for p in ranked])
        rows.append({
            "id": item.id, "question": item.question, "as_of": item.as_of, "tags": item.tags,
            "answerable": item.answerable, "gold": item.answers, **answer_fields(answer, item.answers, pids),
            "relevant": sorted(pids), "retrieved": ranked_pids[:k],
            "hit@1": m.hit_at_k(ranked_pids, pids, 1), "hit@5": m.hit_at_k(ranked_pids, pids, 5),
            "recall@5": m.recall_at_k(ranked_pids, pids, 5), "mrr@10": m.mrr_at_k(ranked_pids, pids, DEPTH),
            "ndcg@10": m.ndcg_at_k(ranked_pids, pids, DEPTH), "article_hit@5": m.hit_at_k(ranked_aids, aids, 5),
            "article_mrr@10": m.mrr_at_k(ranked_aids, aids, DEPTH),
            "citation_scores": citation_row(cites), "draft_citation_scores": citation_row(draft),
            "latency": {"retrieve": retrieved - started, "generate": answered - retrieved, "check": checked - answered,
                        # an LLM answerer's time to its first token (the extractive answerer: its whole answer)
                        "first_token": (answer.timings or {}).get("first_token", answered - retrieved)},
        })
    return rows


def answer_fields(answer, gold, pids: set[str]) -> dict:
    """A row's fields that depend on the answer alone (`qa eval` and eval/recheck.py score answers the same way)."""
    said = strip_markers(answer.text)  # the words of the answer, without its [n] markers
    return {
        "answer": answer.text, "refused": answer.refused, "answerer": answer.answerer,
        # An LLM answerer's draft left nothing and the extractive answerer answered instead (llm.fallback).
        "fallback": bool(answer.draft) and answer.answerer == "extractive" and not answer.refused,
        # What an LLM wrote before the guard, and the guard's verdict on each sentence (failure analysis).
        "draft": answer.draft or None,
        "guard": [{"text": s["text"], "action": s["action"], **({"reason": s["reason"]} if "reason" in s else {})}
                  for s in answer.sentences or []],
        "citations": [{"n": c.n, "paragraph_id": c.paragraph_id} for c in answer.citations],
        "answer_recall": m.answer_recall(said, gold) if not answer.refused else 0.0,
        "token_f1": m.token_f1(said, gold) if not answer.refused else 0.0,
        "answer_words": len(said.split()) if not answer.refused else 0,
        # The answer cites a gold evidence paragraph (PolNeAR: one attributed to the asked speaker).
        "evidence_cited": float(any(c.paragraph_id in pids for c in answer.citations)),
    }


def citation_row(scores) -> dict | None:
    if scores is None:
        return None
    return {"sentences": scores.sentences, "supported": scores.supported, "citations": scores.citations,
            "relevant": scores.relevant, "invalid": scores.invalid, "recall": scores.recall,
            "precision": scores.precision, "grounded": scores.grounded}


def citation_means(rows: list[dict], key: str, prefix: str) -> dict[str, float | None]:
    """ALCE: per-answer citation recall and precision averaged over the answers scored (None when none)."""
    scored = [r[key] for r in rows if r.get(key)]
    n = len(scored)

    def mean(field):
        return sum(float(s[field]) for s in scored) / n if n else None

    return {f"{prefix}citation_recall": mean("recall"), f"{prefix}citation_precision": mean("precision"),
            f"{prefix}groundedness": mean("grounded"),
            f"{prefix}invalid_citations": sum(s["invalid"] for s in scored)}


def aggregate(rows: list[dict]) -> dict[str, float]:
    def mean(key, subset):  # None when undefined (no question of that kind), shown as "n/a"
        return sum(r[key] for r in subset) / len(subset) if subset else None

    answerable = [r for r in rows if r["answerable"]]
    with_evidence = [r for r in answerable if r["relevant"]]
    out = {key: mean(key, with_evidence) for key in
           ("hit@1", "hit@5", "recall@5", "mrr@10", "ndcg@10", "article_hit@5", "article_mrr@10")}
    out.update(answer_recall=mean("answer_recall", answerable), token_f1=mean("token_f1", answerable),
               evidence_cited=mean("evidence_cited", [r for r in with_evidence if "evidence_cited" in r]))
    answered = [r for r in rows if not r["refused"]]
    out["answered"] = len(answered)
    out["answer_words"] = mean("answer_words", answered)
    # Citation recall / precision / groundedness (the share of answers every sentence of which is supported)
    # over the answered questions; the draft's, before the grounding guard, over the drafts that answer.
    out.update(citation_means(answered, "citation_scores", ""))
    out.update(citation_means(rows, "draft_citation_scores", "draft_"))
    out["drafts"] = sum(1 for r in rows if r.get("draft_citation_scores"))
    out["fallback_answers"] = sum(1 for r in rows if r.get("fallback"))
    out.update(m.refusal_scores([r["refused"] for r in rows], [r["answerable"] for r in rows]))
    for stage in ("retrieve", "generate", "check", "first_token"):
        values = [r["latency"].get(stage, r["latency"]["generate"]) * 1000 for r in rows]
        out[f"{stage}_ms_p50"], out[f"{stage}_ms_p95"] = m.percentile(values, 50), m.percentile(values, 95)
    out["questions"] = len(rows)
    return out


def by_tag(rows: list[dict]) -> dict[str, dict[str, float]]:
    tags = sorted({t for r in rows for t in r["tags"]})
    return {t: aggregate([r for r in rows if t in r["tags"]]) for t in tags}


def run_eval(dataset, corpus: list[Path], home: Path, configs: Sequence[str] = ("default",),
             answerer: str | None = None,
             k: int = 5, progress: bool = True, limit: int | None = None, judge: str = "heuristic",
             judge_backend: str = "local") -> dict:
    from qa import QA

    all_items = load_dataset(dataset)
    items = sample(all_items, limit)
    report: dict[str, Any] = {"dataset": str(dataset), "corpus": [str(c) for c in corpus],
                              "answerer": answerer or "default", "k": k, "questions": len(items), "home": str(home),
                              "of": len(all_items), "configs": {}}
    base = QA(home, index={"seed_default_corpus": False})
    ingest = base.ingest(corpus, progress=progress)
    report["ingest"] = {"skipped": ingest.skipped, "articles": len(base.articles())}
    relevant = evidence_index(base, items)
    citation_judge = make_judge(judge, base.settings, base.embedder, backend=judge_backend)
    report["judge"] = citation_judge.name
    for name in configs:
        qa = QA(home, index={"seed_default_corpus": False}, **load_config(name))
        rows = run_config(qa, items, relevant, citation_judge, answerer, k, progress, name)
        report["configs"][name] = {"metrics": aggregate(rows), "by_tag": by_tag(rows), "items": rows}
    return report


