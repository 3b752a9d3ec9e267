"""fetch_url: schemes, addresses (after DNS and on every redirect), caps, timeouts, 304s."""

from __future__ import annotations

import contextlib
import gzip
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator

import pytest

from icalfeed.config import Config
from icalfeed.errors import FetchError, TooLargeError, UnsafeURLError
from icalfeed.sources import HTTPStatusError, address_problem, check_url, fetch, fetch_url
from icalfeed.sources.bodies import BodyDecoder
from tests.plugins.http import FakeDNS, LoopbackServer, ThrowawayCA

PUBLIC = "93.184.216.34"  # example.com's address: globally routable, never actually contacted
LOOPBACK = {"allow_private_urls": True, "fetch_timeout": 5.0}


# --- schemes and URL shapes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "gopher://ir.example.com/1",
        "ftp://ir.example.com/release.txt",
        "data:text/plain,hello",
        "javascript:alert(1)",
        "/relative/path",
        "http://",
        "https://user:secret@ir.example.com/",
        "http://ir.example.com:99999/",
        "http://ir.example.com/a b",
        "http://ir.example.com/\r\nX-Injected: 1",
    ],
    ids=[
        "file",
        "gopher",
        "ftp",
        "data",
        "javascript",
        "relative",
        "no-host",
        "credentials",
        "bad-port",
        "space",
        "crlf-injection",
    ],
)
def test_refuses_url(url: str, fetch_config: Config, fake_dns: FakeDNS) -> None:
    with pytest.raises(UnsafeURLError):
        fetch_url(url, config=fetch_config)
    assert fake_dns.lookups == []  # refused before any DNS lookup


def test_refusal_holds_even_when_private_urls_are_allowed(loopback_config: Config) -> None:
    with pytest.raises(UnsafeURLError, match="only http and https"):
        fetch_url("file:///etc/passwd", config=loopback_config)


def test_check_url_drops_the_fragment() -> None:
    assert check_url(" https://ir.example.com/pr?id=1#top ") == "https://ir.example.com/pr?id=1"


# --- addresses ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "private"),  # reserved (Python also calls it private)
        ("100.64.0.1", "not globally routable"),  # carrier-grade NAT
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback (IPv4 127.0.0.1 inside ::ffff:7f00:1)"),
        ("::ffff:169.254.169.254", "link-local (IPv4 169.254.169.254 inside ::ffff:a9fe:a9fe)"),
        ("2002:7f00:1::", "loopback (IPv4 127.0.0.1 inside 2002:7f00:1::)"),
        ("64:ff9b::a00:1", "private (IPv4 10.0.0.1 inside 64:ff9b::a00:1)"),
    ],
)
def test_address_problem(address: str, problem: str) -> None:
    assert address_problem(address) == problem


@pytest.mark.parametrize("address", [PUBLIC, "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert address_problem(address) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://2130706433/",  # 127.0.0.1 as one decimal number
        "http://0x7f.1/",  # and in hex shorthand
        "http://127.1/",
    ],
)
def test_refuses_private_address_literals(url: str, fetch_config: Config) -> None:
    with pytest.raises(UnsafeURLError, match="address"):
        fetch_url(url, config=fetch_config)


def test_refuses_localhost_after_real_resolution(
    fetch_config: Config, http_server: LoopbackServer
) -> None:
    http_server.route("/", "secret")
    refusal = r"localhost \((127\.0\.0\.1|::1)\) is not a public address: loopback"
    with pytest.raises(UnsafeURLError, match=refusal):
        fetch_url(f"http://localhost:{http_server.port}/", config=fetch_config)
    assert http_server.requests == []


def test_refuses_a_name_resolving_to_private(fetch_config: Config, fake_dns: FakeDNS) -> None:
    fake_dns.add("intranet.example.com", "10.20.30.40")
    with pytest.raises(UnsafeURLError, match=r"10\.20\.30\.40"):
        fetch_url("http://intranet.example.com/", config=fetch_config)
    assert fake_dns.connections == []


def test_refuses_when_any_resolved_address_is_private(
    fetch_config: Config, fake_dns: FakeDNS
) -> None:
    fake_dns.add("mixed.example.com", PUBLIC, "127.0.0.1")
    with pytest.raises(UnsafeURLError, match="loopback"):
        fetch_url("http://mixed.example.com/", config=fetch_config)
    assert fake_dns.connections == []


