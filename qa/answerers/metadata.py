"""Questions about an article rather than about the news in it: who wrote it, which outlet published it, when.

The answer is in the article's header (title, source, date, authors from ingest), not in a paragraph, so it
is cited as the header: paragraph 0, id `{article_id}#header` (qa/citations.py), whose text is the header as
one line. These are structured fields, so every answerer answers them the same exact way here rather than
asking a model to copy a date. An outlet question also quotes the sentence that credits another outlet
("..., reported China Daily"), since "which newspaper reported it" may mean the one the article relays.
"""
from __future__ import annotations

import re

from qa.answerers.base import build_answer
from qa.citations import header_id, header_text, join_names
from qa.constants import REFUSAL
from qa.sentences import content_terms, split_sentences
from qa.types import Answer, Passage

_ARTICLE = r"(?:article|story|report|piece|column|op-ed|item|news)"
KINDS = {
    "author": re.compile(rf"\bwho (?:wrote|authored|penned) (?:it|this|that)\b|"
                         rf"\bwho (?:wrote|authored|penned) (?:the|this|that|a|an)\b[^?]*\b{_ARTICLE}|"
                         rf"\bwho (?:is|was) the (?:author|writer|reporter) of\b|"
                         rf"\b(?:author|authors|byline|writer|reporter|journalist)s? (?:of|for|behind)\b.*{_ARTICLE}|"
                         rf"\bwhose byline\b|\bwritten by whom\b|\bwho (?:is|was|were|are) the (?:author|writer)s?\b",
                         re.I),
    "source": re.compile(rf"\b(?:which|what) (?:newspaper|paper|news ?paper|outlet|news outlet|media outlet|"
                         rf"publication|news agency|agency|wire service|news organi[sz]ation|magazine|website|"
                         rf"news site|broadcaster) (?:\w+ )?(?:reported|published|ran|carried|broke|covered|wrote)\b|"
                         rf"\bwho (?:published|ran|carried) (?:the|this|that) {_ARTICLE}\b|"
                         rf"\bwhere was (?:the|this|that) {_ARTICLE} (?:published|reported)\b", re.I),
    "date": re.compile(rf"\bwhen was (?:the|this|that) {_ARTICLE}\b.*\b(?:published|written|posted|released|"
                       rf"filed|dated)\b|\b(?:what|which) (?:date|day) was (?:the|this|that) {_ARTICLE}\b|"
                       rf"\bpublication date\b|\bwhen was it (?:published|written|posted)\b", re.I),
}
# A sentence crediting another outlet: "..., reported China Daily", "according to the China Daily report".
_CREDIT = re.compile(r"\breported(?: by)?(?: the)? [A-Z]|\baccording to (?:the |a )?[A-Z][\w.&-]*(?: [A-Z][\w.&-]*)* "
                     r"(?:report|newspaper|article|story)|\b[A-Z][\w.&-]*(?: [A-Z][\w.&-]*)* reported\b")
_WHAT = {"author": "written by", "source": "published by", "date": "published on"}


def metadata_kind(question: str) -> str | None:
    """"author", "source" or "date" when the question asks about the article itself."""
    for kind, pattern in KINDS.items():
        if pattern.search(question):
            return kind
    return None


def header_passage(p: Passage) -> Passage:
    """The article's header as a citable passage (paragraph 0)."""
    return Passage(p.article_id, header_id(p.article_id), 0, header_text(p.title, p.source, p.published, p.authors),
                   p.score, p.title, p.published, p.source, p.url, list(p.authors))


def pick_article(question: str, passages: list[Passage]) -> Passage:
    """The retrieved article the question names best (its title, outlet, authors), else the top-ranked one."""
    asked = content_terms(question)
    firsts: dict[str, Passage] = {}
    for p in passages:
        firsts.setdefault(p.article_id, p)
    ranked = list(firsts.values())
    return max(ranked, key=lambda p: (len(asked & content_terms(" ".join([p.title, p.source, *p.authors]))),
                                      -ranked.index(p)))


def metadata_answer(question: str, passages: list[Passage], answerer: str) -> Answer | None:
    """The cited answer to a question about the article, or None when the question is not one.
    An article without the asked field (no byline) gives the refusal: None would let a paragraph answer."""
    kind = metadata_kind(question)
    if kind is None or not passages:
        return None
    article = pick_article(question, passages)
    header = header_passage(article)
    value = {"author": join_names(article.authors) if article.authors else "", "source": article.source,
             "date": article.published}[kind]
    if not value:
        return Answer(question, REFUSAL, True, [], passages, 0.0, answerer)
    clause = f"{_WHAT[kind]} {value}"
    start = header.text.find(value)
    span = (start, start + len(value)) if start >= 0 else (0, len(header.text))
    name = f"“{article.title}”" if article.title else "The article"
    parts = [(f"{name} was {clause}.", [(header, *span)])]
    if kind == "source":
        parts += [(p.text[a:b], [(p, a, b)]) for p, a, b in _credits(article.article_id, passages)[:1]]
    return build_answer(question, passages, parts, 1.0, answerer)


def _credits(article_id: str, passages: list[Passage]) -> list[tuple[Passage, int, int]]:
    return [(p, a, b) for p in passages if p.article_id == article_id
            for a, b in split_sentences(p.text) if _CREDIT.search(p.text[a:b])]
