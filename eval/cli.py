"""`qa eval` / `python -m eval`: run a dataset, print the table, write report.{json,md,png}, gate."""
from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("eval")
@click.option("--dataset", required=True, type=click.Path(exists=True, dir_okay=False), help="Eval JSONL file.")
@click.option("--corpus", multiple=True, type=click.Path(exists=True),
              help="Articles to ask over (default: the dataset's entry in eval/data/corpora.toml).")
@click.option("--answerer", default=None, help="Answerer backend (default: the settings' one).")
@click.option("--compare", default="default", help="Comma-separated configs from eval/configs (e.g. default,dense).")
@click.option("--out", type=click.Path(file_okay=False), default=None, help="Report folder (default: eval/out/NAME).")
@click.option("--home", type=click.Path(file_okay=False), default=None,
              help="Index home for this corpus (default: QA_HOME/eval/NAME; reused while unchanged).")
@click.option("-k", "--top-k", "k", type=int, default=5)
@click.option("--limit", type=int, default=None,
              help="Ask a seeded sample of this many questions (the same sample for every config).")
@click.option("--gate", "gate", is_flag=True, help="Exit 1 when a metric misses eval/thresholds.toml.")
@click.option("--quiet", is_flag=True, help="No progress bars.")
def eval_command(dataset, corpus, answerer, compare, out, home, k, limit, gate, quiet):
    """Measure retrieval, correctness, citations and refusal on a dataset."""
    from eval import gate as gates
    from eval import report as reports
    from eval.datasets import ROOT, default_corpus
    from eval.distractors import CorpusMissing
    from eval.run import run_eval
    from qa.settings import default_home

    if gate and limit:
        raise click.UsageError("--gate needs the whole dataset: thresholds were measured on every question")
    name = Path(dataset).stem
    try:
        corpus_paths = [Path(c) for c in corpus] or default_corpus(dataset)
    except CorpusMissing as exc:  # ../shared/data is not part of the repository: skip, saying so
        click.echo(f"SKIPPED {exc}", err=True)
        return
    home_path = Path(home) if home else default_home() / "eval" / name
    result = run_eval(dataset, corpus_paths, home_path, [c.strip() for c in compare.split(",") if c.strip()],
                      answerer, k, progress=not quiet, limit=limit)
    paths = reports.write(result, Path(out) if out else ROOT / "eval" / "out" / name)
    click.echo(reports.markdown(result))
    click.echo(f"wrote {paths['json']}, {paths['md']}, {paths['png']}", err=True)
    if gate:
        failures = gates.check(result, name)
        for line in failures:
            click.echo(f"GATE FAILED {line}", err=True)
        if failures:
            sys.exit(1)
        click.echo(f"gate passed ({name})", err=True)
