"""The CI gate: every metric named in eval/thresholds.toml must reach its bound."""
from __future__ import annotations

import tomllib
from importlib.resources import files
from pathlib import Path

THRESHOLDS = Path(str(files("eval").joinpath("thresholds.toml")))  # package data of `eval`
# Lower is better for these; everything else is a minimum.
MAXIMA = {"false_refusal_rate"}


def check(report: dict, dataset_name: str, path: Path = THRESHOLDS) -> list[str]:
    """Failures as readable lines; empty when the report passes (or has no thresholds for this dataset)."""
    bounds = tomllib.loads(path.read_text()).get(dataset_name, {})
    failures = []
    for config, result in report["configs"].items():
        for metric, bound in bounds.items():
            value = result["metrics"][metric]
            if value is None:
                failures.append(f"{config}: {metric} is undefined on this dataset (no question measures it)")
                continue
            worse = value > bound if metric in MAXIMA else value < bound
            if worse:
                relation = "above the maximum" if metric in MAXIMA else "below the minimum"
                failures.append(f"{config}: {metric} = {value:.3f} is {relation} {bound}")
    return failures
