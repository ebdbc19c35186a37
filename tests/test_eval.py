"""The eval harness end to end: metrics by hand, the shipped datasets valid, and the gate catching regressions."""
from __future__ import annotations

import json
import re

import pytest

from eval import gate, metrics
from eval.check_datasets import check_all
from eval.citations import score_text
from eval.datasets import DATA, default_corpus
from eval.run import citation_means, citation_row, run_eval


def test_retrieval_metrics_by_hand():
    ranked, relevant = ["a", "b", "c", "d"], {"b", "d"}
    assert metrics.hit_at_k(ranked, relevant, 1) == 0.0 and metrics.hit_at_k(ranked, relevant, 2) == 1.0
    assert metrics.recall_at_k(ranked, relevant, 2) == 0.5
    assert metrics.mrr_at_k(ranked, relevant) == 0.5
    # DCG = 1/log2(3) + 1/log2(5); ideal = 1 + 1/log2(3)
    assert metrics.ndcg_at_k(ranked, relevant) == pytest.approx((0.63093 + 0.43068) / 1.63093, abs=1e-4)


def test_answer_metrics_by_hand():
    assert metrics.answer_recall("It has 400 million daily users [1].", [["400 million"]]) == 1.0
    assert metrics.answer_recall("It has 1400 million users.", [["400 million"]]) == 0.0
    # Aliases of one fact count once; distinct facts each count.
    assert metrics.answer_recall("The council voted seven to two.", [["7-2", "seven to two"]]) == 1.0
    assert metrics.answer_recall("Peter Holm voted against it.", [["Peter Holm"], ["buy out"]]) == 0.5
    # Counts in words are their digits; "&" is "and"; "one" is no count; a longer number never holds a shorter.
    assert metrics.answer_recall("Her detention was extended six months.", [["6"]]) == 1.0
    assert metrics.answer_recall("She is due to serve a nine-year sentence.", [["9"]]) == 1.0
    assert metrics.answer_recall("New Jersey and Oregon ban it.", [["New Jersey & Oregon"]]) == 1.0
    assert metrics.answer_recall("It is one of the largest.", [["1"]]) == 0.0
    assert metrics.answer_recall("Sixty-six people voted.", [["6"]]) == 0.0
    assert metrics.answer_recall("Holm wants to buy out homes.", [["Peter Holm", "Holm"], ["buy out"]]) == 1.0
    assert metrics.token_f1("the Squid Game show", [["“Squid Game”"]]) == pytest.approx(0.8)
    # Against the facts written out together: "Peter Holm buy out" vs the answer's 4 tokens.
    assert metrics.token_f1("Peter Holm buy out", [["Peter Holm"], ["buy out"]]) == 1.0
    scores = metrics.refusal_scores([True, True, False, False], [False, True, True, False])
    assert scores == {"refusal_precision": 0.5, "refusal_recall": 0.5, "false_refusal_rate": 0.5}
    # Nothing unanswerable, nothing refused: refusal scores are undefined, not a perfect 1.0.
    assert metrics.refusal_scores([False, False], [True, True]) == {
        "refusal_precision": None, "refusal_recall": None, "false_refusal_rate": 0.0}


def test_shipped_datasets_are_valid():
    problems = check_all()
    assert set(problems) == {"wuzhen.jsonl", "multi.jsonl", "multi_distractors.jsonl", "judge_labels.jsonl"}
    assert not any(problems.values()), problems


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
    assert "| config | answer_recall | token_f1 | answer_words | answered | evidence_cited | citation_recall |" \
        in result.output
    report = json.loads((out / "report.json").read_text())
    metrics = report["configs"]["default"]["metrics"]
    assert metrics["questions"] == 59
    assert (out / "report.png").read_bytes()[:4] == b"\x89PNG" and "## Refusal" in (out / "report.md").read_text()
    # the share of answerable questions whose answer cites a gold paragraph, from the rows
    items = [i for i in report["configs"]["default"]["items"] if i["answerable"] and i["relevant"]]
    cited = sum(any(c["paragraph_id"] in i["relevant"] for c in i["citations"]) for i in items) / len(items)
    assert metrics["evidence_cited"] == pytest.approx(cited) and cited > 0.5
    assert metrics["first_token_ms_p50"] is not None

    # The committed summary keeps the numbers and none of the text.
    from eval.summary import main as summary

    target = tmp_path / "results" / "dev_sets"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("sys.argv", ["summary", str(out), "--out", str(target)])
        summary()
    rows = json.loads(target.with_suffix(".json").read_text())
    assert rows == [{"dataset": "wuzhen", "config": "default", "judge": "heuristic", "of": 59,
                     **{c: metrics[c] for c in rows[0] if c not in ("dataset", "config", "judge", "of")}}]
    written = target.with_suffix(".md").read_text()
    assert f"| wuzhen | default | 59 | {metrics['hit@5']:.3f} |" in written
    assert not any(i["question"] in written or i["answer"][:40] in written for i in report["configs"]["default"]["items"])
    assert target.with_suffix(".png").read_bytes()[:4] == b"\x89PNG"


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