def test_public_name_is_fetched_from_the_checked_address(
    fetch_config: Config, fake_dns: FakeDNS, http_server: LoopbackServer
) -> None:
    fake_dns.add("ir.example.com", PUBLIC).serve(PUBLIC, http_server)
    http_server.route("/pr", "<p>Call on May 1</p>")
    result = fetch_url("http://ir.example.com/pr", config=fetch_config)
    assert result.body == b"<p>Call on May 1</p>"
    assert fake_dns.connections == [(PUBLIC, 80)]
    assert http_server.requests[0].headers["host"] == "ir.example.com"


def test_dns_rebinding_cannot_swap_the_address(
    fetch_config: Config,
    fake_dns: FakeDNS,
    http_server: LoopbackServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A resolver that answers public first and loopback afterwards: we resolve once per hop and
    # connect to what we checked, so the second answer is never used.
    answers = iter([[PUBLIC], ["127.0.0.1"], ["127.0.0.1"]])
    monkeypatch.setattr(fetch, "resolve_host", lambda host, port, timeout: next(answers))
    fake_dns.serve(PUBLIC, http_server)
    http_server.route("/", "ok")
    assert fetch_url("http://rebind.example.com/", config=fetch_config).body == b"ok"
    assert fake_dns.connections == [(PUBLIC, 80)]


def test_redirect_to_private_address_is_refused(
    fetch_config: Config, fake_dns: FakeDNS, http_server: LoopbackServer
) -> None:
    fake_dns.add("ir.example.com", PUBLIC).serve(PUBLIC, http_server)
    fake_dns.add("intranet.example.com", "10.0.0.7")
    http_server.route("/pr", redirect="http://intranet.example.com/secret")
    with pytest.raises(UnsafeURLError, match=r"intranet\.example\.com \(10\.0\.0\.7\)"):
        fetch_url("http://ir.example.com/pr", config=fetch_config)
    assert fake_dns.connections == [(PUBLIC, 80)]


@pytest.mark.parametrize(
    "location",
    ["http://127.0.0.1/admin", "http://[::1]/", "http://169.254.169.254/", "file:///etc/passwd"],
)
def test_redirect_to_refused_target(
    location: str, fetch_config: Config, fake_dns: FakeDNS, http_server: LoopbackServer
) -> None:
    fake_dns.add("ir.example.com", PUBLIC).serve(PUBLIC, http_server)
    http_server.route("/pr", redirect=location, status=301)
    with pytest.raises(UnsafeURLError):
        fetch_url("http://ir.example.com/pr", config=fetch_config)
    assert len(fake_dns.connections) == 1


# --- redirects ----------------------------------------------------------------------------------


def test_follows_redirects_and_reports_final_url(
    loopback_config: Config, http_server: LoopbackServer
) -> None:
    http_server.route("/a", redirect="/b", status=301)
    http_server.route("/b", redirect=http_server.url("/c"), status=307)
    http_server.route("/c", "done", content_type="text/plain; charset=iso-8859-1")
    result = fetch_url(http_server.url("/a"), config=loopback_config)
    assert (result.url, result.status, result.body) == (http_server.url("/c"), 200, b"done")
    assert (result.content_type, result.charset) == ("text/plain", "iso-8859-1")


def test_at_most_five_redirects(loopback_config: Config, http_server: LoopbackServer) -> None:
    for i in range(7):
        http_server.route(f"/{i}", redirect=f"/{i + 1}")
    http_server.route("/7", "end")
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch_url(http_server.url("/0"), config=loopback_config)
    assert http_server.hits("/5") == 1
    assert http_server.hits("/6") == 0


def test_five_redirects_are_fine(loopback_config: Config, http_server: LoopbackServer) -> None:
    for i in range(5):
        http_server.route(f"/{i}", redirect=f"/{i + 1}")
    http_server.route("/5", "end")
    assert fetch_url(http_server.url("/0"), config=loopback_config).body == b"end"


def test_redirect_loop(loopback_config: Config, http_server: LoopbackServer) -> None:
    http_server.route("/loop", redirect="/loop")
    with pytest.raises(FetchError, match="redirects"):
        fetch_url(http_server.url("/loop"), config=loopback_config)


# --- statuses -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 403, 404, 410, 500, 503])
def test_error_status(status: int, loopback_config: Config, http_server: LoopbackServer) -> None:
    http_server.route("/x", "nope", status=status)
    with pytest.raises(HTTPStatusError) as info:
        fetch_url(http_server.url("/x"), config=loopback_config)
    assert info.value.status == status
    assert isinstance(info.value, FetchError)


def test_connection_refused_is_a_fetch_error(loopback_config: Config) -> None:
    server = LoopbackServer()  # bound, never started, then closed: nobody listens on the port
    url = server.url("/")
    server._server.server_close()
    with pytest.raises(FetchError):
        fetch_url(url, config=loopback_config)


def test_unknown_host(fetch_config: Config, fake_dns: FakeDNS) -> None:
    with pytest.raises(FetchError, match="unknown host"):
        fetch_url("http://nowhere.invalid/", config=fetch_config)


# --- conditional GET ----------------------------------------------------------------------------


def test_etag_304(loopback_config: Config, http_server: LoopbackServer) -> None:
    url = http_server.route("/feed", "v1", etag='"abc"')
    first = fetch_url(url, config=loopback_config)
    assert (first.etag, first.not_modified, first.body) == ('"abc"', False, b"v1")
    second = fetch_url(url, config=loopback_config, etag=first.etag)
    assert (second.status, second.not_modified, second.body, second.etag) == (
        304,
        True,
        b"",
        '"abc"',
    )
    assert http_server.requests[1].headers["if-none-match"] == '"abc"'


def test_last_modified_304(loopback_config: Config, http_server: LoopbackServer) -> None:
    stamp = "Wed, 21 Oct 2026 07:28:00 GMT"
    url = http_server.route("/feed", "v1", last_modified=stamp)
    first = fetch_url(url, config=loopback_config)
    assert first.last_modified == stamp
    second = fetch_url(url, config=loopback_config, last_modified=stamp)
    assert second.not_modified
    assert second.last_modified == stamp
    assert http_server.requests[1].headers["if-modified-since"] == stamp


def test_changed_etag_gives_the_new_body(
    loopback_config: Config, http_server: LoopbackServer
) -> None:
    url = http_server.route("/feed", "v2", etag='"new"')
    result = fetch_url(url, config=loopback_config, etag='"old"')
    assert (result.not_modified, result.body, result.etag) == (False, b"v2", '"new"')


# --- size caps and decompression ----------------------------------------------------------------


def test_body_at_the_cap_is_fine(http_server: LoopbackServer) -> None:
    url = http_server.route("/x", b"a" * 1000)
    config = Config.from_env({}, allow_private_urls=True, max_release_bytes=1000)
    assert len(fetch_url(url, config=config).body) == 1000


@pytest.mark.parametrize("length", [True, False], ids=["content-length", "close-delimited"])
def test_body_over_the_cap(length: bool, http_server: LoopbackServer) -> None:
    url = http_server.route("/x", b"a" * 200_000, length=length)
    config = Config.from_env({}, allow_private_urls=True, max_release_bytes=1000)
    with pytest.raises(TooLargeError, match="size cap of 1000 bytes"):
        fetch_url(url, config=config)


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
def test_chunked_body(gzipped: bool, loopback_config: Config, http_server: LoopbackServer) -> None:
    body = b"chunk of release text\n" * 2000
    url = http_server.route("/x", body, chunked=True, gzip=gzipped)
    assert fetch_url(url, config=loopback_config).body == body


def test_chunked_body_over_the_cap(http_server: LoopbackServer) -> None:
    url = http_server.route("/x", b"a" * 50_000, chunked=True)
    config = Config.from_env({}, allow_private_urls=True, max_release_bytes=10_000)
    with pytest.raises(TooLargeError):
        fetch_url(url, config=config)


def test_gzip_body_is_decoded(loopback_config: Config, http_server: LoopbackServer) -> None:
    url = http_server.route("/x", "Call on May 1 " * 100, gzip=True)
    result = fetch_url(url, config=loopback_config)
    assert result.body == b"Call on May 1 " * 100
    assert "gzip" in http_server.requests[0].headers["accept-encoding"]


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "raw"])
def test_deflate_body_is_decoded(
    wbits: int, loopback_config: Config, http_server: LoopbackServer
) -> None:
    packer = zlib.compressobj(wbits=wbits)
    body = packer.compress(b"deflated release " * 50) + packer.flush()
    url = http_server.route("/x", body, headers={"Content-Encoding": "deflate"})
    assert fetch_url(url, config=loopback_config).body == b"deflated release " * 50


