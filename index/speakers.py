"""Speaker attribution: who is quoted or paraphrased in a news paragraph, and what they said.

Rules over regexes and word lists, because no NLP model can be installed here. Each cue (a verb of
SPEECH_VERBS or "according to") is tied to a source found next to it:
  X said: "..."   X said that ...   X, <appositive>, said ...   X told CNN that ...
  "...," X said.   "...," said X.   ..., X said.   ..., reported X.   according to X, ...
  X criticized Y and said ...   X attacked Y, saying ...   The risk, he said, is ...
The speaker is a name with titles dropped ("Sen. Ted Cruz" -> "Ted Cruz"), a noun phrase ("the company",
"a spokesperson for the ministry", "officials") or a pronoun ("he"). `extract_attributions` returns them
as written; `attribute_article` resolves partial names and he/she across the article and drops the
pronouns it cannot resolve, so retrieval mostly sees names (noun phrases are kept: they are sources too).
"""
from __future__ import annotations

import re
from collections import Counter

from index.types import Attribution

SPEECH_VERBS = """said says say added adds noted notes stressed stresses argued argues argue warned warns warn
explained explains claimed claim announced announces disclosed discloses emphasized emphasizes emphasised insisted
insists insist wrote writes tweeted tweets told tells reported reports stated declared asserted acknowledged
admitted confirmed confirms denied suggested suggests suggest observed remarked recalled responded replied
countered contended maintained predicted cautioned conceded complained revealed concluded continued asked asks
testified reiterated repeated joked quipped boasted lamented agreed urged urges described describes criticized
accused praised blamed dismissed questioned promised vowed pledged proposed believes believe believed thinks
think called calls expressed cited defended declined endorsed rejected found finds shows showed show saying
adding noting arguing telling warning insisting explaining claiming calling asking stressing""".split() + ["pointed out"]
VERBS = set(SPEECH_VERBS)
CUE_RE = re.compile(r"\b(?<!-)(?:[Aa]ccording to|" + "|".join(SPEECH_VERBS) + r")\b")  # not "so-called"
# Verbs whose source may follow them ('"...," said Smith'); after "told" or "urged" comes the listener.
INVERTIBLE = set("""said says added adds wrote writes noted notes explained continued recalled replied
responded asked asks reported reports observed remarked declared argued insisted warned tweeted""".split())
# What polls and studies do ("the poll found"); from a person these verbs are not speech.
DOC_VERBS = set("found finds shows showed show".split())
DOC_NOUNS = set("""poll polls survey surveys study studies report reports analysis data research
investigation review audit census figures statistics results""".split())
PRONOUNS = set("he she they it we i you".split())
DETERMINERS = set("""the a an his her their its our this these those one some many several other another
two three most both""".split())
# Bare plurals that are sources on their own ("officials said"); other nouns need a determiner.
SOURCE_NOUNS = set("""officials analysts experts critics sources observers economists researchers scientists
investors residents witnesses police authorities lawmakers aides advisers supporters opponents voters polls
surveys people insiders executives prosecutors diplomats activists""".split())
# Titles dropped in front of a name ("President Biden" -> "Biden"); they also mark it as a person's.
TITLES = set("""president vice sen senator rep representative gov governor mr mrs ms miss dr prof professor
secretary minister premier chancellor chairman chairwoman ceo cfo chief executive director spokesman
spokeswoman spokesperson gen lt col capt sgt adm admiral judge justice mayor ambassador former pope king queen
prince rev sir speaker leader attorney commissioner founder co-founder sheriff candidate nominee general""".split())
PREPOSITIONS = set("for of at from with in on to by among like".split())
# Capitalized words that open a sentence without being part of the name after them.
STOPWORDS = PREPOSITIONS | set("""the but and or so yet as when while after before since if meanwhile however
also still then now today yesterday later earlier last this that there here asked instead because only even
why how overall indeed separately moreover finally additionally ultimately speaking although though whether
what minutes hours days weeks months years monday tuesday wednesday thursday friday saturday sunday january
february march april may june july august september october november december""".split())
CONNECTORS = set("de van von der den da di del du bin al la le of".split())
ADVERBS = set("""also has have had later then previously once recently again would will could may might
reportedly earlier first just still never often further even already itself himself herself themselves""".split())
CLAUSE_WORDS = PRONOUNS | set("""that which who whom whose when where while because if and but or as than
what is was are were be been not has have had did do does there here let""".split())
ABBREVIATIONS = set("mr mrs ms dr sen rep gov gen lt col capt sgt st jr sr prof rev inc corp co no vs u.s u.k"
                    .split())
