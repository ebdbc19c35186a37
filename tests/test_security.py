"""Security of the running service on 127.0.0.1: auth covers every route the app serves (enumerated from the
app itself, Gradio's included), no route reads server files, uploads stay in the upload folder, limits hold.

tests/test_app.py already covers: `../` and `.exe` and an over-size file through /api/articles, file names
through `safe_filename`, a crafted Gradio /upload call naming a server path, and a few routes under auth.
"""
from __future__ import annotations

import http.client
import re
from pathlib import Path

import httpx
import pytest

from app import create_server
from tests.live_server import ARTICLE, copied_qa, running
from web.settings import WebSettings

AUTH = ("editor", "s3cret")
SECRET = "TOP-SECRET-MARKER-4711"
LEAKS = (SECRET, "root:x:0:0", "SQLite format 3", "def create_server")  # what must never come back


@pytest.fixture(scope="module")
def qa(built_home, tmp_path_factory):
    qa = copied_qa(built_home, tmp_path_factory.mktemp("security"))
    for place in (qa.settings.home, qa.settings.home / "uploads"):
        place.mkdir(exist_ok=True)
        (place / "secret.txt").write_text(SECRET)
    yield qa
    qa.close()


@pytest.fixture(scope="module")
def auth_server(qa):
    app = create_server(qa, WebSettings(auth=":".join(AUTH)))
    with running(app, auth=AUTH) as url:
        yield app, url


@pytest.fixture(scope="module")
def url(qa):  # small limits, so the size checks need small files
    with running(create_server(qa, WebSettings(max_upload_mb=0.05, max_files=2))) as url:
        yield url


def routes(app) -> list[tuple[str, str]]:
    """(method, path) of every route the app serves: its own, included routers', mounted apps' (Gradio)."""
    found = []

    def walk(items, prefix=""):
        for route in items:
            if hasattr(route, "original_router"):  # FastAPI's included router
                walk(route.original_router.routes, prefix + route.include_context.prefix)
            elif hasattr(route, "routes") and hasattr(route, "app"):  # a mounted app
                walk(route.routes, prefix + route.path)
            else:
                found.extend((m, prefix + route.path) for m in sorted(getattr(route, "methods", None) or {"GET"}))

    walk(app.routes)
    return sorted(set(found))


def concrete(path: str) -> str:
    """A request path for a route template; path parameters get values that would read a server file."""
    values = {"path_or_url": "/etc/passwd", "path": "etc/passwd", "url_path": "http://127.0.0.1:1/",
              "api_name": "ask", "article_id": "brief-001"}
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values.get(m[1], "x"), path)


def raw_get(url: str, path: str, auth=AUTH) -> tuple[int, str]:
    """GET with the path sent byte for byte (httpx would normalise `..` and encodings away)."""
    import base64

    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    token = base64.b64encode(":".join(auth).encode()).decode()
    connection.putrequest("GET", path, skip_accept_encoding=True)
    connection.putheader("Authorization", f"Basic {token}")
    connection.endheaders()
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, body


# -- auth -------------------------------------------------------------------------------------------------
def test_every_route_refuses_requests_without_credentials(auth_server):
    app, url = auth_server
    found = routes(app)
    assert len(found) > 80  # the JSON API, Gradio's UI and API routes: a short list would mean a broken walk
    assert {("POST", "/api/ask"), ("POST", "/gradio_api/upload"), ("GET", "/gradio_api/file={path_or_url:path}"),
            ("POST", "/gradio_api/queue/join"), ("GET", "/")} <= set(found)
    for method, path in found + [("GET", "/no-such-page"), ("PUT", "/api/ask"), ("OPTIONS", "/api/health")]:
        response = httpx.request(method, url + concrete(path), timeout=30)
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.headers["www-authenticate"].startswith("Basic")
        assert method == "HEAD" or response.text == "Authentication required.", (method, path)


@pytest.mark.parametrize("header", ["Basic " + "ZWRpdG9yOndyb25n", "Basic not-base64!", "Bearer s3cret",
                                    "Basic ZWRpdG9y", "basic", "Basic OnMzY3JldA=="])
def test_bad_credentials_are_refused(auth_server, header):
    _, url = auth_server
    for path in ("/api/health", "/gradio_api/info", "/"):
        assert httpx.get(url + path, headers={"Authorization": header}).status_code == 401


