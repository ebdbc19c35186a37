"""/api/feeds through a real server (uvicorn on a loopback port) syncing from a real news site on 127.0.0.1."""
from __future__ import annotations

import httpx
import pytest

from app import create_server
from index.pages import page_id
from qa import QA
from tests.live_server import running
from tests.news_site import LOCAL_FETCH, news_site
from web.settings import WebSettings

AUTH = ("editor", "feeds-secret")


@pytest.fixture(scope="module")
def site():
    with news_site() as site:
        yield site


@pytest.fixture(scope="module")
def qa(tmp_path_factory):
    qa = QA(tmp_path_factory.mktemp("feeds-api") / "home", index={"seed_default_corpus": False},
            fetch=LOCAL_FETCH)
    yield qa
    qa.close()


@pytest.fixture(scope="module")
def url(qa):
    with running(create_server(qa, WebSettings())) as url:
        yield url


def test_add_list_sync_remove(url, site):
    atom, missing = site.url + "/atom.xml", site.url + "/missing.xml"
    response = httpx.post(f"{url}/api/feeds", json={"url": atom})
    assert response.status_code == 201 and response.json() == {"url": atom, "added": True}
    assert httpx.post(f"{url}/api/feeds", json={"url": atom}).json()["added"] is False
    assert httpx.post(f"{url}/api/feeds", json={"url": missing}).status_code == 201
    listed = httpx.get(f"{url}/api/feeds").json()
    assert [(f["url"], f["last_sync"], f["last_error"]) for f in listed] == [(atom, None, None), (missing, None, None)]

    report = httpx.post(f"{url}/api/feeds/sync", timeout=300).json()
    orchard = page_id(site.url + "/news/orchard-festival.html")
    assert [(f["url"], f["added"], f["error"]) for f in report["feeds"]] == [
        (atom, [orchard], ""), (missing, [], "HTTP 404 Not Found")]
    assert report["total"]["added"] == [orchard] and report["total"]["paragraphs"] == 3
    listed = {f["url"]: f for f in httpx.get(f"{url}/api/feeds").json()}
    assert listed[atom]["last_error"] is None and listed[atom]["kind"] == "atom10" and listed[atom]["items"] == 1
    assert listed[atom]["last_sync"].endswith("+00:00") and listed[missing]["last_error"] == "HTTP 404 Not Found"
    articles = httpx.get(f"{url}/api/articles", params={"q": "orchard"}).json()
    assert [(a["article_id"], a["url"]) for a in articles] == [(orchard, site.url + "/news/orchard-festival.html")]

    again = httpx.post(f"{url}/api/feeds/sync", timeout=300).json()
    assert again["feeds"][0]["not_modified"] is True and again["total"]["added"] == []

    assert httpx.delete(f"{url}/api/feeds", params={"url": missing}).json() == {"removed": missing}
    gone = httpx.delete(f"{url}/api/feeds", params={"url": missing})
    assert gone.status_code == 404 and "not following" in gone.json()["detail"]
    assert [f["url"] for f in httpx.get(f"{url}/api/feeds").json()] == [atom]


@pytest.mark.parametrize("body, status, detail", [
    ({"url": "file:///etc/passwd"}, 400, "only http and https URLs are fetched"),
    ({"url": "gopher://example.com/"}, 400, "only http and https URLs are fetched"),
    ({"url": "http://[::1"}, 400, "not a valid URL"),
    ({"url": "   "}, 400, "only http and https URLs are fetched"),
    ({"url": "x" * 2001}, 422, None),
    ({"url": "http://news.example/feed.xml", "every": "1m"}, 422, None),
    ({}, 422, None),
])
def test_bad_feed_requests_are_messages(url, body, status, detail):
    response = httpx.post(f"{url}/api/feeds", json=body)
    assert response.status_code == status
    if detail:
        assert detail in response.json()["detail"]


def test_feeds_are_behind_the_same_auth(qa):
    with running(create_server(qa, WebSettings(auth=":".join(AUTH))), auth=AUTH) as url:
        requests = [("GET", "/api/feeds", None), ("POST", "/api/feeds", {"url": "http://news.example/f.xml"}),
                    ("POST", "/api/feeds/sync", None), ("DELETE", "/api/feeds?url=http://news.example/f.xml", None)]
        for method, path, body in requests:
            response = httpx.request(method, url + path, json=body)
            assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Basic"), path
        assert httpx.get(f"{url}/api/feeds", auth=AUTH).status_code == 200
        assert "news.example" not in str(httpx.get(f"{url}/api/feeds", auth=AUTH).json())  # nothing got through
