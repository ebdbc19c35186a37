"""How often a disagreement between outlets is surfaced, and how often a false one is, on labelled pairs of
RealTime QA paragraphs (eval/data/disagreement_pairs.jsonl: article ids, paragraph numbers and labels only;
the text is read from ../shared at run time).

    python -m eval.disagreement [--shared ../shared]

Labels, given by reading both paragraphs: `differ` (the same event and the same quantity, reported with
different values: a disputed figure, or a toll or count that changed between the two reports) and
`consistent` (same figures, or figures of different things). The pairs were drawn three ways (`sample`):
paragraph pairs sharing names whose numbers the claim extractor finds in conflict (`claims`, so it favours
the detector: recall there is optimistic), pairs sharing names (`names`), and pairs with casualty or
evacuation words (`casualty-words`). The rule under test is `qa.disagreement.differ`, with the question-time
embedder for "same event" and no story clusters (each article is its own story here).
Writes eval/results/disagreement.{json,md}.
"""
from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from eval.datasets import DATA, ROOT
from index.paragraphs import split_paragraphs
from qa.disagreement import differ

RESULTS = ROOT / "eval" / "results"


def paragraphs(shared: Path, wanted: set[str]) -> dict[str, tuple[str, str]]:
    """doc id -> (host, text) for the wanted articles."""
    out = {}
    with open(shared / "data" / "realtimeqa" / "corpus_2022.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["doc_id"] in wanted:
                out[row["doc_id"]] = (row["url"].split("/")[2], row["text"])
    return out


def passage(doc_id: str, n: int, articles: dict) -> SimpleNamespace:
    host, text = articles[doc_id]
    a, b = split_paragraphs(text)[n - 1]
    return SimpleNamespace(article_id=doc_id, source=host, text=text[a:b], story_id="")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    if not (args.shared / "data" / "realtimeqa" / "corpus_2022.jsonl").is_file():
        print(f"no RealTime QA data under {args.shared}; nothing to measure")
        return
    from qa import QA
    from qa.annotate import embedding_similarity

    pairs = [json.loads(line) for line in (DATA / "disagreement_pairs.jsonl").read_text().splitlines() if line]
    articles = paragraphs(args.shared, {p["a"][0] for p in pairs} | {p["b"][0] for p in pairs})
    with tempfile.TemporaryDirectory() as home:
        qa = QA(home, index={"seed_default_corpus": False})
        similarity = embedding_similarity(qa.store.embedder)
        counts: Counter = Counter()
        for p in pairs:
            (doc_a, n_a), (doc_b, n_b) = p["a"], p["b"]
            a, b = passage(doc_a, n_a, articles), passage(doc_b, n_b, articles)
            flagged = bool(differ(a, b, similarity) or differ(b, a, similarity))
            counts[(p["sample"], p["label"], flagged)] += 1
        qa.close()
    report: dict[str, Any] = {"command": "python -m eval.disagreement", "pairs": len(pairs), "by_sample": {}}
    for sample in ["all", *sorted({p["sample"] for p in pairs})]:
        def pick(label: str, flagged: bool, sample: str = sample) -> int:
            return sum(v for (s, lab, f), v in counts.items()
                       if (sample == "all" or s == sample) and lab == label and f == flagged)
        differ_n, consistent_n = pick("differ", True) + pick("differ", False), pick("consistent", True) + \
            pick("consistent", False)
        report["by_sample"][sample] = {
            "differ_pairs": differ_n, "surfaced": pick("differ", True),
            "surfaced_rate": pick("differ", True) / differ_n if differ_n else None,
            "consistent_pairs": consistent_n, "false_alarms": pick("consistent", True),
            "false_alarm_rate": pick("consistent", True) / consistent_n if consistent_n else None}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "disagreement.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [f"`{report['command']}` — {len(pairs)} labelled RealTime QA paragraph pairs", "",
             "| sample | differ pairs | surfaced | consistent pairs | false alarms |", "|---|---|---|---|---|"]

    def rate(x: float | None) -> str:
        return f"{x:.2f}" if x is not None else "-"

    for sample, r in report["by_sample"].items():
        lines.append(f"| {sample} | {r['differ_pairs']} | {r['surfaced']} ({rate(r['surfaced_rate'])}) | "
                     f"{r['consistent_pairs']} | {r['false_alarms']} ({rate(r['false_alarm_rate'])}) |")
    (RESULTS / "disagreement.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
