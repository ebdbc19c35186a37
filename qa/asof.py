""""As of 10 Nov 2023, ...": the date of an answer's newest source, stated when the question is about
something that changes.

The rule (a question about something that changes, in `about_change`):
  - it says so: "now", "currently", "current", "latest", "still", "so far", "to date", "yet", "today",
    "at present", "these days"; or
  - it is in the present tense (no did / was / were / had / a past year) and asks for
      a quantity ("how many ... are", "how much does ... cost", "what is the price / number / rate ..."),
      who holds an office or role ("who is the CEO / president / minister / coach ... of"), or
      a status ("what is the status of", "is ... open / closed / allowed").
A question about a fixed past event ("How many people were killed in the 2022 flood?", "What did Robin Li
say?") gets no statement: its answer does not go stale.
"""
from __future__ import annotations

import re
from datetime import date

_SAYS_SO = re.compile(r"\b(now|currently|current|latest|still|so far|to date|yet|today|at present|these days|"
                      r"as things stand|anymore|any more)\b", re.I)
_PAST = re.compile(r"\b(did|was|were|had|happened|ago|yesterday|last (year|month|week)|in (19|20)\d\d)\b", re.I)
_PRESENT = r"(is|are|'s|does|do|has|have|remains?|stands?|costs?)"
_QUANTITY = re.compile(rf"^\s*(how (many|much)\b.*\b{_PRESENT}\b|what {_PRESENT} the (price|cost|number|rate|"
                       r"level|total|count|share|value|population|toll|score|size|balance|odds)\b)", re.I)
_OFFICE = re.compile(r"^\s*who (is|are|'s) (the |a )?(\w+ ){0,2}(ceo|chief|president|prime minister|minister|"
                     r"chair(man|woman|person)?|leader|head|director|governor|mayor|coach|manager|secretary|"
                     r"spokes(man|woman|person)|owner|champion|captain|editor|commissioner|ambassador)\b", re.I)
_STATUS = re.compile(rf"^\s*(what {_PRESENT} the (status|state|situation|outlook)\b|(is|are) .*\b(open|closed|"
                     r"allowed|banned|available|running|in (force|effect|place)|underway|suspended)\b)", re.I)


def about_change(question: str) -> bool:
    """Is the answer to this question one that changes over time (so its date must be stated)?"""
    if _SAYS_SO.search(question):
        return True
    if _PAST.search(question):
        return False
    return bool(_QUANTITY.search(question) or _OFFICE.search(question) or _STATUS.search(question))


def newest_source(answer) -> str:
    return max((c.published for c in answer.citations if c.published), default="")


def state_as_of(answer) -> None:
    """Begin a non-refused answer to a question about change with the date of its newest cited source."""
    if answer.refused or not about_change(answer.question):
        return
    newest = newest_source(answer)
    if not newest or answer.text.startswith("As of "):
        return
    day = date.fromisoformat(newest[:10])
    answer.as_of_date = newest[:10]
    answer.text = f"As of {day.day} {day.strftime('%b %Y')}, {_lower_first(answer.text)}"


def _lower_first(text: str) -> str:
    """"The ministry said ..." reads on after the comma as "the ministry said ..."; names keep their capital."""
    first = text.split(" ", 1)[0]
    return text[0].lower() + text[1:] if first in {"The", "A", "An", "There", "It", "This", "These", "Its"} else text