def test_gzip_bomb_stops_at_the_cap(http_server: LoopbackServer) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)  # ~50 KB on the wire, 50 MB inflated
    assert len(bomb) < 100_000
    url = http_server.route("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    config = Config.from_env({}, allow_private_urls=True, max_release_bytes=1_000_000)
    with pytest.raises(TooLargeError, match="decompressed body is over the size cap"):
        fetch_url(url, config=config)


def test_corrupt_gzip(loopback_config: Config, http_server: LoopbackServer) -> None:
    url = http_server.route("/x", b"not gzip at all", headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="corrupt gzip"):
        fetch_url(url, config=loopback_config)


def test_truncated_gzip(loopback_config: Config, http_server: LoopbackServer) -> None:
    body = gzip.compress(b"release text " * 1000)[:-20]
    url = http_server.route("/x", body, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="ends before its end"):
        fetch_url(url, config=loopback_config)


def test_unsupported_encoding(loopback_config: Config, http_server: LoopbackServer) -> None:
    url = http_server.route("/x", b"....", headers={"Content-Encoding": "br"})
    with pytest.raises(FetchError, match="unsupported Content-Encoding"):
        fetch_url(url, config=loopback_config)


# --- time caps ----------------------------------------------------------------------------------


def test_slow_drip_hits_the_total_time_cap(http_server: LoopbackServer) -> None:
    # One byte every 0.1 s: each read is quick, so only a cap on the whole fetch stops it.
    url = http_server.route("/drip", b"x" * 1000, drip=0.1)
    config = Config.from_env({}, allow_private_urls=True, fetch_timeout=1.0)
    started = time.monotonic()
    with pytest.raises(FetchError, match="no complete response within 1 s"):
        fetch_url(url, config=config)
    assert time.monotonic() - started < 2.5


def test_slow_first_byte_hits_the_time_cap(http_server: LoopbackServer) -> None:
    url = http_server.route("/slow", b"late", delay=3)
    config = Config.from_env({}, allow_private_urls=True, fetch_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"within 0\.5 s"):
        fetch_url(url, config=config)
    assert time.monotonic() - started < 2


def test_time_cap_covers_all_redirect_hops(http_server: LoopbackServer) -> None:
    for i in range(4):
        http_server.route(f"/{i}", redirect=f"/{i + 1}", delay=0.3)
    http_server.route("/4", "end")
    config = Config.from_env({}, allow_private_urls=True, fetch_timeout=0.8)
    with pytest.raises(FetchError, match="no complete response"):
        fetch_url(http_server.url("/0"), config=config)


# --- what is sent -------------------------------------------------------------------------------


def test_request_headers(loopback_config: Config, http_server: LoopbackServer) -> None:
    url = http_server.route("/x", "ok")
    fetch_url(url + "?q=caf%C3%A9", config=loopback_config, accept="text/plain")
    request = http_server.requests[0]
    assert request.path == "/x?q=caf%C3%A9"
    assert request.headers["accept"] == "text/plain"
    assert request.headers["user-agent"].startswith("icalfeed/")
    assert "if-none-match" not in request.headers


# --- https --------------------------------------------------------------------------------------


def test_https_with_a_trusted_certificate(
    fetch_config: Config,
    fake_dns: FakeDNS,
    https_server: LoopbackServer,
    trust_test_ca: ThrowawayCA,
) -> None:
    fake_dns.add("ir.example.com", PUBLIC).serve(PUBLIC, https_server)
    https_server.route("/pr", "<p>secure</p>")
    result = fetch_url("https://ir.example.com/pr", config=fetch_config)
    assert result.body == b"<p>secure</p>"
    assert fake_dns.connections == [(PUBLIC, 443)]
    assert https_server.requests[0].headers["host"] == "ir.example.com"


def test_https_untrusted_certificate(
    fetch_config: Config, fake_dns: FakeDNS, https_server: LoopbackServer
) -> None:
    fake_dns.add("ir.example.com", PUBLIC).serve(PUBLIC, https_server)
    https_server.route("/pr", "<p>secure</p>")
    with pytest.raises(FetchError, match="certificate not valid"):
        fetch_url("https://ir.example.com/pr", config=fetch_config)
    assert https_server.requests == []


def test_https_certificate_for_another_name(
    fetch_config: Config,
    fake_dns: FakeDNS,
    https_server: LoopbackServer,
    trust_test_ca: ThrowawayCA,
) -> None:
    # Connecting to the checked address must not lose the name check: SNI and verification use
    # the URL's host, so a certificate for ir.example.com does not do for evil.example.com.
    fake_dns.add("evil.example.com", PUBLIC).serve(PUBLIC, https_server)
    https_server.route("/pr", "x")
    with pytest.raises(FetchError, match="certificate not valid"):
        fetch_url("https://evil.example.com/pr", config=fetch_config)


def test_https_redirect_to_http_private_is_refused(
    fetch_config: Config,
    fake_dns: FakeDNS,
    https_server: LoopbackServer,
    trust_test_ca: ThrowawayCA,
) -> None:
    fake_dns.add("ir.example.com", PUBLIC).serve(PUBLIC, https_server)
    https_server.route("/pr", redirect="http://127.0.0.1:8080/admin")
    with pytest.raises(UnsafeURLError, match="loopback"):
        fetch_url("https://ir.example.com/pr", config=fetch_config)


# --- DNS ----------------------------------------------------------------------------------------


def test_slow_dns_hits_the_time_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow_getaddrinfo(*args: object, **kwargs: object) -> list[object]:
        time.sleep(3)
        return []

    monkeypatch.setattr(fetch.socket, "getaddrinfo", slow_getaddrinfo)
    config = Config.from_env({}, fetch_timeout=0.3)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"resolving ir\.example\.com took longer"):
        fetch_url("http://ir.example.com/", config=config)
    assert time.monotonic() - started < 1.5


