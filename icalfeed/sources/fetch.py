"""One careful HTTP GET: the only way icalfeed reaches the network.

Rules (each one a test in tests/test_sources_fetch.py):

- Only ``http`` and ``https`` URLs, without credentials; anything else is UnsafeURLError.
- The host is resolved once per hop; if *any* address it resolves to is loopback, private,
  link-local, multicast, reserved, unspecified or otherwise not globally routable (IPv4, IPv6, and
  IPv4 embedded in IPv6), the fetch is refused with UnsafeURLError -- unless
  ``config.allow_private_urls``. The connection then goes to the address that was checked (the
  Host header and TLS SNI carry the name), so DNS cannot answer differently in between.
- Redirects are followed here, at most :data:`MAX_REDIRECTS`, and every hop is checked again.
- ``config.fetch_timeout`` bounds the whole fetch -- DNS, connect, headers, every redirect and the
  body, however slowly it drips -- and a timer closes the socket when it runs out (FetchError).
- ``config.max_release_bytes`` bounds the body after gzip/deflate decoding, which happens
  incrementally so a decompression bomb stops at the cap (TooLargeError); the bytes on the wire
  are capped too.
- ``etag``/``last_modified`` make the request conditional; a 304 gives ``not_modified=True``.
- Proxies from the environment are not used: the address checks would be meaningless.

:func:`resolve_host`, :func:`connect_socket` and :func:`tls_context` are the only functions that
touch DNS, sockets and certificates; tests replace them (``fake_dns`` and ``trust_test_ca`` in
tests/plugins/http.py).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import SplitResult, quote, urljoin, urlsplit

from icalfeed.config import Config
from icalfeed.errors import FetchError, TooLargeError, UnsafeURLError
from icalfeed.sources.addresses import address_problem
from icalfeed.sources.bodies import BodyDecoder
from icalfeed.sources.decode import declared_charset, media_type

MAX_REDIRECTS: Final = 5
DEFAULT_ACCEPT: Final = (
    "text/html, application/xhtml+xml;q=0.9, text/plain;q=0.9, message/rfc822;q=0.5, */*;q=0.1"
)
USER_AGENT: Final = "icalfeed/0.1 (+https://github.com/icalfeed/icalfeed)"
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
_CHUNK: Final = 64 * 1024
_WIRE_SLACK: Final = 64 * 1024  # gzip framing may make a small body slightly larger on the wire


class HTTPStatusError(FetchError):
    """The server answered with an error status (4xx, 5xx, or an unusable 3xx)."""

    def __init__(self, url: str, status: int, reason: str = "") -> None:
        super().__init__(f"HTTP {status} {reason}".rstrip() + f" from {url}")
        self.url = url
        self.status = status


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What a fetch got. ``url`` is the final URL after redirects; ``body`` is decompressed and
    empty when ``not_modified``; ``content_type`` is the media type alone (``text/html``) and
    ``charset`` the declared charset, both None when the server sent none."""

    url: str
    status: int
    body: bytes
    content_type: str | None
    charset: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool = False


# --- addresses --------------------------------------------------------------------------------


