"""Where hybrid retrieval's time goes, step by step, and which questions make the tail.

    python bench/query_steps.py --home DIR [--questions 100] [--modes hybrid date week] [--slowest 8]

Each question is retrieved as a user sends it (QA.retrieve: without a date, with its date as `as_of`, or
filtered to the 7 days before it) with each step of the query path timed by a wrapper around its function:
question analysis, the question's embedding, the dense search, BM25, the named speakers' paragraphs (and the
manifest query inside it), the candidates' facts (dates for recency), collapsing reprints, the top k's rows,
the other outlets of each passage; plus the garbage collector's pauses. Steps nest (rows also runs inside
`also_in`), so they do not sum to the total. Prints one JSON line: per mode the p50 / p95 / p99 of the total
and of each step, and the slowest questions with their steps. Works on an older revision's library too (a
step it lacks is left out), which is how bench/run.py's before/after of the tail is made.
"""
from __future__ import annotations

import argparse
import functools
import gc
import json
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import machine, pct, questions  # noqa: E402


def instrument(qa) -> dict[str, float]:
    """Wrap each step's function (where this revision has it) to add its time to the returned dict."""
    import qa.retrieve as retrieve

    spent: dict[str, float] = {}

    def wrap(owner, name: str, label: str) -> None:
        fn = getattr(owner, name, None)
        if fn is None:
            return

        @functools.wraps(fn)
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - start
        setattr(owner, name, timed)

    store = qa.store
    for name, label in (("analyze", "analyze"), ("_speaker_ranking", "speakers"), ("one_per_story", "reprints"),
                        ("with_also_in", "also_in")):
        wrap(retrieve, name, label)
    wrap(type(store.embedder), "encode", "embed")
    wrap(type(store.vectors), "search", "dense")
    wrap(type(store.keyword), "search", "bm25")
    wrap(type(store.manifest), "paragraphs_of_speakers", "speakers: manifest")
    wrap(type(store.manifest), "paragraph_facts", "facts")  # before: a manifest query per question
    wrap(type(store.manifest), "paragraphs", "rows")
    try:
        from index.paragraph_table import ParagraphTable
    except ImportError:
        pass
    else:
        wrap(ParagraphTable, "facts", "facts")
    return spent


def measure(home: Path, n_questions: int, modes: list[str], slowest: int) -> dict:
    from qa import QA

    qa = QA(home, index={"seed_default_corpus": False})
    if getattr(qa.store.embedder, "cache", None) is not None:
        qa.store.embedder.cache = None  # every question encoded, as a new question is
    spent = instrument(qa)
    pauses: list[float] = []
    started: list[float] = []

    def on_gc(phase, info):
        if phase == "start":
            started.append(time.perf_counter())
        elif started:
            pauses.append(time.perf_counter() - started.pop())
    gc.callbacks.append(on_gc)
    qs = questions(n_questions + 1)
    for _ in range(3):
        qa.retrieve(qs[0]["question"], as_of=qs[0]["as_of"])
    out: dict = {"home": str(home), "questions": n_questions, "machine": machine(), "modes": {}}
    for mode in modes:
        rows = []
        for q in qs[1:]:
            kwargs: dict = {}
            if mode == "date":
                kwargs = {"as_of": q["as_of"]}
            elif mode == "week":
                day = date.fromisoformat(q["as_of"])
                kwargs = {"filters": {"date_from": (day - timedelta(days=7)).isoformat(), "date_to": q["as_of"]}}
            spent.clear()
            pauses.clear()
            start = time.perf_counter()
            qa.retrieve(q["question"], **kwargs)
            rows.append({"ms": 1000 * (time.perf_counter() - start), "gc_ms": 1000 * sum(pauses),
                         "steps": {k: 1000 * v for k, v in spent.items()}, "question": q["question"]})
        steps = sorted({s for r in rows for s in r["steps"]})
        out["modes"][mode] = {
            "total": {f"p{p}": pct([r["ms"] for r in rows], p) for p in (50, 95, 99)},
            "steps": {s: {f"p{p}": pct([r["steps"].get(s, 0.0) for r in rows], p) for p in (50, 95, 99)}
                      for s in steps},
            "slowest": sorted(rows, key=lambda r: -r["ms"])[:slowest]}
    qa.close()
    return out


def table(before: dict | None, after: dict) -> str:
    """Markdown: per mode, each step's p50 / p95 (ms) before and after, then the slowest questions after."""
    lines = []
    for mode, r in after["modes"].items():
        b = before["modes"].get(mode) if before else None
        cols = "| step | before p50 / p95 / p99 | after p50 / p95 / p99 |" if b else "| step | p50 / p95 / p99 |"
        lines += [f"### {mode} (QA.retrieve {'without a date' if mode == 'hybrid' else 'with as_of' if mode == 'date' else 'filtered to a week'})", "", cols,
                  "|---|---|---|" if b else "|---|---|"]

        def cell(d: dict | None) -> str:
            return " / ".join(f"{d[f'p{p}']:.0f}" for p in (50, 95, 99)) if d else "—"
        steps = sorted(set(r["steps"]) | set(b["steps"] if b else []))
        for name, get in [("**total**", lambda x: x["total"])] + [(s, lambda x, s=s: x["steps"].get(s)) for s in steps]:
            lines.append(f"| {name} | {cell(get(b))} | {cell(get(r))} |" if b else f"| {name} | {cell(get(r))} |")
        for label, data in (("before", b), ("after", r)):
            if not data:
                continue
            lines += ["", f"Slowest questions, {label} (ms; steps nest):", ""]
            for row in data["slowest"][:5]:
                parts = ", ".join(f"{k} {v:.0f}" for k, v in sorted(row["steps"].items(), key=lambda kv: -kv[1])
                                  if v >= 1)
                lines.append(f"- **{row['ms']:.0f}** (gc {row['gc_ms']:.0f}): {parts} — “{row['question'][:70]}…”")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--questions", type=int, default=100)
    ap.add_argument("--modes", nargs="+", default=["hybrid", "date", "week"], choices=["hybrid", "date", "week"])
    ap.add_argument("--slowest", type=int, default=8)
    args = ap.parse_args()
    print(json.dumps(measure(args.home, args.questions, args.modes, args.slowest)))
