"""Tables and charts from the bench results (the dicts bench/run.py collects)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from bench.common import OUT  # noqa: E402

QUERY_STEPS = ["embed", "chroma", "dense", "dense+date", "bm25", "hybrid", "hybrid+date", "hybrid+week", "ask",
               "contains"]


def ingest_table(rows: dict) -> str:
    raw = rows["raw"]
    lines = ["| contender | texts encoded | paragraphs | seconds | paragraphs/s | texts/s | x raw (paragraphs/s) | peak RSS MiB |",
             "|---|---|---|---|---|---|---|---|"]
    for name, r in rows.items():
        lines.append(f"| {name} | {r['texts']:,} | {r['paragraphs']:,} | {r['seconds']:.1f} | {r['paragraphs'] / r['seconds']:.1f} "
                     f"| {r['texts'] / r['seconds']:.1f} | {raw['seconds'] / r['seconds']:.2f} | {r['peak_rss_mib']:.0f} |")
    alongside = rows["news-qa"].get("raw_alongside_s")
    if alongside:
        mean = sum(alongside) / len(alongside)
        lines += ["", f"**Same process**: the bare encoder on the same {rows['news-qa']['texts']:,} texts took "
                  f"{alongside[0]:.1f} s just before and {alongside[1]:.1f} s just after news-qa's ingest "
                  f"({rows['news-qa']['seconds']:.1f} s): ingest runs at **{mean / rows['news-qa']['seconds']:.2f}x** "
                  "the raw encoder."]
    costs = rows["news-qa"].get("costs", {})  # the serial contender's split is in the JSON
    total = rows["news-qa"]["seconds"]
    lines += ["", "news-qa ingest time by step (steps on the writer thread run while the next batch is encoded):", "",
              "| step | seconds | share of wall time |", "|---|---|---|"]
    lines += [f"| {k} | {v:.2f} | {v / total:.1%} |" for k, v in sorted(costs.items(), key=lambda kv: -kv[1])]
    return "\n".join(lines)


def ingest_chart(rows: dict, path) -> None:
    fig, ax = plt.subplots(figsize=(6, 3))
    names = list(rows)
    ax.barh(names, [rows[n]["paragraphs"] / rows[n]["seconds"] for n in names],
            color=["#888", "#2a7", "#8c6", "#47c"][:len(names)])
    ax.set_xlabel("paragraphs per second (same articles, same threads, batch 64)")
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _cell(r: dict, step: str) -> str:
    """p50 / p95 / p99 ms of a step ("—" where that run did not measure it)."""
    if step not in r["p50_ms"]:
        return "—"
    return " / ".join(f"{r[f'p{q}_ms'][step]:.0f}" if f"p{q}_ms" in r else "—" for q in (50, 95, 99))


def query_table(results: list[dict]) -> str:
    head = "| paragraphs | Chroma | " + " | ".join(QUERY_STEPS) + " | peak RSS MiB | of which not vectors MiB |"
    lines = [head, "|" + "---|" * (len(QUERY_STEPS) + 4)]
    for r in results:
        # Embedded Chroma holds the vectors in this process; with a server they live in the server's.
        besides = r["peak_rss_mib"] - (r.get("vectors_mib", 0) if r["mode"] == "embedded" else 0)
        lines.append(f"| {r['paragraphs']:,} | {r['mode']} | " + " | ".join(_cell(r, s) for s in QUERY_STEPS)
                     + f" | {r['peak_rss_mib']:.0f} | {besides:.0f} |")
    lines += ["", "Cells: p50 / p95 / p99 in ms over the same questions.", "",
              "Ratios to the app's own dense call in the same run (embed with the question-time encoder + "
              "VectorIndex.search, same k and include as retrieval), at the same percentile:", "",
              "| paragraphs | Chroma | hybrid / dense p50 | p95 | p99 | hybrid+date / dense+date p50 | p95 | p99 |",
              "|---|---|---|---|---|---|---|---|"]
    for r in results:
        ratios = r["ratios"]
        lines.append(f"| {r['paragraphs']:,} | {r['mode']} | "
                     + " | ".join(f"{ratios[f'p{q}']['hybrid / dense']:.2f}x" for q in (50, 95, 99)) + " | "
                     + " | ".join(f"{ratios[f'p{q}']['hybrid+date / dense+date']:.2f}x" for q in (50, 95, 99)) + " |")
    return "\n".join(lines)


def query_chart(results: list[dict], path) -> None:
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / max(1, len(results))
    for i, r in enumerate(results):
        xs = [j + i * width for j in range(len(QUERY_STEPS))]
        ax.bar(xs, [r["p50_ms"][s] for s in QUERY_STEPS], width, label=f"{r['paragraphs']:,} ¶, {r['mode']}")
    ax.set_xticks([j + width * (len(results) - 1) / 2 for j in range(len(QUERY_STEPS))], QUERY_STEPS, rotation=20)
    ax.set_yscale("log")
    ax.set_ylabel("p50 latency, ms (log)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def before_after_table(before: dict, after: dict) -> str:
    lines = ["| step | before p50 / p95 / p99 ms | after p50 / p95 / p99 ms | before / after (p50) |", "|---|---|---|---|"]
    for s in QUERY_STEPS:
        if s not in before["p50_ms"] or s not in after["p50_ms"]:
            continue
        b, a = before["p50_ms"][s], after["p50_ms"][s]
        lines.append(f"| {s} | {_cell(before, s)} | {_cell(after, s)} | {b / a:.1f}x |")
    return "\n".join(lines)


def cold_table(r: dict) -> str:
    lines = ["| start | seconds |", "|---|---|",
             f"| `qa ask`, first run (builds the seed index) | {r['ask_first_s']:.1f} |",
             f"| `qa ask`, later runs, same question (median of {len(r['ask_warm_s'])}) | {r['ask_warm_median_s']:.1f} |",
             f"| `qa ask`, later runs, a new question (median of {len(r['ask_new_question_s'])}) "
             f"| {r['ask_new_question_median_s']:.1f} |",
             f"| `python app.py` to a served page (median of {len(r['app_ready_s'])}) | {r['app_ready_median_s']:.1f} |",
             "", "| import (fresh interpreter, cumulative) | seconds |", "|---|---|"]
    lines += [f"| `import {m}` | {s:.1f} |" for m, s in r["imports_s"].items()]
    return "\n".join(lines)


def cold_chart(r: dict, path) -> None:
    fig, ax = plt.subplots(figsize=(6, 3))
    labels = ["qa ask (first run)", "qa ask (same question)", "qa ask (new question)", "app.py ready"]
    ax.barh(labels, [r["ask_first_s"], r["ask_warm_median_s"], r["ask_new_question_median_s"], r["app_ready_median_s"]],
            color=["#888", "#2a7", "#c84", "#47c"])
    ax.set_xlabel("seconds from process start")
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def prefill_chart(rows: list[dict], path) -> None:
    fig, ax = plt.subplots(figsize=(9, 3))
    ax.barh([r["setting"] for r in rows], [r["prefill_p50_s"] for r in rows], color="#47c")
    ax.axvline(3.0, color="#c44", linestyle="--", label="first-token aim (3 s)")
    ax.set_xlabel("first-token wait (prompt processing), p50 s")
    ax.invert_yaxis()
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def chart_path(name: str):
    OUT.mkdir(parents=True, exist_ok=True)
    return OUT / f"{name}.png"


def before_after_chart(before: dict, after: dict, path) -> None:
    fig, ax = plt.subplots(figsize=(8, 3.5))
    xs = range(len(QUERY_STEPS))
    ax.bar([x - 0.2 for x in xs], [before["p50_ms"].get(s, 0) for s in QUERY_STEPS], 0.4, label="before", color="#888")
    ax.bar([x + 0.2 for x in xs], [after["p50_ms"][s] for s in QUERY_STEPS], 0.4, label="after", color="#2a7")
    ax.set_xticks(list(xs), QUERY_STEPS, rotation=20)
    ax.set_yscale("log")
    ax.set_ylabel("p50 latency, ms (log)")
    ax.set_title(f"RealTime QA home, {after['paragraphs']:,} paragraphs", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
