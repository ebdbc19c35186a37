"""Write an eval report three ways: report.json (everything), report.md (tables), report.png (a chart)."""
from __future__ import annotations

import json
from pathlib import Path

# Columns of the Markdown tables and bars of the chart, in reading order. Correctness always sits next to
# the citation scores: quoting the top passage maximises citation scores while answering badly (ALCE).
RETRIEVAL = ["hit@1", "hit@5", "recall@5", "mrr@10", "ndcg@10", "article_hit@5", "article_mrr@10"]
# Citation scores are per answer, averaged over the `answered` questions printed beside them (ALCE).
# `evidence_cited`: the answer cites a gold evidence paragraph (PolNeAR: one attributed to the asked speaker).
ANSWERS = ["answer_recall", "token_f1", "answer_words", "answered", "evidence_cited", "citation_recall",
           "citation_precision", "groundedness"]
# A generator's draft before the grounding guard (numbers pointing nowhere are counted here: the guard drops them).
# `fallback_answers`: answered by the extractive answerer because nothing of the draft survived (llm.fallback).
DRAFTS = ["drafts", "draft_citation_recall", "draft_citation_precision", "draft_groundedness",
          "draft_invalid_citations", "fallback_answers"]
REFUSAL = ["refusal_precision", "refusal_recall", "false_refusal_rate"]
LATENCY = ["retrieve_ms_p50", "retrieve_ms_p95", "first_token_ms_p50", "first_token_ms_p95", "generate_ms_p50",
           "generate_ms_p95", "check_ms_p50", "check_ms_p95"]
CHART = ["hit@5", "mrr@10", "answer_recall", "citation_recall", "citation_precision", "refusal_recall",
         "false_refusal_rate"]


def table(rows: dict[str, dict], columns: list[str], first: str) -> str:
    head = f"| {first} | " + " | ".join(columns) + " |\n|---|" + "---:|" * len(columns) + "\n"
    body = "".join(f"| {name} | " + " | ".join(fmt(values.get(c, 0.0)) for c in columns) + " |\n"
                   for name, values in rows.items())
    return head + body


def fmt(value) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1f}" if isinstance(value, float) and value > 1.5 else f"{value:.3f}" if isinstance(
        value, float) else str(value)


def markdown(report: dict) -> str:
    configs = {name: c["metrics"] for name, c in report["configs"].items()}
    n = next(iter(configs.values()))["questions"]
    of = report.get("of", n)
    asked = f"{n} questions" if of == n else f"{n} of {of} questions (seeded sample, `--limit {n}`)"
    names = ", ".join(f"`{c}`" for c in configs)
    answerer = "each config's answerer" if report["answerer"] == "default" else f"answerer `{report['answerer']}`"
    out = [f"# Eval: {Path(report['dataset']).name}\n",
           f"{asked}, configs {names} ({answerer}), top-k {report['k']}, judge `{report['judge']}`, "
           f"{report['ingest']['articles']} articles.\n"]
    for title, columns in (("Retrieval", RETRIEVAL), ("Answers and citations", ANSWERS), ("Refusal", REFUSAL),
                           ("Latency (ms)", LATENCY)):
        out.append(f"## {title}\n\n" + table(configs, columns, "config"))
    if any(v.get("drafts") for v in configs.values()):
        out.append("## Drafts before the grounding guard\n\n" + table(configs, DRAFTS, "config"))
    for name, c in report["configs"].items():
        out.append(f"## By question type ({name})\n\n"
                   + table({f"{t} ({v['questions']})": v for t, v in c["by_tag"].items()},
                            ["hit@5", "answer_recall", "citation_recall", "refusal_recall", "false_refusal_rate"],
                            "tag"))
    return "\n".join(out)


def chart(report: dict, path: Path) -> None:
    bars({name: c["metrics"] for name, c in report["configs"].items()}, CHART,
         f"{Path(report['dataset']).name}: answerer {report['answerer']}", path)


def bars(groups: dict[str, dict], keys: list[str], title: str, path: Path, legend_size: float | None = None) -> None:
    """One bar per group for each of `keys` (scores in 0..1; None leaves a gap), saved as a PNG."""
    from math import nan

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    width = 0.8 / len(groups)
    fig, ax = plt.subplots(figsize=(11, 4.5))
    for i, (name, values) in enumerate(groups.items()):
        xs = [j + i * width for j in range(len(keys))]
        ax.bar(xs, [nan if values[k] is None else values[k] for k in keys], width, label=name)
    ax.set_xticks([j + width * (len(groups) - 1) / 2 for j in range(len(keys))], keys, rotation=20)
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.legend(fontsize=legend_size)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(report: dict, out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "report.json", "md": out / "report.md", "png": out / "report.png"}
    paths["json"].write_text(json.dumps(report, indent=2, ensure_ascii=False))
    paths["md"].write_text(markdown(report))
    chart(report, paths["png"])
    return paths
