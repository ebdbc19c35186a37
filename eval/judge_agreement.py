"""Agreement of the citation judges with the hand-labelled pairs of eval/data/judge_pairs.jsonl.

    python -m eval.judge_agreement [--judge llm|heuristic|both] [--split test|dev] [--backend local|openai]

For each judge, on one split (test unless told): precision and recall of "not supported" overall and per kind,
accuracy, Cohen's kappa, n, and the judge's time per pair (uncached calls only). A kind of unsupported pair is
scored against the supported pairs citing the same paragraphs (each unsupported sentence was written as a variant
of one of them), so its precision counts the supported sentences the judge wrongly rejects on those paragraphs.
Writes eval/out/judge_agreement.{json,md,png} and eval/results/judge_agreement_<split>.{json,md} (ids, our
sentences and numbers only). Needs ../shared/data for the paragraph text; without it, says so and exits 0.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from eval.judge_pairs import KINDS, MissingData, Pair, load_pairs, resolve

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "eval" / "out"
RESULTS = ROOT / "eval" / "results"


def binary_scores(gold: list[bool], flagged: list[bool]) -> dict:
    """Precision and recall of flagging "not supported" (gold False = not supported)."""
    unsupported = [not g for g in gold]
    tp = sum(f and u for f, u in zip(flagged, unsupported))
    return {"precision": tp / sum(flagged) if any(flagged) else None,
            "recall": tp / sum(unsupported) if any(unsupported) else None}


def kappa(gold: list[bool], predicted: list[bool]) -> float | None:
    n = len(gold)
    observed = sum(g == p for g, p in zip(gold, predicted)) / n
    g1, p1 = sum(gold) / n, sum(predicted) / n
    expected = g1 * p1 + (1 - g1) * (1 - p1)
    return (observed - expected) / (1 - expected) if expected < 1 else None


def paragraphs_key(pair: Pair) -> tuple:
    return tuple(sorted((c.doc_id, c.paragraph) for c in pair.cited))


def agreement(pairs: list[Pair], predicted: list[bool]) -> dict:
    gold = [p.label for p in pairs]
    flagged = [not s for s in predicted]
    overall = {"n": len(pairs), "accuracy": sum(g == s for g, s in zip(gold, predicted)) / len(pairs),
               "kappa": kappa(gold, predicted), **binary_scores(gold, flagged)}
    by_kind = {}
    for kind, label in KINDS.items():
        idx = [i for i, p in enumerate(pairs) if p.kind == kind]
        if not idx:
            continue
        row = {"n": len(idx), "label": "supported" if label else "not supported",
               "correct": sum(predicted[i] == label for i in idx) / len(idx)}
        if not label:  # the kind's pairs plus the supported pairs on the same paragraphs
            keys = {paragraphs_key(pairs[i]) for i in idx}
            idx += [i for i, p in enumerate(pairs) if p.label and paragraphs_key(p) in keys]
            row.update(binary_scores([gold[i] for i in idx], [flagged[i] for i in idx]))
        by_kind[kind] = row
    return {**overall, "by_kind": by_kind}


def sample(pairs: list[Pair], limit: int | None) -> list[Pair]:
    """A seeded sample of about `limit` pairs, the same share of every kind (file order kept); all when None."""
    if not limit or limit >= len(pairs):
        return pairs
    import random

    rng, per_kind = random.Random(13), -(-limit // len(KINDS))
    chosen = set()
    for kind in KINDS:
        ids = [p.id for p in pairs if p.kind == kind]
        chosen.update(rng.sample(ids, min(per_kind, len(ids))))
    return [p for p in pairs if p.id in chosen]


def run_judge(judge, pairs: list[Pair], progress: bool) -> tuple[list[bool], list[float]]:
    from tqdm import tqdm

    predicted, seconds = [], []
    for pair in tqdm(pairs, desc=f"judge {judge.name}", unit="pair", disable=not progress):
        started = time.perf_counter()
        predicted.append(judge.supports(pair.sentence, pair.paragraphs))
        if not judge.last_cached:  # a cached verdict says nothing about the judge's speed
            seconds.append(time.perf_counter() - started)
    return predicted, seconds


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def markdown(result: dict) -> str:
    sampled = f", a seeded sample equal per kind (`--limit {result['sample']}`)" if result.get("sample") else ""
    out = [f"# Citation judge agreement ({result['split']} split, {result['pairs']} pairs{sampled})\n",
           "Precision and recall are of \"not supported\". `correct`: share of the kind's pairs judged as labelled.\n",
           "| judge | n | accuracy | kappa | precision | recall | s per pair (p50) | uncached calls |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in result["judges"].items():
        out.append(f"| {name} | {r['n']} | {_fmt(r['accuracy'])} | {_fmt(r['kappa'])} | {_fmt(r['precision'])} | "
                   f"{_fmt(r['recall'])} | {_fmt(r['seconds_p50'])} | {r['timed_calls']} |")
    out += ["", "| kind | label | judge | n | correct | precision | recall |", "|---|---|---|---:|---:|---:|---:|"]
    for kind in KINDS:
        for name, r in result["judges"].items():
            k = r["by_kind"].get(kind)
            if k:
                out.append(f"| {kind} | {k['label']} | {name} | {k['n']} | {_fmt(k['correct'])} | "
                           f"{_fmt(k.get('precision'))} | {_fmt(k.get('recall'))} |")
    return "\n".join(out) + "\n"


def chart(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    judges = result["judges"]
    kinds = [k for k in KINDS if any(k in r["by_kind"] for r in judges.values())]
    width = 0.8 / max(len(judges), 1)
    fig, ax = plt.subplots(figsize=(11, 4.5))
    for i, (name, r) in enumerate(judges.items()):
        ax.bar([j + i * width for j in range(len(kinds))], [r["by_kind"].get(k, {}).get("correct", 0) for k in kinds],
               width, label=name)
    ax.set_xticks([j + width * (len(judges) - 1) / 2 for j in range(len(kinds))], kinds, rotation=20)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share judged as labelled")
    ax.set_title(f"Citation judges on the {result['split']} split of eval/data/judge_pairs.jsonl")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(result: dict) -> list[Path]:
    """Merge this run's judges into the split's results (a judge run alone keeps the other's figures)."""
    OUT.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = f"judge_agreement_{result['split']}" + (f"_sample{result['pairs']}" if result["sample"] else "")
    kept = RESULTS / f"{stem}.json"
    if kept.is_file():
        previous = json.loads(kept.read_text())
        if previous.get("pairs") == result["pairs"]:
            result["judges"] = {**previous["judges"], **result["judges"]}
    paths = []
    for folder, name in ((OUT, "judge_agreement"), (RESULTS, stem)):
        (folder / f"{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        (folder / f"{name}.md").write_text(markdown(result))
        paths += [folder / f"{name}.json", folder / f"{name}.md"]
    chart(result, OUT / "judge_agreement.png")
    return paths + [OUT / "judge_agreement.png"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--judge", choices=["heuristic", "llm", "both"], default="both")
    parser.add_argument("--split", choices=["test", "dev"], default="test")
    parser.add_argument("--backend", choices=["local", "openai"], default="local", help="model of the llm judge")
    parser.add_argument("--no-cache", action="store_true", help="ask the llm judge again (verdicts are cached)")
    parser.add_argument("--limit", type=int, default=None,
                        help="a seeded sample of about N pairs, equal per kind (for a slow judge); reported as such")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    from eval.judge import make_judge
    from qa.settings import load_settings

    pairs = sample(load_pairs(split=args.split), args.limit)
    try:
        resolve(pairs)
    except MissingData as exc:
        print(f"skipped: {exc}", file=sys.stderr)
        return 0
    settings = load_settings()
    result = {"split": args.split, "pairs": len(pairs), "sample": args.limit, "judges": {}}
    for name in (["heuristic", "llm"] if args.judge == "both" else [args.judge]):
        judge = make_judge(name, settings, backend=args.backend, cache=not args.no_cache)
        predicted, seconds = run_judge(judge, pairs, progress=not args.quiet)
        result["judges"][judge.name] = {
            **agreement(pairs, predicted), "timed_calls": len(seconds),
            "seconds_p50": statistics.median(seconds) if seconds else None,
            "seconds_mean": statistics.fmean(seconds) if seconds else None,
            "unparsed_replies": judge.unparsed,
            "predictions": {p.id: s for p, s in zip(pairs, predicted)}}
    paths = write(result)
    print(markdown(result))
    print("wrote " + ", ".join(str(p.relative_to(ROOT)) for p in paths), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
