"""Distractor articles for a gate set: picked from a corpus in ../shared by a fixed rule, kept in the repo as
ids only (the articles are copyrighted news), and written to a cache file at eval time.

    python -m eval.distractors   # (re)writes eval/data/multi_distractors.ids from the rule below

Rule: the articles of RealTime QA's corpus_2022.jsonl that are not the gold article of any dev question, in
file order, sampled with random.Random(SEED) to N ids, listed in file order.
"""
from __future__ import annotations

import hashlib
import json
import random
import tempfile
from pathlib import Path

from eval.datasets import DATA, ROOT

SOURCE = "../shared/data/realtimeqa/corpus_2022.jsonl"
QUESTIONS = "../shared/data/realtimeqa/questions_dev.jsonl"
IDS = DATA / "multi_distractors.ids"
N, SEED = 200, 13


class CorpusMissing(FileNotFoundError):
    """A corpus the dataset needs is not on this machine (../shared/data is not part of the repository)."""


def read_ids(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


def pick(source: Path, questions: Path, n: int = N, seed: int = SEED) -> list[str]:
    gold = {d for line in questions.read_text().splitlines() if line for d in json.loads(line)["gold_doc_ids"]}
    ids = [json.loads(line)["doc_id"] for line in source.open(encoding="utf-8") if line.strip()]
    candidates = [i for i in ids if i not in gold]
    chosen = set(random.Random(seed).sample(candidates, n))
    return [i for i in ids if i in chosen]


def materialize(source: Path, ids_file: Path, dataset: str) -> Path:
    """The chosen articles of `source` as a JSONL file in the temp dir (rewritten only when it changes)."""
    if not source.is_file():
        raise CorpusMissing(f"{source} not found: the distractor articles of {dataset} are read from "
                            f"../shared/data (not in the repository); skipping {dataset}")
    wanted = read_ids(ids_file)
    rows = {}
    with source.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                if row["doc_id"] in wanted:
                    rows[row["doc_id"]] = line if line.endswith("\n") else line + "\n"
    missing = [i for i in wanted if i not in rows]
    if missing:
        raise ValueError(f"{ids_file}: {len(missing)} ids not in {source} (first: {missing[0]})")
    text = "".join(rows[i] for i in wanted)
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    out = Path(tempfile.gettempdir()) / "news-qa-eval" / f"{dataset}-{digest}.jsonl"
    if not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    return out


def main() -> None:
    ids = pick(ROOT / SOURCE, ROOT / QUESTIONS)
    header = (f"# {len(ids)} distractor articles for multi_distractors.jsonl: ids of {SOURCE}, picked by "
              f"eval/distractors.py (non-gold articles, random.Random({SEED}).sample, file order)\n")
    IDS.write_text(header + "".join(f"{i}\n" for i in ids))
    print(f"wrote {len(ids)} ids to {IDS}")


if __name__ == "__main__":
    main()
