"""Figures of bench/load.py runs: one summary per run, every run kept in load.json, a table in load.md and
latency curves in load.png (one line per run and path)."""
from __future__ import annotations

import json
import platform
import time
from pathlib import Path

from eval.metrics import percentile


def summarize(run: dict) -> dict:
    rows = run["rows"]
    served = [r for r in rows if "error" not in r]
    modes = sorted({r["mode"] for r in rows})
    up = run["upload"]

    def stats(subset):
        lat = [r["latency"] for r in subset if "error" not in r]
        return {"requests": len(subset), "errors": sum("error" in r for r in subset),
                "incorrect": sum("error" not in r and not r["correct"] for r in subset),
                "p50": percentile(lat, 50), "p95": percentile(lat, 95), "max": max(lat, default=0.0)}

    span = (max(r["at"] + r["latency"] for r in rows) - min(r["at"] for r in rows)) if rows else 0.0
    return {"all": stats(rows), **{m: stats([r for r in rows if r["mode"] == m]) for m in modes},
            "throughput": len(served) / span if span else 0.0,
            "upload_done_in_window": up.get("finished_at", float("inf")) <= max((r["at"] for r in rows), default=0),
            "upload_s": up.get("finished_at", 0) - up["started_at"]}


def write_report(run: dict, out: Path) -> str:
    out.mkdir(parents=True, exist_ok=True)
    key = f"clients={run['clients']} concurrency={run['concurrency']}"
    store = out / "load.json"
    runs = json.loads(store.read_text()) if store.exists() else {}
    run["summary"] = summarize(run)
    run["when"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    runs[key] = run
    store.write_text(json.dumps(runs, indent=1))
    _plot(runs, out / "load.png")
    lines = ["# Load: concurrent questions while articles are ingested", "",
             f"`python bench/load.py` on {platform.machine()}, {run['cpus']} CPUs shared with other jobs (load "
             "average at start and end of each run below). A request is *correct* when its answer (text and cited "
             "paragraph ids) equals the answer to the same question asked alone before or after the ingest.", "",
             "| run | when | requests | errors | incorrect | p50 s | p95 s | max s | req/s | uploaded | upload s | "
             "doctor | load avg |", "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in runs.items():
        s, u = r["summary"], r["upload"]
        lines.append(f"| {name}, {r['duration']:g}s | {r['when']} | {s['all']['requests']} | {s['all']['errors']} | "
                     f"{s['all']['incorrect']} | {s['all']['p50']:.2f} | {s['all']['p95']:.2f} | {s['all']['max']:.2f} | "
                     f"{s['throughput']:.1f} | {u['added']} | {s['upload_s']:.0f} | "
                     f"{'ok' if r['doctor'].get('ok') else 'PROBLEMS'} | "
                     f"{' → '.join(f'{x:.1f}' for x in r['load_avg'])} |")
    lines += ["", "Per path (api: POST /api/ask; stream: the same with SSE; gradio: /gradio_api/call/ask through "
              "Gradio's queue):", "", "| run | path | requests | errors | incorrect | p50 s | p95 s |",
              "|---|---|---|---|---|---|---|"]
    for name, r in runs.items():
        for mode in ("api", "stream", "gradio"):
            if mode in r["summary"]:
                m = r["summary"][mode]
                lines.append(f"| {name} | {mode} | {m['requests']} | {m['errors']} | {m['incorrect']} | "
                             f"{m['p50']:.2f} | {m['p95']:.2f} |")
    errors = sorted({row["error"] for r in runs.values() for row in r["rows"] if "error" in row})[:10]
    lines += ["", "Errors seen: " + ("none" if not errors else "; ".join(f"`{e}`" for e in errors)), "",
              "![latency](load.png)", ""]
    (out / "load.md").write_text("\n".join(lines))
    return "\n".join(lines[6:])


def _plot(runs: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name, r in runs.items():
        for mode in ("api", "stream", "gradio"):
            lat = sorted(row["latency"] for row in r["rows"] if row["mode"] == mode and "error" not in row)
            if lat:
                ax.plot(lat, [(i + 1) / len(lat) for i in range(len(lat))], label=f"{name}: {mode}")
    ax.set_xlabel("latency (s)")
    ax.set_ylabel("fraction of requests")
    ax.set_title("Answer latency under load (cumulative)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
