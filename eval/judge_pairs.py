"""The labelled (sentence, cited paragraphs) pairs the citation judges are measured on.

`eval/data/judge_pairs.jsonl` holds our own sentences and labels and, for each, the paragraphs it cites as
(dataset, doc_id, paragraph number) only: the articles (RealTime QA, PolNeAR) are copyrighted and stay in
`../shared/data`. The text is resolved at run time exactly as ingestion numbers paragraphs: the record is
read by the JSONL loader and split by `index.paragraphs.split_paragraphs`, numbered from 1.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT / "eval" / "data" / "judge_pairs.jsonl"
SHARED = ROOT.parent / "shared" / "data"
CORPORA = {"realtimeqa": "realtimeqa/corpus_2022.jsonl", "polnear": "polnear/articles_train.jsonl"}
# Kinds of pair and their label. The multi-paragraph kinds cite two or three paragraphs: in `multi_union` only
# their union supports the sentence, in `multi_unsupported` even the union does not.
KINDS = {"paraphrase": True, "number": False, "name": False, "role": False, "antonym": False, "invented": False,
         "multi_union": True, "multi_unsupported": False}
SPLITS = ("dev", "test")


class MissingData(RuntimeError):
    """The development data in ../shared is not there (a clone without it): callers skip with this message."""


@dataclass(frozen=True)
class Cited:
    dataset: str
    doc_id: str
    paragraph: int


@dataclass
class Pair:
    id: str
    split: str
    kind: str
    sentence: str
    cited: list[Cited]
    label: bool  # True: the cited paragraphs together support the sentence
    paragraphs: list[str] | None = None  # resolved text, filled by resolve()

    @property
    def article(self) -> tuple[str, str]:
        return self.cited[0].dataset, self.cited[0].doc_id


def load_pairs(path: Path = PAIRS, split: str | None = None) -> list[Pair]:
    pairs = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            pair = Pair(row["id"], row["split"], row["kind"], row["sentence"],
                        [Cited(c["dataset"], c["doc_id"], int(c["paragraph"])) for c in row["cited"]],
                        bool(row["label"]))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}:{n}: not a judge pair ({exc!r})") from exc
        if split is None or pair.split == split:
            pairs.append(pair)
    return pairs


def _read_articles(dataset: str, doc_ids: set[str], shared: Path) -> dict[str, list[str]]:
    """doc_id -> paragraph texts, as ingestion reads and numbers them."""
    from index.loaders.records import load_jsonl
    from index.paragraphs import split_paragraphs

    path = shared / CORPORA[dataset]
    if not path.is_file():
        raise MissingData(f"{path} is missing: the judge pairs cite articles of ../shared/data")
    # Only the lines of cited articles are parsed (the corpus is 37 MB); the loader then reads them as ingest does.
    wanted = [line for line in path.read_text(encoding="utf-8").split("\n")
              if line.strip() and any(f'"{d}"' in line for d in doc_ids)]
    out = {}
    for article in load_jsonl(path, "\n".join(wanted)).articles:
        if article.article_id in doc_ids:
            out[article.article_id] = [article.text[s:e] for s, e in split_paragraphs(article.text)]
    return out


def resolve(pairs: list[Pair], shared: Path = SHARED) -> list[Pair]:
    """Fill each pair's `paragraphs` from ../shared/data; MissingData when the data is absent."""
    wanted: dict[str, set[str]] = {}
    for pair in pairs:
        for c in pair.cited:
            wanted.setdefault(c.dataset, set()).add(c.doc_id)
    articles = {(ds, doc): paras for ds, ids in wanted.items()
                for doc, paras in _read_articles(ds, ids, shared).items()}
    for pair in pairs:
        texts = []
        for c in pair.cited:
            paras = articles.get((c.dataset, c.doc_id))
            if paras is None:
                raise ValueError(f"pair {pair.id}: article {c.dataset}/{c.doc_id} not found in {shared}")
            if not 1 <= c.paragraph <= len(paras):
                raise ValueError(f"pair {pair.id}: {c.doc_id} has {len(paras)} paragraphs, not {c.paragraph}")
            texts.append(paras[c.paragraph - 1])
        pair.paragraphs = texts
    return pairs


def problems(pairs: list[Pair]) -> list[str]:
    """What is wrong with the pair file's structure (empty when well-formed); no article text needed."""
    out = []
    seen: set[str] = set()
    split_of: dict[tuple[str, str], str] = {}  # article -> the split it is in
    supported_sets = {(p.split, tuple(sorted((c.doc_id, c.paragraph) for c in p.cited))) for p in pairs if p.label}
    for p in pairs:
        where = f"pair {p.id}"
        if p.id in seen:
            out.append(f"{where}: duplicate id")
        seen.add(p.id)
        if p.kind not in KINDS:
            out.append(f"{where}: unknown kind {p.kind!r}")
        elif KINDS[p.kind] != p.label:
            out.append(f"{where}: kind {p.kind} must be labelled {KINDS[p.kind]}")
        if p.split not in SPLITS:
            out.append(f"{where}: unknown split {p.split!r}")
        if not p.cited or any(c.dataset not in CORPORA or c.paragraph < 1 for c in p.cited):
            out.append(f"{where}: bad citation {p.cited}")
        elif len({(c.dataset, c.doc_id) for c in p.cited}) != 1:
            out.append(f"{where}: cites more than one article")
        elif (len(p.cited) > 1) != p.kind.startswith("multi"):
            out.append(f"{where}: {len(p.cited)} paragraphs cited for kind {p.kind}")
        if p.cited and split_of.setdefault(p.article, p.split) != p.split:
            out.append(f"{where}: article {p.article[1]} is in both splits")
        # Every unsupported sentence has a supported one on the same paragraphs: per-kind precision pairs them.
        key = (p.split, tuple(sorted((c.doc_id, c.paragraph) for c in p.cited)))
        if not p.label and key not in supported_sets:
            out.append(f"{where}: no supported pair cites the same paragraphs")
    return out
