"""The development-set figures the README quotes, as a file that may be committed: metrics only.

The eval reports of the RealTime QA and PolNeAR runs (`eval/out/*/report.json`) hold the questions, the
answers and the quoted news, which are not ours to publish; this keeps their numbers (one row per dataset and
config) as `eval/results/dev_sets.{md,json,png}`.

    python -m eval.summary eval/out/realtimeqa_dev_local eval/out/polnear_dev_local ... [--out eval/results/dev_sets]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from eval.report import bars, fmt

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ["questions", "hit@5", "article_hit@5", "answer_recall", "token_f1", "answer_words", "answered",
           "fallback_answers", "evidence_cited", "citation_recall", "citation_precision", "false_refusal_rate",
           "first_token_ms_p50", "first_token_ms_p95", "generate_ms_p50", "generate_ms_p95"]
CHART = ["hit@5", "answer_recall", "evidence_cited", "false_refusal_rate"]


def rows_of(report_dirs: list[Path]) -> list[dict]:
    rows = []
    for folder in report_dirs:
        report = json.loads((folder / "report.json").read_text())
        for name, config in report["configs"].items():
            metrics = config["metrics"]
            rows.append({"dataset": Path(report["dataset"]).stem, "config": name, "judge": report["judge"],
                         "of": report.get("of", metrics["questions"]),
                         **{c: metrics.get(c) for c in COLUMNS}})
    return rows


def markdown(rows: list[dict]) -> str:
    head = "| dataset | config | " + " | ".join(COLUMNS) + " |\n|---|---|" + "---:|" * len(COLUMNS) + "\n"
    body = "".join(f"| {r['dataset']} | {r['config']} | " + " | ".join(fmt(r[c]) for c in COLUMNS) + " |\n"
                   for r in rows)
    return ("Metrics only (the reports with questions and answers stay in `eval/out/`, not committed). "
            "`questions` of all the set's questions unless a row says otherwise; latencies in ms.\n\n" + head + body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("reports", nargs="+", type=Path, help="eval output folders (each with report.json)")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "results" / "dev_sets")
    args = parser.parse_args()
    missing = [str(f) for f in args.reports if not (f / "report.json").is_file()]
    if missing:
        raise SystemExit(f"no report.json in: {', '.join(missing)} (run `make eval-dev` first)")
    rows = rows_of(args.reports)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(rows, indent=1) + "\n")
    args.out.with_suffix(".md").write_text(markdown(rows))
    bars({f"{r['dataset']} {r['config']}": r for r in rows}, CHART, "Development sets", args.out.with_suffix(".png"),
         legend_size=8)
    print(f"wrote {args.out}.md, .json, .png ({len(rows)} rows)")


if __name__ == "__main__":
    main()