TOKEN_RE = re.compile(r"(?:[A-Z]\.){2,}|[\w'’\-]+\.?|[^\w\s]")
QUOTE_RE = re.compile(r"[“\"][^“”\"]*[”\"]|''(?:(?!'').)*''")  # “..." mixed pairs happen
POSSESSIVE = ("'s", "’s", "s'", "s’")
NAME_RUN_RE = re.compile(r"[A-Z](?:[\w'’\-]+|\.)(?:\s+(?:(?:de|van|von|der|da|bin|al)\s+)?[A-Z](?:[\w'’\-]+|\.))+")
# What may sit between subject and verb: "(D-Ore.)", "on Tuesday", "last week" (not "released last week").
BETWEEN_RE = re.compile(r"(?<!ed)(?:\s*\([^()]{1,12}\)|\s+(?:on|last|this|late|early|earlier)\s+(?:\w+day|week"
                        r"|month|year|night|morning|afternoon|evening)(?:\s+(?:night|morning|evening))?)\s*$")


def _tokens(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """(token, start, end); the end leaves out a sentence period the token swallowed ("Smith.")."""
    return [(t, m.start(), m.end() - (t.endswith(".") and len(t) > 2 and t[:-1].lower() not in ABBREVIATIONS))
            for m in TOKEN_RE.finditer(text, start, end) for t in [m.group()]]


def _is_cap(tok: str) -> bool:
    return tok[:1].isupper() and tok.lower() != "i"


def _verbish(word: str) -> bool:
    """A verb or auxiliary, roughly: what follows a subject ("Lopez attacked", "the agency has")."""
    return word in ADVERBS | VERBS | {"did", "does", "not", "who"} or bool(re.fullmatch(r"[a-z]+(?:ed|s)", word))


def _span(text: str, toks: list) -> str:
    """The text of `toks`; "The company" -> "the company" (the capital is the sentence's, not a name's)."""
    phrase = text[toks[0][1]:toks[-1][2]] if toks else ""
    return phrase[:1].lower() + phrase[1:] if toks and toks[0][0].lower() in DETERMINERS else phrase


def _clean_name(toks: list) -> list:
    """Strip openers, possessor and titles: "But Apple's CEO Tim Cook" -> "Tim Cook"."""
    while toks and toks[0][0].lower() in STOPWORDS | CONNECTORS:
        toks = toks[1:]
    toks = toks[max((i for i, t in enumerate(toks[:-1]) if t[0].endswith(POSSESSIVE)), default=-1) + 1:]
    titles = [i for i, t in enumerate(toks[:-1])
              if t[0].rstrip(".").lower() in TITLES and (i or t[0] != "General")]  # not "General Motors"
    if titles:  # a person: "Secretary of State John Kerry of Massachusetts" -> "John Kerry"
        toks = toks[titles[-1] + 1:]
        while len(toks) > 2 and toks[0][0] == "of":
            toks = toks[2:]
        toks = toks[:next((i for i, t in enumerate(toks) if t[0] == "of"), len(toks))]
    while toks and toks[-1][0] in CONNECTORS:
        toks = toks[:-1]
    return toks


def _source_before(text: str, floor: int, end: int):
    """The source ending just before a cue at `end` ("Smith also said"): (speaker, start) or None."""
    toks = _tokens(text, floor, floor + len(BETWEEN_RE.sub("", text[floor:end])))
    while toks and (toks[-1][0].lower() in ADVERBS or re.fullmatch(r"[a-z]+ly", toks[-1][0])):
        toks.pop()
    if not toks or not toks[-1][0][:1].isalnum() or toks[-1][0].lower() in PREPOSITIONS:
        return None  # "declined to say"
    if toks[-1][0].lower() in PRONOUNS:
        return toks[-1][0].lower(), toks[-1][1]
    i = len(toks)
    while i > 0 and len(toks) - i < 7 and (_is_cap(toks[i - 1][0]) or toks[i - 1][0] in CONNECTORS):
        i -= 1
    name = _clean_name(toks[i:])
    if name and not name[-1][0].endswith(POSSESSIVE) and not (i and toks[i - 1][0] in PREPOSITIONS):
        return _span(text, name), name[0][1]  # but not "polls taken in Ohio found"
    # A noun phrase opened by a determiner or possessor, maybe with a prepositional phrase inside.
    start, j = None, len(toks) - 1
    while j >= 0 and len(toks) - j <= 9 and toks[j][0][:1].isalnum():
        low = toks[j][0].lower()
        possessor = j < len(toks) - 1 and low.endswith(POSSESSIVE) and low[:-2] not in CLAUSE_WORDS
        if low in DETERMINERS or possessor:  # "the company", "Trump's campaign"
            start = j
            if not (j and toks[j - 1][0].lower() in PREPOSITIONS):
                break
        elif low in CLAUSE_WORDS:
            break
        j -= 1
    if start is not None and start < len(toks) - 1 and not toks[-1][0].endswith(POSSESSIVE):
        return _span(text, toks[start:]), toks[start][1]
    return (toks[-1][0], toks[-1][1]) if toks[-1][0] in SOURCE_NOUNS else None


def _source_after(text: str, start: int, end: int, strict: bool = True):
    """The source right after a cue ("said pollster Ann Ruiz", "according to the report"), loose
    after "according to": (speaker, end of the phrase) or None."""
    toks = []
    for tok in _tokens(text, start, end):
        if not tok[0][:1].isalnum() or tok[0].lower() in CLAUSE_WORDS - PRONOUNS or len(toks) == 8:
            break
        toks.append(tok)
        if tok[1] + len(tok[0]) != tok[2]:
            break  # the token swallowed a sentence period
    if toks and toks[0][0].lower() in PRONOUNS:
        return toks[0][0].lower(), toks[0][2]
    i = 0
    while i < min(len(toks), 4) and toks[i][0].lower() not in DETERMINERS | PREPOSITIONS:
        if _is_cap(toks[i][0]):  # a name, unless a modifier follows: "said Lopez aide Dan Berg"
            j = next((k for k in range(i, len(toks)) if not (_is_cap(toks[k][0]) or toks[k][0] in CONNECTORS)),
                     len(toks))
            modifier = any(_is_cap(t[0]) for t in toks[j + 1:j + 3]) and not _verbish(toks[j][0]) and (
                toks[j][0].lower() not in DETERMINERS | PREPOSITIONS)
            name = _clean_name(toks[i:j])
            if name and not modifier and not name[-1][0].endswith(POSSESSIVE):
                return _span(text, name), toks[j - 1][2]
            i = j
        i += 1
    if toks and (not strict or toks[0][0].lower() in DETERMINERS and len(toks) > 1 or toks[0][0] in SOURCE_NOUNS):
        return _span(text, toks), toks[-1][2]
    return None


def _sentence_subject(masked: str, s: int, end: int):
    """The subject opening the sentence, after an intro such as "On Monday," if any, when a verb follows it:
    for "X attacked Y, saying ..." and "X criticized Y and said ...". (speaker, start) or None."""
    intro = re.match(r"\s*[^,]{1,40},\s*", masked[s:end])
    for pos in ([s + intro.end()] if intro else []) + [s]:
        toks = _tokens(masked, pos, end)
        if toks and toks[0][0].lower() in DETERMINERS:  # "the Lopez campaign issued ..."
            k = next((i for i, t in enumerate(toks[:6]) if not t[0][:1].isalnum() or _verbish(t[0])), 0)
            if k > 1 and _verbish(toks[k][0]):
                return _span(masked, toks[:k]), toks[0][1]
            continue
        src = _source_after(masked, pos, end)
        nxt = src and re.match(r"[\s,]*(\w+)", masked[src[1]:end])
        if nxt and (src[0] in PRONOUNS or src[0][:1].isupper()) and _verbish(nxt.group(1)):
            return src[0], re.search(rf"\b{re.escape(src[0])}\b", masked[pos:], re.I).start() + pos
    return None


def _appositive_subject(masked: str, floor: int, end: int):
    """For "X, <apposition>, said": the leftmost of the last comma-separated segments that is wholly a
    source. The segment just before ", said" is the apposition, unless it is the name itself ("the CEO,
    Tim Cook, said")."""
    cuts = [floor] + [i + 1 for i in range(floor, end) if masked[i] in ",—;"]
    segments = list(zip(cuts, cuts[1:]))[-4:]
    for a, b in segments[:-1] + segments[-1:] * (len(segments) > 1):
        src = _source_before(masked, a, b - 1)
        if not src:
            continue
        # Before the source: nothing, or words of its name ("Marion County Party Chairman"), or a clause
        # ("It was then that"); not a prepositional phrase ("In another session").
        prefix = masked[a:src[1]].strip(" \"“”\n").split()
        if not prefix or src[0][:1].isupper() and not PREPOSITIONS & {w.lower() for w in prefix} and (
                all(map(_is_cap, prefix)) or prefix[-1] in ("that", "when", "as", "because", "while", "if")):
            return src
    return None


def _sentences(text: str, quotes: list) -> list[tuple[int, int]]:
    """Sentence spans; a full stop inside a quotation does not end the sentence around it."""
    cuts = [0]
    for m in re.finditer(r"[.!?][\"”’')]*\s+(?=[A-Z\"“‘'(])", text):
        prev = (text[:m.start()].rsplit(None, 1) or [""])[-1]
        if len(prev) > 1 and prev.lower().strip("(") not in ABBREVIATIONS and not any(
                a < m.end() - 1 < b - 1 for a, b in quotes):
            cuts.append(m.end())
    return list(zip(cuts, cuts[1:] + [len(text)]))


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    """Shrink [a, b) past surrounding spaces, quote marks and trailing punctuation."""
    while a < b and (text[a] in " ,:;\"“”—-\n" or text.startswith("''", a)):
        a += 2 if text.startswith("''", a) else 1
    while b > a and (text[b - 1] in " ,.;:\"“”—-\n" or text.endswith("''", a, b)):
        b -= 2 if text.endswith("''", a, b) else 1
    return a, b


def extract_attributions(paragraph: str) -> list[Attribution]:
    """Attributions in one paragraph, speakers as written (pronouns and noun phrases included)."""
    quotes = [(m.start(), m.end()) for m in QUOTE_RE.finditer(paragraph)]
    tail = quotes[-1][1] if quotes else 0
    opener = re.search(r"[“\"]", paragraph[tail:])
    if opener:  # an unclosed quotation runs on into the next paragraph
        quotes.append((tail + opener.start(), len(paragraph)))
    masked = list(paragraph)  # cues inside quotations are the quoted person's words, not cues
    for a, b in quotes:
        masked[a + 1:b - 1] = "x" * max(0, b - a - 2)
    masked, found = "".join(masked), []
    for s, e in _sentences(paragraph, quotes):
        atts = [_attribute(paragraph, masked, quotes, s, e, m) for m in CUE_RE.finditer(masked, s, e)]
        found += [a for a in atts if a and (a.cue.split()[0] not in DOC_VERBS or DOC_NOUNS & set(a.speaker.split()))]
    return found


def _attribute(text: str, masked: str, quotes: list, s: int, e: int, m: re.Match):
    """One cue: its source on the left (plain or appositive) or on the right, then its content."""
    cue, floor = m.group().lower(), max([s] + [b for a, b in quotes if b <= m.start()])
    after = lambda pivot: _after(text, quotes, pivot, e)  # noqa: E731
    before = lambda pivot: _before(text, quotes, s, pivot)  # noqa: E731
    left, rest = masked[s:m.start()].rstrip(), masked[m.end():e]
    if cue == "according to":
        src = _source_after(masked, m.end(), e, strict=False)
        if src and len(left.split()) <= 1:  # "According to X, ..." puts the content after X
            return _make(text, src[0], cue, after(src[1]), before(m.start()))
        return src and _make(text, src[0], cue, before(m.start()), after(src[1]))
    if cue == "continued" and not re.match(r"\s*[,:]", rest) and not re.search(r"[,\"”']$", left):
        return None  # "continued their search" is no speech
    if cue.endswith("ing"):  # "X attacked Y, saying ...", but not "he is adding"
        src = re.search(r"(?:,|statement|tweet|interview|letter|email|post)$", left) and _sentence_subject(
            masked, s, m.start())
        return src and _make(text, src[0], cue, after(m.end()))
    # "X said", else "X, <apposition>, said", else "X criticized Y and said", else "...," said X.
    find = _appositive_subject if left.endswith(",") else _source_before
    src = find(masked, floor, m.start())
    if src is None and re.search(r"\b(?:and|but|then)$", left):
        src = _sentence_subject(masked, s, m.start())  # "X criticized Y and said ..."
    if src is None and cue in INVERTIBLE and re.search(r"[,\"”—']$", left):  # "...," said X.
        right = _source_after(masked, m.end(), e)
        return right and _make(text, right[0], cue, before(m.start()), after(right[1]))
    if not src:
        return None
    cue += " that" if re.match(r" that\b", rest) else ""
    if re.search(r",\s*(?:\S+\s+){0,3}$", masked[s:src[1]]) and re.match(r"\W*,", rest):
        return _make(text, src[0], cue, _trim(text, s, e))  # "The risk, he said, is a clash."
    lead = re.search(r"[,\"”'—]\s*(?:(?!that\b)\S+\s+){0,5}$", masked[max(0, s - 3):src[1]])
    if len(rest.split()) <= 4 and lead and not re.search(r"[\"“”]|''|^ that", rest):  # "..., Yang said."
        return _make(text, src[0], cue, before(src[1]), after(m.end()))
    return _make(text, src[0], cue, after(m.end()))


def _after(text: str, quotes: list, pivot: int, e: int) -> tuple[int, int]:
    """Content after a cue: the quotation it introduces, else its that-clause, else the rest."""
    nxt = [(a, b) for a, b in quotes if pivot <= a < e]
    lead = text[pivot:nxt[0][0]].strip() if nxt else "x"  # 'said:', 'told reporters, "', 'said that "'
    if not lead or re.fullmatch(r"(?:\S+\s+){0,5}\S*[:,]|that", lead):
        return _trim(text, *nxt[0])
    that = re.match(r"(?:\s+[\w'’.\-]+){0,8}?\s+that\b", text[pivot:e])
    return _trim(text, pivot + (that.end() if that else 0), e)


def _before(text: str, quotes: list, s: int, pivot: int) -> tuple[int, int]:
    """Content before a source: the quotation just before it (maybe ending the previous "sentence", as
    in '"Why?" he asked.'), else the sentence so far."""
    prev = [(a, b) for a, b in quotes if s - 3 <= b <= pivot]
    between = text[prev[-1][1]:pivot] if prev else "\""
    if len(between.split()) <= 6 and not re.search(r"[\"“”]", between):
        return _trim(text, *prev[-1])
    return _trim(text, s, pivot)


def _make(text: str, speaker: str, cue: str, span: tuple, fallback: tuple | None = None):
    a, b = span if span[0] < span[1] or not fallback else fallback
    if a >= b and text[span[0]:].strip(" :"):
        return None
    if a >= b:
        a = b = len(text)  # "X said:" ends the paragraph; the quotation is the next paragraph
    return Attribution(speaker=speaker, cue=cue, quote=text[a:b], start=a, end=b)


def _name_key(name: str) -> list[str]:
    """Lowercased name tokens without titles or initials, for comparing names."""
    return [t for t in (w.strip(".,").lower() for w in name.split()) if len(t) > 1 and t not in TITLES]


def _is_name(speaker: str) -> bool:
    return _is_cap(speaker) and speaker.split()[-1][:1].isupper() and speaker.lower() not in PRONOUNS


def attribute_article(paragraphs: list[str]) -> list[list[Attribution]]:
    """Attributions per paragraph, names resolved across the article (see the module docstring)."""
    found = [extract_attributions(p) for p in paragraphs]
    # Full names the article mentions, for a "Trump said" where no "Donald Trump said" comes.
    runs = [(p, m) for p in paragraphs for m in NAME_RUN_RE.finditer(p)]
    mentions = Counter(name for p, m in runs for name in [_span(p, _clean_name(_tokens(p, m.start(), m.end())))]
                       if len(name.split()) >= 2 and not name.endswith(POSSESSIVE))
    spoken = [(i, a.speaker) for i, atts in enumerate(found) for a in atts if _is_name(a.speaker)]
    last_named: list[str] = []  # the named speakers of the latest paragraph that had attributions
    pronoun_of: dict[str, str] = {}  # name -> the pronoun that stood for it
    for i, atts in enumerate(found):
        kept, named = [], []
        for a in atts:
            if a.speaker in ("he", "she"):
                pool = set(named or last_named)
                if len(pool) != 1 or pronoun_of.setdefault(min(pool), a.speaker) != a.speaker:
                    continue  # no unambiguous antecedent (or "she" after "he" for it): drop rather than guess
                a.speaker = pool.pop()
            elif a.speaker in PRONOUNS:
                continue  # "it", "they", "we": groups and organisations are not resolved
            elif _is_name(a.speaker):
                a.speaker = _fullest(a.speaker, i, spoken, mentions)
            named += [a.speaker] if _is_name(a.speaker) else []
            kept.append(a)
        found[i] = kept
        if kept:
            last_named = named
        # "X said:" closing a paragraph introduces the quotation that opens the next one.
        if kept and kept[-1].start == len(paragraphs[i]) and i + 1 < len(paragraphs):
            nxt = paragraphs[i + 1]
            if nxt[:1] in "“\"" and not found[i + 1]:
                a, b = _trim(nxt, 0, len(nxt))
                found[i + 1] = [Attribution(kept[-1].speaker, kept[-1].cue, nxt[a:b], a, b)]
    return found


def _fullest(name: str, i: int, spoken: list, mentions: dict) -> str:
    """The fullest name of the article with all of `name`'s tokens: the nearest such speaker (earlier
    first), else the most mentioned name with the same surname ("Trump" is not "Trump University")."""
    key = _name_key(name)

    def fuller(other: str) -> bool:  # key's tokens in order, the last one first or last: "Hillary Rodham Clinton"
        other_key = _name_key(other)
        it = iter(other_key)
        return len(other_key) > len(key) and all(t in it for t in key) and key[-1] in (other_key[0], other_key[-1])
    near = sorted((abs(j - i) + (j > i) * 0.5, s) for j, s in spoken if key and fuller(s))
    cited = sorted((-n, s) for s, n in mentions.items() if key and fuller(s) and _name_key(s)[-1] == key[-1])
    return near[0][1] if near else cited[0][1] if cited else name


def speaker_matches(name: str, query_name: str) -> bool:
    """Case-insensitive name match for retrieval.

    A full query must equal the name, ignoring titles, initials and case ("robin li" matches "Robin
    Li", "Donald Trump" matches "Donald J. Trump"); a one-word query matches the name's first or last
    token ("Li" matches "Robin Li"; "Yang" matches "Yang Yuanxi", surname first).
    """
    key, query = _name_key(name), _name_key(query_name)
    if len(query) == 1:
        return bool(key) and query[0] in (key[0], key[-1])
    return bool(query) and key == query
