"""Agreement of the support judge with hand labels (eval/data/judge_labels.jsonl).

    python -m eval.judge_agreement [--sweep]

Prints accuracy, precision/recall of "supported", Cohen's kappa and accuracy per kind of pair (hard negatives:
swapped numbers, wrong paragraph, wrong speaker, negation, invented detail). `--sweep` shows how the
threshold trades precision for recall; the threshold in qa/grounding.py was chosen on that sweep with
two-fold cross-validation (the figure reported is the held-out one).
"""
from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from qa.grounding import DEFAULT_THRESHOLD, score_support

LABELS = Path(__file__).resolve().parent / "data" / "judge_labels.jsonl"


def load_labels(path: Path = LABELS) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def agreement(labels: list[dict], scores: list[float], threshold: float) -> dict:
    predicted = [s >= threshold and s > 0 for s in scores]
    gold = [row["supported"] for row in labels]
    tp = sum(p and g for p, g in zip(predicted, gold))
    fp = sum(p and not g for p, g in zip(predicted, gold))
    fn = sum(g and not p for p, g in zip(predicted, gold))
    n = len(gold)
    accuracy = sum(p == g for p, g in zip(predicted, gold)) / n
    p_yes = (sum(predicted) / n) * (sum(gold) / n) + (1 - sum(predicted) / n) * (1 - sum(gold) / n)
    per_kind = defaultdict(list)
    for row, p in zip(labels, predicted):
        per_kind[row["kind"]].append(p == row["supported"])
    return {"n": n, "threshold": threshold, "accuracy": accuracy,
            "precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
            "kappa": (accuracy - p_yes) / (1 - p_yes) if p_yes < 1 else 1.0,
            "by_kind": {k: sum(v) / len(v) for k, v in sorted(per_kind.items())}}


def best_threshold(labels, scores, grid) -> float:
    return max(grid, key=lambda t: (agreement(labels, scores, t)["accuracy"], -abs(t - DEFAULT_THRESHOLD)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sweep", action="store_true")
    args = parser.parse_args()
    from index.embed import Embedder
    from qa.settings import load_settings

    settings = load_settings()
    embedder = Embedder(settings.index.embedding_model, settings.index.device)
    labels = load_labels()
    scores = [score_support(r["sentence"], [r["paragraph"]], embedder).score for r in labels]
    grid = [round(0.40 + 0.02 * i, 2) for i in range(21)]
    # Two-fold cross-validation: pick the threshold on one half, measure on the other.
    folds = [list(range(0, len(labels), 2)), list(range(1, len(labels), 2))]
    held_out = []
    for train, test in (folds, folds[::-1]):
        t = best_threshold([labels[i] for i in train], [scores[i] for i in train], grid)
        held_out.append(agreement([labels[i] for i in test], [scores[i] for i in test], t)["accuracy"])
    result = agreement(labels, scores, DEFAULT_THRESHOLD)
    print(f"{result['n']} labelled pairs, threshold {DEFAULT_THRESHOLD}: accuracy {result['accuracy']:.3f}, "
          f"precision {result['precision']:.3f}, recall {result['recall']:.3f}, kappa {result['kappa']:.3f}; "
          f"held-out accuracy (2-fold) {sum(held_out) / 2:.3f}")
    print("| kind | agreement |\n|---|---:|")
    for kind, value in result["by_kind"].items():
        print(f"| {kind} | {value:.3f} |")
    if args.sweep:
        for t in grid:
            r = agreement(labels, scores, t)
            print(f"threshold {t:.2f}: accuracy {r['accuracy']:.3f} precision {r['precision']:.3f} "
                  f"recall {r['recall']:.3f}")


if __name__ == "__main__":
    main()
