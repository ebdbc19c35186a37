"""Citation judges: the `llm` judge's prompt and reply parsing, its cache, the factory, the real local model on a
tiny pair written for this test, the labelled pair file, and the agreement arithmetic."""
from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from jinja2.exceptions import UndefinedError

from eval.judge import SupportJudge, make_judge
from eval.judge_agreement import agreement, kappa
from eval.judge_pairs import KINDS, SPLITS, Cited, MissingData, Pair, load_pairs, problems, resolve
from eval.llm_judge import LLMJudge, parse_verdict, render_prompt, verdict_complete
from qa.llm import Generator
from qa.prompts import render
from qa.settings import load_settings
from tests.conftest import CORPUS, SHARED

# From tests/corpus/riverton-flood-barrier.txt (written for the test suite).
BARRIER = ("The barrier, made of steel panels that crews can bolt into concrete footings within six hours, will cost "
           "an estimated 18 million dollars. About half of the money will come from a state resilience grant.")
VOTE = ("RIVERTON (Valley Ledger) March 14, 2024 -- The Riverton city council voted 7-2 on Wednesday to fund a "
        "removable flood barrier along the Mill Creek waterfront, two months after spring storms pushed water into "
        "more than 300 homes.")


@pytest.mark.parametrize("reply, verdict", [
    ("Yes", True), ("yes.", True), ("**Yes**", True), ("Answer: yes", True), ("Yes, it is supported.", True),
    ("No", False), ("no.", False), ("No, the passage says 61.", False), ("Not supported", False),
    ("unsupported", False), ('{"supported": false}', False), ('{"supported": true}', True), ("True", True),
    ("I cannot tell", None), ("", None), ("Nobody knows", None),
])
def test_parse_verdict(reply, verdict):
    assert parse_verdict(reply) is verdict


@pytest.mark.parametrize("partial, complete", [
    ("No", False),  # may still become "Not supported"
    ("No.", True), ("Not supported", False), ("Not supported.", True), ("Yes ", True),
    ('{"supported": ', False), ('{"supported": false}', True),
])
def test_generation_stops_only_once_the_verdict_word_is_whole(partial, complete):
    assert verdict_complete(partial) is complete


def test_prompt_shows_the_sentence_and_every_passage_numbered():
    text = render_prompt("  The barrier costs 18 million dollars.  ", [BARRIER, VOTE])
    assert "Sentence: The barrier costs 18 million dollars." in text
    assert f"Passage 1:\n{BARRIER}" in text and f"Passage 2:\n{VOTE}" in text
    assert text.index("Passage 1:") < text.index("Passage 2:") < text.index("Sentence:")
    assert text.rstrip().endswith("yes or no.")


def test_prompt_with_a_missing_variable_is_an_error():
    with pytest.raises(UndefinedError):
        render("judge", sentence="The barrier costs 18 million dollars.")


class ScriptedGenerator(Generator):
    """A generator that streams a fixed reply piece by piece and records how far it was read."""

    name = "scripted"

    def __init__(self, pieces):
        self.pieces, self.calls, self.read = pieces, 0, 0

    def stream(self, messages):
        self.calls += 1
        self.last_prompt = messages[-1]["content"]
        for piece in self.pieces:
            self.read += 1
            yield piece


def openai_judge(tmp_path, pieces) -> tuple[LLMJudge, ScriptedGenerator]:
    """The `openai` llm judge (constructed without a server: the generator is built on first use) fed a script."""
    judge = make_judge("llm", load_settings(tmp_path), backend="openai")
    judge._generator = ScriptedGenerator(pieces)
    return judge, judge._generator


def test_llm_judge_stops_at_the_verdict_and_caches_it(tmp_path):
    judge, generator = openai_judge(tmp_path, ["No", ",", " the", " passage", " says", " 18", "."])
    assert judge.supports("The barrier will cost 81 million dollars.", [BARRIER]) is False
    assert generator.read == 2 and not judge.last_cached  # stopped once "No" was a whole word
    assert BARRIER in generator.last_prompt
    # Same question again, even from a new judge over the same home: the cache answers, the model is not asked.
    again, generator2 = openai_judge(tmp_path, ["Yes"])
    assert again.supports("The barrier will cost 81 million dollars.", [BARRIER]) is False
    assert again.last_cached and generator2.calls == 0
    # Another passage list is another question.
    assert again.supports("The barrier will cost 81 million dollars.", [BARRIER, VOTE]) is True
    assert generator2.calls == 1


def test_llm_judge_counts_a_reply_without_verdict_as_not_supported(tmp_path):
    judge, _ = openai_judge(tmp_path, ["I", " am", " not", " sure"])
    assert judge.supports("The barrier is made of steel panels.", [BARRIER]) is False
    assert judge.unparsed == 1


def test_factory(tmp_path):
    settings = load_settings(tmp_path, llm={"base_url": "http://127.0.0.1:9/v1", "model": "big-judge"})
    judge = make_judge("llm", settings, backend="openai")
    assert judge.name == "llm (openai big-judge at http://127.0.0.1:9/v1)"
    heuristic = make_judge("heuristic", settings, embedder=object())
    assert isinstance(heuristic, SupportJudge) and heuristic.name == "heuristic"
    with pytest.raises(ValueError, match="heuristic, llm"):
        make_judge("oracle", settings)
    with pytest.raises(ValueError, match="local or openai"):
        make_judge("llm", settings, backend="ollama")
    with pytest.raises(FileNotFoundError, match="no-such.gguf"):
        make_judge("llm", load_settings(tmp_path, llm={"model_path": str(tmp_path / "no-such.gguf")}))


