"""A real HTTP server on loopback, and a fake DNS, for tests that fetch URLs and poll feeds.

Fixtures
--------
``http_server`` -> :class:`LoopbackServer`
    A threaded HTTP/1.1 server on 127.0.0.1 (random port), stopped after the test. Set routes,
    fetch them, then look at what the server received::

        def test_poll(http_server, loopback_config):
            url = http_server.route("/rss", RSS_BYTES, content_type="application/rss+xml",
                                    etag='"v1"')
            poll = poll_feed(url, config=loopback_config)
            again = poll_feed(url, config=loopback_config, etag=poll.etag)
            assert again.not_modified and http_server.hits("/rss") == 2

    :meth:`LoopbackServer.route` takes ``status``, ``headers``, ``content_type``, ``delay``
    (seconds before answering), ``drip`` (seconds between body chunks of ``drip_size`` bytes),
    ``redirect`` (a Location; the status defaults to 302), ``gzip`` (compress the body and send
    ``Content-Encoding: gzip``), ``etag``/``last_modified`` (sent, and a matching
    If-None-Match/If-Modified-Since gets a 304), ``length=False`` (no Content-Length: the body
    ends when the connection closes), ``chunked=True`` (Transfer-Encoding: chunked, in 4 KiB
    chunks, or ``drip_size`` ones when dripping). Unknown paths get a 404. ``server.requests``
    lists every request (method, path, lower-cased headers); ``server.hits(path)`` counts them.

    The server is on loopback, so fetches need ``allow_private_urls=True`` -- use the
    ``loopback_config`` fixture -- or ``fake_dns`` below.

``fake_dns`` -> :class:`FakeDNS`
    Replaces the resolver and the socket opener of :mod:`icalfeed.sources.fetch`, so a test can
    give public-looking names and addresses to the loopback server while the address checks stay
    on::

        def test_redirect_to_private(http_server, fake_dns, fetch_config):
            fake_dns.add("ir.example.com", "93.184.216.34").serve("93.184.216.34", http_server)
            fake_dns.add("intranet.example.com", "10.0.0.7")
            http_server.route("/pr", redirect="http://intranet.example.com/secret")
            with pytest.raises(UnsafeURLError):
                fetch_url("http://ir.example.com/pr", config=fetch_config)

    Names it does not know fail to resolve (no real DNS is ever asked); IP literals resolve to
    themselves. ``fake_dns.connections`` lists the (address, port) pairs that were connected to.

``https_server`` -> :class:`LoopbackServer` and ``trust_test_ca``
    The same server speaking TLS with a certificate for ``ir.example.com`` (and
    ``www.ir.example.com``) signed by a throwaway CA made with the ``openssl`` command (tests
    using it skip when there is none). ``trust_test_ca`` makes :mod:`icalfeed.sources.fetch`
    trust that CA; without it the certificate is rejected, as it should be. Reach the server
    through ``fake_dns``: ``fake_dns.add("ir.example.com", IP).serve(IP, https_server)``.

``fetch_config`` / ``loopback_config`` -> :class:`icalfeed.config.Config`
    Defaults (ignoring the environment) with a 5-second fetch timeout, without and with
    ``allow_private_urls``.
"""

from __future__ import annotations

import gzip as gzip_module
import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from icalfeed.config import Config
from icalfeed.errors import FetchError


