"""Every performance table the README and docs/benchmarks.md cite, in one command on one tree: ingest
throughput, the ingest-encoder candidates, query latency per size (embedded Chroma and a `chroma run` server)
at 10k/100k and at 1M paragraphs, the query path before/after on the real RealTime QA home, and cold start.

    python bench/run.py                       # all of the above (+38 min to build the 1M home once)
    python bench/run.py --only query          # 10k and 100k only
    python bench/run.py --only realtimeqa llm load   # the README's other tables (hours; not in the default run)
    python bench/run.py --full                # ingest throughput on the whole corpus (hours)

README figure -> result file: performance and scale -> bench/results/{before_after,query_latency,
query_latency_1m,query_steps_1m,cold_start,ingest_speed,encoders}.md; RealTime QA -> realtimeqa.md (`realtimeqa`); answer
latency -> llm_latency.md (`llm`); QA_CONCURRENCY -> load.md (`load`). Every file starts with the date, the
git revision and the load average before and after (bench/common.py `header`); ratios divide by the app's
own dense call measured in the same run (bench/query_latency.py). Publish figures only from a run on a quiet
machine (the header flags a loaded one). Skips, exit 0, when ../shared/data/realtimeqa is absent.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import report  # noqa: E402
from bench.common import CACHE, CORPUS, DATA, ROOT, machine, machine_line, run_json, save  # noqa: E402

STEPS = ["ingest", "encoders", "query", "query-1m", "tail-1m", "before-after", "cold"]  # the default run
EXTRA = ["realtimeqa", "llm", "load"]  # scripts that write their own tables, run on request

RTQA_SOURCE = ROOT.parent / "main" / "bench" / ".cache" / "realtimeqa-home"  # built by bench/realtimeqa.py


def ingest(articles: int, full: bool) -> None:
    load_before = machine()["loadavg"]
    args = ["--full"] if full else ["--articles", str(articles)]
    rows = {name: run_json(["bench/ingest_speed.py", "--step", name, *args]) for name in ("raw", "news-qa", "news-qa-serial", "llama-index")}
    md = (f"# Ingest throughput ({'full corpus' if full else f'first {articles} RealTime QA articles'})\n\n"
          f"{report.ingest_table(rows)}\n")
    save("ingest_speed", rows, md, load_before)
    report.ingest_chart(rows, report.chart_path("ingest_speed"))


class ChromaServer:
    """`chroma run --path DIR --port P` on 127.0.0.1, for the duration of a with-block."""

    def __init__(self, path: Path):
        from tests.live_server import free_port

        self.path, self.port = path, free_port()

    def __enter__(self):
        exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
        self.proc = subprocess.Popen([exe, "run", "--path", str(self.path), "--host", "127.0.0.1", "--port",
                                      str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import urllib.request

        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout=2)
                return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("chroma server did not start")

    def peak_rss_mib(self) -> float:
        status = Path(f"/proc/{self.proc.pid}/status").read_text().splitlines()
        return next((int(line.split()[1]) / 1024 for line in status if line.startswith("VmHWM")), 0.0)

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def query(sizes: list[int], n_questions: int, name: str = "query_latency") -> None:
    load_before = machine()["loadavg"]
    results, builds = [], []
    for size in sizes:
        built = run_json(["bench/synthetic.py", "--size", str(size)], timeout=6 * 3600)
        builds.append(f"- {size:,} paragraphs: the home's build (once, maybe in an earlier run) wrote for "
                      f"{built['write_s']:.0f} s and built BM25 in {built['bm25_s']:.0f} s, peak RSS "
                      f"{built['peak_rss_mib']:.0f} MiB")
        home = Path(built["home"])
        embedded = run_json(["bench/query_latency.py", "--home", str(home), "--questions", str(n_questions)])
        results.append({"mode": "embedded", **embedded})
        with ChromaServer(home / "chroma") as server:
            served = run_json(["bench/query_latency.py", "--home", str(home), "--questions", str(n_questions),
                               "--server", str(server.port)])
            served["server_peak_rss_mib"] = server.peak_rss_mib()
        results.append({"mode": "server", **served})
    md = (f"# Query latency on synthetic corpora ({n_questions} RealTime QA questions)\n\n"
          f"{report.query_table(results)}\n\n"
          + "\n".join(f"- {r['paragraphs']:,} paragraphs, {r['mode']}: Chroma server peak RSS "
                      f"{r['server_peak_rss_mib']:.0f} MiB" for r in results if r.get("server_peak_rss_mib")) + "\n"
          + "\n".join(builds) + "\n")
    save(name, {"results": results}, md, load_before)
    report.query_chart(results, report.chart_path(name))


def run_at(rev: str, args: list[str]) -> dict:
    """A bench script of this tree run on the library of revision `rev` (a `git archive` of it under
    bench/.cache): today's harness, that revision's code. Returns its JSON line."""
    base = CACHE / f"base-{rev}"
    if not base.exists():
        base.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
    for name in ("__init__.py", "common.py", "query_latency.py", "query_steps.py"):
        shutil.copy(ROOT / "bench" / name, base / "bench" / name)
    done = subprocess.run([sys.executable, *args], cwd=base, capture_output=True, text=True,
                          env={**__import__("os").environ, "PYTHONPATH": str(base), "QA_BENCH_DATA": str(DATA)})
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} at {rev} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def tail(rev: str, n_questions: int) -> None:
    """Each step of the query path at 1M paragraphs (embedded Chroma), on the library of `rev` and of this tree:
    the profile behind the 1M p95 (bench/query_steps.py)."""
    load_before = machine()["loadavg"]
    home = Path(run_json(["bench/synthetic.py", "--size", "1000000"], timeout=6 * 3600)["home"])
    args = ["bench/query_steps.py", "--home", str(home), "--questions", str(n_questions)]
    before, after = run_at(rev, args), run_json(args)
    from bench.query_steps import table

    md = (f"# Hybrid retrieval step by step at 1M paragraphs, before ({rev}) and after ({n_questions} RealTime QA "
          f"questions, embedded Chroma)\n\n{table(before, after)}\n")
    save("query_steps_1m", {"rev": rev, "before": before, "after": after}, md, load_before)


def before_after(rev: str, n_questions: int) -> None:
    """The query path of `rev` and of this tree, on a copy of the real 170k-paragraph RealTime QA home."""
    load_before = machine()["loadavg"]
    home = CACHE / "rtqa-home"
    if not home.exists():
        if not RTQA_SOURCE.exists():
            print("before/after skipped: no RealTime QA home (run bench/realtimeqa.py first)")
            return
        shutil.copytree(RTQA_SOURCE, home, ignore=shutil.ignore_patterns("models"))
    args = ["--home", str(home), "--questions", str(n_questions)]
    before = run_at(rev, ["bench/query_latency.py", *args])
    after = run_json(["bench/query_latency.py", *args])
    md = (f"# Query path before ({rev}) and after, RealTime QA home ({after['paragraphs']:,} paragraphs, "
          f"{n_questions} questions)\n\n{report.before_after_table(before, after)}\n")
    save("before_after", {"rev": rev, "before": before, "after": after}, md, load_before)
    report.before_after_chart(before, after, report.chart_path("before_after"))


def cold_start() -> None:
    load_before = machine()["loadavg"]
    r = run_json(["bench/cold_start.py", "--runs", "3"])
    save("cold_start", r, f"# Cold start\n\n{report.cold_table(r)}\n", load_before)
    report.cold_chart(r, report.chart_path("cold_start"))


def script(*args: str) -> None:
    """A bench script that writes (and stamps) its own result table."""
    subprocess.run([sys.executable, *args], cwd=ROOT, check=True, env={**__import__("os").environ,
                                                                        "PYTHONPATH": str(ROOT)})


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--articles", type=int, default=200, help="ingest slice: the first N corpus articles")
    ap.add_argument("--full", action="store_true", help="ingest the whole corpus")
    ap.add_argument("--questions", type=int, default=100)
    ap.add_argument("--before", default="622453c", help="revision for the before/after query table")
    ap.add_argument("--tail-before", default="7b1e7a2", help="revision for the 1M step-by-step table (before issue "
                    "14's fix of the tail)")
    ap.add_argument("--only", nargs="+", choices=STEPS + EXTRA, default=STEPS)
    args = ap.parse_args()
    if not CORPUS.exists():
        print(f"skipped: {CORPUS} not found")
        sys.exit(0)
    started = time.perf_counter()
    # Every table's header flags a loaded machine by the load before the whole run (bench/common.py `header`).
    __import__("os").environ.setdefault("QA_BENCH_RUN_LOAD", ",".join(str(x) for x in machine()["loadavg"]))
    steps = {"ingest": lambda: ingest(args.articles, args.full),
             "encoders": lambda: run_json(["bench/encoders.py", "--paragraphs", "500"]),
             "query": lambda: query(args.sizes, args.questions),
             "query-1m": lambda: query([1_000_000], args.questions, "query_latency_1m"),
             "tail-1m": lambda: tail(args.tail_before, args.questions),
             "before-after": lambda: before_after(args.before, min(args.questions, 20)), "cold": cold_start,
             "realtimeqa": lambda: script("bench/realtimeqa.py"), "llm": lambda: script("bench/llm_latency.py", "--questions", "10"),
             "load": lambda: script("bench/load.py")}
    for name in args.only:
        t = time.perf_counter()
        steps[name]()
        print(f"{name}: {time.perf_counter() - t:.0f} s", flush=True)
    print(f"total: {time.perf_counter() - started:.0f} s ({machine_line(machine())})")
