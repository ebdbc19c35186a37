"""PolNeAR attributions -> "What did X say about Y?" questions (eval/data/polnear_{dev,test}.jsonl, git-ignored).

    python -m eval.convert_polnear [--split dev|test] [--n 200] [--seed 0]

Split by article, fixed: an article is in `test` when the first byte of sha1(doc_id) is below 52 (about
20% of the 840 articles), else in `dev`; no question of one split comes from an article of the other.
One question per (article, named speaker) with at least one statement of six words or more:
  - the speaker is named as users name people: the full name ("Hillary Clinton"), honorific + surname
    ("Mrs. Clinton", only when the article itself writes it, so the honorific is right), or role + full name
    ("Senator Bernie Sanders", only when the article writes the role before the name); one of the forms the
    article supports, picked by the seeded generator;
  - the topic Y is the article's title (the part after a "Kicker:" when that part has 3+ words, the part
    before a ";", a " - Publisher" tail cut), without the speaker's own name: words a reader of the headline
    has, never words taken from what was said;
  - the gold answer is one fact: anything the speaker said in the article (every statement of 6+ words is
    an alias of it), with the paragraph of each statement as evidence; token F1 is the figure to read.
A question is dropped when a content word of a statement appears in it and not in the title or the
speaker's name and role (eval/leakage.py); the count is printed.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from collections import defaultdict
from pathlib import Path

from eval.datasets import DATA, ROOT
from eval.leakage import leaked
from qa.sentences import STOPWORDS

HONORIFICS = ("Mr.", "Mrs.", "Ms.", "Dr.")
ROLES = {"President": "President", "Sen.": "Senator", "Senator": "Senator", "Gov.": "Governor",
         "Governor": "Governor", "Rep.": "Representative", "Secretary": "Secretary", "Speaker": "Speaker",
         "Justice": "Justice", "Judge": "Judge", "Mayor": "Mayor", "Vice President": "Vice President"}
TITLE_WORDS = set(HONORIFICS) | set(ROLES) | {"Former", "Sen", "Gov", "Rep", "Mr", "Mrs", "Ms", "Dr"}
NAME = re.compile(r"^[A-Z][a-zA-Z.'’-]+(?: [A-Z][a-zA-Z.'’-]+)*$")
TEST_CUTOFF = 52  # first byte of sha1(doc_id) below this: test (52/256 = 20%)


def split_of(doc_id: str) -> str:
    return "test" if hashlib.sha1(doc_id.encode()).digest()[0] < TEST_CUTOFF else "dev"


def surname(source: str) -> str | None:
    words = [w for w in source.replace("’s", "").split() if w.rstrip(".") + "." not in HONORIFICS
             and w not in TITLE_WORDS]
    last = words[-1] if words else ""
    return last if NAME.match(source) and len(last) > 1 and last[0].isupper() else None


# Capitalised words that precede a surname without being a first name ("Wife Huma Abedin", "Minister Valls").
NOT_FIRST = {"Minister", "Prime", "Wife", "Husband", "Chairman", "Chairwoman", "Chief", "Senate", "House", "Party",
             "Campaign", "Former", "Democrat", "Democrats", "Republican", "Republicans", "Rev", "Gen", "Gen.",
             "Candidate", "Nominee", "Governor", "Senator", "Sen", "Rep", "Gov", "Presidential", "Mr", "Mrs", "Ms",
             "Dr", "Daughter", "Son", "Mother", "Father", "Brother", "Sister", "Attorney", "General", "Leader"}


def full_name(text: str, last: str) -> str | None:
    """The article's most frequent "First [Middle] Last" for a surname (ties: the longer); titles, function
    words and a sentence's capitalised first word are not first names. None when the article writes none."""
    names = []
    for before, firsts in re.findall(rf"(\S*\s+|^)((?:[A-Z][a-z]+ ){{1,2}}){re.escape(last)}\b", text):
        words = firsts.split()
        at_start = not before.strip() or before.rstrip().endswith((".", "!", "?", "\u201d", '"'))
        while words and (words[0] in NOT_FIRST or words[0] in ROLES or words[0].lower() in STOPWORDS or at_start):
            words, at_start = words[1:], False
        if words:
            names.append(" ".join(words + [last]))
    return max(sorted(set(names), key=len, reverse=True), key=names.count) if names else None


