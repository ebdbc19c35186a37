"""The service end to end: a real server on a free loopback port, driven by plain HTTP and by gradio_client.

Plus the parts that decide safety or behaviour on their own: upload file names, the streaming/chat adapter
(against a real QA, with a test answerer registered in the factory), basic auth.
"""
from __future__ import annotations

import json

import httpx
import pytest

from app import create_server
from qa import REFUSAL
from qa.answerers import BACKENDS
from qa.answerers.base import Answerer, compose
from qa.types import Filters
from tests.conftest import CORPUS
from tests.live_server import copied_qa, ARTICLE, ARTICLE_QUESTION, ROBIN_LI, running
from web.service import Service, safe_filename
from web.settings import WebSettings, web_settings

AUTH = ("editor", "s3cret:with-colon")


@pytest.fixture(scope="module")
def qa(built_home, tmp_path_factory):
    qa = copied_qa(built_home, tmp_path_factory.mktemp("app"))
    yield qa
    qa.close()


@pytest.fixture(scope="module")
def url(qa):
    with running(create_server(qa, WebSettings(max_upload_mb=1))) as url:
        yield url


@pytest.fixture(scope="module")
def auth_url(qa):
    with running(create_server(qa, WebSettings(auth=":".join(AUTH))), auth=AUTH) as url:
        yield url


def sse_events(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


# -- HTTP API -------------------------------------------------------------------------------------------
def test_health_and_openapi(url):
    health = httpx.get(f"{url}/api/health").json()
    assert health["status"] == "ok" and health["answerer"] == "extractive" and health["articles"] >= 8
    paths = httpx.get(f"{url}/openapi.json").json()["paths"]
    assert {"/api/ask", "/api/search", "/api/articles", "/api/articles/{article_id}", "/api/health"} <= set(paths)
    assert {"get", "post"} <= set(paths["/api/articles"]) and "delete" in paths["/api/articles/{article_id}"]


def test_ask_cites_the_robin_li_paragraph(url):
    answer = httpx.post(f"{url}/api/ask", json={"question": ROBIN_LI}, timeout=60).json()
    assert not answer["refused"] and "[1]" in answer["text"]
    cited = answer["citations"][0]
    assert cited["paragraph_id"].endswith("#p5") and cited["quote"].startswith("Robin Li")
    assert cited["text"][cited["quote_start"]:cited["quote_end"]] == cited["quote"]


def test_ask_streams_server_sent_events(url):
    response = httpx.post(f"{url}/api/ask", json={"question": ROBIN_LI, "stream": True}, timeout=60)
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.text)
    assert [name for name, _ in events][-1] == "answer"
    assert all(name == "chunk" for name, _ in events[:-1])
    assert events[-1][1]["citations"][0]["paragraph"] == 5


def test_ask_refuses_and_reports_bad_input_as_messages(url):
    answer = httpx.post(f"{url}/api/ask", json={"question": "What did Elon Musk say at the Wuzhen summit?"},
                        timeout=60).json()
    assert answer["refused"] and answer["text"] == REFUSAL and answer["citations"] == []
    bad = httpx.post(f"{url}/api/ask", json={"question": ROBIN_LI, "as_of": "next tuesday"}, timeout=60)
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.json()["detail"]
    assert "Traceback" not in bad.text
    assert httpx.post(f"{url}/api/ask", json={"question": ""}).status_code == 422
    streamed = sse_events(httpx.post(f"{url}/api/ask", json={"question": ROBIN_LI, "as_of": "soon", "stream": True},
                                     timeout=60).text)
    assert streamed[-1][0] == "error" and "not a date" in streamed[-1][1]["detail"]


def test_search_applies_filters(url):
    passages = httpx.get(f"{url}/api/search", params={"q": "flood barrier", "source": "Valley Ledger", "k": 3}).json()
    assert passages and len(passages) <= 3 and {p["source"] for p in passages} == {"Valley Ledger"}


