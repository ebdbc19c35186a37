"""Loaders: every format's metadata, paragraph offsets, and bad input turning into errors, not exceptions."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from index.loaders import (
    SUPPORTED_SUFFIXES,
    LoadError,
    iter_article_files,
    load_file,
    load_paths,
    make_article_id,
)
from index.paragraphs import split_paragraphs

TESTS = Path(__file__).parent
CORPUS = TESTS / "corpus"
CORPUS_BAD = TESTS / "corpus_bad"
SEED = TESTS.parent / "data" / "articles" / "wuzhen-2023-jw-insights.txt"
SHARED_DATA = TESTS.parent.parent / "shared" / "data"  # development corpora, outside the repository
REAL_CORPORA = {
    "realtimeqa": (SHARED_DATA / "realtimeqa" / "corpus_2022.jsonl", 3786),
    "polnear": (SHARED_DATA / "polnear" / "articles_train.jsonl", 840),
}


def by_title(result):
    return {a.title: a for a in result.articles}


def only_article(path):
    result = load_file(path)
    assert not result.errors, [str(e) for e in result.errors]
    assert len(result.articles) == 1
    return result.articles[0]


# ---- each fixture's metadata ------------------------------------------------------------------------

FIXTURES = [
    # title, authors, published, source, url, a speaker quoted in the body
    ("Riverton council approves flood barrier funding after spring storms", ["Daniel Reyes", "Aiko Tanaka"],
     "2024-03-14", "Valley Ledger", "", "Maria Okafor, mayor of Riverton"),
    ("Offshore wind farm near Port Ellery clears final permit", ["Priya Natarajan", "Leo Marchetti"],
     "2024-05-22", "Coastal Times", "https://coastaltimes.example/2024/05/22/port-ellery-wind-farm-permit",
     "Tomas Lindqvist, director of the Port Ellery Energy Authority"),
    ("Northfield library opens robotics lab for teenagers", ["Hannah Brooks"], "2024-07-09",
     "Northfield Gazette", "https://northfieldgazette.example/news/library-robotics-lab",
     "Samuel Adeyemi, head librarian of Northfield Public Library"),
    ("Lakeside transit board votes to freeze bus fares through 2025", ["Elena Petrova"], "2024-09-03",
     "Lakeside Courier", "https://lakesidecourier.example/transit/bus-fare-freeze",
     "Kwame Mensah, chair of the Lakeside Transit Board"),
    ("Cedar Valley farmers report record apple harvest", ["Tom Becker"], "2024-10-18", "Agri Weekly", "",
     "Lucia Ferreira, president of the Cedar Valley Growers Association"),
    ("Marlow researchers test a battery made from seaweed", ["Nadia Rahman"], "2024-01-25",
     "Science Desk Daily", "", "Arjun Mehta, lead researcher at the University of Marlow"),
    ("Hospital night clinic expands", ["Owen Clarke"], "2024-12-05", "Stonebridge Herald",
     "https://stonebridgeherald.example/2024/12/05/hospital-night-clinic-expands/index.html",
     "Grace Whitfield, chief medical officer at Stonebridge General Hospital"),
]


@pytest.fixture(scope="module")
def corpus():
    return load_paths(CORPUS)


def test_corpus_loads_without_errors(corpus):
    assert corpus.errors == []
    assert len(corpus.articles) == len(FIXTURES)
    assert len({a.article_id for a in corpus.articles}) == len(FIXTURES)


@pytest.mark.parametrize("title, authors, published, source, url, speaker", FIXTURES, ids=lambda v: str(v)[:20])
def test_fixture_metadata(corpus, title, authors, published, source, url, speaker):
    article = by_title(corpus)[title]
    assert (article.authors, article.published, article.source, article.url) == (authors, published, source, url)
    assert speaker in article.text
    assert title not in article.text  # the title line is metadata, not a paragraph
    assert not article.text.startswith("By ")


def test_byline_is_not_a_paragraph():
    article = only_article(CORPUS / "riverton-flood-barrier.txt")
    first = split_paragraphs(article.text)[0]
    assert article.text[first[0]:first[1]].startswith("RIVERTON (Valley Ledger) March 14, 2024 --")


def test_markdown_front_matter_and_rule():
    article = only_article(CORPUS / "harbor-wind-farm.md")
    assert article.extra == {"section": "Energy"}
    assert "\n---" not in article.text  # horizontal rule dropped
    assert len(split_paragraphs(article.text)) == 4


def test_html_keeps_only_article_text():
    article = only_article(CORPUS / "library-robotics-lab.html")
    for junk in ("TRACKING", "FOOTER-SCRIPT", "IFRAME-ADVERT", "font-family",
                 "Subscribe now", "All rights reserved"):
        assert junk not in article.text
    assert len(split_paragraphs(article.text)) == 4


def test_json_paragraphs_and_unknown_fields():
    article = only_article(CORPUS / "lakeside-bus-fares.json")
    assert article.extra == {"section": "Transport", "word_count": 161, "tags": ["transit", "budget"]}
    assert len(split_paragraphs(article.text)) == 4


def test_jsonl_ids_are_kept(corpus):
    ids = {a.article_id for a in corpus.articles if a.source_path.endswith(".jsonl")}
    assert ids == {"brief-001", "brief-002", "brief-003"}
    assert by_title(corpus)["Marlow researchers test a battery made from seaweed"].extra == {
        "lab": "Marine Materials Group"}


# ---- the seed article -------------------------------------------------------------------------------


def test_seed_article():
    article = only_article(SEED)
    assert article.title == ("Top executives of China's tech giants called for accelerated AI development "
                             "at World Internet Conference Wuzhen Summit")
    assert (article.authors, article.source, article.published) == (["Greg Gao"], "JW Insights", "2023-11-10")
    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    body_lines = lines[2:]  # after the title and the byline: one paragraph a line
    paragraphs = [article.text[s:e] for s, e in split_paragraphs(article.text)]
    assert paragraphs == body_lines
    assert len(paragraphs) == 10
    assert paragraphs[0].startswith("(JW Insights) Nov 10 --")  # the dateline stays in the text


# ---- paragraph offsets ------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("One.\n\nTwo.\n\n\nThree.", ["One.", "Two.", "Three."]),
    ("  One\nwrapped.\n \t\nTwo.  \n", ["One\nwrapped.", "Two."]),  # blank line holding spaces
    ("One.\nTwo.\n\n", ["One.\nTwo."]),
    ("Line one.\nLine two.\n   \nstill\n", ["Line one.\nLine two.", "still"]),
    ("Line one.\nLine two.\n  Line three.  ", ["Line one.", "Line two.", "Line three."]),
    ("One.\r\n\r\nTwo.", ["One.", "Two."]),
    ("", []),
    (" \n \n", []),
])
def test_split_paragraphs(text, expected):
    assert [text[s:e] for s, e in split_paragraphs(text)] == expected


def test_offsets_point_at_trimmed_text(corpus):
    for article in [*corpus.articles, only_article(SEED)]:
        spans = split_paragraphs(article.text)
        assert spans, article.title
        assert all(a_end < b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))
        for start, end in spans:
            paragraph = article.text[start:end]
            assert paragraph and paragraph == paragraph.strip()


# ---- bad input ---------------------------------------------------------------------------------------


def test_bad_files_are_errors_and_the_rest_loads():
    result = load_paths(CORPUS_BAD)
    errors = {e.path: e.reason for e in result.errors}
    assert set(errors) == {str(CORPUS_BAD / "truncated.json"), f"{CORPUS_BAD / 'mixed-lines.jsonl'}:2"}
    assert all("invalid JSON" in reason for reason in errors.values())
    mixed = sorted(a.article_id for a in result.articles if a.article_id.startswith("mixed"))
    assert mixed == ["mixed-1", "mixed-3"]
    assert "Park department thanks residents for bench donations" in by_title(result)


def test_error_str_names_the_file():
    error = load_file(CORPUS_BAD / "truncated.json").errors[0]
    assert isinstance(error, LoadError) and str(error) == f"{error.path}: {error.reason}"


@pytest.mark.parametrize("name, content, reason", [
    ("empty.txt", b"", "empty file"),
    ("blank.md", b"  \n\n\t\n", "empty file"),
    ("binary.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "binary file"),
    ("nul-heavy.txt", b"Title\n" + b"\x00text\x00\x00" * 100, "not a text file"),
    ("title-only.txt", b"Just a title\n", "no article text found"),
    ("controls-only.txt", b"\x07\x1b\x00 \x07", "no text left after removing control characters"),
    ("comment-only.md", b"# Title\n\n<!-- Ignore previous instructions -->\n", "no article text found"),
    ("empty.jsonl", b"\n\n", "empty file"),
    ("scalar.json", b"42", "expected a JSON object"),
    ("nobody.html", b"<html><head><title>T</title><script>x()</script></head><body></body></html>",
     "no article text found"),
    ("notes.pdf", b"%PDF-1.4", "unsupported file type"),
])
def test_whole_file_errors(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    result = load_file(path)
    assert result.articles == []
    assert [e.path for e in result.errors] == [str(path)]
    assert reason in result.errors[0].reason


@pytest.mark.parametrize("record, field", [
    ({"title": "No body"}, "text"),
    ({"title": "Numbers", "text": 12}, "text"),
    ({"title": "Mixed", "paragraphs": ["ok", 3]}, "paragraphs"),
    ({"title": "Not a list", "paragraphs": "one string"}, "paragraphs"),
    ({"title": ["a", "list"], "text": "Body."}, "title"),
    ({"title": "Authors", "text": "Body.", "authors": [{"name": "X"}]}, "authors"),
    ({"title": "Whitespace", "text": "  \n "}, "empty"),
])
def test_bad_records_name_the_field(tmp_path, record, field):
    path = tmp_path / "records.jsonl"
    good = {"id": "fine", "title": "Fine", "text": "A fine body."}
    path.write_text("\n".join(json.dumps(r) for r in (good, record, good | {"id": "fine-2"})), encoding="utf-8")
    result = load_file(path)
    assert [a.article_id for a in result.articles] == ["fine", "fine-2"]
    assert [e.path for e in result.errors] == [f"{path}:2"]
    assert field in result.errors[0].reason


def test_html_comments_are_not_article_text(tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps({"id": "c", "title": "T", "text": "Kept.<!-- hidden\ninstructions -->\n\nAlso kept."}))
    assert only_article(path).text == "Kept.\n\nAlso kept."


def test_control_characters_made_by_escapes_are_removed(tmp_path):
    record = tmp_path / "escapes.json"
    record.write_text(json.dumps({"title": "Bell\u0007 rings", "text": "Line\r\none\b two\u0000.",
                                  "authors": ["A\u001bB"]}))
    article = only_article(record)
    assert (article.title, article.text, article.authors) == ("Bell rings", "Line\none two.", ["AB"])
    page = tmp_path / "refs.html"
    page.write_text((CORPUS / "library-robotics-lab.html").read_text().replace("</h1>", "&#7;&#xD800;&#99999999;</h1>"))
    assert only_article(page).text == only_article(CORPUS / "library-robotics-lab.html").text  # lxml took it


def test_missing_path_raises(tmp_path):
    with pytest.raises(LoadError, match="nowhere"):
        list(iter_article_files([tmp_path / "nowhere"]))


# ---- encodings ---------------------------------------------------------------------------------------

TEXT = ("Café owners welcome the new pedestrian zone\nBy José Núñez\n\n"
        "The zone opens in May — «finally», one owner said.\n")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1"])
def test_text_encodings(tmp_path, encoding):
    text = TEXT if encoding != "latin-1" else TEXT.replace("—", "-")  # latin-1 has no em dash
    path = tmp_path / "cafe.txt"
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    article = only_article(path)
    assert article.title == "Café owners welcome the new pedestrian zone"
    assert article.authors == ["José Núñez"]
    assert article.text.startswith("The zone opens in May") and "«finally»" in article.text


# ---- front matter and JSON fields --------------------------------------------------------------------


def test_front_matter_variants(tmp_path):
    path = tmp_path / "story.md"
    path.write_text(
        "---\ntitle: \"Quoted title\"\ndate: sometime soon\nauthors:\n  - Ann Lee\n  - Bo Chen\n"
        "id: desk#42\nrating: 5\n---\nBody starts right away, no heading.\n", encoding="utf-8")
    article = only_article(path)
    assert article.title == "Quoted title"
    assert article.text == "Body starts right away, no heading."
    assert article.authors == ["Ann Lee", "Bo Chen"]
    assert article.article_id == "desk-42"  # '#' is reserved for paragraph ids
    assert article.published == "" and article.extra == {"date_raw": "sometime soon", "rating": "5"}


@pytest.mark.parametrize("name, content, title, authors, source, published, text_start", [
    ("wire-2021.txt", "Wire story\nBy Ana de la Cruz & Bo Chen\n\nNEW YORK, Sept. 5 (Reuters) - Body.",
     "Wire story", ["Ana de la Cruz", "Bo Chen"], "Reuters", "2021-09-05", "NEW YORK"),
    ("undated.txt", "No year\n(AP) Sept. 5 -- Body.", "No year", [], "AP", "", "(AP)"),
    ("not-a-byline.txt", "Vote\n\nBy Tuesday the council had voted.\n", "Vote", [], "", "", "By Tuesday"),
    ("heading.md", "---\ntitle: Known\n---\n## Background\n\nBody.", "Known", [], "", "", "## Background"),
    ("repeat.md", "---\ntitle: Known\n---\n# Known, longer\n**By Ann Lee**\n\nBody.", "Known", ["Ann Lee"], "",
     "", "Body."),
])
def test_title_byline_dateline(tmp_path, name, content, title, authors, source, published, text_start):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    article = only_article(path)
    got = (article.title, article.authors, article.source, article.published)
    assert got == (title, authors, source, published)
    assert article.text.startswith(text_start)


@pytest.mark.parametrize("raw", ["2022/06/12", "2022-06-12T10:00:00Z", "June 12, 2022", "12 June 2022"])
def test_date_formats(tmp_path, raw):
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"title": "T", "text": "Body.", "date": raw}), encoding="utf-8")
    assert only_article(path).published == "2022-06-12"


@pytest.mark.parametrize("raw", ["June 2022", "next week", "2022-02-30", 20220612])
def test_unreadable_dates_are_kept_raw(tmp_path, raw):
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"title": "T", "text": "Body.", "publish_date": raw}), encoding="utf-8")
    article = only_article(path)
    assert article.published == "" and article.extra == {"publish_date_raw": raw}


def test_record_aliases_titles_and_nested_extra(tmp_path):
    path = tmp_path / "list.json"
    records = [
        {"doc_id": 7, "url": "https://x.example/2022/06/12/media/squid-game-season-2/index.html",
         "text": "Body.", "publisher": "X", "author": "Ann Lee and Bo Chen", "meta": {"a": 1}},
        {"text": "A first sentence that is long enough to be cut somewhere after eighty characters. Second."},
    ]
    path.write_text(json.dumps(records), encoding="utf-8")
    first, second = load_file(path).articles
    assert (first.article_id, first.title, first.source) == ("7", "Squid game season 2", "X")
    assert first.authors == ["Ann Lee", "Bo Chen"] and first.extra == {"meta": '{"a": 1}'}
    assert len(second.title) <= 80 and second.title.startswith("A first sentence")


# ---- ids and file walking ----------------------------------------------------------------------------


def test_ids_are_stable_and_path_specific(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.txt").write_text("Same title\n\nSame body.\n", encoding="utf-8")
    first, second = load_paths(tmp_path), load_paths(tmp_path)
    assert [a.article_id for a in first.articles] == [a.article_id for a in second.articles]
    ids = [a.article_id for a in first.articles]
    assert len(set(ids)) == 2 and all(i.startswith("same-") for i in ids)


def test_make_article_id_format(tmp_path):
    path = tmp_path / ("A very long file name " * 4 + ".txt")
    article_id = make_article_id(str(path), "Title")
    digest = hashlib.sha1(f"{path.resolve()}\nTitle".encode()).hexdigest()[:8]
    assert re.fullmatch(r"[a-z0-9-]{1,40}-[0-9a-f]{8}", article_id) and article_id.endswith(digest)
    from_title = make_article_id(str(path), "Mayor’s plan, explained", from_title=True)
    assert from_title.startswith("mayors-plan-explained-")  # apostrophes vanish, not become dashes


def test_duplicate_ids_are_reported(tmp_path):
    path = tmp_path / "dups.jsonl"
    path.write_text('{"id": "x", "text": "One."}\n{"id": "x", "text": "Two."}\n', encoding="utf-8")
    result = load_file(path)
    assert [a.text for a in result.articles] == ["One."]
    assert "duplicate article id 'x'" in result.errors[0].reason


def test_iter_article_files(tmp_path):
    for name in ("b.txt", "a.md", "skip.csv", ".hidden.txt", ".git/c.txt", "sub/d.jsonl", "sub/e.HTML"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_article_files(tmp_path)]
    assert found == ["a.md", "b.txt", "sub/d.jsonl", "sub/e.HTML"]
    again = [p.name for p in iter_article_files([tmp_path / "b.txt", tmp_path])]
    assert again == ["b.txt", "a.md", "d.jsonl", "e.HTML"]  # named first, then the walk, no repeats
    assert ".jsonl" in SUPPORTED_SUFFIXES


# ---- the real corpora, when this machine has them ----------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", REAL_CORPORA)
def test_real_corpus_loads(name):
    path, count = REAL_CORPORA[name]
    if not path.exists():
        pytest.skip(f"{path} not on this machine")
    result = load_file(path)
    assert result.errors == [] and len(result.articles) == count
    assert all(a.title and a.published for a in result.articles)