def resolve_host(host: str, port: int, timeout: float) -> list[str]:
    """The addresses ``host`` resolves to, in the resolver's order (a seam tests replace).

    ``getaddrinfo`` has no timeout of its own, so it runs in a helper thread we stop waiting for.
    """
    found: list[str] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            found.extend(dict.fromkeys(str(info[4][0]) for info in infos))
        except (OSError, UnicodeError) as e:
            failure.append(e)

    thread = threading.Thread(target=work, name=f"resolve {host}", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise FetchError(f"resolving {host} took longer than {timeout:.3g} s")
    if failure or not found:
        raise FetchError(f"cannot resolve {host}: {failure[0] if failure else 'no addresses'}")
    return found


def tls_context() -> ssl.SSLContext:
    """The TLS settings for https: the system's trusted CAs, hostname checks (a seam tests
    replace to trust their own CA)."""
    return ssl.create_default_context()


def connect_socket(address: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to ``address`` itself -- never to a name (a seam tests replace)."""
    return socket.create_connection((address, port), timeout=timeout)


# --- URLs -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Target:
    url: str
    https: bool
    host: str
    port: int
    path: str  # request target: path and query, percent-encoded


def check_url(url: str) -> str:
    """Refuse URLs icalfeed never fetches (UnsafeURLError); return the URL without its fragment.

    This checks the URL alone; addresses are checked by :func:`fetch_url` after resolving.

    >>> check_url("https://ir.example.com/news#top")
    'https://ir.example.com/news'
    >>> check_url("file:///etc/passwd")
    Traceback (most recent call last):
    ...
    icalfeed.errors.UnsafeURLError: refusing file: URL file:///etc/passwd: only http and https
    """
    return _target(url).url


def _target(url: str) -> _Target:
    url = url.strip()
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise UnsafeURLError(f"refusing URL with spaces or control characters: {url!r}")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as e:
        raise UnsafeURLError(f"refusing malformed URL {url!r}: {e}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeURLError(f"refusing {scheme or 'relative'}: URL {url}: only http and https")
    if not parts.hostname:
        raise UnsafeURLError(f"refusing URL without a host: {url}")
    if parts.username is not None or parts.password is not None:
        raise UnsafeURLError(f"refusing URL with credentials: {parts.hostname}")
    path = quote(parts.path or "/", safe="/%!$&'()*+,;=:@-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%!$&'()*+,;=:@-._~?")
    clean = SplitResult(scheme, parts.netloc, parts.path or "/", parts.query, "").geturl()
    return _Target(
        url=clean,
        https=scheme == "https",
        host=parts.hostname,
        port=port or (443 if scheme == "https" else 80),
        path=path,
    )


# --- time -------------------------------------------------------------------------------------


class _Deadline:
    """The whole fetch's time budget; a watchdog timer shuts the socket when it runs out."""

    def __init__(self, seconds: float, url: str) -> None:
        self.seconds = seconds
        self.url = url
        self.end = time.monotonic() + seconds
        self.fired = False

    def error(self) -> FetchError:
        return FetchError(
            f"{self.url}: no complete response within {self.seconds:g} s (ICALFEED_FETCH_TIMEOUT)"
        )

    def remaining(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0 or self.fired:
            raise self.error()
        return left

    def watch(self, conn: http.client.HTTPConnection) -> threading.Timer:
        def fire() -> None:
            self.fired = True
            sock = conn.sock
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(self.remaining(), fire)
        timer.daemon = True
        timer.start()
        return timer


# --- connections ------------------------------------------------------------------------------


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to a checked address; ``host`` only names it in the Host header."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address
        self.connect_timeout = timeout

    def connect(self) -> None:
        self.sock = connect_socket(self.address, self.port, self.connect_timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to a checked address, verifying the certificate for ``host``."""

    def __init__(
        self, host: str, port: int, address: str, timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self.address = address
        self.connect_timeout = timeout
        self.tls = context

    def connect(self) -> None:
        sock = connect_socket(self.address, self.port, self.connect_timeout)
        try:
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


# --- the fetch --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Response:
    status: int
    reason: str
    headers: http.client.HTTPMessage
    body: bytes


def _addresses(target: _Target, config: Config, deadline: _Deadline) -> Sequence[str]:
    addresses = resolve_host(target.host, target.port, deadline.remaining())
    if config.allow_private_urls:
        return addresses
    for address in addresses:
        try:
            problem = address_problem(address)
        except ValueError:
            problem = "not an IP address"
        if problem:
            shown = target.host if target.host == address else f"{target.host} ({address})"
            raise UnsafeURLError(
                f"refusing {target.url}: {shown} is not a public address: {problem} "
                "(ICALFEED_ALLOW_PRIVATE_URLS=1 allows it)"
            )
    return addresses


def _connection(target: _Target, address: str, deadline: _Deadline) -> http.client.HTTPConnection:
    timeout = deadline.remaining()
    if target.https:
        return _PinnedHTTPSConnection(target.host, target.port, address, timeout, tls_context())
    return _PinnedHTTPConnection(target.host, target.port, address, timeout)


def _exchange(
    target: _Target,
    addresses: Sequence[str],
    headers: dict[str, str],
    config: Config,
    deadline: _Deadline,
) -> _Response:
    last: Exception | None = None
    for address in addresses:
        conn = _connection(target, address, deadline)
        try:
            timer = deadline.watch(conn)
        except FetchError:
            conn.close()
            raise
        try:
            try:
                conn.connect()
            except (OSError, ssl.SSLError) as e:
                if isinstance(e, ssl.SSLCertVerificationError):
                    raise FetchError(f"{target.url}: certificate not valid: {e}") from None
                last = e
                continue
            conn.request("GET", target.path, headers=headers)
            response = conn.getresponse()
            if response.status in _REDIRECTS or response.status == 304:
                return _Response(response.status, response.reason, response.msg, b"")
            return _Response(
                response.status, response.reason, response.msg, _read(response, config, target)
            )
        except (TooLargeError, FetchError):
            if deadline.fired:
                raise deadline.error() from None
            raise
        except (OSError, http.client.HTTPException, ssl.SSLError) as e:
            if deadline.fired or isinstance(e, TimeoutError):
                raise deadline.error() from None
            raise FetchError(f"{target.url}: {type(e).__name__}: {e}") from None
        finally:
            timer.cancel()
            conn.close()
            if deadline.fired:
                raise deadline.error()
    if deadline.fired or isinstance(last, TimeoutError):
        raise deadline.error()
    raise FetchError(f"{target.url}: cannot connect: {last}")


def _read(response: http.client.HTTPResponse, config: Config, target: _Target) -> bytes:
    limit = config.max_release_bytes
    wire_limit = limit + _WIRE_SLACK
    length = response.getheader("Content-Length")
    if length and length.strip().isdigit() and int(length) > wire_limit:
        raise TooLargeError(
            f"{target.url}: Content-Length {int(length)} is over the size cap of {limit} bytes "
            "(ICALFEED_MAX_RELEASE_BYTES)"
        )
    body = BodyDecoder(response.getheader("Content-Encoding") or "", limit=limit, url=target.url)
    wire = 0
    while chunk := response.read1(_CHUNK):
        wire += len(chunk)
        if wire > wire_limit:
            raise TooLargeError(f"{target.url}: body is over the size cap of {limit} bytes")
        body.feed(chunk)
    return body.finish()


def fetch_url(
    url: str,
    *,
    config: Config,
    etag: str | None = None,
    last_modified: str | None = None,
    accept: str = DEFAULT_ACCEPT,
) -> FetchResult:
    """GET ``url`` under the rules in this module's docstring.

    Raises UnsafeURLError (scheme, credentials, address, redirect target), TooLargeError (size
    cap), HTTPStatusError (4xx/5xx) or another FetchError (network, timeout, too many redirects,
    corrupt encoding). A 304 to a conditional request returns ``not_modified=True``, an empty
    body, and the validators to keep (the server's, else the ones sent).
    """
    deadline = _Deadline(config.fetch_timeout, url)
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": accept,
        "Accept-Encoding": "gzip, deflate",
        "Connection": "close",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        target = _target(current)
        addresses = _addresses(target, config, deadline)
        response = _exchange(target, addresses, headers, config, deadline)
        if response.status in _REDIRECTS:
            location = response.headers.get("Location")
            if not location:
                raise HTTPStatusError(target.url, response.status, "redirect without Location")
            current = urljoin(target.url, location.strip())
            continue
        content_type = response.headers.get("Content-Type")
        result_etag = response.headers.get("ETag")
        result_modified = response.headers.get("Last-Modified")
        if response.status == 304:
            if not (etag or last_modified):
                raise HTTPStatusError(target.url, 304, "Not Modified to an unconditional GET")
            return FetchResult(
                url=target.url,
                status=304,
                body=b"",
                content_type=media_type(content_type),
                charset=declared_charset(content_type),
                etag=result_etag or etag,
                last_modified=result_modified or last_modified,
                not_modified=True,
            )
        if not 200 <= response.status < 300:
            raise HTTPStatusError(target.url, response.status, response.reason)
        return FetchResult(
            url=target.url,
            status=response.status,
            body=response.body,
            content_type=media_type(content_type),
            charset=declared_charset(content_type),
            etag=result_etag,
            last_modified=result_modified,
        )
    raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")
