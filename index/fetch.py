"""Fetching web pages and feeds safely: http(s) only, public addresses only, robots.txt, limits.

Every request goes through `Fetcher.get`, which
- refuses any scheme but http and https (no file:, ftp:, data: ...);
- resolves the host and refuses it when any of its addresses is loopback, private, link-local or otherwise
  not public, before the first request and again for every redirect (`fetch.allow_private_hosts` lifts
  this); the connection itself is opened to an address checked at connect time, so a DNS answer that
  changes between the check and the connection (DNS rebinding) cannot slip a private address in;
- asks robots.txt first (fetched through the same checks, cached per host for the fetcher's life);
- waits `fetch.host_interval_s` between two requests to one host;
- sends If-None-Match / If-Modified-Since when given the validators of an earlier fetch (304 comes back as
  `Fetched.not_modified`);
- follows at most `fetch.max_redirects` redirects, stops reading at `fetch.max_mb` and after `fetch.timeout_s`.

httpx rather than urllib: streaming with a byte cap, per-phase timeouts and one connection pool per
fetcher come built in, and its transport lets every connection go through our address check (urllib's
redirect and connection handling would need overriding in several places for the same guarantees).
"""
from __future__ import annotations

import ipaddress
import socket
import threading
import time
from dataclasses import dataclass
from importlib import metadata
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpcore
import httpx

try:
    VERSION = metadata.version("news-qa")
except metadata.PackageNotFoundError:  # run from a checkout that was never installed
    VERSION = "0"
USER_AGENT = f"news-qa/{VERSION}"
REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """A URL that could not be fetched, and why; `status` is the HTTP status when there was one."""

    def __init__(self, url: str, reason: str, status: int | None = None):
        super().__init__(url, reason, status)
        self.url, self.reason, self.status = url, reason, status

    def __str__(self) -> str:
        return f"{self.url}: {self.reason}"


@dataclass
class Fetched:
    url: str  # the final URL, after redirects
    status: int  # 200 (or another 2xx), or 304 when the validators sent still hold
    content: bytes = b""
    content_type: str = ""  # the media type, lowercased, without parameters
    charset: str = ""  # the charset the Content-Type header names, if any
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def check_url(url: str) -> tuple[str, int]:
    """(host, port) of an http(s) URL; FetchError for any other URL or one that does not parse."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError as exc:  # "http://[::1", "http://host:99999/"
        raise FetchError(url, f"not a valid URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError(url, f"only http and https URLs are fetched, not {parts.scheme or 'a bare path'}:")
    if not host:
        raise FetchError(url, "no host in the URL")
    return host, port or (443 if parts.scheme.lower() == "https" else 80)


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Globally routable unicast (an IPv4-mapped IPv6 address is judged by its IPv4 address)."""
    ip = getattr(ip, "ipv4_mapped", None) or ip
    return ip.is_global and not ip.is_multicast


def public_addresses(host: str, port: int, allow_private: bool) -> list[str]:
    """The addresses of `host`; refused (ValueError) when any is not public, unless `allow_private`."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ValueError(f"cannot resolve host {host!r}") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))  # (host, port, ...): host is a str
    if not allow_private:
        for address in addresses:
            if not is_public(ipaddress.ip_address(address.split("%", 1)[0])):
                raise ValueError(f"host {host!r} resolves to a non-public address ({address}); "
                                 "set fetch.allow_private_hosts to allow it")
    return addresses


class _CheckedBackend(httpcore.SyncBackend):
    """Opens each connection to an address checked by `public_addresses` (TLS still verifies the name)."""

    def __init__(self, allow_private: bool):
        self.allow_private = allow_private

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            addresses = public_addresses(host, port, self.allow_private)
        except ValueError as exc:
            raise httpcore.ConnectError(str(exc)) from None
        error: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                error = exc
        raise error or httpcore.ConnectError(f"no address for {host!r}")


def _transport(allow_private: bool) -> httpx.HTTPTransport:
    # trust_env=False: no proxy from the environment, whose address our check would see instead of the host's.
    transport = httpx.HTTPTransport(trust_env=False)
    transport._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(trust_env=False),
                                              network_backend=_CheckedBackend(allow_private))
    return transport


class HostClock:
    """At most one request per `interval` seconds to each host (`wait` sleeps until the host's turn)."""

    def __init__(self, interval: float, clock=time.monotonic, sleep=time.sleep):
        self.interval, self.clock, self.sleep = interval, clock, sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str) -> None:
        with self._lock:
            now = self.clock()
            turn = max(now, self._next.get(host, now))
            self._next[host] = turn + self.interval
        if turn > now:
            self.sleep(turn - now)


