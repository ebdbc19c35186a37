"""The grounding guard: every generated sentence is checked against its sources before anyone sees it.

For each sentence of a draft answer:
  1. its `[n]` markers (any variant the parser tolerates) are mapped to the numbered passages; numbers
     that point nowhere are dropped;
  2. it is scored against the union of its cited paragraphs (qa.grounding: names and numbers must appear,
     polarity kept, close in words and meaning);
  3. supported: kept, with citations that support nothing on their own dropped when the rest suffice;
     unsupported: re-cited to the single passage that supports it, if one does (a right fact cited to the
     wrong paragraph), else removed (or marked, per `answer.unsupported`).
An answer with no supported sentence left becomes the refusal.
"""
from __future__ import annotations

from qa.answerers.base import build_answer
from qa.citations import parse_answer
from qa.constants import REFUSAL
from qa.grounding import score_support
from qa.sentences import normalize
from qa.types import Answer, Passage

UNSUPPORTED_MARK = "[unsupported]"


def is_refusal(text: str) -> bool:
    said = normalize(text)
    return not said or normalize(REFUSAL) in said or said.startswith(("i could not find", "i cannot find",
                                                                      "i don t know", "the sources do not"))


def _span(passage: Passage, closest: str) -> tuple[int, int]:
    start = passage.text.find(closest) if closest else -1
    return (start, start + len(closest)) if start >= 0 else (0, len(passage.text))


def check(question: str, draft: str, passages: list[Passage], embedder, settings, answerer: str) -> Answer:
    threshold = settings.answer.support_threshold
    parts, report = [], []
    for sentence, numbers in parse_answer(draft):
        cited = [passages[n - 1] for n in numbers if 1 <= n <= len(passages)]
        if is_refusal(sentence) and not cited:
            report.append({"text": sentence, "citations": [], "score": 0.0, "supported": False, "action": "refusal"})
            continue
        support = score_support(sentence, [p.text for p in cited], embedder, threshold) if cited else None
        action = "kept"
        if support and support.supported:
            # ALCE precision: drop a citation that supports nothing alone when the others still support.
            alone = {p.paragraph_id: score_support(sentence, [p.text], embedder, threshold) for p in cited}
            if any(s.supported for s in alone.values()):
                cited = [p for p in cited if alone[p.paragraph_id].supported]
        else:
            best = max(((p, score_support(sentence, [p.text], embedder, threshold)) for p in passages),
                       key=lambda ps: ps[1].score, default=(None, None))
            if best[1] is not None and best[1].supported:
                cited, support, action = [best[0]], best[1], "recited"
            else:
                action = "marked" if settings.answer.unsupported == "mark" else "removed"
        score = support.score if support else 0.0
        report.append({"text": sentence, "citations": [p.paragraph_id for p in cited], "score": score,
                       "supported": action in ("kept", "recited"), "action": action})
        if action in ("kept", "recited"):
            closest = score_support(sentence, [p.text for p in cited], embedder, threshold).closest \
                if len(cited) > 1 else support.closest
            parts.append((sentence, [(p, *_span(p, closest)) for p in cited]))
        elif action == "marked":
            parts.append((f"{sentence} {UNSUPPORTED_MARK}", []))
    supported = [r for r in report if r["supported"]]
    if not supported:
        answer = Answer(question, REFUSAL, True, [], passages, 0.0, answerer)
    else:
        answer = build_answer(question, passages, parts, min(r["score"] for r in supported), answerer)
    answer.sentences, answer.draft = report, draft
    return answer
