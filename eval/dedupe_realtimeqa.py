"""Syndicated copies on RealTime QA: reprints made by rule (eval/reprint_rules.py) mixed with the originals.

    python -m eval.dedupe_realtimeqa [--originals 600] [--questions 103] [--distractors 150] [--shared ../shared]

1. Detection: `--originals` articles sampled from the corpus, half of them with two reprints each, go through
   index/dedupe.py's clustering (the code `sync` runs at ingest, without the embedding). Article pairs: two
   articles in one story; paragraph pairs: two paragraphs in one cluster. Truth: the pairs the rules made
   (a reprint and its original, two reprints of one original; a paragraph and its copies, that is, the
   paragraphs made from the same original text), plus article pairs with the very same body (the crawl holds
   some pages twice). Boilerplate lines the rules added are left out of the scores.
2. Retrieval: the dev questions over their gold articles, two reprints of each, `--distractors` other articles
   (a third of them with two reprints), ingested for real; top 5 for each question at its date, with reprints
   collapsed and not (`retrieval.collapse_reprints`): distinct articles, distinct stories, copies of a passage
   already ranked, and whether the gold story is there.
Writes eval/results/dedupe_realtimeqa.{json,md,png}: numbers only, no article text.
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from eval.datasets import ROOT
from eval.reprint_rules import Copy, reprint
from index.dedupe import MIN_WORDS, Duplicates
from index.ids import paragraph_id
from index.paragraphs import split_paragraphs

RESULTS = ROOT / "eval" / "results"


def load(shared: Path) -> tuple[list[dict], list[dict]]:
    folder = shared / "data" / "realtimeqa"
    rows = [json.loads(line) for line in (folder / "corpus_2022.jsonl").read_text("utf-8").splitlines() if line]
    questions = [json.loads(line) for line in (folder / "questions_dev.jsonl").read_text("utf-8").splitlines() if line]
    return rows, questions


def as_copy(row: dict) -> Copy:
    paragraphs = [row["text"][a:b] for a, b in split_paragraphs(row["text"])]
    return Copy(row["doc_id"], row["doc_id"], row.get("title") or "", (row.get("publish_date") or "").replace("/", "-"),
                row["url"].split("/")[2], paragraphs, list(range(len(paragraphs))))


def family(rows: list[dict], with_reprints: set[str], seed: int) -> list[Copy]:
    rng = random.Random(seed)
    out = []
    for row in rows:
        original = as_copy(row)
        out.append(original)
        if row["doc_id"] in with_reprints:
            out += [reprint(original.doc_id, original.title, original.published, original.paragraphs, k, rng)
                    for k in (1, 2)]
    return out


def pairs(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
    return {(a, b) if a <= b else (b, a) for members in groups.values() for a, b in itertools.combinations(members, 2)}


def scores(predicted: set, truth: set) -> dict:
    hit = len(predicted & truth)
    return {"precision": hit / len(predicted) if predicted else 1.0, "recall": hit / len(truth) if truth else 1.0,
            "predicted_pairs": len(predicted), "true_pairs": len(truth)}


def detection(copies: list[Copy], path: Path) -> dict:
    d = Duplicates(path)
    texts: dict[str, str] = {}
    started = time.perf_counter()
    touched: set[str] = set()
    with d.transaction():
        for c in sorted(copies, key=lambda c: (c.published, c.doc_id)):
            texts[f"a:{c.doc_id}"] = "\n".join(c.paragraphs)
            texts.update({f"p:{paragraph_id(c.doc_id, n)}": t for n, t in enumerate(c.paragraphs, 1)})
            touched |= d.add(c.doc_id, c.doc_id, c.published, list(enumerate(c.paragraphs, 1)),
                             lambda items: {i: texts[i] for i in items if i in texts})
        d.recluster(touched)
    seconds = time.perf_counter() - started
    stories: dict[str, list[str]] = {}
    for article_id, story in d._db.execute("SELECT article_id, story_id FROM articles"):
        stories.setdefault(story, []).append(article_id)
    by_original: dict[str, list[str]] = {}
    for c in copies:
        by_original.setdefault(c.original, []).append(c.doc_id)
    bodies = {c.doc_id: " ".join(" ".join(c.paragraphs).lower().split()) for c in copies}
    predicted = pairs(stories)
    article = scores(predicted, pairs(by_original) | {p for p in predicted if bodies[p[0]] == bodies[p[1]]})
    # Paragraphs: scored where the rules know their origin (not added boilerplate) and long enough to cluster.
    # A paragraph's truth key is the text of the original paragraph it was made from (a line that an article
    # repeats, or that two articles share, is one paragraph however the rules edited its copies).
    original_text = {c.doc_id: c.paragraphs for c in copies if c.doc_id == c.original}
    key = {}
    for c in copies:
        for n, (t, origin) in enumerate(zip(c.paragraphs, c.origin), 1):
            if origin is not None and len(re.findall(r"\w+", t)) >= MIN_WORDS:
                key[paragraph_id(c.doc_id, n)] = " ".join(original_text[c.original][origin].lower().split())
    clusters: dict[str, list[str]] = {}
    for pid, canonical in d._db.execute("SELECT paragraph_id, canonical_id FROM paragraphs"):
        if pid in key:
            clusters.setdefault(canonical, []).append(pid)
    predicted = pairs(clusters)
    by_key: dict[str, list[str]] = {}
    for pid, k in key.items():
        by_key.setdefault(k, []).append(pid)
    paragraph = scores(predicted, pairs(by_key))
    d.close()
    return {"articles": len(copies), "originals": len(by_original), "paragraphs_scored": len(key),
            "seconds": round(seconds, 1), "article_pairs": article, "paragraph_pairs": paragraph}


def retrieval(copies: list[Copy], questions: list[dict], home: Path) -> dict:
    from qa import QA

    corpus = home / "corpus.jsonl"  # the articles for this run only, under the (temporary) home
    home.mkdir(parents=True, exist_ok=True)
    corpus.write_text("".join(json.dumps({"id": c.doc_id, "title": c.title, "published": c.published,
                                          "source": c.source, "paragraphs": c.paragraphs}) + "\n" for c in copies))
    QA(home / "index", index={"seed_default_corpus": False}).ingest([corpus])
    origin = {c.doc_id: c.original for c in copies}
    out = {}
    for mode, collapse in (("before", False), ("after", True)):
        qa = QA(home / "index", index={"seed_default_corpus": False}, retrieval={"collapse_reprints": collapse})
        rows = []
        for q in questions:
            top = qa.retrieve(q["question"], k=5, as_of=q["question_date"].replace("/", "-"))
            families = [origin[p.article_id] for p in top]
            seen, copies_ranked = set(), 0
            for p in top:
                text = " ".join(p.text.lower().split())
                copies_ranked += text in seen
                seen.add(text)
            rows.append({"articles": len({p.article_id for p in top}), "stories": len(set(families)),
                         "copies": copies_ranked, "gold": any(f in q["gold_doc_ids"] for f in families)})
        qa.close()
        n = len(rows)
        out[mode] = {"distinct_articles@5": sum(r["articles"] for r in rows) / n,
                     "distinct_stories@5": sum(r["stories"] for r in rows) / n,
                     "repeated_paragraphs@5": sum(r["copies"] for r in rows) / n,
                     "gold_story_hit@5": sum(r["gold"] for r in rows) / n, "questions": n}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--originals", type=int, default=600)
    parser.add_argument("--questions", type=int, default=103)
    parser.add_argument("--distractors", type=int, default=150)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-retrieval", action="store_true")
    parser.add_argument("--home", type=Path, default=None,
                        help="keep the retrieval part's index here (reused by the next run; default: a temp dir)")
    args = parser.parse_args()
    if not (args.shared / "data" / "realtimeqa" / "corpus_2022.jsonl").is_file():
        print(f"no RealTime QA data under {args.shared}; nothing to measure")
        return
    rows, questions = load(args.shared)
    rng = random.Random(args.seed)
    sample = rng.sample(rows, args.originals)
    report: dict[str, Any] = {"command": "python -m eval.dedupe_realtimeqa " + " ".join(
        f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items() if k not in ("shared", "skip_retrieval", "home")),
        "settings": {"seed": args.seed}}
    with tempfile.TemporaryDirectory() as tmp:
        half = {r["doc_id"] for r in sample[: len(sample) // 2]}
        report["detection"] = detection(family(sample, half, args.seed), Path(tmp) / "detection.sqlite3")
        print(json.dumps(report["detection"], indent=1))
        if not args.skip_retrieval:
            questions = questions[: args.questions]
            gold = {d for q in questions for d in q["gold_doc_ids"]}
            by_id = {r["doc_id"]: r for r in rows}
            others = rng.sample([r for r in rows if r["doc_id"] not in gold], args.distractors)
            chosen = [by_id[d] for d in sorted(gold) if d in by_id] + others
            with_reprints = gold | {r["doc_id"] for r in others[: args.distractors // 3]}
            copies = family(chosen, with_reprints, args.seed + 1)
            report["retrieval"] = retrieval(copies, questions, args.home or Path(tmp) / "home")
            report["retrieval"]["articles"] = len(copies)
            print(json.dumps(report["retrieval"], indent=1))
    write(report)


def write(report: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "dedupe_realtimeqa.json").write_text(json.dumps(report, indent=2) + "\n")
    det = report["detection"]
    lines = [f"`{report['command']}`", "", f"Detection: {det['articles']} articles ({det['originals']} originals), "
             f"{det['paragraphs_scored']} paragraphs scored, {det['seconds']} s", "",
             "| pairs | precision | recall | predicted | true |", "|---|---|---|---|---|"]
    for name in ("article_pairs", "paragraph_pairs"):
        s = det[name]
        lines.append(f"| {name.split('_')[0]} | {s['precision']:.3f} | {s['recall']:.3f} | {s['predicted_pairs']} | "
                     f"{s['true_pairs']} |")
    fig, axes = plt.subplots(1, 2 if "retrieval" in report else 1, figsize=(10, 4), squeeze=False)
    names = ["article P", "article R", "paragraph P", "paragraph R"]
    values = [det["article_pairs"]["precision"], det["article_pairs"]["recall"],
              det["paragraph_pairs"]["precision"], det["paragraph_pairs"]["recall"]]
    axes[0][0].bar(names, values, color=["#4c72b0", "#4c72b0", "#55a868", "#55a868"])
    axes[0][0].set_ylim(0, 1.05)
    axes[0][0].set_title("duplicate detection (RealTime QA + rule-made reprints)")
    if "retrieval" in report:
        r = report["retrieval"]
        metrics = ["distinct_articles@5", "distinct_stories@5", "repeated_paragraphs@5", "gold_story_hit@5"]
        lines += ["", f"Retrieval: {r['before']['questions']} dev questions over {r['articles']} articles (gold + "
                  "reprints + distractors), top 5 at the question's date", "",
                  "| | " + " | ".join(metrics) + " |", "|---" * (len(metrics) + 1) + "|"]
        for mode in ("before", "after"):
            lines.append(f"| {mode} collapsing | " + " | ".join(f"{r[mode][m]:.2f}" for m in metrics) + " |")
        x = range(len(metrics))
        axes[0][1].bar([i - 0.2 for i in x], [r["before"][m] for m in metrics], 0.4, label="before")
        axes[0][1].bar([i + 0.2 for i in x], [r["after"][m] for m in metrics], 0.4, label="after")
        axes[0][1].set_xticks(list(x), [m.replace("@5", "") for m in metrics], rotation=15, fontsize=8)
        axes[0][1].set_title("top 5: before and after collapsing reprints")
        axes[0][1].legend()
    fig.tight_layout()
    fig.savefig(RESULTS / "dedupe_realtimeqa.png", dpi=100)
    (RESULTS / "dedupe_realtimeqa.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