class Fetcher:
    """One fetching session (a `qa ingest URL` or one round of `qa sync`): robots.txt and the host clock
    are kept for its life."""

    def __init__(self, settings, user_agent: str = USER_AGENT, hosts: HostClock | None = None):
        self.settings = settings  # FetchSettings
        self.user_agent = user_agent
        self.max_bytes = int(settings.max_mb * 1_000_000)
        self.hosts = hosts or HostClock(settings.host_interval_s)
        self._robots: dict[str, RobotFileParser | FetchError] = {}
        self._client = httpx.Client(transport=_transport(settings.allow_private_hosts), follow_redirects=False,
                                    timeout=settings.timeout_s, headers={"User-Agent": user_agent})

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None,
            accept: tuple[str, ...] | None = None) -> Fetched:
        """GET `url` under every rule above; `accept`: the media types a page may have (else FetchError)."""
        headers = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", last_modified)) if v}
        current = url
        for _ in range(self.settings.max_redirects + 1):
            fetched = self._get_one(current, headers, accept, robots=True)
            if isinstance(fetched, Fetched):
                return fetched
            current = fetched  # a redirect: the next URL, checked again from the start
        raise FetchError(url, f"more than {self.settings.max_redirects} redirects")

    def _get_one(self, url: str, headers: dict, accept, robots: bool) -> Fetched | str:
        host, port = check_url(url)
        try:
            public_addresses(host, port, self.settings.allow_private_hosts)
        except ValueError as exc:
            raise FetchError(url, str(exc)) from None
        if robots and not self._robots_allow(url):
            raise FetchError(url, f"disallowed by robots.txt for {self.user_agent}")
        self.hosts.wait(f"{host.lower()}:{port}")
        started = time.monotonic()
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                if response.status_code in REDIRECTS and response.headers.get("location"):
                    return urljoin(url, response.headers["location"])
                if response.status_code == 304:
                    return Fetched(url, 304, etag=response.headers.get("etag"),
                                   last_modified=response.headers.get("last-modified"))
                if response.status_code >= 300:
                    raise FetchError(url, f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                                     response.status_code)
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if accept is not None and kind not in accept:
                    raise FetchError(url, f"not an HTML page (content type {kind or 'missing'})")
                content = self._read(url, response, started)
        except (httpx.RequestError, httpx.InvalidURL) as exc:  # network, protocol, bad encoding, odd URL
            raise FetchError(url, f"{type(exc).__name__}: {exc}") from None
        return Fetched(url, response.status_code, content, kind, response.charset_encoding or "",
                       response.headers.get("etag"), response.headers.get("last-modified"))

    def _read(self, url: str, response: httpx.Response, started: float) -> bytes:
        limit = f"the {self.settings.max_mb:g} MB limit"
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(url, f"is {int(declared):,} bytes, over {limit}")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(url, f"larger than {limit} (stopped reading at {size:,} bytes)")
            if time.monotonic() - started > self.settings.timeout_s:
                raise FetchError(url, f"took longer than {self.settings.timeout_s:g} s")
        return b"".join(chunks)

    def _robots_allow(self, url: str) -> bool:
        parts = urlsplit(url)
        key = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        if key not in self._robots:
            self._robots[key] = self._load_robots(key)
        rules = self._robots[key]
        if isinstance(rules, FetchError):
            raise FetchError(url, f"robots.txt could not be read ({rules.reason}); retried next time")
        return rules.can_fetch(self.user_agent, url)

    def _load_robots(self, site: str) -> RobotFileParser | FetchError:
        """RFC 9309: a missing robots.txt (any 4xx) allows everything; an unreachable one (5xx, network)
        allows nothing for now."""
        rules = RobotFileParser(f"{site}/robots.txt")
        target = f"{site}/robots.txt"
        try:
            for _ in range(self.settings.max_redirects + 1):
                fetched = self._get_one(target, {}, None, robots=False)
                if isinstance(fetched, Fetched):
                    break
                target = fetched
            else:
                raise FetchError(target, "too many redirects")
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                rules.parse([])
                return rules
            return exc
        rules.parse(fetched.content.decode("utf-8", errors="replace").splitlines())
        return rules
