"""A small news site for the feed tests, served by http.server on 127.0.0.1 in a thread.

Fictional articles written for these tests. `site.version = 2` moves the site on: the library article
changes (and its date in the RSS feed), the ferry article is taken down (404) and the sitemap drops the
garden article. Every resource has an ETag (and the sitemap a Last-Modified), honoured with 304; each
request is logged as (path, status).
"""
from __future__ import annotations

import contextlib
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The fetch settings of every test against this site: it is on 127.0.0.1, needs no politeness delay, and its
# "huge" page is over a 1 MB cap.
LOCAL_FETCH = {"allow_private_hosts": True, "host_interval_s": 0, "max_mb": 1}

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
<link rel="canonical" href="{canonical}"><meta property="og:site_name" content="Lakeport Ledger">
<meta name="author" content="{author}"><meta property="article:published_time" content="{date}">
</head><body><nav><a href="/">Home</a> | <a href="/news/">News</a></nav>
<article><h1>{title}</h1><p class="byline">By {author}</p>{body}</article>
<footer>Lakeport Ledger. All rights reserved.</footer></body></html>"""

ARTICLES = {  # path -> (title, author, date, paragraphs)
    "/news/harbor-bridge.html": (
        "Lakeport council approves harbor bridge repairs", "Mara Ellison", "2026-11-02",
        [("The Lakeport city council voted 7 to 2 on Monday to repair the rusting harbor bridge, which carries "
         "about 12,000 cars a day between the old town and the ferry docks."),
         ("Council member Tobias Brandt said the repairs would keep one lane open at all times so that buses "
         "can still reach the ferry terminal during the eighteen months of work."),
         "The repairs are expected to cost 14 million dollars, most of it from the regional transport fund."]),
    "/news/library-budget.html": (
        "Lakeport library wins a larger budget", "Ines Carvalho", "2026-11-05",
        [("The Lakeport public library will receive a budget of 2.1 million dollars next year, the finance "
         "committee decided on Thursday."),
         ("Head librarian Odile Fontaine said the money would pay for longer opening hours on weekends and a "
         "new reading room for teenagers."),
         ("The committee also approved a small fund for replacing worn children's books, after parents "
         "complained last spring that many picture books in the branch libraries were falling apart.")]),
    "/news/tram-line.html": (
        "Tram line to the university opens in March", "Mara Ellison", "2026-11-06",
        [("The new tram line between Lakeport station and the university campus will open in March, the "
         "transit agency announced."),
         "Transit director Kwame Asante said trams would run every six minutes at rush hour.",
         ("The line has eleven stops and replaces two bus routes that were often crowded, especially during "
         "exam weeks when thousands of students travel to the campus in the morning.")]),
    "/news/orchard-festival.html": (
        "Orchard festival draws record crowds", "Lena Sorensen", "2026-10-20",
        [("The autumn orchard festival in Lakeport drew a record 40,000 visitors over the weekend, organisers "
         "said."),
         "Festival director Hanne Dahl said the cider pressing contest was the most popular event.",
         ("Local growers sold out of their early apple varieties by Saturday afternoon, and the town added "
         "extra shuttle buses from the station to cope with the queues at the orchard gates.")]),
    "/news/school-garden.html": (
        "Pupils plant a school garden on the old car park", "Ines Carvalho", "2026-11-03",
        [("Pupils of the Lakeport primary school planted 300 fruit trees on the former car park behind the "
         "gym."),
         "Head teacher Rosa Lindqvist said each class would look after its own row of trees.",
         ("The asphalt was removed over the summer holidays by volunteers and a local building firm, which "
         "donated the use of its diggers and trucks for three weeks.")]),
    "/news/ferry-schedule.html": (
        "Winter ferry schedule adds a late crossing", "Lena Sorensen", "2026-11-04",
        [("The Lakeport ferry will add a crossing at 23:30 on Fridays and Saturdays this winter, the ferry "
         "company said."),
         "Captain Yusuf Demir said the late crossing answered years of requests from island residents.",
         ("The company will review the extra crossing in April, when it decides on the summer timetable and "
         "the number of boats needed for the tourist season.")]),
    "/news/clinic-hours.html": (
        "Island clinic extends its opening hours", "Mara Ellison", "2026-11-01",
        ["The island health clinic will open until 20:00 on weekdays from December, the health board said.",
         "Doctor Amira Haddad said evening hours would spare patients a ferry trip to the mainland.",
         ("The clinic will hire two more nurses for the evening shifts and keep its small pharmacy open until "
         "the last patient has been seen.")]),
}
UPDATED_LIBRARY = ("The Lakeport public library will receive a budget of 2.4 million dollars next year, after "
                   "the city council raised the finance committee's figure on Monday.")
RSS_DATES = {"/news/harbor-bridge.html": "Mon, 02 Nov 2026 09:00:00 GMT",
             "/news/library-budget.html": "Thu, 05 Nov 2026 10:00:00 GMT",
             "/old/tram-line.html": "Fri, 06 Nov 2026 08:00:00 GMT",
             "/news/huge.html": "Fri, 06 Nov 2026 09:00:00 GMT",
             "/files/schedule.pdf": "Fri, 06 Nov 2026 10:00:00 GMT",
             "/private/memo.html": "Fri, 06 Nov 2026 11:00:00 GMT"}
HUGE_BYTES = 3_000_000  # over the 1 MB cap the tests set


class NewsSite(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.version = 1
        self.log: list[tuple[str, int]] = []
        self.url = f"http://127.0.0.1:{self.server_address[1]}"

    def requests(self, path: str) -> list[int]:
        """The statuses this path was answered with, in order."""
        return [status for p, status in self.log if p == path]

    # -- what the site serves -----------------------------------------------------------------------
    def resource(self, path: str) -> tuple[int, str, bytes, dict]:
        """(status, content type, body, extra headers) for a GET of `path`."""
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nDisallow: /private/\n", {}
        if path == "/feed.xml":
            return 200, "application/rss+xml", self.rss().encode(), {}
        if path == "/odd.xml":  # item links a feed should never make us fetch, then one good page
            links = ["http://[::1", "http://127.0.0.1:99999/x", "javascript:alert(1)", "mailto:desk@ledger.example",
                     "file:///etc/passwd", f"{self.url}/news/orchard-festival.html"]
            items = "".join(f"<item><title>odd</title><link>{link}</link></item>" for link in links)
            return 200, "application/rss+xml", f'<rss version="2.0"><channel>{items}</channel></rss>'.encode(), {}
        if path == "/atom.xml":
            return 200, "application/atom+xml", self.atom().encode(), {}
        if path == "/sitemap.xml":
            stamp = "Sun, 01 Nov 2026 00:00:00 GMT" if self.version == 1 else "Mon, 09 Nov 2026 00:00:00 GMT"
            return 200, "application/xml", self.sitemap().encode(), {"Last-Modified": stamp}
        if path == "/sitemap-index.xml":
            return 200, "application/xml", (
                '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{self.url}/sitemap.xml</loc></sitemap></sitemapindex>").encode(), {}
        if path == "/old/tram-line.html":
            return 301, "text/plain", b"", {"Location": "/news/tram-line.html"}
        if path == "/go-internal":
            return 302, "text/plain", b"", {"Location": "http://169.254.169.254/latest/meta-data/"}
        if path == "/news/huge.html":
            return 200, "text/html", b"<html><body><p>" + b"filler text " * (HUGE_BYTES // 12) + b"</p>", {}
        if path == "/files/schedule.pdf":
            return 200, "application/pdf", b"%PDF-1.4 not really a pdf", {}
        if path == "/private/memo.html":
            return 200, "text/html", self.page("/news/clinic-hours.html").encode(), {}
        if path == "/news/ferry-schedule.html" and self.version >= 2:
            return 404, "text/html", b"<html><body>Not found</body></html>", {}
        if path in ARTICLES:
            return 200, "text/html; charset=utf-8", self.page(path).encode(), {}
        return 404, "text/plain", b"not found", {}

    def page(self, path: str) -> str:
        title, author, day, paragraphs = ARTICLES[path]
        if path == "/news/library-budget.html" and self.version >= 2:
            paragraphs = [UPDATED_LIBRARY, *paragraphs[1:]]
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        return PAGE.format(title=title, author=author, date=day, body=body, canonical=self.url + path)

    def rss(self) -> str:
        dates = dict(RSS_DATES)
        if self.version >= 2:
            dates["/news/library-budget.html"] = "Mon, 09 Nov 2026 12:00:00 GMT"
        items = "".join(f"<item><title>{path}</title><link>{self.url}{path}</link><guid>{self.url}{path}</guid>"
                        f"<pubDate>{day}</pubDate></item>" for path, day in dates.items())
        return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Lakeport Ledger</title>'
                f"<link>{self.url}/</link><description>Local news</description>{items}</channel></rss>")

    def atom(self) -> str:
        return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                f"<title>Lakeport Ledger: features</title><id>{self.url}/atom.xml</id>"
                f"<updated>2026-10-21T08:00:00Z</updated><entry><title>Orchard festival</title>"
                f'<link href="{self.url}/news/orchard-festival.html"/><id>{self.url}/news/orchard-festival.html</id>'
                f"<updated>2026-10-21T08:00:00Z</updated></entry></feed>")

    def sitemap(self) -> str:
        garden = ("<url><loc>{u}/news/school-garden.html</loc><news:news><news:publication>"
                  "<news:name>Lakeport Ledger</news:name><news:language>en</news:language></news:publication>"
                  "<news:publication_date>2026-11-03T07:00:00Z</news:publication_date>"
                  "<news:title>Pupils plant a school garden</news:title></news:news></url>")
        urls = ([garden] if self.version == 1 else []) + [
            "<url><loc>{u}/news/ferry-schedule.html</loc></url>", "<url><loc>{u}/news/clinic-hours.html</loc></url>"]
        return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
                + "".join(u.format(u=self.url) for u in urls) + "</urlset>")


class Handler(BaseHTTPRequestHandler):
    server: NewsSite

    def do_GET(self):
        status, kind, body, headers = self.server.resource(self.path)
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        modified = headers.get("Last-Modified")
        if status == 200 and (self.headers.get("If-None-Match") == etag
                              or (modified and self.headers.get("If-Modified-Since") == modified)):
            status, body = 304, b""
        self.server.log.append((self.path, status))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if self.path != "/sitemap.xml":
            self.send_header("ETag", etag)
        for name, value in headers.items():
            self.send_header(name, value)
        if self.path != "/news/huge.html":  # the huge page streams with no length: the cap must stop reading
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


@contextlib.contextmanager
def news_site():
    site = NewsSite()
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.shutdown()
        site.server_close()


if __name__ == "__main__":  # try it by hand: python -m tests.news_site
    import time

    with news_site() as site:
        print(f"serving {site.url}/feed.xml, {site.url}/atom.xml and {site.url}/sitemap.xml; Ctrl-C stops", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