# --- raw servers that misbehave below HTTP ------------------------------------------------------


class RawServer:
    """A TCP server on loopback that runs ``talk(conn)`` for each connection."""

    host = "127.0.0.1"

    def __init__(self, talk: Callable[[socket.socket], None]) -> None:
        self.sock = socket.create_server((self.host, 0))
        self.port = self.sock.getsockname()[1]
        self.talk = talk
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            conn, _ = self.sock.accept()
            with conn, contextlib.suppress(OSError):
                self.talk(conn)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def raw_server() -> Iterator[Callable[[Callable[[socket.socket], None]], RawServer]]:
    servers: list[RawServer] = []

    def start(talk: Callable[[socket.socket], None]) -> RawServer:
        servers.append(RawServer(talk))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def test_headers_dripping_hit_the_time_cap(
    raw_server: Callable[[Callable[[socket.socket], None]], RawServer],
) -> None:
    def talk(conn: socket.socket) -> None:
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        for _ in range(100):  # one header byte every 0.05 s: 5 s in all
            conn.sendall(b"X")
            time.sleep(0.05)

    server = raw_server(talk)
    config = Config.from_env({}, allow_private_urls=True, fetch_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"no complete response within 0\.5 s"):
        fetch_url(f"http://127.0.0.1:{server.port}/", config=config)
    assert time.monotonic() - started < 1.5


