"""RealTime QA dev questions -> an eval dataset (eval/data/realtimeqa_dev.jsonl, git-ignored: the articles
are copyrighted news, so only the path to them is committed).

    python -m eval.convert_realtimeqa [--shared ../shared]

Each question keeps its date as `as_of` ("this week" is relative to it) and its gold answer; evidence is the
gold article, narrowed to the paragraph that holds the quiz's evidence sentence when it is quoted verbatim
(else every paragraph of the gold article counts, so paragraph metrics equal article metrics there).
The quiz's answers are aliases of one fact. Questions are the quiz's own, unchanged; `leaks()` lists those
that share a content word with their answer (eval/leakage.py; the title is not a permitted source here), and
the converter prints them.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from eval.datasets import DATA, ROOT
from eval.leakage import leaked
from index.paragraphs import split_paragraphs
from qa.sentences import normalize


def convert(shared: Path) -> list[dict]:
    folder = shared / "data" / "realtimeqa"
    gold_ids = set()
    questions = [json.loads(line) for line in (folder / "questions_dev.jsonl").read_text().splitlines() if line]
    for q in questions:
        gold_ids.update(q["gold_doc_ids"])
    paragraphs = {}
    with open(folder / "corpus_2022.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["doc_id"] in gold_ids:
                paragraphs[row["doc_id"]] = [normalize(row["text"][a:b]) for a, b in split_paragraphs(row["text"])]
    items = []
    for q in questions:
        evidence = []
        for doc_id in q["gold_doc_ids"]:
            sentence = normalize(q.get("evidence") or "")
            quoted = sentence and any(sentence[:120] in p for p in paragraphs.get(doc_id, []))
            evidence.append({"article_id": doc_id, "text": q["evidence"][:200] if quoted else ""})
        items.append({"id": q["question_id"], "question": q["question"],
                      "as_of": q["question_date"].replace("/", "-"),
                      "answers": [[a.strip("“”\"") for a in q["answer"]]], "answerable": True,
                      "evidence": evidence, "tags": ["realtimeqa"]})
    return items


def leaks(items: list[dict]) -> list[tuple[str, str, set[str]]]:
    """(id, question, shared words) for each question that names a content word of its answer."""
    out = []
    for item in items:
        shared = leaked(item["question"], [a for fact in item["answers"] for a in fact])
        if shared:
            out.append((item["id"], item["question"], shared))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    if not (args.shared / "data" / "realtimeqa").is_dir():
        print(f"no RealTime QA data under {args.shared}; nothing to convert")
        return
    items = convert(args.shared)
    out = DATA / "realtimeqa_dev.jsonl"
    out.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items))
    print(f"wrote {len(items)} questions to {out}")
    found = leaks(items)
    print(f"{len(found)} of {len(items)} quiz questions share a content word with their answer (kept as given):")
    for qid, question, shared in found:
        print(f"  {qid}: {question} -- {sorted(shared)}")


if __name__ == "__main__":
    main()