def test_upload_ask_delete_over_http(url, qa, tmp_path):
    files = [
        ("files", ("ferry.txt", ARTICLE.encode(), "text/plain")),
        ("files", ("truncated.json", (CORPUS.parent / "corpus_bad" / "truncated.json").read_bytes(), "text/plain")),
        ("files", ("../../escape.md", b"# Escape attempt\n\nNobody should write outside uploads.", "text/plain")),
        ("files", ("tool.exe", b"MZ\x90\x00", "application/octet-stream")),
        ("files", ("big.txt", b"x" * (1024 * 1024 + 10), "text/plain")),
    ]
    results = {r["file"]: r for r in httpx.post(f"{url}/api/articles", files=files, timeout=120).json()}
    assert results["ferry.txt"]["status"] == "added" and results["ferry.txt"]["paragraphs"] == 3
    assert results["truncated.json"]["status"] == "skipped" and "invalid JSON" in results["truncated.json"]["reason"]
    assert str(qa.settings.home) not in results["truncated.json"]["reason"]
    assert results["escape.md"]["status"] == "added"
    assert results["tool.exe"]["status"] == "rejected" and ".exe" in results["tool.exe"]["reason"]
    assert results["big.txt"]["status"] == "rejected" and "1 MB" in results["big.txt"]["reason"]
    uploads = qa.settings.home / "uploads"
    assert sorted(p.name for p in uploads.iterdir()) == ["escape.md", "ferry.txt"]
    assert not (qa.settings.home / "escape.md").exists()

    answer = httpx.post(f"{url}/api/ask", json={"question": ARTICLE_QUESTION}, timeout=60).json()
    ferry_id = results["ferry.txt"]["articles"][0]
    assert not answer["refused"] and answer["citations"][0]["article_id"] == ferry_id

    listed = httpx.get(f"{url}/api/articles", params={"q": "orchard ferry"}).json()
    assert [a["article_id"] for a in listed] == [ferry_id] and listed[0]["n_paragraphs"] == 3
    assert "source_path" not in listed[0]  # server paths stay on the server
    for article_id in (ferry_id, results["escape.md"]["articles"][0]):
        assert httpx.delete(f"{url}/api/articles/{article_id}").json() == {"deleted": article_id}
    assert httpx.delete(f"{url}/api/articles/{ferry_id}").status_code == 404
    assert httpx.get(f"{url}/api/articles", params={"q": "orchard"}).json() == []


def test_upload_reports_bad_lines_and_keeps_the_good_version(qa):
    service = Service(qa)
    bad_lines = (CORPUS.parent / "corpus_bad" / "mixed-lines.jsonl").read_bytes()
    [mixed] = service.upload([("mixed-lines.jsonl", bad_lines)])
    assert mixed["status"] == "added" and len(mixed["articles"]) == 2 and mixed["reason"].startswith("line 2: ")
    [first] = service.upload([("wire.txt", ARTICLE.encode())])
    [broken] = service.upload([("wire.txt", b"\x00\x01\x02binary\xff" * 50)])
    assert first["status"] == "added" and broken["status"] == "skipped" and broken["reason"]
    assert (qa.settings.home / "uploads" / "wire.txt").read_text() == ARTICLE  # the indexed version stays
    assert any(a["article_id"] == first["articles"][0] for a in service.articles())
    for article_id in mixed["articles"] + first["articles"]:
        assert service.delete(article_id)


# -- gradio_client --------------------------------------------------------------------------------------
def test_gradio_client_endpoints(url, tmp_path):
    from gradio_client import Client, handle_file

    client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
    names = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert {"/ask", "/search", "/chat", "/upload", "/articles", "/delete"} <= names

    answer = client.predict(question=ROBIN_LI, api_name="/ask")
    assert answer["citations"][0]["paragraph"] == 5
    assert client.predict(question="flood barrier", k=2, api_name="/search")[0]["source"] == "Valley Ledger"

    _, chat, sources = client.predict(ROBIN_LI, [], "", "", "", 5, "extractive", api_name="/chat")
    assert 'class="qa-cite"' in chat[-1]["content"][0]["text"] and "<mark>Robin Li, chairman of Baidu" in sources

    article = tmp_path / "ferry.txt"
    article.write_text(ARTICLE)
    results = client.predict([handle_file(str(article))], api_name="/upload")[0]
    assert results["data"][0][:2] == ["ferry.txt", "added"]
    table = client.predict(api_name="/articles")[0]
    ferry = next(row for row in table["data"] if row[0].startswith("Orchard Valley"))
    notice = client.predict(ferry[-1], api_name="/delete")[0]
    assert "Deleted" in notice