def test_llm_judge_never_runs_the_guard(tmp_path, monkeypatch):
    import qa.grounding

    def forbidden(*args, **kwargs):
        raise AssertionError("the llm judge called the grounding guard's scorer")

    monkeypatch.setattr(qa.grounding, "score_support", forbidden)
    judge, _ = openai_judge(tmp_path, ["Yes"])
    assert judge.supports("The barrier is made of steel panels.", [BARRIER]) is True


def test_eval_cli_rejects_an_unknown_judge():
    from eval.cli import eval_command

    result = CliRunner().invoke(eval_command, ["--dataset", str(CORPUS / "regional-briefs.jsonl"), "--judge", "oracle"])
    assert result.exit_code == 2 and "oracle" in result.output


@pytest.fixture
def judge_model(request) -> Path:
    """The GGUF named by QA_LLM__MODEL_PATH, else the bundled model (skips when neither is installed)."""
    named = os.environ.get("QA_LLM__MODEL_PATH")
    if named:
        if not Path(named).is_file():
            pytest.skip(f"QA_LLM__MODEL_PATH={named} does not exist")
        return Path(named)
    return request.getfixturevalue("llm_model")


@pytest.mark.llm
def test_local_model_judge_accepts_a_paraphrase_and_rejects_a_swapped_number(judge_model, tmp_path):
    judge = make_judge("llm", load_settings(tmp_path, llm={"model_path": str(judge_model)}))
    assert judge.name == f"llm ({judge_model.name})"
    assert judge.supports("A state resilience grant will pay for about half of the barrier, which is made of steel "
                          "panels.", [BARRIER]) is True
    assert judge.supports("The barrier will cost an estimated 81 million dollars.", [BARRIER]) is False


def test_pair_file_is_well_formed():
    pairs = load_pairs()
    assert len(pairs) >= 300
    assert problems(pairs) == []  # ids unique, kinds and labels agree, splits disjoint by article, ...
    counts = Counter((p.split, p.kind) for p in pairs)
    assert all(counts[(split, kind)] >= 10 for split in SPLITS for kind in KINDS), counts
    articles = {split: {p.article for p in pairs if p.split == split} for split in SPLITS}
    assert not articles["dev"] & articles["test"]
    assert {ds for ds, _ in articles["test"]} == {"realtimeqa", "polnear"}


def test_problems_are_found():
    cited = [Cited("polnear", "doc-a", 3)]
    pairs = [Pair("x1", "dev", "paraphrase", "s", cited, True), Pair("x1", "test", "number", "s", cited, True),
             Pair("x3", "dev", "multi_union", "s", cited, True), Pair("x4", "dev", "role", "s", [Cited("polnear", "doc-b", 1)], False)]
    found = "\n".join(problems(pairs))
    for expected in ("x1: duplicate id", "kind number must be labelled False", "doc-a is in both splits",
                     "1 paragraphs cited for kind multi_union", "x4: no supported pair cites the same paragraphs"):
        assert expected in found


def test_pair_text_resolves_from_shared_data():
    if not (SHARED / "data").is_dir():
        pytest.skip("../shared/data is absent: the pairs' paragraph text cannot be resolved")
    pairs = resolve(load_pairs())
    assert all(len(p.paragraphs) == len(p.cited) and all(t.strip() for t in p.paragraphs) for p in pairs)


def test_resolving_without_shared_data_says_what_is_missing(tmp_path):
    with pytest.raises(MissingData, match="corpus_2022.jsonl is missing"):
        resolve([p for p in load_pairs() if p.cited[0].dataset == "realtimeqa"][:3], shared=tmp_path)


def test_agreement_by_hand():
    cited_a, cited_b = [Cited("polnear", "a", 1)], [Cited("polnear", "a", 2)]
    pairs = [Pair("1", "test", "paraphrase", "s", cited_a, True), Pair("2", "test", "number", "s", cited_a, False),
             Pair("3", "test", "number", "s", cited_a, False), Pair("4", "test", "paraphrase", "s", cited_b, True),
             Pair("5", "test", "role", "s", cited_b, False)]
    predicted = [False, False, True, True, True]  # rejects paraphrase 1, catches one of two numbers, misses the role
    result = agreement(pairs, predicted)
    assert result["accuracy"] == pytest.approx(2 / 5)
    assert result["precision"] == pytest.approx(1 / 2) and result["recall"] == pytest.approx(1 / 3)
    number = result["by_kind"]["number"]  # pairs 2, 3 and their paraphrase 1
    assert number["n"] == 2 and number["correct"] == 0.5
    assert number["precision"] == pytest.approx(1 / 2) and number["recall"] == pytest.approx(1 / 2)
    assert result["by_kind"]["role"]["recall"] == 0.0 and result["by_kind"]["role"]["precision"] is None
    assert result["by_kind"]["paraphrase"]["correct"] == 0.5 and "precision" not in result["by_kind"]["paraphrase"]
    assert kappa([True, False, True, False], [True, False, True, False]) == 1.0
    assert kappa([True, True, False, False], [True, False, True, False]) == 0.0
