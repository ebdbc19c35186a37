"""Eval datasets: JSONL, one question a line (format in eval/README.md), validated on load."""
from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from qa.resources import REPO, repo_path

ROOT = REPO  # the repository root (default report folders, ../shared)

# The shipped datasets: package data of `eval` (a real directory: pip installs wheels unzipped).
DATA = Path(str(files("eval").joinpath("data")))


@dataclass
class Evidence:
    text: str  # a verbatim span of the supporting paragraph
    article_id: str = ""


@dataclass
class EvalItem:
    id: str
    question: str
    answerable: bool
    # The distinct facts a full answer states, each as its acceptable wordings (aliases): [["7-2", "seven to
    # two"]] is one fact; [["Peter Holm"], ["buy out"]] two. Answer recall is the share of facts present.
    answers: list[list[str]] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    as_of: str | None = None
    tags: list[str] = field(default_factory=list)


def facts(answers: list) -> list[list[str]]:
    """`answers` as facts with aliases: a list element is one fact's aliases; a bare string a one-alias fact."""
    out = []
    for fact in answers:
        aliases = [fact] if isinstance(fact, str) else list(fact)
        if not aliases or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise ValueError(f"answers: each fact must be a non-empty string or list of strings, got {fact!r}")
        out.append(aliases)
    return out


def load_dataset(path: str | Path) -> list[EvalItem]:
    path = Path(path)
    items, seen = [], set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
            item = EvalItem(id=str(row["id"]), question=row["question"], answerable=bool(row["answerable"]),
                            answers=facts(row.get("answers") or []), as_of=row.get("as_of") or None,
                            evidence=[Evidence(e["text"], e.get("article_id") or "")
                                      for e in row.get("evidence") or []],
                            tags=list(row.get("tags") or []))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{where}: not a valid eval item: {exc!r}") from exc
        if item.id in seen:
            raise ValueError(f"{where}: duplicate id {item.id!r}")
        if item.answerable and not item.answers:
            raise ValueError(f"{where}: answerable question without answers")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise ValueError(f"{path}: no questions")
    return items


def sample(items: list[EvalItem], limit: int | None, seed: int = 0) -> list[EvalItem]:
    """A seeded, order-keeping sample of `limit` questions: slow answerers are compared on the same subset."""
    if not limit or limit >= len(items):
        return items
    import random

    keep = set(random.Random(seed).sample(range(len(items)), limit))
    return [item for i, item in enumerate(items) if i in keep]


def default_corpus(dataset: str | Path) -> list[Path]:
    """The articles a shipped dataset is asked over (eval/data/corpora.toml), relative to the repo root (the
    seed corpus, `data/articles`, is also found inside an installed wheel); a path listed under [select.NAME]
    contributes only the articles its ids file names (eval/distractors.py).
    Raises CorpusMissing when a path is not on this machine (../shared/data is not in the repository)."""
    from eval.distractors import CorpusMissing, materialize

    name = Path(dataset).stem
    corpora = tomllib.loads((DATA / "corpora.toml").read_text())
    paths = corpora.get(name)
    if paths is None:
        raise ValueError(f"no corpus known for {dataset}; pass --corpus PATH")
    select = corpora.get("select", {}).get(name, {})
    out = []
    for p in paths:
        path = repo_path(p) if not Path(p).is_absolute() else Path(p)
        if p in select:
            path = materialize(path, DATA / select[p], name)
        elif not path.exists():
            raise CorpusMissing(f"{path} not found: {name} is asked over it; skipping {name}")
        out.append(path)
    return out
