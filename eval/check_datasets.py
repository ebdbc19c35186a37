"""Validate the evaluation datasets in eval/data/ against the articles they were written from.

    python eval/check_datasets.py          # prints the problems and the counts; exit 1 if any problem

Importable: `check_questions(path, corpus_dirs)` and `check_judge_labels(path, corpus_dirs)` return lists of
problem strings; `check_all()` runs every dataset and returns {file name: problems}.

Checks, question sets (wuzhen.jsonl over data/articles, multi.jsonl over data/articles + tests/corpus, and
multi_distractors.jsonl, a copy of multi.jsonl asked with distractors added: the copy is checked too):
  - fields id (unique), question, as_of (null or YYYY-MM-DD), answers (a list of facts, each a list of its
    aliases: [["7-2", "seven to two"]] is one fact, [["Peter Holm"], ["buy out"]] two), answerable (bool),
    evidence (list of {"text", optional "article_id"}), tags (from TAGS);
  - every evidence text is 10-40 words and a verbatim substring of exactly one paragraph of the corpus (and
    of the named article, when article_id is given);
  - answerable: answers and evidence are non-empty (evidence may be empty only for "author" questions, whose
    answer is byline metadata),
    every fact (one of its aliases) occurs in a cited paragraph (or in the authors, for "author"), and the
    question is not tagged "unanswerable";
  - unanswerable: answers and evidence are empty and the question is tagged "unanswerable".
Checks, judge_labels.jsonl: fields id (unique), sentence, paragraph, supported (bool), kind (from KINDS);
the paragraph is a whole verbatim paragraph of the corpora; supported is true exactly for exact, paraphrase
and partial; an "exact" sentence is a substring of its paragraph.
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from index.loaders import load_paths  # noqa: E402
from index.paragraphs import split_paragraphs  # noqa: E402

DATA = ROOT / "eval" / "data"
SEED = [ROOT / "data" / "articles"]
ALL = [ROOT / "data" / "articles", ROOT / "tests" / "corpus"]
DATASETS = {"wuzhen.jsonl": SEED, "multi.jsonl": ALL, "multi_distractors.jsonl": ALL}
# The distractor gate set asks the multi-article questions over more articles: its questions must not drift.
SAME_QUESTIONS = {"multi_distractors.jsonl": "multi.jsonl"}
JUDGE = ("judge_labels.jsonl", ALL)
TAGS = {"speaker", "number", "date", "entity", "theme", "author", "why", "unanswerable", "filter-date",
        "multi-article"}
KINDS = {"exact", "paraphrase", "partial", "swapped-number", "wrong-entity", "wrong-paragraph", "unrelated",
         "negation", "invented-detail"}
SUPPORTED_KINDS = {"exact", "paraphrase", "partial"}


def load_corpus(dirs) -> tuple[list[tuple[str, str]], dict[str, list[str]]]:
    """([(article_id, paragraph text)], {article_id: authors}) for the articles under `dirs`."""
    result = load_paths([str(d) for d in dirs])
    if result.errors:
        raise RuntimeError("corpus did not load cleanly: " + "; ".join(map(str, result.errors)))
    paragraphs = [(a.article_id, a.text[s:e]) for a in result.articles for s, e in split_paragraphs(a.text)]
    return paragraphs, {a.article_id: list(a.authors) for a in result.articles}


def read_jsonl(path) -> list:
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").split("\n"), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                rows.append(ValueError(f"line {n}: invalid JSON: {exc.msg}"))
    return rows


def _is_date(value) -> bool:
    try:
        return isinstance(value, str) and bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) \
            and date.fromisoformat(value) is not None
    except ValueError:
        return False


def check_questions(path, corpus_dirs) -> list[str]:
    paragraphs, authors = load_corpus(corpus_dirs)
    problems, seen = [], set()
    for n, row in enumerate(read_jsonl(path), 1):
        if isinstance(row, Exception):
            problems.append(str(row))
            continue
        where = f"{Path(path).name}:{n} ({row.get('id', '?') if isinstance(row, dict) else '?'})"
        bad = _question_fields(row)
        if bad:
            problems += [f"{where}: {b}" for b in bad]
            continue
        if row["id"] in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(row["id"])
        cited = []
        for ev in row["evidence"]:
            words = len(ev["text"].split())
            if not 10 <= words <= 40:
                problems.append(f"{where}: evidence has {words} words (want 10-40): {ev['text'][:60]!r}")
            hits = [(aid, p) for aid, p in paragraphs if ev["text"] in p]
            if "article_id" in ev:
                if not any(aid == ev["article_id"] for aid, _ in paragraphs):
                    problems.append(f"{where}: unknown article_id {ev['article_id']!r}")
                hits_named = [h for h in hits if h[0] == ev["article_id"]]
                if hits and not hits_named:
                    problems.append(f"{where}: evidence is not in article {ev['article_id']!r}")
                hits = hits_named or hits
            if len(hits) != 1:
                problems.append(f"{where}: evidence found in {len(hits)} paragraphs (want 1): {ev['text'][:60]!r}")
            cited += [p for _, p in hits]
        tags = set(row["tags"])
        if row["answerable"]:
            if not row["answers"]:
                problems.append(f"{where}: answerable but no answers")
            if "unanswerable" in tags:
                problems.append(f"{where}: answerable but tagged unanswerable")
            if "author" in tags and not row["evidence"]:
                haystack = " ".join(name for names in authors.values() for name in names)
            elif not row["evidence"]:
                problems.append(f"{where}: answerable but no evidence")
                haystack = ""
            else:
                haystack = " ".join(cited)
            for aliases in row["answers"] if haystack else []:
                if not any(a.lower() in haystack.lower() for a in aliases):
                    problems.append(f"{where}: no alias of the fact {aliases!r} occurs in the cited paragraphs"
                                    " / authors")
        else:
            if row["answers"] or row["evidence"]:
                problems.append(f"{where}: unanswerable but has answers or evidence")
            if "unanswerable" not in tags:
                problems.append(f"{where}: unanswerable but not tagged unanswerable")
    return problems


def _question_fields(row) -> list[str]:
    if not isinstance(row, dict):
        return ["not a JSON object"]
    bad = []
    want = {"id", "question", "as_of", "answers", "answerable", "evidence", "tags"}
    if set(row) != want:
        bad.append(f"fields {sorted(set(row))} (want {sorted(want)})")
        return bad
    if not isinstance(row["id"], str) or not row["id"]:
        bad.append("id must be a non-empty string")
    if not isinstance(row["question"], str) or not row["question"].strip():
        bad.append("question must be a non-empty string")
    if row["as_of"] is not None and not _is_date(row["as_of"]):
        bad.append(f"as_of must be null or YYYY-MM-DD, got {row['as_of']!r}")
    if not isinstance(row["answers"], list) or not all(
            isinstance(f, list) and f and all(isinstance(a, str) and a.strip() for a in f) for f in row["answers"]):
        bad.append("answers must be a list of facts, each a non-empty list of non-empty strings (its aliases)")
    if not isinstance(row["answerable"], bool):
        bad.append("answerable must be a boolean")
    ev = row["evidence"]
    if not isinstance(ev, list) or not all(
            isinstance(e, dict) and isinstance(e.get("text"), str) and set(e) <= {"text", "article_id"}
            and isinstance(e.get("article_id", ""), str) for e in ev):
        bad.append("evidence must be a list of {text, article_id?} with string values")
    if not isinstance(row["tags"], list) or not row["tags"] or not set(row["tags"]) <= TAGS:
        bad.append(f"tags must be a non-empty list from {sorted(TAGS)}, got {row['tags']!r}")
    return bad


def check_judge_labels(path, corpus_dirs) -> list[str]:
    paragraphs = {p for _, p in load_corpus(corpus_dirs)[0]}
    problems, seen = [], set()
    want = {"id", "sentence", "paragraph", "supported", "kind"}
    for n, row in enumerate(read_jsonl(path), 1):
        if isinstance(row, Exception):
            problems.append(str(row))
            continue
        where = f"{Path(path).name}:{n} ({row.get('id', '?') if isinstance(row, dict) else '?'})"
        if not isinstance(row, dict) or set(row) != want:
            problems.append(f"{where}: fields must be {sorted(want)}")
            continue
        if not isinstance(row["id"], str) or row["id"] in seen:
            problems.append(f"{where}: id missing or duplicate")
        seen.add(row["id"])
        if not isinstance(row["sentence"], str) or not row["sentence"].strip():
            problems.append(f"{where}: sentence must be a non-empty string")
        if row["paragraph"] not in paragraphs:
            problems.append(f"{where}: paragraph is not a verbatim paragraph of the corpus")
        if row["kind"] not in KINDS:
            problems.append(f"{where}: unknown kind {row['kind']!r}")
        if row["supported"] is not (row["kind"] in SUPPORTED_KINDS):
            problems.append(f"{where}: supported={row['supported']!r} does not fit kind {row['kind']!r}")
        if row["kind"] == "exact" and row["sentence"] not in str(row["paragraph"]):
            problems.append(f"{where}: an exact sentence must be a substring of its paragraph")
    return problems


def check_all() -> dict[str, list[str]]:
    out = {name: check_questions(DATA / name, dirs) for name, dirs in DATASETS.items()}
    for name, original in SAME_QUESTIONS.items():
        if read_jsonl(DATA / name) != read_jsonl(DATA / original):
            out[name].append(f"{name}: its questions differ from {original}'s (it must be a copy)")
    out[JUDGE[0]] = check_judge_labels(DATA / JUDGE[0], JUDGE[1])
    return out


def counts() -> dict[str, dict]:
    out = {}
    for name in DATASETS:
        rows = read_jsonl(DATA / name)
        out[name] = {"questions": len(rows), "answerable": sum(r["answerable"] for r in rows),
                     "unanswerable": sum(not r["answerable"] for r in rows),
                     "tags": dict(sorted(Counter(t for r in rows for t in r["tags"]).items()))}
    rows = read_jsonl(DATA / JUDGE[0])
    out[JUDGE[0]] = {"pairs": len(rows), "supported": sum(r["supported"] for r in rows),
                     "kinds": dict(sorted(Counter(r["kind"] for r in rows).items()))}
    return out


def main() -> int:
    results = check_all()
    for name, problems in results.items():
        print(f"{name}: {'ok' if not problems else f'{len(problems)} problem(s)'}")
        for p in problems:
            print("  " + p)
    if not any(results.values()):
        for name, c in counts().items():
            print(name, json.dumps(c))
    return 1 if any(results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
