"""Measure the speaker extractor (index.speakers.attribute_article) against PolNeAR attributions.

    python eval/speakers_polnear.py [--limit N] [--data DIR] [--out results.json]

Data: DIR/articles_train.jsonl (doc_id, text, ...) and DIR/attributions_train.jsonl (one record
per attribution: source/cue/content with text and character spans in the article text). Skips with
a message, exit 0, when DIR is absent.

Metric, per paragraph (article text split on blank lines, else on newlines):
  gold      = normalized source texts of the records whose source span starts in the paragraph
  predicted = normalized speakers that attribute_article gives the paragraph
  normalize = lowercase, drop honorifics (mr., sen., ...), punctuation and a possessive 's
  match     = the two share the head token (last token of the first noun chunk, so "Ann Ruiz of
              the Institute, an economist" has head "ruiz"), or one's normalized tokens are a
              contiguous run of the other's
  precision = matched predictions / predictions;  recall = matched gold / gold
"Named" gold sources are proper names: after a leading determiner, some word is capitalized and the
source is not a pronoun (he, she, they, it, we, I, who...). "Named" predictions are those whose text
starts with a capital letter (names, resolved pronouns, "China Daily"). PolNeAR does not resolve
coreference (its source is "he" where we say "Yang Yuanxi"), so the lenient precisions also accept a
prediction that attribute_article resolved from he/she when the paragraph has a gold he/she source.
Content overlap: for each matched gold record, the best token F1
between its content text and the quotes of the matched predictions of that paragraph, averaged.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from index.speakers import TITLES, attribute_article, extract_attributions  # noqa: E402

DATA = Path("/work/shared/data/polnear")
NOT_NAMED = {"he", "she", "they", "it", "we", "i", "you", "who", "which", "that", "his", "her", "its",
             "their", "our", "my", "the", "a", "an", "this", "these", "those", "some", "many", "others"}


def paragraphs(text: str) -> list[tuple[int, int]]:
    sep = r"\n\s*\n" if re.search(r"\n\s*\n", text) else r"\n"
    spans, pos = [], 0
    for m in list(re.finditer(sep, text)) + [None]:
        end = m.start() if m else len(text)
        if text[pos:end].strip():
            spans.append((pos, end))
        pos = m.end() if m else end
    return spans


def norm(name: str) -> tuple[str, ...]:
    toks = [re.sub(r"['’]s$|[^\w\-]", "", t.lower()) for t in name.split()]
    return tuple(t for t in toks if t and t not in TITLES)


def is_named(source: str) -> bool:
    toks = source.split()
    while toks and toks[0].lower() in NOT_NAMED:
        toks = toks[1:]
    return any(t[:1].isupper() for t in toks) and source.lower() not in NOT_NAMED


def head(name: str) -> str:
    """Last token of the first noun chunk: "Ann Ruiz of the Institute, an ..." -> "ruiz"."""
    chunk = re.split(r"[,(]|\s(?:of|for|from|at|with|who|which|in|on)\s", name)[0]
    return (norm(chunk) or ("",))[-1]


def matches(a: str, b: str) -> bool:
    x, y = norm(a), norm(b)
    if not x or not y:
        return False
    short, long_ = sorted((x, y), key=len)
    runs = {long_[i:i + len(short)] for i in range(len(long_) - len(short) + 1)}
    return head(a) == head(b) or short in runs


def token_f1(a: str, b: str) -> float:
    x, y = re.findall(r"\w+", a.lower()), re.findall(r"\w+", b.lower())
    common = sum(min(x.count(t), y.count(t)) for t in set(x))
    return 0.0 if not common else 2 * common / (len(x) + len(y))


ROWS = [  # (metric, numerator, denominator)
    ("precision", "pred_ok", "pred"), ("precision_lenient", "pred_ok_lenient", "pred"),
    ("named_precision", "named_pred_ok", "named_pred"),
    ("named_precision_lenient", "named_pred_ok_lenient", "named_pred"),
    ("recall", "gold_ok", "gold"), ("named_recall", "named_gold_ok", "named_gold"),
]


def evaluate(articles: list[dict], records: list[dict], progress=lambda xs: xs) -> dict:
    spans = {a["doc_id"]: paragraphs(a["text"]) for a in articles}
    gold: dict[tuple, list] = {}  # (doc_id, paragraph index) -> records whose source starts there
    for r in records:
        if r.get("source") and r["doc_id"] in spans:
            at = r["source"]["spans"][0][0]
            k = next((i for i, (s, e) in enumerate(spans[r["doc_id"]]) if s <= at < e), None)
            if k is not None:
                gold.setdefault((r["doc_id"], k), []).append(r)
    c: Counter[str] = Counter()
    f1s: list[float] = []
    for art in progress(articles):
        texts = [art["text"][s:e] for s, e in spans[art["doc_id"]]]
        from_pronoun = [{(a.start, a.end, a.cue) for a in extract_attributions(t) if a.speaker in ("he", "she")}
                        for t in texts]
        for k, atts in enumerate(attribute_article(texts)):
            recs = gold.get((art["doc_id"], k), [])
            golds = {norm(r["source"]["text"]): r for r in recs}
            preds = {norm(a.speaker): a for a in atts}  # one per distinct normalized speaker
            written = {norm(a.speaker) for a in atts if (a.start, a.end, a.cue) not in from_pronoun[k]}
            gold_pronoun = any(r["source"]["text"].lower() in ("he", "she") for r in recs)
            for key, a in preds.items():
                ok = any(matches(a.speaker, r["source"]["text"]) for r in golds.values())
                lenient = ok or (key not in written and gold_pronoun)
                named = a.speaker[:1].isupper()
                c.update({"pred": 1, "pred_ok": ok, "pred_ok_lenient": lenient, "named_pred": named,
                          "named_pred_ok": named and ok, "named_pred_ok_lenient": named and lenient})
            for r in golds.values():
                hits = [a for a in preds.values() if matches(a.speaker, r["source"]["text"])]
                named = is_named(r["source"]["text"])
                c.update({"gold": 1, "gold_ok": bool(hits), "named_gold": named,
                          "named_gold_ok": named and bool(hits)})
                if hits and r.get("content"):
                    f1s.append(max(token_f1(a.quote, r["content"]["text"]) for a in hits))
    res: dict[str, float] = {"articles": len(articles),
                             **{key: int(c[key]) for _, num, den in ROWS for key in (num, den)}}
    res.update({name: round(c[num] / c[den], 3) if c[den] else 0.0 for name, num, den in ROWS})
    res["content_f1"] = round(sum(f1s) / len(f1s), 3) if f1s else 0.0
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=0, help="first N articles only")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, help="write the results as JSON here")
    args = ap.parse_args()
    if not (args.data / "articles_train.jsonl").exists():
        print(f"PolNeAR data not found under {args.data}; skipping.")
        return 0
    def read(name: str) -> list[dict]:
        with open(args.data / name, encoding="utf-8") as f:
            return [json.loads(line) for line in f]

    articles, records = read("articles_train.jsonl"), read("attributions_train.jsonl")
    if args.limit:
        articles = articles[:args.limit]

    def progress(xs):
        try:
            from tqdm import tqdm
        except ImportError:
            return xs
        return tqdm(xs, desc="articles")

    res = evaluate(articles, records, progress)
    print(f"\n{res['articles']} articles\n")
    print("| metric | value | counts |\n|---|---|---|")
    for name, num, den in ROWS:
        print(f"| {name} | {res[name]:.3f} | {res[num]}/{res[den]} |")
    print(f"| content_f1 (matched) | {res['content_f1']:.3f} | |")
    if args.out:
        args.out.write_text(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