# -- reading server files -----------------------------------------------------------------------------------
def test_no_route_reads_server_files(auth_server, qa, tmp_path):
    _, url = auth_server
    outside = tmp_path / "secret.txt"
    outside.write_text(SECRET)
    home = qa.settings.home
    manifest = next((home / "manifest").glob("*.sqlite3"))
    targets = ["/etc/passwd", str(home / "secret.txt"), str(home / "uploads" / "secret.txt"), str(manifest),
               str(outside), str(Path(__file__).resolve().parent.parent / "app.py")]
    paths = []
    for target in targets:
        relative = "../" * 12 + target.lstrip("/")
        paths += [f"/gradio_api/file={target}", f"/gradio_api/file={relative}", f"/gradio_api/file/{target}",
                  f"/gradio_api/file={target.replace('/', '%2F')}", f"/static/{relative}", f"/assets/{relative}",
                  f"/svelte/{relative}", f"/static/{relative.replace('../', '%2e%2e%2f')}",
                  f"/gradio_api/file=file://{target}", f"/gradio_api/file={target}%00.png"]
    paths += ["/gradio_api/proxy=http://127.0.0.1:1/", f"/gradio_api/proxy={url}/api/health",
              "/monitoring", "/monitoring/x", "/gradio_api/custom_component/x/client/js/..%2f..%2f..%2fapp.py",
              "/gradio_api/custom_component/x/server/js/%2e%2e/%2e%2e/app.py"]  # (/gradio_api/dev/reload: a
    # stream that stays open and sends nothing outside Gradio's reload mode; it answers 401 above)
    for path in paths:
        status, body = raw_get(url, path)
        assert status != 500, path
        assert not [leak for leak in LEAKS if leak in body], (path, status, body[:200])
    assert raw_get(url, "/api/health")[0] == 200  # the requests were authenticated: the refusals are real


# -- uploads ----------------------------------------------------------------------------------------------------
def test_upload_names_cannot_escape_the_upload_folder(url, qa, tmp_path):
    absolute = tmp_path / "absolute-escape.txt"
    names = ["../../escape-a.txt", str(absolute), "..\\..\\escape-b.txt", "nul\x00byte.txt", "/" + "a" * 300 + ".txt"]
    for name in names:
        response = httpx.post(f"{url}/api/articles", files=[("files", (name, ARTICLE.encode(), "text/plain"))],
                              timeout=120)
        assert response.status_code in (200, 400, 422), (name, response.status_code)
        if response.status_code == 200:
            [result] = response.json()
            assert "/" not in result["file"] and "\\" not in result["file"] and "\x00" not in result["file"]
            assert result["status"] in ("added", "unchanged"), result
    home = qa.settings.home
    assert not absolute.exists() and not list(home.parent.glob("escape-*")) and not list(home.glob("escape-*"))
    uploads = home / "uploads"
    assert all(p.parent == uploads and p.is_file() for p in uploads.rglob("*"))
    for row in httpx.get(f"{url}/api/articles", params={"q": "orchard"}).json():
        httpx.delete(f"{url}/api/articles/{row['article_id']}")


def test_gradio_upload_route_keeps_files_in_its_cache(url, tmp_path):
    names = ["../../../../gradio-escape.txt", f"{tmp_path}/gradio-abs.txt", "nul\x00.txt"]
    response = httpx.post(f"{url}/gradio_api/upload",
                          files=[("files", (n, ARTICLE.encode(), "text/plain")) for n in names], timeout=60)
    assert response.status_code == 200
    stored = [Path(p) for p in response.json()]
    assert len(stored) == 3
    import gradio.utils

    cache = Path(gradio.utils.get_upload_folder()).resolve()
    assert all(p.resolve().is_relative_to(cache) for p in stored), stored
    assert not (tmp_path / "gradio-abs.txt").exists() and not Path("/gradio-escape.txt").exists()


@pytest.mark.parametrize("name", ["tool.exe", "run.sh", "module.py", "page.php", "README", "doc.pdf", "x.txt.exe"])
def test_types_outside_the_allow_list_are_rejected(url, name):
    [result] = httpx.post(f"{url}/api/articles", files=[("files", (name, ARTICLE.encode(), "text/plain"))]).json()
    assert result["status"] == "rejected" and "not accepted" in result["reason"]


def test_size_limits(url):
    limit = int(0.05 * 1024 * 1024)
    [one] = httpx.post(f"{url}/api/articles", files=[("files", ("big.txt", b"word " * limit, "text/plain"))]).json()
    assert one["status"] == "rejected" and "larger than 0.05 MB" in one["reason"]
    # A request body over max_files x the file limit (+1 MB of slack) is cut off before it is read whole.
    huge = httpx.post(f"{url}/api/articles", files=[("files", ("huge.txt", b"x" * (2 * 1024 * 1024), "text/plain"))])
    assert huge.status_code == 413
    many = httpx.post(f"{url}/api/articles", files=[("files", (f"f{i}.txt", b"Text.", "text/plain")) for i in range(3)])
    assert 400 <= many.status_code < 500
    gradio = httpx.post(f"{url}/gradio_api/upload", files=[("files", ("big.txt", b"x" * (limit + 10), "text/plain"))])
    assert gradio.status_code == 413
