"""Pass the drafts an LLM answerer wrote in a finished eval run through the current guard again, without the model.

    python -m eval.recheck eval/out/realtimeqa_dev_local [--config local] [--home DIR]

A local-model run takes 17 minutes on RealTime QA dev; a change to the grounding guard (qa/guard.py) only changes
what happens after generation. This re-asks each question of the run with the same retrieval, hands the
answerer the draft the model wrote then (`draft` in each row of report.json) instead of generating, and applies
the guard and the extractive fallback as `qa ask` does. It prints answer recall, evidence cited, false refusals and
fallback answers, before (the run's rows) and after (the current guard), and the questions whose answer changed.
Greedy decoding makes a draft what the model would write again for the same prompt; a prompt change needs a new run.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from eval.run import DEPTH, answer_fields, load_config
from qa.llm import Generator, TextStream


class RecordedDraft(Generator):
    """Gives back the draft the model wrote in the run (set per question): the guard's input, not a model."""

    name = "recorded draft"
    draft = ""

    def stream(self, messages: list[dict]) -> TextStream:
        yield self.draft


def scores(rows: list[dict]) -> dict:
    count = len(rows) or 1
    return {"answer_recall": sum(r["answer_recall"] for r in rows) / count,
            "evidence_cited": sum(r["evidence_cited"] for r in rows) / count,
            "false_refusals": sum(r["refused"] for r in rows if r["answerable"]) / count,
            "fallback_answers": sum(bool(r.get("fallback")) for r in rows)}


def recheck(report: dict, config: str, home: Path | None, k: int) -> list[dict]:
    """The run's questions answered again from its recorded drafts, scored as `qa eval` scores a row."""
    from qa import QA

    qa = QA(home or report["home"], index={"seed_default_corpus": False}, **load_config(config))
    answerer = qa.answerer()  # the config's answerer (`local` for the `local` config)
    recorded = RecordedDraft()
    answerer._generator = recorded
    rows = []
    for item in report["configs"][config]["items"]:
        recorded.draft = item.get("draft") or ""
        ranked = qa.retrieve(item["question"], k=max(k, DEPTH), as_of=item["as_of"])
        answer = qa.answer(item["question"], ranked[:k], as_of=item["as_of"])
        rows.append({"id": item["id"], "question": item["question"], "answerable": item["answerable"],
                     "before": item["answer"], **answer_fields(answer, item["gold"], set(item["relevant"]))})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run", type=Path, help="the report folder of a `qa eval` run (holds report.json)")
    ap.add_argument("--config", default="local", help="the run's LLM config whose drafts to re-check")
    ap.add_argument("--home", type=Path, help="the index home the run used (default: the report's)")
    args = ap.parse_args(argv)
    report = json.loads((args.run / "report.json").read_text())
    items = report["configs"][args.config]["items"]
    if not any(i.get("draft") for i in items):
        raise SystemExit(f"{args.run / 'report.json'}: no drafts recorded (a run from before eval rows kept them)")
    after = recheck(report, args.config, args.home, report.get("k", 5))
    for row in after:
        if row["answer"] != row["before"]:
            print(f"- {row['question']}\n  before: {row['before'][:150]}\n  after:  {row['answer'][:150]}")
    for label, rows in (("before", items), ("after", after)):
        print(label, {key: round(value, 3) for key, value in scores(rows).items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
