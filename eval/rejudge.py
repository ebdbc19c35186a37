"""Judge the answers of a finished eval run again, with another citation judge, without regenerating them.

    python -m eval.rejudge eval/out/realtimeqa_dev_local --judge llm [--home DIR]

An LLM answerer takes 20 s a question on two cores; the llm judge a few seconds a sentence. This reads the
run's report.json (each answer's text and the paragraph id behind each `[n]`), looks the cited paragraphs up
in the home the run used, scores every answer with
the chosen judge exactly as `qa eval` does (eval/citations.py: ALCE per answer, averaged over the answered
questions) and writes report_<judge>.json / report_<judge>.md beside the report.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from eval.citations import score_text
from eval.judge import JUDGES, make_judge
from eval.report import table
from eval.run import citation_means, citation_row
from qa.citations import HEADER_SUFFIX


def cited_ids(report: dict) -> set[str]:
    return {c["paragraph_id"] for config in report["configs"].values() for item in config["items"]
            for c in item["citations"]}


def paragraph_texts(home: Path, wanted: set[str]) -> dict[str, str]:
    """The text of each wanted paragraph (an article header as the answerers cite it) from the run's home."""
    from qa import QA
    from qa.citations import header_text

    manifest = QA(home, index={"seed_default_corpus": False}).store.manifest
    texts = {pid: row["text"] for pid, row in manifest.paragraphs(sorted(wanted)).items()}
    for pid in wanted:
        if pid.endswith(HEADER_SUFFIX) and (article := manifest.article(pid[: -len(HEADER_SUFFIX)])):
            texts[pid] = header_text(article.get("title", ""), article.get("source", ""),
                                     article.get("published", ""), article.get("authors") or [])
    return texts


def rejudge(report: dict, texts: dict[str, str], judge, progress: bool = True,
            configs: list[str] | None = None) -> dict[str, dict]:
    """Per config (all, or those named): the ALCE citation means under `judge` over its answered questions."""
    out = {}
    for name, config in report["configs"].items():
        if configs and name not in configs:
            continue
        rows = []
        answered = [item for item in config["items"] if not item["refused"]]
        for i, item in enumerate(answered, 1):
            sources = {c["n"]: texts[c["paragraph_id"]] for c in item["citations"]}
            rows.append({"id": item["id"], "scores": citation_row(score_text(item["answer"], sources, judge))})
            if progress:
                print(f"\r{name}: {i}/{len(answered)} answers judged", end="", file=sys.stderr, flush=True)
        if progress:
            print(file=sys.stderr)
        out[name] = {"answered": len(answered), **citation_means(rows, "scores", ""), "items": rows}
    return out


def markdown(report: dict, results: dict[str, dict], judge_name: str) -> str:
    return (f"# Citations of `{report['dataset']}` judged again by the `{judge_name}` judge\n\n"
            f"The answers of the run (judge `{report.get('judge', 'heuristic')}` there), unchanged; "
            "ALCE per-answer means over the answered questions.\n\n"
            + table(results, ["answered", "citation_recall", "citation_precision", "groundedness"], "config"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run", type=Path, help="the report folder of a `qa eval` run (holds report.json)")
    ap.add_argument("--judge", choices=JUDGES, default="llm")
    ap.add_argument("--judge-backend", choices=("local", "openai"), default="local")
    ap.add_argument("--home", type=Path, help="the index home the run used (default: the report's)")
    ap.add_argument("--configs", help="comma-separated configs of the run to judge (default: all)")
    args = ap.parse_args(argv)
    path = args.run / "report.json"
    if not path.is_file():
        print(f"{path}: no report.json (run `qa eval ... --out {args.run}` first)", file=sys.stderr)
        return 2
    report = json.loads(path.read_text(encoding="utf-8"))
    home = args.home or (Path(report["home"]) if report.get("home") else None)
    wanted = cited_ids(report)
    if home is None:
        print(f"{path}: the report names no home; pass --home", file=sys.stderr)
        return 2
    texts = paragraph_texts(home, wanted) if wanted else {}
    lost = sorted(wanted - texts.keys())
    if lost:
        print(f"{len(lost)} cited paragraphs are not in {home} (first: {lost[0]}); is it the run's home?",
              file=sys.stderr)
        return 2
    from qa.settings import load_settings

    settings = load_settings(home)
    judge = make_judge(args.judge, settings, backend=args.judge_backend)
    results = rejudge(report, texts, judge, configs=args.configs.split(",") if args.configs else None)
    (args.run / f"report_{args.judge}.json").write_text(
        json.dumps({"dataset": report["dataset"], "judge": args.judge, "configs": results}, indent=1),
        encoding="utf-8")
    table = markdown(report, results, args.judge)
    (args.run / f"report_{args.judge}.md").write_text(table, encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
