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
# A lone capitalized first word that is a common word, not a name: "Approximately how many ...", "Dozens of ...".
_COMMON_START = re.compile(r"(?i)^(?:\w+ly|dozens?|hundreds|thousands|millions|due|despite|amid|after|before|"
                           r"following|during|since|among|once|as|with|without|for|from|in|on|at|by)$")
_CAPITALIZED = re.compile(r"\b[A-Z][\w’'&.-]*(?:\s+(?:of|de|van|von|al|bin|la|le|du|del)?\s*[A-Z][\w’'&.-]*)*")


@dataclass
class QuestionInfo:
    question: str
    speakers: list[str] = field(default_factory=list)  # known speakers the question names
    entities: list[str] = field(default_factory=list)  # capitalized names in the question
    speaker_slot: str | None = None  # X of "What did X say about ...?" (`speaker_slot`), else None
    date_from: date | None = None  # from "this week" and similar, relative to as_of
    date_to: date | None = None


def asked_sentence(question: str) -> str:
    """The sentence that asks: a quiz question often sets the scene first ("X happened this week. Which
    ...?"), and only what the last sentence names must be in the answer's paragraph."""
    from qa.sentences import split_sentences  # knows "Sen." and "Mr." do not end a sentence

    question = question.strip()
    spans = split_sentences(question)
    return question[spans[-1][0]:spans[-1][1]] if spans else question


def named_entities(question: str) -> list[str]:
    """Capitalized word runs of the asked sentence, minus question words ("What", "Did") and a
    sentence-initial word that is only capitalized because it starts the sentence ("Legendary WNBA")."""
    asked = asked_sentence(question)
    found = []
    for match in _CAPITALIZED.finditer(asked):
        words = match.group().strip(" .?!,").split()
        initial = match.start() == len(asked) - len(asked.lstrip()) and words[0].lower() not in QUESTION_WORDS
        while words and words[0].lower() in QUESTION_WORDS:
            words = words[1:]
        if initial and words and not words[0].isupper() and (len(words) > 1 or _COMMON_START.match(words[0])):
            words = words[1:]
        while words and words[0].lower() in NOT_A_NAME:
            words = words[1:]
        name = strip_titles(" ".join(words).rstrip("’'s").rstrip("’'"))
        if name and name.lower() not in QUESTION_WORDS:
            found.append(name)
    return found


# Honorifics and roles written before a name: "Mr. Trump", "Sen. Warren", "Senate Majority Leader Mitch
# McConnell". A paragraph names the person without them ("Trump said"), so they are not required words.
TITLES = frozenset("""mr mrs ms miss mx dr prof sen senator rep representative gov governor president vice secretary
minister prime chancellor mayor judge justice gen general adm admiral lt col sgt capt chairman chairwoman chair ceo
leader majority minority speaker house senate state attorney former first lady pope king queen prince princess
rev reverend deputy assistant acting chief press director commissioner ambassador congressman congresswoman
councilman councilwoman sheriff officer gop democratic republican dem u.s us""".split())


def strip_titles(name: str) -> str:
    """`name` without the honorifics and roles before it; the last word always stays ("President Biden")."""
    words = name.split()
    while len(words) > 1 and words[0].lower().strip(".,") in TITLES:
        words = words[1:]
    return " ".join(words)


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


# "What did X say about T?" asks about X's words: the names in T are what X spoke of, not speakers
# ("What did Mr. Carson say about Republicans ...?" is not a question about what Republicans said).
_SPEAKER_SLOT = re.compile(
    r"(?i)(?:^\W*|[,;:]\s+)(?:what|how|why)\s+(?:else\s+)?(?:did|does|do|has|have|had|will|would|could)\s+(?P<who>\S.*?)\s+"
    r"(?:say|said|tell|told|claim|claimed|"
    r"argue|argued|think|write|wrote|tweet|tweeted|warn|warned|mean|meant|suggest|suggested|promise|promised|"
    r"predict|predicted|insist|insisted|admit|admitted|reveal|revealed|explain|explained|describe|described|"
    r"announce|announced|acknowledge|acknowledged|note|noted|respond|responded|react|reacted|"
    r"comment|commented|testify|testified)\b")


def speaker_slot(question: str) -> str | None:
    """Who a "what did X say" question asks about (X, as written), or None for other questions."""
    match = _SPEAKER_SLOT.search(asked_sentence(question))
    return match.group("who") if match else None


def find_speakers(question: str, known) -> list[str]:
    """Known speakers named in the question (in its speaker slot when it has one: `speaker_slot`), by full
    name or by a capitalized surname."""
    known = known if isinstance(known, KnownSpeakers) else KnownSpeakers(known)
    slot = speaker_slot(question)
    text = question if slot is None else slot
    lowered = text.lower()
    tokens = set(_CAPITALIZED_WORD.findall(text))
    hits, full_hits = [], []
    for name in known.candidates(text):
        parts = name.split()
        full = re.search(rf"\b{re.escape(name.lower())}\b", lowered)
        # A surname alone ("Yang said", "What did Li say") names the speaker; a first word alone does not
        # ("China" must not pick "China Daily").
        partial = len(parts) > 1 and len(parts[-1]) > 1 and parts[-1] in tokens
        if full or (partial and name[0].isupper()):
            hits.append(name)
        if full:
            full_hits.append(name)
    # Full names first: "Robin Li" does not pull in every other Li. But the people a "what did X say" question
    # asks about are each named there, and one named by a bare surname ("Mr. Trump") is every known Trump (the
    # question does not say which), unless it also names one ("Hillary Clinton").
    given = {name.split()[-1] for name in full_hits if len(name.split()) > 1}
    return [name for name in hits if name in full_hits
            or (name.split()[-1] not in given and (not full_hits or slot is not None))]


def known_speakers(store) -> KnownSpeakers:
    """The index's speakers, indexed once per change of the index."""
    return store.derived("known_speakers", lambda manifest: KnownSpeakers(manifest.speaker_names()))


def analyze(question: str, as_of: date | None, speakers, recent_slack_days: int = 3,
            window_days: int = 7) -> QuestionInfo:
    """`speakers`: the index's known speakers (`known_speakers(store)`)."""
    info = QuestionInfo(question, find_speakers(question, speakers), named_entities(question),
                        speaker_slot=speaker_slot(question))
    if as_of:
        info.date_to = as_of
        for pattern, days in RECENT_PHRASES.items():
            if re.search(pattern, question, re.IGNORECASE):
                days = window_days if days == 7 else days
                info.date_from = as_of - timedelta(days=days + recent_slack_days)
                break
    return info
