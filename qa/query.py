"""What a question asks for, beyond its words: named speakers, named entities and a date window."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

QUESTION_WORDS = {"what", "who", "whom", "which", "when", "where", "why", "how", "did", "does", "do", "is", "are",
                  "was", "were", "can", "could", "should", "would", "will", "has", "have", "according", "the", "a",
                  "an", "in", "on", "at", "and", "tell", "give", "list", "name", "i", "of", "about"}
# "this week" is the week before the question's date, as news quizzes use it.
RECENT_PHRASES = {
    r"\b(this|last|past|previous) week\b|\brecently\b|\bthis weekend\b|\bdays ago\b": 7,
    r"\b(this|last|past) month\b": 31,
}
_WORD = re.compile(r"\w+")
_CAPITALIZED_WORD = re.compile(r"\b[A-Z][\w’'-]+")
_CAPITALIZED = re.compile(r"\b[A-Z][\w’'&.-]*(?:\s+(?:of|de|van|von|al|bin|la|le|du|del)?\s*[A-Z][\w’'&.-]*)*")


@dataclass
class QuestionInfo:
    question: str
    speakers: list[str] = field(default_factory=list)  # known speakers the question names
    entities: list[str] = field(default_factory=list)  # capitalized names in the question
    date_from: date | None = None  # from "this week" and similar, relative to as_of
    date_to: date | None = None


def named_entities(question: str) -> list[str]:
    """Capitalized word runs, minus a sentence-initial question word ("What", "Did")."""
    found = []
    for match in _CAPITALIZED.finditer(question):
        words = match.group().strip(" .?!,").split()
        while words and words[0].lower() in QUESTION_WORDS:
            words = words[1:]
        name = " ".join(words).rstrip("’'s").rstrip("’'")
        if name and name.lower() not in QUESTION_WORDS:
            found.append(name)
    return found


# Words that never name a speaker on their own: the extractor sometimes credits a quote to "the",
# "this week" or "Her" on real news, and such a "speaker" would otherwise be found in most questions.
NOT_A_NAME = QUESTION_WORDS | set("""he she they it we you her his him its their them us our me my this that these
those there here be been being some many several few most all both one two three four five six seven eight nine
ten others another each every other said says week weekend month year today yesterday tomorrow tonight days
weeks months years hours minutes monday tuesday wednesday thursday friday saturday sunday""".split())


def looks_like_a_name(name: str) -> bool:
    """A speaker worth finding in a question: some word of two letters or more that is not a function or
    time word ("Robin Li", "the mayor"; not "the", "Her", "this week")."""
    return any(len(w) > 1 and w.lower() not in NOT_A_NAME for w in _WORD.findall(name))


class KnownSpeakers:
    """Speaker names indexed by their rarest word and by surname.

    A big corpus knows tens of thousands of speakers (27k in RealTime QA); one regex per name per question
    cost over a second. A name can only match in full if each of its words is a word of the question, so
    the index narrows the names to the few sharing a rare word (or the surname) with the question, and
    only those get the exact check: the result is the same as checking every name.
    """

    def __init__(self, names):
        self.names = [n for n in names if looks_like_a_name(n)]
        words = [_WORD.findall(name.lower()) for name in self.names]
        counts = Counter(w for ws in words for w in set(ws))
        self._always: list[int] = []  # names without a word character: always checked
        self._by_word: dict[str, list[int]] = {}
        self._by_surname: dict[str, list[int]] = {}
        for i, (name, ws) in enumerate(zip(self.names, words)):
            if ws:
                self._by_word.setdefault(min(ws, key=counts.__getitem__), []).append(i)
            else:
                self._always.append(i)
            parts = name.split()
            if len(parts) > 1 and len(parts[-1]) > 1 and name[:1].isupper():
                self._by_surname.setdefault(parts[-1], []).append(i)

    def candidates(self, question: str) -> list[str]:
        """A superset of the names `find_speakers` can return, in the original order."""
        found = set(self._always)
        for word in set(_WORD.findall(question.lower())):
            found.update(self._by_word.get(word, ()))
        for token in set(_CAPITALIZED_WORD.findall(question)):
            found.update(self._by_surname.get(token, ()))
        return [self.names[i] for i in sorted(found)]


def find_speakers(question: str, known) -> list[str]:
    """Known speakers named in the question, by full name or by a capitalized surname."""
    known = known if isinstance(known, KnownSpeakers) else KnownSpeakers(known)
    lowered = question.lower()
    tokens = set(_CAPITALIZED_WORD.findall(question))
    hits = []
    for name in known.candidates(question):
        parts = name.split()
        full = re.search(rf"\b{re.escape(name.lower())}\b", lowered)
        # A surname alone ("Yang said", "What did Li say") names the speaker; a first word alone does not
        # ("China" must not pick "China Daily").
        partial = len(parts) > 1 and len(parts[-1]) > 1 and parts[-1] in tokens
        if full or (partial and name[0].isupper()):
            hits.append(name)
    # Prefer full-name hits: "Robin Li" should not also pull in every other "Li".
    full_hits = [n for n in hits if n.lower() in lowered]
    return full_hits or hits


def known_speakers(store) -> KnownSpeakers:
    """The index's speakers, indexed once per change of the index."""
    return store.derived("known_speakers", lambda manifest: KnownSpeakers(manifest.speaker_names()))


def analyze(question: str, as_of: date | None, speakers, recent_slack_days: int = 3,
            window_days: int = 7) -> QuestionInfo:
    """`speakers`: the index's known speakers (`known_speakers(store)`)."""
    info = QuestionInfo(question, find_speakers(question, speakers), named_entities(question))
    if as_of:
        info.date_to = as_of
        for pattern, days in RECENT_PHRASES.items():
            if re.search(pattern, question, re.IGNORECASE):
                days = window_days if days == 7 else days
                info.date_from = as_of - timedelta(days=days + recent_slack_days)
                break
    return info
