"""Where the slow questions spend their time: the hybrid query on a home, the slowest N questions re-run
under a profiler, the top functions written out.

    python bench/profile_query.py --home DIR [--questions 100] [--slowest 5] [--top 30] [--server PORT]
                                  [--no-date] [--out bench/results/profile_query.md]

Each question is asked as a user sends it (QA.retrieve with the question's date as `as_of`, or without one
with --no-date) and timed; the slowest N are then run again, one at a time, under pyinstrument when it is
installed (a statistical profile, low overhead, shows the call tree) and always under cProfile (deterministic;
its overhead inflates many small Python calls, so read its shares, not its seconds). The cProfile stats of
the N re-runs are summed and the top functions by own time and by cumulative time are written, with each
slow question's first and profiled times (a tail that does not come back on a re-run points at GC, the
machine or a cold cache rather than the question). Questions: RealTime QA dev (../shared/data/realtimeqa),
else `--questions-file` (one question a line).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import OUT, QUESTIONS, header, machine, pct, questions, stamp  # noqa: E402


def load_questions(n: int, path: Path | None) -> list[dict]:
    if path is not None:
        lines = [line.strip() for line in path.read_text().splitlines() if line.strip()]
        return [{"question": q, "as_of": None} for q in lines[:n]]
    if not QUESTIONS.exists():
        sys.exit(f"no questions: {QUESTIONS} not found; pass --questions-file")
    return questions(n)


def top_functions(stats: pstats.Stats, key: str, n: int) -> str:
    buf = io.StringIO()
    stats.stream = buf
    stats.sort_stats(key).print_stats(n)
    text = buf.getvalue()
    return text[text.find("ncalls"):].rstrip() if "ncalls" in text else text.strip()


def pyinstrument_text(fn) -> str | None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        return None
    profiler = Profiler(interval=0.001)
    profiler.start()
    fn()
    profiler.stop()
    return profiler.output_text(unicode=False, color=False, show_all=False)


def profile(home: Path, n_questions: int, slowest: int, top: int, use_date: bool,
            questions_file: Path | None) -> tuple[dict, str]:
    from qa import QA

    load_before = machine()["loadavg"]
    qa = QA(home, index={"seed_default_corpus": False})
    if getattr(qa.store.embedder, "cache", None) is not None:
        qa.store.embedder.cache = None  # every question encoded, as a new question is
    qs = load_questions(n_questions + 1, questions_file)
    warm, qs = qs[0], qs[1:]
    for _ in range(3):
        qa.retrieve(warm["question"], as_of=warm["as_of"] if use_date else None)

    def run(q):
        return lambda: qa.retrieve(q["question"], as_of=q["as_of"] if use_date else None)

    timed = []
    for q in qs:
        start = time.perf_counter()
        run(q)()
        timed.append((time.perf_counter() - start, q))
    timed.sort(key=lambda t: -t[0])
    stats, rows, trees = None, [], []
    for first, q in timed[:slowest]:
        tree = pyinstrument_text(run(q))
        if tree:
            trees.append(f"### {q['question']}\n\n```\n{tree}\n```")
        prof = cProfile.Profile()
        start = time.perf_counter()
        prof.runcall(run(q))
        rows.append({"question": q["question"], "as_of": q["as_of"] if use_date else None,
                     "first_ms": 1000 * first, "profiled_ms": 1000 * (time.perf_counter() - start)})
        stats = pstats.Stats(prof) if stats is None else stats.add(prof)
    times = [t for t, _ in timed]
    result = {"home": str(home), "paragraphs": len(qa.store.keyword.table), "questions": len(qs),
              "with_date": use_date, "p50_ms": 1000 * pct(times, 50), "p95_ms": 1000 * pct(times, 95),
              "p99_ms": 1000 * pct(times, 99), "slowest": rows, "profiler": "cProfile" + (" + pyinstrument" if trees else "")}
    qa.close()
    s = stamp(load_before)
    lines = [f"# Profile of the {len(rows)} slowest of {len(qs)} hybrid queries ({result['paragraphs']:,} paragraphs)",
             "", header(s), (f"Home: `{home}`; as_of: {'the question date' if use_date else 'none'}; "
                             f"Chroma: {'server ' + os.environ['QA_CHROMA_HOST'] if os.environ.get('QA_CHROMA_HOST') else 'embedded'}"),
             "", (f"All {len(qs)} questions: p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms, "
                  f"p99 {result['p99_ms']:.0f} ms."), "", "| question | first run ms | profiled re-run ms |", "|---|---|---|"]
    lines += [f"| {r['question'][:90]} | {r['first_ms']:.0f} | {r['profiled_ms']:.0f} |" for r in rows]
    if stats is not None:
        lines += ["", "## cProfile, summed over those re-runs: top functions by own time", "", "```",
                  top_functions(stats, "tottime", top), "```", "", "## ... and by cumulative time", "", "```",
                  top_functions(stats, "cumulative", top), "```"]
    if trees:
        lines += ["", "## pyinstrument call trees", "", *trees]
    result["stamp"] = s
    return result, "\n".join(lines) + "\n"


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--questions", type=int, default=100)
    ap.add_argument("--questions-file", type=Path, default=None)
    ap.add_argument("--slowest", type=int, default=5)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--no-date", action="store_true", help="ask without as_of")
    ap.add_argument("--server", type=int, default=0, help="port of a chroma server on 127.0.0.1")
    ap.add_argument("--out", type=Path, default=OUT / "profile_query.md")
    args = ap.parse_args()
    if not args.home.exists():
        sys.exit(f"no home at {args.home}")
    if args.server:
        os.environ.update(QA_CHROMA_HOST="127.0.0.1", QA_CHROMA_PORT=str(args.server))
    result, md = profile(args.home, args.questions, args.slowest, args.top, not args.no_date, args.questions_file)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(md)
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=2, default=str))
    print(json.dumps({k: result[k] for k in ("paragraphs", "questions", "p50_ms", "p95_ms", "p99_ms")}))
