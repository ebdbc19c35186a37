"""The CI gate: every metric named in eval/thresholds.toml must reach its bound.

A dataset without a thresholds entry fails: a gate that checks nothing must not print "gate passed".
"""
from __future__ import annotations

import tomllib
from importlib.resources import files
from pathlib import Path

THRESHOLDS = Path(str(files("eval").joinpath("thresholds.toml")))  # package data of `eval`
# Lower is better for these; everything else is a minimum.
MAXIMA = {"false_refusal_rate", "answer_words"}


def check(report: dict, dataset_name: str, path: Path = THRESHOLDS) -> list[str]:
    """Failures as readable lines; empty only when every bound of the dataset's entry is met."""
    bounds = tomllib.loads(path.read_text()).get(dataset_name)
    if not bounds:
        return [f"{dataset_name}: no thresholds in {path} (add a [{dataset_name}] entry measured on this set)"]
    failures = []
    for config, result in report["configs"].items():
        for metric, bound in bounds.items():
            if metric not in result["metrics"]:
                failures.append(f"{config}: {metric} is not a metric the eval computes")
                continue
            value = result["metrics"][metric]
            if value is None:
                failures.append(f"{config}: {metric} is undefined on this dataset (no question measures it)")
                continue
            worse = value > bound if metric in MAXIMA else value < bound
            if worse:
                relation = "above the maximum" if metric in MAXIMA else "below the minimum"
                failures.append(f"{config}: {metric} = {value:.3f} is {relation} {bound}")
    return failures
