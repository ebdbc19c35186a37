"""The word lists and regexes the speaker rules are written in, and the token helpers built on them."""
from __future__ import annotations

import re

SPEECH_VERBS = """said says say added adds noted notes stressed stresses argued argues argue warned warns warn
explained explains claimed claim announced announces disclosed discloses emphasized emphasizes emphasised insisted
insists insist wrote writes tweeted tweets told tells reported reports stated declared asserted acknowledged
admitted confirmed confirms denied suggested suggests suggest observed remarked recalled responded replied
countered contended maintained predicted cautioned conceded complained revealed concluded continued asked asks
testified reiterated repeated joked quipped boasted lamented agreed urged urges described describes criticized
accused praised blamed dismissed questioned promised vowed pledged proposed believes believe believed thinks
think called calls expressed cited defended declined endorsed rejected found finds shows showed show saying
adding noting arguing telling warning insisting explaining claiming calling asking stressing""".split()
SPEECH_VERBS += ["pointed out"]
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


def tokens(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """(token, start, end); the end leaves out a sentence period the token swallowed ("Smith.")."""
    return [(t, m.start(), m.end() - (t.endswith(".") and len(t) > 2 and t[:-1].lower() not in ABBREVIATIONS))
            for m in TOKEN_RE.finditer(text, start, end) for t in [m.group()]]


def is_cap(tok: str) -> bool:
    return tok[:1].isupper() and tok.lower() != "i"


def verbish(word: str) -> bool:
    """A verb or auxiliary, roughly: what follows a subject ("Lopez attacked", "the agency has")."""
    return word in ADVERBS | VERBS | {"did", "does", "not", "who"} or bool(re.fullmatch(r"[a-z]+(?:ed|s)", word))


def span_text(text: str, toks: list) -> str:
    """The text of `toks`; "The company" -> "the company" (the capital is the sentence's, not a name's)."""
    phrase = text[toks[0][1]:toks[-1][2]] if toks else ""
    return phrase[:1].lower() + phrase[1:] if toks and toks[0][0].lower() in DETERMINERS else phrase


def clean_name(toks: list) -> list:
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