def test_rejudge_scores_a_finished_run_again_without_regenerating(tmp_path):
    from click.testing import CliRunner

    from cli import main
    from eval import rejudge

    out = tmp_path / "out"
    args = ["eval", "--dataset", str(DATA / "wuzhen.jsonl"), "--out", str(out), "--home", str(tmp_path / "h"),
            "--quiet", "--limit", "12"]
    assert CliRunner().invoke(main, args, catch_exceptions=False).exit_code == 0
    assert rejudge.main([str(out), "--judge", "heuristic"]) == 0  # the home is read from the report
    run = json.loads((out / "report.json").read_text())["configs"]["default"]["metrics"]
    again = json.loads((out / "report_heuristic.json").read_text())["configs"]["default"]
    assert again["answered"] == run["answered"] > 0
    for key in ("citation_recall", "citation_precision", "groundedness"):  # the same judge: the same scores
        assert again[key] == pytest.approx(run[key])

    class Rejecting:  # a judge that supports nothing scores every answer 0, whatever the run's judge said
        def supports(self, sentence, paragraphs):
            return False

    report = json.loads((out / "report.json").read_text())
    texts = rejudge.paragraph_texts(tmp_path / "h", rejudge.cited_ids(report))
    zero = rejudge.rejudge(report, texts, Rejecting(), progress=False)["default"]
    assert zero["citation_recall"] == zero["citation_precision"] == zero["groundedness"] == 0.0
    assert rejudge.main([str(tmp_path / "missing")]) == 2


class KeywordJudge:
    """Pure-logic stand-in for a judge: supported when every capitalised word appears in the paragraphs."""

    def supports(self, sentence, paragraphs):
        text = " ".join(paragraphs)
        return all(word in text for word in re.findall(r"\b[A-Z]\w+", sentence))


def test_alce_citation_scores_by_hand():
    sources = {1: "Alpha met Beta in the hall.", 2: "Gamma spoke first."}
    text = ("Alpha and Beta met [1]. Gamma spoke [1][2]. Delta left [7]. Gamma came back [2][9]. "
            "Nothing cited here.")
    s = score_text(text, sources, KeywordJudge())
    # 1: supported, its one citation relevant. 2: supported; [1] alone does not support and [2] still does
    # without it, so [1] is irrelevant. 3: its only number points nowhere: unsupported, irrelevant.
    # 4: a number that points nowhere makes the sentence unsupported (ALCE), both numbers irrelevant.
    # 5: no citation: unsupported.
    assert (s.sentences, s.supported, s.citations, s.relevant, s.invalid) == (5, 2, 6, 2, 2)
    assert s.recall == pytest.approx(0.4) and s.precision == pytest.approx(1 / 3) and not s.grounded
    assert score_text("Gamma spoke [2].", sources, KeywordJudge()).grounded


def test_citation_scores_are_averaged_per_answer_over_answered_questions():
    judge = KeywordJudge()
    sources = {1: "Alpha met Beta."}
    rows = [{"refused": False, "citation_scores": citation_row(score_text("Alpha met Beta [1].", sources, judge))},
            {"refused": False, "citation_scores": citation_row(score_text(
                "Zeta one [1]. Zeta two [1]. Zeta three [1].", sources, judge))},
            {"refused": True, "citation_scores": None}]
    means = citation_means([r for r in rows if not r["refused"]], "citation_scores", "")
    # Per answer (1.0 and 0.0) then averaged: 0.5; pooling the 4 sentences would give 0.25.
    assert means["citation_recall"] == 0.5 and means["citation_precision"] == 0.5
    assert means["groundedness"] == 0.5 and means["invalid_citations"] == 0


def test_a_drafts_numbers_that_point_nowhere_are_counted():
    """The guard drops them from the final text; the draft's scores still count them (eval/citations.py)."""
    from types import SimpleNamespace

    from eval.citations import score_draft

    answer = SimpleNamespace(draft="Alpha met Beta [1]. Gamma left [4].", passages=[SimpleNamespace(text="Alpha met Beta.")])
    scores = score_draft(answer, KeywordJudge())
    assert (scores.sentences, scores.supported, scores.citations, scores.relevant, scores.invalid) == (2, 1, 2, 1, 1)
    assert score_draft(SimpleNamespace(draft="", passages=[]), KeywordJudge()) is None
