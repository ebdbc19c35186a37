"""What the local model's first token waits for: prompt processing (prefill) of real answer prompts, per llama.cpp
setting and source length, measured in one run.

    python bench/prefill.py [--questions 9]

The answer prompts of the first N RealTime QA dev questions (retrieval as in `qa ask`, the answerer's own
`messages`), each processed with one generated token; the first prompt of each setting is a warm-up (the fixed
system prompt is then cached, as in a running server). Needs llama-cpp-python, a local model and the home
bench/realtimeqa.py builds. Writes bench/results/prefill.{json,md,png}.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import save  # noqa: E402
from bench.report import chart_path, prefill_chart  # noqa: E402
from eval.datasets import load_dataset  # noqa: E402

# (label, llama.cpp keyword arguments, llm.source_chars, sources given): the shipped setting first.
VARIANTS = [("shipped (n_batch 512, source_chars 700, 5 sources)", {}, 700, 5),
            ("flash attention", {"flash_attn": True}, 700, 5),
            ("n_batch / n_ubatch 128", {"n_batch": 128, "n_ubatch": 128}, 700, 5),
            ("source_chars 400", {}, 400, 5),
            ("3 sources, not 5", {}, 700, 3)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--questions", type=int, default=9)
    ap.add_argument("--home", default=str(ROOT / "bench" / ".cache" / "realtimeqa-home"))
    args = ap.parse_args()
    from llama_cpp import Llama

    from qa import QA
    from qa.llm.model_file import model_path

    qa = QA(args.home, index={"seed_default_corpus": False})
    answerer = qa.answerer("local")
    items = load_dataset(ROOT / "eval" / "data" / "realtimeqa_dev.jsonl")[:args.questions]
    retrieved = [(i.question, qa.retrieve(i.question, k=5, as_of=i.as_of)) for i in items]
    rows = []
    for label, options, chars, count in VARIANTS:
        answerer.settings.llm.source_chars = chars
        prompts = [answerer.messages(q, passages[:count]) for q, passages in retrieved]
        llm = Llama(model_path=str(model_path(qa.settings)), n_ctx=qa.settings.llm.context_window,
                    n_threads=2, verbose=False, **options)
        for _ in llm.create_chat_completion(prompts[0], max_tokens=1, temperature=0.0, stream=True):
            pass  # warm-up: the system prompt is in the KV cache from here on
        times, tokens = [], []
        for messages in prompts[1:]:
            started = time.perf_counter()
            for _ in llm.create_chat_completion(messages, max_tokens=1, temperature=0.0, stream=True):
                pass
            times.append(time.perf_counter() - started)
            tokens.append(len(llm.tokenize(messages[1]["content"].encode())))
        del llm
        rows.append({"setting": label, "prefill_p50_s": statistics.median(times), "prefill_max_s": max(times),
                     "user_tokens_p50": statistics.median(tokens),
                     "tokens_per_s": sum(tokens) / sum(times)})
        print(rows[-1], flush=True)
    lines = ["# Prefill (first-token wait) of answer prompts, local model on llama.cpp", "",
             f"{len(retrieved) - 1} RealTime QA dev prompts per setting after one warm-up; the system prompt is "
             "cached, so the tokens are the user message (sources and question).", "",
             "| setting | prefill p50 (s) | prefill max (s) | prompt tokens p50 | tokens/s |",
             "|---|---:|---:|---:|---:|"]
    lines += [f"| {r['setting']} | {r['prefill_p50_s']:.2f} | {r['prefill_max_s']:.2f} | {r['user_tokens_p50']:.0f} "
              f"| {r['tokens_per_s']:.0f} |" for r in rows]
    save("prefill", {"rows": rows, "questions": len(retrieved)}, "\n".join(lines) + "\n")
    prefill_chart(rows, chart_path("prefill"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