def test_gradio_upload_refuses_server_paths(url, tmp_path):
    """A crafted /upload call naming a file on the server reads nothing: only browser uploads count."""
    secret = tmp_path / "secret-notes.txt"
    secret.write_text("Internal memo\n\nThe vault code is 0000.")
    job = httpx.post(f"{url}/gradio_api/call/upload",
                     json={"data": [[{"path": str(secret), "meta": {"_type": "gradio.FileData"}}]]}).json()
    events = httpx.get(f"{url}/gradio_api/call/upload/{job['event_id']}", timeout=60).text
    assert "event: error" in events and "not uploaded by a user" in events
    assert httpx.get(f"{url}/api/articles", params={"q": "memo"}).json() == []


# -- auth -----------------------------------------------------------------------------------------------
def test_auth_covers_ui_api_and_gradio(auth_url):
    for path in ("/", "/api/health", "/openapi.json", "/config", "/gradio_api/info"):
        response = httpx.get(auth_url + path)
        assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Basic"), path
    assert httpx.get(f"{auth_url}/api/health", auth=("editor", "wrong")).status_code == 401
    assert httpx.get(f"{auth_url}/", auth=AUTH).status_code == 200
    answer = httpx.post(f"{auth_url}/api/ask", json={"question": ROBIN_LI}, auth=AUTH, timeout=60).json()
    assert answer["citations"][0]["paragraph"] == 5

    from gradio_client import Client
    from gradio_client.exceptions import AuthenticationError

    client = Client(auth_url, verbose=False, analytics_enabled=False, download_files=False,
                    httpx_kwargs={"auth": AUTH})
    assert client.predict(question=ROBIN_LI, api_name="/ask")["citations"][0]["paragraph"] == 5
    with pytest.raises(AuthenticationError):
        Client(auth_url, verbose=False, analytics_enabled=False)


def test_settings_from_environment(monkeypatch):
    monkeypatch.setenv("QA_PORT", "8123")
    monkeypatch.setenv("QA_AUTH", "a:b:c")
    monkeypatch.setenv("QA_MAX_UPLOAD_MB", "2.5")
    settings = web_settings()
    assert (settings.host, settings.port, settings.credentials) == ("127.0.0.1", 8123, ("a", "b:c"))
    assert settings.max_upload_bytes == int(2.5 * 1024 * 1024)
    with pytest.raises(ValueError, match="user:password"):
        _ = WebSettings(auth="no-colon").credentials


# -- upload names ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, safe", [
    ("report.txt", "report.txt"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("/etc/cron.d/job.md", "job.md"),
    ("C:\\Users\\x\\..\\news.HTML", "news.html"),
    ("a\0b.json", "ab.json"),
    ("..", "upload"),
    ("", "upload"),
    (".bashrc", "bashrc"),
    ("my article (final).jsonl", "my_article_final.jsonl"),
    ("Ｒéport 2024.txt", "Réport_2024.txt"),
])
def test_safe_filename(name, safe):
    assert safe_filename(name) == safe


# -- the streaming and chat adapter, against a real QA ---------------------------------------------------
class ChunkedAnswerer(Answerer):
    """Streams as an LLM answerer does: text in chunks, then the Answer (quoting the best passage)."""

    name = "chunked"

    def answer(self, question, passages, speakers, entities):
        if not passages:
            return self.refuse(question, passages)
        best = passages[0]
        return compose(question, passages, [(best, 0, len(best.text))], 1.0, self.name)

    def stream(self, question, passages, speakers, entities):
        yield "Par"
        yield "tial"
        yield self.answer(question, passages, speakers, entities)


class FailingAnswerer(Answerer):
    name = "failing"

    def answer(self, question, passages, speakers, entities):
        raise RuntimeError("model file missing")


@pytest.fixture
def test_answerers(monkeypatch):
    monkeypatch.setitem(BACKENDS, "chunked", (__name__, "ChunkedAnswerer"))
    monkeypatch.setitem(BACKENDS, "failing", (__name__, "FailingAnswerer"))


