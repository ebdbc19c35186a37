"""The eval harness end to end: metrics by hand, the shipped datasets valid, and the gate catching regressions."""
from __future__ import annotations

import json

import pytest

from eval import gate, metrics
from eval.check_datasets import check_all
from eval.datasets import DATA, default_corpus
from eval.run import run_eval
from qa.answerers import BACKENDS
from qa.answerers.base import Answerer, compose


def test_retrieval_metrics_by_hand():
    ranked, relevant = ["a", "b", "c", "d"], {"b", "d"}
    assert metrics.hit_at_k(ranked, relevant, 1) == 0.0 and metrics.hit_at_k(ranked, relevant, 2) == 1.0
    assert metrics.recall_at_k(ranked, relevant, 2) == 0.5
    assert metrics.mrr_at_k(ranked, relevant) == 0.5
    # DCG = 1/log2(3) + 1/log2(5); ideal = 1 + 1/log2(3)
    assert metrics.ndcg_at_k(ranked, relevant) == pytest.approx((0.63093 + 0.43068) / 1.63093, abs=1e-4)


def test_answer_metrics_by_hand():
    assert metrics.answer_recall("It has 400 million daily users [1].", ["400 million"]) == 1.0
    assert metrics.answer_recall("It has 1400 million users.", ["400 million"]) == 0.0
    assert metrics.token_f1("the Squid Game show", ["“Squid Game”"]) == pytest.approx(0.8)
    scores = metrics.refusal_scores([True, True, False, False], [False, True, True, False])
    assert scores == {"refusal_precision": 0.5, "refusal_recall": 0.5, "false_refusal_rate": 0.5}
    # Nothing unanswerable, nothing refused: refusal scores are undefined, not a perfect 1.0.
    assert metrics.refusal_scores([False, False], [True, True]) == {
        "refusal_precision": None, "refusal_recall": None, "false_refusal_rate": 0.0}


def test_shipped_datasets_are_valid():
    problems = check_all()
    assert set(problems) == {"wuzhen.jsonl", "multi.jsonl", "judge_labels.jsonl"}
    assert not any(problems.values()), problems


class WrongParagraphAnswerer(Answerer):
    """Deliberately broken: quotes the best passage but cites the last one."""

    name = "broken"

    def answer(self, question, passages, speakers, entities):
        if not passages:
            return self.refuse(question, passages)
        answer = compose(question, passages, [(passages[-1], 0, len(passages[-1].text))], 1.0, self.name)
        answer.text = passages[0].text + " [1]"
        return answer


@pytest.fixture
def broken_answerer(monkeypatch):
    monkeypatch.setitem(BACKENDS, "broken", (__name__, "WrongParagraphAnswerer"))


def test_gate_fails_a_broken_answerer(broken_answerer, tmp_path):
    dataset = DATA / "wuzhen.jsonl"
    report = run_eval(dataset, default_corpus(dataset), tmp_path / "home", answerer="broken", progress=False)
    failures = gate.check(report, "wuzhen")
    failed = {line.split()[1] for line in failures}
    assert {"citation_recall", "refusal_recall"} <= failed, failures


def test_gate_fails_a_retrieval_regression(monkeypatch, tmp_path):
    import qa.retrieve

    real = qa.retrieve._retrieve
    monkeypatch.setattr(qa.retrieve, "_retrieve", lambda *a, **kw: real(*a, **kw)[::-1])  # best paragraph last
    dataset = DATA / "wuzhen.jsonl"
    report = run_eval(dataset, default_corpus(dataset), tmp_path / "home", progress=False)
    failed = {line.split()[1] for line in gate.check(report, "wuzhen")}
    assert {"mrr@10", "ndcg@10"} <= failed


def test_cli_writes_the_three_reports(tmp_path):
    from click.testing import CliRunner

    from cli import main

    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["eval", "--dataset", str(DATA / "wuzhen.jsonl"), "--out", str(out),
                                       "--home", str(tmp_path / "h"), "--quiet", "--gate"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "| config | hit@1 |" in result.output and "gate passed" in result.output
    report = json.loads((out / "report.json").read_text())
    assert report["configs"]["default"]["metrics"]["questions"] == 59
    assert (out / "report.png").read_bytes()[:4] == b"\x89PNG" and "## Refusal" in (out / "report.md").read_text()


def test_sample_is_seeded_and_keeps_order():
    from eval.datasets import load_dataset, sample

    items = load_dataset(DATA / "wuzhen.jsonl")
    picked = sample(items, 10)
    assert len(picked) == 10 and picked == sample(items, 10)
    positions = [items.index(i) for i in picked]
    assert positions == sorted(positions) and positions != list(range(10))
    assert sample(items, None) is items and sample(items, 500) is items


def test_cli_limit_asks_a_sample_and_refuses_to_gate_it(tmp_path):
    from click.testing import CliRunner

    from cli import main

    args = ["eval", "--dataset", str(DATA / "wuzhen.jsonl"), "--out", str(tmp_path / "out"),
            "--home", str(tmp_path / "h"), "--quiet", "--limit", "7"]
    result = CliRunner().invoke(main, args + ["--gate"])
    assert result.exit_code == 2 and "--gate needs the whole dataset" in result.output
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "7 of 59 questions (seeded sample, `--limit 7`)" in result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert len(report["configs"]["default"]["items"]) == 7 and report["of"] == 59
