"""PolNeAR attributions -> "What did X say about Y?" questions (eval/data/polnear_dev.jsonl, git-ignored).

    python -m eval.convert_polnear [--n 200] [--seed 0]

A sample of records whose source is a named person (two or more capitalised words, no pronoun); the topic Y
is the three longest content words of what they said, in order; the evidence is the paragraph the record
sits in (its content span, verbatim); the acceptable answer is the attributed content itself, so token F1
is the correctness figure to read for this set.
"""
from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from eval.datasets import DATA, ROOT
from qa.sentences import STOPWORDS

NAME = re.compile(r"^[A-Z][a-zA-Z.'-]+(?: [A-Z][a-zA-Z.'-]+)+$")


def topic(content: str) -> str:
    words = [w for w in re.findall(r"[A-Za-z][a-z'-]{3,}", content) if w.lower() not in STOPWORDS]
    keep = set(sorted(words, key=len, reverse=True)[:3])
    return " ".join(dict.fromkeys(w for w in words if w in keep))


def _evidence(record: dict, content: str) -> str:
    """A verbatim span of the paragraph: the content when it is one piece of it, else the paragraph's start."""
    paragraph = record.get("evidence_paragraph") or ""
    return content[:200] if content[:200] in paragraph else paragraph[:150]


def convert(shared: Path, n: int, seed: int) -> list[dict]:
    records = [json.loads(line) for line in (shared / "data" / "polnear" / "attributions_train.jsonl").open()]
    usable = []
    for r in records:
        source = (r.get("source") or {}).get("text", "") if isinstance(r.get("source"), dict) else r.get("source", "")
        content = (r.get("content") or {}).get("text", "") if isinstance(r.get("content"), dict) else r.get("content", "")
        if source and NAME.match(source.strip()) and len(content.split()) >= 6 and topic(content):
            usable.append((r, source.strip(), content.strip()))
    random.Random(seed).shuffle(usable)
    items = []
    for i, (r, source, content) in enumerate(usable[:n]):
        doc = r.get("doc_id") or r.get("article_id")
        items.append({"id": f"polnear-{i}", "question": f"What did {source} say about {topic(content)}?",
                      "as_of": None, "answers": [content], "answerable": True,
                      "evidence": [{"article_id": str(doc) if doc else "", "text": _evidence(r, content)}],
                      "tags": ["polnear", "speaker"]})
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not (args.shared / "data" / "polnear").is_dir():
        print(f"no PolNeAR data under {args.shared}; nothing to convert")
        return
    items = convert(args.shared, args.n, args.seed)
    out = DATA / "polnear_dev.jsonl"
    out.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items))
    print(f"wrote {len(items)} questions to {out}")


if __name__ == "__main__":
    main()