def test_converse_streams_then_uses_chat_for_follow_ups(shared_qa, test_answerers):
    service = Service(shared_qa)
    states = [[dict(t) for t in turns] for turns in
              service.converse([], ROBIN_LI, answerer="chunked", source=["Coastal Times"])]
    assert [s[-1]["partial"] for s in states] == ["", "Par", "Partial", "Partial"]
    first = states[-1][-1]["answer"]
    assert first["answerer"] == "chunked" and first["question"] == ROBIN_LI
    # The filter reached the library: only that source's paragraphs were read.
    assert first["passages"] and {p["source"] for p in first["passages"]} == {"Coastal Times"}
    *_, last = service.converse(states[-1], "What about Kuaishou?", answerer="chunked")
    # A follow-up goes through QA.chat, which makes it a standalone question before retrieval.
    followup = last[-1]["answer"]
    assert followup["question"] == "What did Kuaishou say about large models?" and last[-1]["error"] is None
    assert any("Kuaishou" in p["text"] for p in followup["passages"])


def test_service_ask_and_search_take_typed_filters(shared_qa, test_answerers):
    service = Service(shared_qa)
    only_may = Filters(date_from="2024-05-01", date_to="2024-05-31")
    answer = service.ask("What did officials say about the permit?", answerer="chunked", filters=only_may)
    assert answer.citations and all(p.published.startswith("2024-05") for p in answer.passages)
    passages = service.search("What did officials say about the permit?", filters=only_may)
    assert passages and all(p.published.startswith("2024-05") for p in passages)
    with pytest.raises(ValueError, match="unknown filter"):
        service.search("anything", filters={"colour": "red"})
    assert "chunked" in service.answerers() and "extractive" in service.answerers()


def test_converse_turns_errors_into_messages(shared_qa, test_answerers):
    *_, last = Service(shared_qa).converse([], "Anything?", answerer="failing")
    assert last[-1]["answer"] is None and last[-1]["error"] == "RuntimeError: model file missing"
    *_, empty = Service(shared_qa).converse([], "   ")
    assert empty[-1]["error"] == "the question is empty"


# -- formatting: markers, quotes, escaping ---------------------------------------------------------------
def citation(n, text, quote, **extra):
    start = text.index(quote)
    return {"n": n, "article_id": "a", "paragraph_id": f"a#p{n}", "paragraph": n, "title": "T <i>", "published": "",
            "source": "", "url": extra.get("url", ""), "text": text, "quote": quote, "quote_start": start,
            "quote_end": start + len(quote)}


def test_markers_link_to_their_sources_and_text_is_escaped():
    from web import render

    answer = {"question": "q?", "text": "A <script>x</script> [1][2] and [3].", "refused": False, "support": 0.9,
              "answerer": "x", "timings": {}, "passages": [],
              "citations": [citation(1, "one two", "two"), citation(2, "three", "three")]}
    html = render.assistant_html({"question": "q", "answer": answer}, 4)
    assert html.count('class="qa-cite"') == 2 and 'href="#qa-src-4-1"' in html and "[3]" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    panel = render.sources_html([{"question": "q?", "answer": answer}])
    assert 'id="qa-src-0-1"' in panel and "one <mark>two</mark>" in panel and "T &lt;i&gt;" in panel


def test_refusal_removed_sentences_and_unsafe_links():
    from web import render

    refused = {"text": REFUSAL, "refused": True, "citations": [], "passages": []}
    assert 'class="qa-refusal"' in render.assistant_html({"question": "q", "answer": refused}, 0)
    checked = {"question": "q", "text": "Kept. [1] Unsure. [unsupported]", "refused": False, "support": 0.5,
               "answerer": "local", "timings": {}, "citations": [citation(1, "Kept.", "Kept.")], "passages": [],
               "sentences": [{"text": "Kept.", "action": "kept"}, {"text": "Invented claim.", "action": "removed"}]}
    html = render.assistant_html({"question": "q", "answer": checked}, 0)
    assert "<s>Invented claim.</s>" in html and "<s>Kept.</s>" not in html
    assert 'Unsure. <span class="qa-unsupported"' in html and "[unsupported]" not in html
    card = render._card(citation(1, "x", "x", url="javascript:alert(1)"), "id")
    assert "javascript:" not in card
    card = render._card(citation(1, "x", "x", url="https://example.org/a?b=1&c=2"), "id")
    assert 'href="https://example.org/a?b=1&amp;c=2"' in card