def speaker_forms(text: str, full: str, last: str) -> list[str]:
    forms = [full]
    forms += [f"{h} {last}" for h in HONORIFICS if f"{h} {last}" in text][:1]
    for written, role in ROLES.items():
        if re.search(rf"\b{re.escape(written)} (?:{re.escape(full)}|{re.escape(last)})\b", text):
            forms.append(f"{role} {full}")
            break
    return forms


def topic(title: str, name: str) -> str:
    title = re.split(r"\s+[-|–—]\s+", title.split(";")[0])[0].strip().rstrip(".")
    _, _, tail = title.partition(":")
    title = tail.strip() if len(tail.split()) >= 3 else title
    drop = {w.lower() for w in name.split()}
    kept = [w for w in title.split() if re.sub(r"['’]s$", "", w.strip(",.!?'’\"")).lower() not in drop]
    return " ".join(kept).strip(" ,:;'’‘\"“”?!")


def _evidence(record: dict, content: str) -> str:
    """A verbatim span of the paragraph: the content when it is one piece of it, else the paragraph's start."""
    paragraph = record.get("evidence_paragraph") or ""
    return content[:200] if content[:200] in paragraph else paragraph[:150]


def convert(shared: Path, n: int, seed: int, split: str = "dev") -> tuple[list[dict], dict]:
    folder = shared / "data" / "polnear"
    articles = {a["doc_id"]: a for a in map(json.loads, (folder / "articles_train.jsonl").open()) if a}
    groups: dict[tuple[str, str], list[tuple[dict, str]]] = defaultdict(list)
    for r in map(json.loads, (folder / "attributions_train.jsonl").open()):
        source, content = ((r.get(k) or {}).get("text", "").strip() for k in ("source", "content"))
        last = surname(source) if r.get("source_looks_named") else None
        if last and len(content.split()) >= 6 and split_of(r["doc_id"]) == split and r["doc_id"] in articles:
            groups[(r["doc_id"], last)].append((r, content))
    rng = random.Random(seed)
    keys = sorted(groups)
    rng.shuffle(keys)
    items: list[dict] = []
    stats = {"candidates": len(keys), "no_full_name": 0, "no_topic": 0, "leaks": 0}
    for doc_id, last in keys:
        if len(items) >= n:
            break
        article = articles[doc_id]
        full = full_name(article["text"], last)
        if not full:
            stats["no_full_name"] += 1
            continue
        forms = speaker_forms(article["text"], full, last)
        speaker = forms[rng.randrange(len(forms))]
        about = topic(article.get("title") or "", full)
        if len(about.split()) < 2:
            stats["no_topic"] += 1
            continue
        question = f"What did {speaker} say about {about}?"
        contents = list(dict.fromkeys(c for _, c in groups[(doc_id, last)]))
        if leaked(question, contents, [article.get("title") or "", speaker, full]):
            stats["leaks"] += 1
            continue
        form = "full" if speaker == full else "honorific" if speaker.split()[0] in HONORIFICS else "role"
        evidence = list({_evidence(r, c): None for r, c in groups[(doc_id, last)]})
        items.append({"id": f"polnear-{split}-{len(items)}", "question": question, "as_of": None,
                      "answers": [contents], "answerable": True,
                      "evidence": [{"article_id": doc_id, "text": e} for e in evidence],
                      "tags": ["polnear", "speaker", f"speaker-{form}"]})
    return items, stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not (args.shared / "data" / "polnear").is_dir():
        print(f"no PolNeAR data under {args.shared}; nothing to convert")
        return
    items, stats = convert(args.shared, args.n, args.seed, args.split)
    out = DATA / f"polnear_{args.split}.jsonl"
    out.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items))
    forms = {t: sum(t in i["tags"] for i in items) for t in ("speaker-full", "speaker-honorific", "speaker-role")}
    print(f"wrote {len(items)} questions to {out} ({args.split} split by article); {forms}; skipped: {stats}")


if __name__ == "__main__":
    main()
