"""eval/recheck.py: a run's recorded drafts through the current guard, over the real built home (seed article)."""
from __future__ import annotations

from eval.recheck import recheck, scores


def row(qid, question, gold, draft, answer):
    return {"id": qid, "question": question, "as_of": None, "answerable": bool(gold), "gold": gold, "draft": draft,
            "answer": answer, "refused": False, "answer_recall": 1.0, "evidence_cited": 0.0, "relevant": [],
            "fallback": False}


def test_recorded_drafts_are_checked_by_the_current_guard(shared_qa, built_home):
    report = {"home": str(built_home), "k": 5, "configs": {"local": {"items": [
        # What a run before the "whose fact it is" check kept: a fact of Kuaishou's put on Baidu.
        row("u", "How many daily active users does Baidu have?", [],
            "Baidu has 400 million daily active users. [1]", "Baidu has 400 million daily active users. [1]"),
        row("a", "Who is the CEO of Alibaba?", [["Wu Yongming"]], "Wu Yongming is the CEO of Alibaba Group. [1]",
            "Wu Yongming is the CEO of Alibaba Group. [1]"),
    ]}}}
    unanswerable, answerable = recheck(report, "local", None, 5)
    assert unanswerable["refused"] and unanswerable["answer"] != unanswerable["before"]
    assert not answerable["refused"] and "Wu Yongming" in answerable["answer"] and answerable["answer_recall"] == 1.0
    assert scores([unanswerable, answerable])["answer_recall"] == 0.5