def test_stalled_tls_handshake_hits_the_time_cap(
    raw_server: Callable[[Callable[[socket.socket], None]], RawServer],
    fake_dns: FakeDNS,
) -> None:
    server = raw_server(lambda conn: time.sleep(3))  # accepts, never answers the ClientHello
    fake_dns.add("ir.example.com", PUBLIC).serve(PUBLIC, server)  # type: ignore[arg-type]
    config = Config.from_env({}, fetch_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(FetchError):
        fetch_url("https://ir.example.com/", config=config)
    assert time.monotonic() - started < 1.5


def test_garbage_instead_of_http(
    raw_server: Callable[[Callable[[socket.socket], None]], RawServer],
) -> None:
    server = raw_server(lambda conn: (conn.recv(65536), conn.sendall(b"SSH-2.0-OpenSSH\r\n")))
    with pytest.raises(FetchError, match="BadStatusLine"):
        fetch_url(f"http://127.0.0.1:{server.port}/", config=Config.from_env({}, **LOOPBACK))


def test_endless_header_lines(
    raw_server: Callable[[Callable[[socket.socket], None]], RawServer],
) -> None:
    def talk(conn: socket.socket) -> None:
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\n" + b"X-Spam: y\r\n" * 1000)

    server = raw_server(talk)
    with pytest.raises(FetchError, match="got more than 100 headers"):
        fetch_url(f"http://127.0.0.1:{server.port}/", config=Config.from_env({}, **LOOPBACK))


# --- the body decoder on its own ----------------------------------------------------------------


def test_bomb_in_one_chunk_never_inflates_past_the_cap() -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)
    body = BodyDecoder("gzip", limit=1000, url="u")
    with pytest.raises(TooLargeError):
        body.feed(bomb)  # one 50 KB chunk: max_length keeps the inflated output to limit + 1
    assert body.size <= 1001


def test_concatenated_gzip_members() -> None:
    body = BodyDecoder("gzip", limit=100, url="u")
    body.feed(gzip.compress(b"first ") + gzip.compress(b"second"))
    assert body.finish() == b"first second"


def test_body_fed_byte_by_byte() -> None:
    packed = zlib.compress(b"deflate, one byte at a time")
    body = BodyDecoder("deflate", limit=100, url="u")
    for i in range(len(packed)):
        body.feed(packed[i : i + 1])
    assert body.finish() == b"deflate, one byte at a time"
