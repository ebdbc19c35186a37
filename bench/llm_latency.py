"""Answer latency per answerer, measured in one run: time to first token and total answer time (p50, p95).

    python bench/llm_latency.py [--questions N] [--runtime auto|llama-cpp|transformers]
                                [--local-model qwen2.5-coder-1.5b|qwen2.5-coder-0.5b|auto|PATH.gguf]

Corpora: the seed article (eval/data/wuzhen.jsonl questions) and, when ../shared/data/realtimeqa exists, the
RealTime QA corpus (its dev questions, asked with their dates) in the home bench/realtimeqa.py builds.
Writes bench/results/llm_latency.{json,md}.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import rss_mib, stamp_markdown  # noqa: E402
from eval.datasets import load_dataset  # noqa: E402
from eval.metrics import percentile  # noqa: E402
from qa import QA, Answer  # noqa: E402

RTQA = ROOT.parent / "shared" / "data" / "realtimeqa"


def questions(corpus: str, n: int) -> list[tuple[str, str | None]]:
    if corpus == "seed":
        return [(i.question, i.as_of) for i in load_dataset(ROOT / "eval" / "data" / "wuzhen.jsonl")][:n]
    rows = [json.loads(line) for line in (RTQA / "questions_dev.jsonl").read_text().splitlines()][:n]
    return [(r["question"], r["question_date"].replace("/", "-")) for r in rows]


def measure(qa: QA, backend: str, items) -> dict:
    first, total = [], []
    for question, as_of in items:
        started = time.perf_counter()
        first_at = None
        for item in qa.ask(question, as_of=as_of, answerer=backend, stream=True):
            if first_at is None and isinstance(item, str) and item:
                first_at = time.perf_counter()
            if isinstance(item, Answer):
                total.append(time.perf_counter() - started)
        first.append((first_at or time.perf_counter()) - started)
    return {"n": len(total), "ttft_p50": percentile(first, 50), "ttft_p95": percentile(first, 95),
            "total_p50": percentile(total, 50), "total_p95": percentile(total, 95), "total_mean": statistics.mean(total)}


def llama_build() -> str:
    """The CPU features llama.cpp was compiled for (what its speed depends on), or why there is none."""
    try:
        import llama_cpp
    except ImportError:
        return "not installed"
    info = llama_cpp.llama_print_system_info().decode()
    return " ".join(part.split("=")[0].replace("CPU :", "").strip() for part in info.split("|")
                    if part.strip().endswith("= 1"))


def main() -> None:
    load_before = [round(x, 2) for x in os.getloadavg()]
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--runtime", default="auto")
    parser.add_argument("--local-model", default="auto", help="a bundled model name, auto, or a GGUF path")
    parser.add_argument("--rtqa-home", default=str(ROOT / "bench" / ".cache" / "realtimeqa-home"))
    args = parser.parse_args()
    homes = {"seed": ROOT / "bench" / ".cache" / "seed-home"}
    if (RTQA / "questions_dev.jsonl").exists() and Path(args.rtqa_home).exists():
        homes["realtimeqa"] = Path(args.rtqa_home)
    results, loaded_mib = [], None
    for corpus, home in homes.items():
        qa = QA(home, llm={"runtime": args.runtime, "local_model": args.local_model}, index={"seed_default_corpus": corpus == "seed"})
        qa.ensure_corpus()
        items = questions(corpus, args.questions)
        before = rss_mib()
        measure(qa, "local", items[:1])  # load the model outside the timings (reported as cold start below)
        if loaded_mib is None:  # the model is loaded once per process: what its first load added
            loaded_mib = rss_mib() - before
        for backend in ("extractive", "local"):
            row = {"corpus": corpus, "answerer": backend, **measure(qa, backend, items)}
            if backend == "local":
                row["runtime"] = f'{qa.answerer("local").generator.name}, {Path(qa.answerer("local").generator.path).name}'
            results.append(row)
            print(row, flush=True)
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    lines = [f"Measured {time.strftime('%Y-%m-%d')} on {machine}; {args.questions} questions per corpus; "
             f"local model {args.local_model}.\n",
             "| corpus | answerer | first token p50 (s) | first token p95 (s) | answer p50 (s) | answer p95 (s) |",
             "|---|---|---:|---:|---:|---:|"]
    lines += [f"| {r['corpus']} | {r.get('runtime', r['answerer'])} | "
              f"{r['ttft_p50']:.2f} | {r['ttft_p95']:.2f} | {r['total_p50']:.2f} | {r['total_p95']:.2f} |"
              for r in results]
    lines += ["", f"Resident memory added by loading the local model and answering one question: {loaded_mib:.0f} MiB.",
              f"llama.cpp build: {llama_build()}."]
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "llm_latency.json").write_text(json.dumps({"machine": machine, "results": results,
                                                      "model_rss_mib": loaded_mib, "llama_build": llama_build()},
                                                     indent=2))
    (out / "llm_latency.md").write_text("\n".join(lines) + "\n")
    stamp_markdown(out / "llm_latency.md", load_before)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