@dataclass
class Route:
    """What the server answers on one path."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "text/html; charset=utf-8"
    delay: float = 0.0
    drip: float | None = None
    drip_size: int = 1
    redirect: str | None = None
    gzip: bool = False
    etag: str | None = None
    last_modified: str | None = None
    length: bool = True
    chunked: bool = False


@dataclass(frozen=True)
class Recorded:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        owner = self.server.owner
        headers = {k.lower(): v for k, v in self.headers.items()}
        owner.requests.append(Recorded("GET", self.path, headers))
        route = owner.routes.get(self.path.split("#", 1)[0]) or owner.routes.get(
            self.path.split("?", 1)[0]
        )
        if route is None:
            self._send(404, {"Content-Type": "text/plain"}, b"not found")
            return
        if route.delay and owner.stopping.wait(route.delay):
            return
        out_headers: dict[str, str] = {}
        if route.content_type:
            out_headers["Content-Type"] = route.content_type
        if route.etag:
            out_headers["ETag"] = route.etag
        if route.last_modified:
            out_headers["Last-Modified"] = route.last_modified
        out_headers.update(route.headers)
        inm, ims = headers.get("if-none-match"), headers.get("if-modified-since")
        if (route.etag and inm == route.etag) or (
            route.last_modified and not inm and ims == route.last_modified
        ):
            self._send(304, {k: v for k, v in out_headers.items() if k != "Content-Type"}, b"")
            return
        status = route.status
        if route.redirect is not None:
            out_headers["Location"] = route.redirect
            status = status if 300 <= status < 400 else 302
        body = route.body
        if route.gzip:
            body = gzip_module.compress(body)
            out_headers["Content-Encoding"] = "gzip"
        self._send(status, out_headers, body, route)

    def _send(
        self, status: int, headers: Mapping[str, str], body: bytes, route: Route | None = None
    ) -> None:
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if route is not None and route.chunked:
                self.send_header("Transfer-Encoding", "chunked")
            elif route is None or route.length:
                self.send_header("Content-Length", str(len(body)))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if route is None or (route.drip is None and not route.chunked):
                self.wfile.write(body)
                return
            self.wfile.flush()
            size = route.drip_size if route.drip is not None else 4096
            for i in range(0, len(body), size):
                if route.drip is not None and self.server.owner.stopping.wait(route.drip):
                    return
                piece = body[i : i + size]
                if route.chunked:
                    piece = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
                self.wfile.write(piece)
                self.wfile.flush()
            if route.chunked:
                self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeouts, size caps): that is what those tests want


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: LoopbackServer


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 whose routes a test sets (see the module docstring)."""

    host = "127.0.0.1"

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Recorded] = []
        self.stopping = threading.Event()
        self._server = _Server((self.host, 0), _Handler)
        self._server.owner = self
        self.port: int = self._server.server_address[1]
        self.scheme = "https" if tls else "http"
        if tls is not None:
            # The handshake happens on the handler thread's first read, not in accept().
            self._server.socket = tls.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def url(self, path: str = "/") -> str:
        return f"{self.scheme}://{self.host}:{self.port}{path}"

    def route(self, path: str, body: bytes | str = b"", **options: Any) -> str:
        """Answer GET ``path`` as ``options`` say (fields of :class:`Route`); returns its URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(body=data, **options)
        return self.url(path)

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)


class FakeDNS:
    """A resolver and connector standing in for the network (see the module docstring)."""

    def __init__(self) -> None:
        self.names: dict[str, list[str]] = {}
        self.servers: dict[str, tuple[str, int]] = {}
        self.connections: list[tuple[str, int]] = []
        self.lookups: list[str] = []

    def add(self, name: str, *addresses: str) -> FakeDNS:
        self.names[name.lower()] = list(addresses)
        return self

    def serve(self, address: str, server: LoopbackServer) -> FakeDNS:
        """Connections to ``address`` (any port) reach ``server``."""
        self.servers[str(ipaddress.ip_address(address))] = (server.host, server.port)
        return self

    def resolve(self, host: str, port: int, timeout: float) -> list[str]:
        self.lookups.append(host)
        if host.lower() in self.names:
            return list(self.names[host.lower()])
        try:  # numeric forms only ("127.1", "0x7f.0.0.1", "::1"): never real DNS
            infos = socket.getaddrinfo(
                host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST
            )
        except OSError:
            raise FetchError(f"fake DNS: unknown host {host}") from None
        return list(dict.fromkeys(str(info[4][0]) for info in infos))

    def connect(self, address: str, port: int, timeout: float) -> socket.socket:
        self.connections.append((address, port))
        target = self.servers.get(str(ipaddress.ip_address(address)))
        if target is None:
            raise ConnectionRefusedError(f"fake network: nothing listens on {address}")
        return socket.create_connection(target, timeout=timeout)


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    server = LoopbackServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> FakeDNS:
    from icalfeed.sources import fetch

    dns = FakeDNS()
    monkeypatch.setattr(fetch, "resolve_host", dns.resolve)
    monkeypatch.setattr(fetch, "connect_socket", dns.connect)
    return dns


@dataclass(frozen=True)
class ThrowawayCA:
    """A throwaway CA and a server certificate it signed."""

    ca_file: Path
    cert_file: Path
    key_file: Path
    names: tuple[str, ...]


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def throwaway_ca(tmp_path_factory: pytest.TempPathFactory) -> ThrowawayCA:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make test certificates")
    folder = tmp_path_factory.mktemp("tls")
    names = ("ir.example.com", "www.ir.example.com")
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=icalfeed test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=folder,
    )  # fmt: skip
    _openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr",
        "-subj", f"/CN={names[0]}",
        cwd=folder,
    )  # fmt: skip
    (folder / "ext.cnf").write_text(
        "subjectAltName=" + ",".join(f"DNS:{n}" for n in names) + "\n"
        "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
    )
    _openssl(
        "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "leaf.pem", "-days", "2", "-extfile", "ext.cnf",
        cwd=folder,
    )  # fmt: skip
    return ThrowawayCA(folder / "ca.pem", folder / "leaf.pem", folder / "leaf.key", names)


@pytest.fixture
def https_server(throwaway_ca: ThrowawayCA) -> Iterator[LoopbackServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(throwaway_ca.cert_file, throwaway_ca.key_file)
    server = LoopbackServer(tls=context).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def trust_test_ca(throwaway_ca: ThrowawayCA, monkeypatch: pytest.MonkeyPatch) -> ThrowawayCA:
    from icalfeed.sources import fetch

    def context() -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(throwaway_ca.ca_file))

    monkeypatch.setattr(fetch, "tls_context", context)
    return throwaway_ca


@pytest.fixture
def fetch_config() -> Config:
    return Config.from_env({}, fetch_timeout=5.0)


@pytest.fixture
def loopback_config() -> Config:
    return Config.from_env({}, fetch_timeout=5.0, allow_private_urls=True)
